"""The inbox's pages: the list and an item, and what the actions and exports share.

The actions on an item and in bulk are in `actions`, the exports in `exports`; both use the
helpers here (the catalogue, the audit log, the item page).

Personal data (a resident's name and email address) is shown by `item_page` alone, which
writes "viewed-personal-data" to the audit log before it builds the page, whatever led
there; a staff export writes "exported-personal-data" for each item with contact details.
"""

from __future__ import annotations

import functools

from flask import abort, current_app, g, make_response, render_template, request
from sqlalchemy import and_, or_, select

from site_builder import languages

from .. import audit, db, judging, outbox, staff, triage
from ..catalog import Catalog
from ..models import ItemNote, StaffMember, Submission
from ..status import KIND_LABELS, status_path
from ..web import published
from . import bp, queries
from .access import needs, problem

EARLIER_LIMIT = 10


def catalog() -> Catalog:
    return current_app.extensions["catalog"]


def write_audit(action: str, item: Submission | None = None, detail: dict | None = None) -> None:
    audit.record(db.session(), g.member.email, action, item, detail, actor_id=g.member.id)


def language_name(code: str) -> str:
    """A language's name in English (`Spanish`), as the inbox shows it; a code the
    registry does not have, as it is."""
    entry = languages.by_code(catalog().languages, code)
    return entry.english_name if entry else code


def language_context() -> dict:
    """What the list and the item page show of languages: the registry's, the default
    language's code (whose items carry no mark), and `language_name`."""
    registry = catalog().languages
    return {"languages": registry.languages, "language_name": language_name,
            "default_language": languages.default_language(registry).code}


def bad_request(title: str, message: str):
    """Stop here with the inbox's 400 page: what was wrong, and what to do instead."""
    abort(make_response(problem(400, title, message), 400))


# ---------------------------------------------------------------------------------------
# The list


@bp.get("/")
@needs("viewer")
def item_list():
    """The list. A filter that cannot be used is named on the page, with what to give
    instead, and left out; the page still lists the items, with status 400."""
    parsed = queries.parse(request.args, catalog())
    filters = parsed.filters
    session = db.session()
    page = queries.page_of(session, filters, g.member.id, current_app.config["INBOX_PAGE_SIZE"])
    return render_template(
        "inbox/list.html", title="Inbox", page=page, filters=filters, errors=parsed.errors,
        counts=queries.state_counts(session), names=queries.staff_names(session),
        assignable=staff.assignable(session), catalog=catalog(),
        categories=catalog().categories, kinds=KIND_LABELS, sorts=queries.SORTS,
        state_labels=triage.INBOX_STATE_LABELS,
        cap=queries.COUNT_CAP, item_label=item_label, **language_context(),
    ), 400 if parsed.errors else 200


def item_label(row) -> str:
    """What an item is about, in a few words."""
    if row.kind == "report":
        category = catalog().category(row.category)
        about = category.label if category else "Report"
        account = catalog().account(row.account_id)
        return f"{about}: {account.handle} on {account.platform}" if account else about
    policy = catalog().policy(row.policy_id)
    if policy is None:
        return row.policy_id or "Feedback"
    if row.section:
        return policy.section_label(row.section) or f"{policy.short_name} {row.section}"
    return policy.short_name


# ---------------------------------------------------------------------------------------
# An item


def find_item(item_id: int) -> Submission:
    if not 0 < item_id <= queries.ID_MAX:  # no database could hold it: do not ask
        bad_request("This is not an item number",
                    f"The address asks for item {item_id}, but item numbers run from 1 to "
                    f"{queries.ID_MAX:,}. Open the item from the inbox list, or check the "
                    "address.")
    item = db.session().get(Submission, item_id)
    if item is None:
        abort(404)
    return item


def _earlier(item: Submission) -> list[Submission]:
    """Earlier items from the same account or about the same section."""
    same = []
    if item.account_id:
        same.append(Submission.account_id == item.account_id)
    elif item.account_url:
        same.append(Submission.account_url == item.account_url)
    if item.policy_id and item.section:
        same.append(and_(Submission.policy_id == item.policy_id,
                         Submission.section == item.section))
    if not same:
        return []
    return list(db.session().scalars(
        select(Submission).where(or_(*same), Submission.id != item.id,
                                 Submission.created_at <= item.created_at)
        .order_by(Submission.created_at.desc()).limit(EARLIER_LIMIT)))


def item_page(item: Submission, errors: dict | None = None, values: dict | None = None,
              status: int = 200):
    """The item page, the only page that shows a resident's name and email address. For an
    item that has either, the view is written to the audit log (and committed) before the
    page is built, whatever led here: opening the item, or an action refused for what was
    sent. Nothing shows personal data without its record."""
    session = db.session()
    if item.name or item.email:
        write_audit("viewed-personal-data", item)
        session.commit()
    notes = list(session.scalars(select(ItemNote).where(ItemNote.submission_id == item.id)
                                 .order_by(ItemNote.id)))
    assignee = session.get(StaffMember, item.assignee_id) if item.assignee_id else None
    policy = catalog().policy(item.policy_id)
    return render_template(
        "inbox/item.html", title=f"{KIND_LABELS.get(item.kind, item.kind)} {item.tracking_code}",
        item=item, notes=notes, history=audit.for_item(session, item),
        earlier=_earlier(item), assignee=assignee, assignable=staff.assignable(session),
        policy=policy, account=catalog().account(item.account_id),
        category=catalog().category(item.category), offered=catalog().outcomes,
        section_label=policy.section_label(item.section) if policy and item.section else None,
        moves=triage.moves_from(item.state), triage=triage, item_label=item_label,
        status_url=status_path(item.kind, item.tracking_code),
        judged=judging.judged(session, item.id), messages=outbox.messages_of(session, item.id),
        led_to=published().led_to(item.tracking_code) if item.kind == "feedback" else (),
        delivery=outbox.delivery,
        clause_label=functools.partial(judging.clause_label, catalog()),
        clause_choices=judging.choices(catalog(), published()) if item.state in triage.OPEN
        else (), incident_default=(item.seen_at or "")[:10],
        errors=errors or {}, values=values or {}, open=item.state in triage.OPEN,
        **language_context(),
    ), status


@bp.get("/items/<int:item_id>")
@needs("viewer")
def item_view(item_id: int):
    return item_page(find_item(item_id))


