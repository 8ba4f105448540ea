"""The inbox pages: the list, an item, the workflow actions, bulk actions and exports.

Each action reads the form, asks `feedback_api.triage` what should change, applies it and
writes the audit event in one commit, then redirects back (303) with a confirmation. A
change that cannot be made shows the page again with what was typed and the reason (422).

Personal data (a resident's name and email address) is shown by `item_page` alone, which
writes "viewed-personal-data" to the audit log before it builds the page, whatever led
there; a staff export writes "exported-personal-data" for each item with contact details.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import and_, or_, select
from werkzeug.datastructures import MultiDict

from .. import audit, db, judging, outbox, records, staff, triage
from ..catalog import Catalog
from ..models import ItemNote, StaffMember, Submission, utcnow
from ..status import KIND_LABELS, status_path
from ..tracking import normalise_tracking_code
from ..web import published
from . import bp, queries
from .access import needs, problem

EARLIER_LIMIT = 10
BULK_MAX = 200


def catalog() -> Catalog:
    return current_app.extensions["catalog"]


def actor() -> str:
    return g.member.email


def _record(action: str, item: Submission | None = None, detail: dict | None = None) -> None:
    audit.record(db.session(), g.member.email, action, item, detail, actor_id=g.member.id)


def _bad_request(title: str, message: str):
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
        cap=queries.COUNT_CAP, item_label=item_label,
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


def _item(item_id: int) -> Submission:
    if not 0 < item_id <= queries.ID_MAX:  # no database could hold it: do not ask
        _bad_request("This is not an item number",
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
        _record("viewed-personal-data", item)
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
    ), status


@bp.get("/items/<int:item_id>")
@needs("viewer")
def item_view(item_id: int):
    return item_page(_item(item_id))


def _apply(item: Submission, change: dict, action: str, detail: dict, message: str):
    for column, value in change.items():
        setattr(item, column, value)
    _record(action, item, detail)
    db.session().commit()
    flash(message)
    return redirect(url_for("inbox.item_view", item_id=item.id), 303)


def _form(*names: str) -> dict:
    return {name: (request.form.get(name) or "")[:triage.NOTE_MAX * 2] for name in names}


TEXT_LABELS = {"note": "The note", "public_note": "The public note",
               "internal_note": "The internal note", "duplicate_of": "The tracking code",
               "referred_to": "Where it was referred", "action_link": "The address"}


def _storable(values: dict) -> None:
    """TriageError for text staff typed that a database cannot store as it is: control
    characters other than tab and line breaks (PostgreSQL refuses U+0000 outright)."""
    for name, label in TEXT_LABELS.items():
        text = values.get(name) or ""
        if queries.has_control_characters(text.replace("\t", "").replace("\r", "")
                                          .replace("\n", "")):
            raise triage.TriageError(name, f"{label} contains a control character; delete "
                                           "it (or type the text again) and send it again")


def _refused(item: Submission, error: triage.TriageError, values: dict, form: str):
    """The item page again, with the reason and what was typed in `form` (422)."""
    db.session().rollback()
    key = "workflow" if error.field == "state" else f"{form}-{error.field}"
    return item_page(item, {key: error.message}, {form: values}, status=422)


@bp.post("/items/<int:item_id>/move")
@needs("triager")
def move(item_id: int):
    item = _item(item_id)
    values = _form("to")
    try:
        change = triage.move(item.state, values["to"])
    except triage.TriageError as error:
        return _refused(item, error, values, "move")
    detail = {"from": item.state, "to": change["state"]}
    if item.state == "new":  # the first public step after "received"
        outbox.queue_change(db.session(), item, change, "Staff have read what you sent",
                            event="acknowledged")
    return _apply(item, change, "state-changed", detail,
                  f"Moved to {triage.INBOX_STATE_LABELS[change['state']].lower()}.")


@bp.post("/items/<int:item_id>/resolve")
@needs("triager")
def resolve(item_id: int):
    item = _item(item_id)
    values = _form("reason", "public_note", "internal_note", "incident_date", "action_link")
    values["outcomes"] = request.form.getlist("outcomes")[:20]
    values["clauses"] = [c[:200] for c in request.form.getlist("clauses")[:100]]
    try:
        _storable(values)
        change = triage.resolve(item.state, values["reason"] or None, values["public_note"],
                                values["internal_note"], values["outcomes"],
                                catalog().outcomes, action_link=values["action_link"])
        day = judging.incident_date(values["incident_date"], utcnow().date())
        cited = judging.judge(values["clauses"], day, catalog(), published())
        if change["state_reason"] == triage.CONFIRMED and not cited:
            raise triage.TriageError("clauses", "A confirmed violation cites the clause or "
                                                "clauses it broke")
    except triage.TriageError as error:
        return _refused(item, error, values, "resolve")
    change["incident_date"] = day.isoformat() if day else None
    judging.record(db.session(), item.id, cited)
    outbox.queue_change(db.session(), item, change, "A decision was made")
    detail = {"from": item.state, "to": "resolved", "reason": change["state_reason"],
              "outcomes": triage.split_outcomes(change["outcomes"]),
              "judged_against": [c.as_json() for c in cited],
              "public_note_changed": change["public_note"] != item.public_note}
    return _apply(item, change, "state-changed", detail,
                  "Resolved. The resident now sees the public note on the status page.")


@bp.post("/items/<int:item_id>/dismiss")
@needs("triager")
def dismiss(item_id: int):
    item = _item(item_id)
    values = _form("reason", "duplicate_of", "public_note", "internal_note", "referred_to",
                   "incident_date")
    values["clauses"] = [c[:200] for c in request.form.getlist("clauses")[:100]]
    try:
        _storable(values)
        original = _original(item.tracking_code, values["duplicate_of"]) \
            if values["reason"] == "duplicate" else None
        change = triage.dismiss(item.state, values["reason"] or None, values["public_note"],
                                values["internal_note"], catalog().outcomes, original,
                                referred_to=values["referred_to"])
        day = judging.incident_date(values["incident_date"], utcnow().date())
        cited = judging.judge(values["clauses"], day, catalog(), published())
    except triage.TriageError as error:
        return _refused(item, error, values, "dismiss")
    change["incident_date"] = day.isoformat() if day and cited else None
    judging.record(db.session(), item.id, cited)
    detail = {"from": item.state, "to": "dismissed", "reason": change["state_reason"],
              "judged_against": [c.as_json() for c in cited]}
    if original:
        detail["duplicate_of"] = original
    outbox.queue_change(db.session(), item, change, "A decision was made")
    return _apply(item, change, "state-changed", detail, "Dismissed.")


def _back(raw: str) -> str:
    """The list's query string to return to after a bulk action, rebuilt from the filters it
    holds: only known filters, encoded, ever reach the Location header (no CR or LF)."""
    if not raw.startswith("?"):
        return ""
    try:
        pairs = parse_qsl(raw[1:], max_num_fields=50)
    except ValueError:  # more fields than the list has filters
        return ""
    return queries.parse(MultiDict(pairs), catalog()).filters.query_string()


def _original(own_code: str, typed: str) -> str:
    """The tracking code of the item this one duplicates: another item that exists."""
    if not typed.strip():
        raise triage.TriageError("duplicate_of", "Give the tracking code of the original item")
    code = normalise_tracking_code(typed)
    if code is None:
        raise triage.TriageError("duplicate_of", "Enter a tracking code like "
                                                 "SMR-7K3Q-9XWD-2F4M-8HJN")
    if code == own_code:
        raise triage.TriageError("duplicate_of", "An item cannot be a duplicate of itself")
    found = db.session().scalar(select(Submission.id).where(Submission.tracking_code == code))
    if found is None:
        raise triage.TriageError("duplicate_of", f"No item has the tracking code {code}")
    return code


@bp.post("/items/<int:item_id>/reopen")
@needs("triager")
def reopen(item_id: int):
    item = _item(item_id)
    try:
        change = triage.reopen(item.state, item.is_spam, item.spam_reason)
    except triage.TriageError as error:
        return _refused(item, error, {}, "reopen")
    detail = {"from": item.state, "to": change["state"], "reason": "reopened"}
    judging.record(db.session(), item.id, [])  # the next decision cites afresh
    change["incident_date"] = None
    return _apply(item, change, "state-changed", detail, "Reopened: the item is triaged again.")


@bp.post("/items/<int:item_id>/assign")
@needs("triager")
def assign(item_id: int):
    item = _item(item_id)
    chosen = (request.form.get("assignee") or "").strip()
    if chosen == "me":
        chosen = str(g.member.id)
    assignee = None
    if chosen:
        people = {str(p.id): p for p in staff.assignable(db.session())}
        assignee = people.get(chosen)
        if assignee is None:
            return _refused(item, triage.TriageError(
                "assignee", "Choose someone who can work items (a triager or an admin)"),
                {"assignee": chosen}, "assign")
    previous = db.session().get(StaffMember, item.assignee_id) if item.assignee_id else None
    detail = {"from": previous.email if previous else None,
              "to": assignee.email if assignee else None}
    return _apply(item, triage.assign(assignee.id if assignee else None), "assigned", detail,
                  f"Assigned to {assignee.email}." if assignee else "Unassigned.")


@bp.post("/items/<int:item_id>/notes")
@needs("triager")
def add_note(item_id: int):
    item = _item(item_id)
    values = _form("note")
    try:
        _storable(values)
        body = triage.note(values["note"])
    except triage.TriageError as error:
        return _refused(item, error, values, "notes")
    note = ItemNote(submission_id=item.id, author_id=g.member.id, author_email=g.member.email,
                    body=body, created_at=utcnow())
    db.session().add(note)
    db.session().flush()
    _record("note-added", item, {"note": note.id})
    db.session().commit()
    flash("Note added.")
    return redirect(url_for("inbox.item_view", item_id=item.id, _anchor="notes"), 303)


@bp.post("/items/<int:item_id>/legal-hold")
@needs("admin")
def legal_hold(item_id: int):
    item = _item(item_id)
    hold = request.form.get("hold") == "on"
    if hold == item.legal_hold:
        return redirect(url_for("inbox.item_view", item_id=item.id), 303)
    return _apply(item, {"legal_hold": hold}, "legal-hold", {"hold": hold},
                  "Put on legal hold: retention will not touch it." if hold
                  else "Legal hold lifted.")


# ---------------------------------------------------------------------------------------
# Bulk actions


@bp.post("/bulk")
@needs("triager")
def bulk():
    target = url_for("inbox.item_list") + _back(request.form.get("back") or "")
    chosen = request.form.getlist("item")[:BULK_MAX + 1]
    ids = [queries.whole_number(value) for value in chosen]
    wrong = next((value for value, number in zip(chosen, ids, strict=True) if not number), None)
    if wrong is not None:  # not written with 0-9 (e.g. "²"), 0, or past any item's number
        _bad_request("This selection cannot be used",
                     f"The selection sent {wrong[:40]!r} as an item (the form field item), "
                     "which is not an item number, so nothing was changed. Go back to the "
                     "list, select the items again and send it again.")
    action = request.form.get("action") or ""
    if not ids:
        flash("Select at least one item first.", "error")
        return redirect(target, 303)
    if len(ids) > BULK_MAX:
        flash(f"Select at most {BULK_MAX} items at a time.", "error")
        return redirect(target, 303)
    if action not in triage.BULK_ACTIONS:
        flash("Choose what to do with the selected items.", "error")
        return redirect(target, 303)
    session = db.session()
    items = list(session.scalars(select(Submission).where(Submission.id.in_(ids))))
    original = None
    if action == "duplicate":
        try:
            original = _original("", request.form.get("duplicate_of") or "")
        except triage.TriageError as error:
            flash(error.message, "error")
            return redirect(target, 303)
    done, skipped = [], []
    for item in items:
        if item.tracking_code == original or item.state not in triage.OPEN:
            skipped.append(item.tracking_code)
            continue
        change = triage.dismiss(item.state, action, None, None, catalog().outcomes, original)
        detail = {"from": item.state, "to": "dismissed", "reason": action, "bulk": True}
        if original:
            detail["duplicate_of"] = original
        outbox.queue_change(db.session(), item, change, "A decision was made")
        for column, value in change.items():
            setattr(item, column, value)
        _record("state-changed", item, detail)
        done.append(item.tracking_code)
    session.commit()
    label = "spam" if action == "spam" else f"duplicates of {original}"
    message = f"Dismissed {len(done)} item{'s' if len(done) != 1 else ''} as {label}."
    if skipped:
        message += (f" Left {len(skipped)} alone (already closed, or the original itself): "
                    + ", ".join(skipped[:5]) + ("…" if len(skipped) > 5 else "") + ".")
    flash(message)
    return redirect(target, 303)


# ---------------------------------------------------------------------------------------
# Exports


@bp.post("/export")
@needs("admin")
def export():
    """The items matching the list's filters, as CSV or JSON. Filters that cannot be used
    stop it (400): leaving one out would export more than was asked for. A staff export
    writes "exported-personal-data" to the history of each item with contact details."""
    parsed = queries.parse(request.form, catalog())
    if parsed.errors:
        _bad_request("Nothing was exported", "These filters could not be used, and leaving "
                     "them out would export more than you asked for: " + "; ".join(
                         f"{name}: {message}" for name, message in parsed.errors.items())
                     + ". Correct them in the list, then export again.")
    filters = parsed.filters
    public = request.form.get("public") == "on"
    kind = request.form.get("format") if request.form.get("format") in ("csv", "json") \
        else "csv"
    session = db.session()
    names = queries.staff_names(session)
    now = utcnow()
    rows = []
    for item in queries.ids_of(session, filters, g.member.id):
        rows.append(records.item_record(item, public, names.get(item.assignee_id),
                                        judged=judging.judged(session, item.id)))
        if not public and (item.name or item.email):
            _record("exported-personal-data", item, {"format": kind})
    _record("exported", None, {"format": kind, "public_release": public, "items": len(rows),
                               "filters": filters.describe()})
    session.commit()
    stem = f"inbox-{'public-' if public else ''}{now.strftime('%Y%m%d-%H%M%S')}"
    if kind == "json":
        body = records.to_json(rows, public, filters.describe(), now)
        mimetype = "application/json"
    else:
        body = records.to_csv(rows, public)
        mimetype = "text/csv"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{stem}.{kind}"',
        "Cache-Control": "no-store"})


@bp.post("/audit/export")
@needs("admin")
def audit_export():
    session = db.session()
    events = list(audit.events(session))
    _record("audit-exported", None, {"events": len(events)})
    session.commit()
    stem = f"inbox-audit-{utcnow().strftime('%Y%m%d-%H%M%S')}"
    return Response(audit.to_csv(events), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{stem}.csv"',
        "Cache-Control": "no-store"})
