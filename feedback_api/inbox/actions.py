"""The inbox's actions: the workflow on an item (move, resolve, dismiss, reopen), its
assignment, notes and legal hold, and the bulk dismissal from the list.

Each action reads the form, asks `feedback_api.triage` what should change, applies it and
writes the audit event in one commit, then redirects back (303) with a confirmation. A
change that cannot be made shows the page again with what was typed and the reason (422).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import flash, g, redirect, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import db, judging, outbox, staff, triage
from ..models import ItemNote, StaffMember, Submission, utcnow
from ..tracking import normalise_tracking_code
from ..web import published
from . import bp, queries
from .access import needs
from .views import bad_request, catalog, find_item, item_page, write_audit

BULK_MAX = 200


def _apply(item: Submission, change: dict, action: str, detail: dict, message: str):
    for column, value in change.items():
        setattr(item, column, value)
    write_audit(action, item, detail)
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
    item = find_item(item_id)
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
    item = find_item(item_id)
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
    item = find_item(item_id)
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
    item = find_item(item_id)
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
    item = find_item(item_id)
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
    item = find_item(item_id)
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
    write_audit("note-added", item, {"note": note.id})
    db.session().commit()
    flash("Note added.")
    return redirect(url_for("inbox.item_view", item_id=item.id, _anchor="notes"), 303)


@bp.post("/items/<int:item_id>/legal-hold")
@needs("admin")
def legal_hold(item_id: int):
    item = find_item(item_id)
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
        bad_request("This selection cannot be used",
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
        write_audit("state-changed", item, detail)
        done.append(item.tracking_code)
    session.commit()
    label = "spam" if action == "spam" else f"duplicates of {original}"
    message = f"Dismissed {len(done)} item{'s' if len(done) != 1 else ''} as {label}."
    if skipped:
        message += (f" Left {len(skipped)} alone (already closed, or the original itself): "
                    + ", ".join(skipped[:5]) + ("…" if len(skipped) > 5 else "") + ".")
    flash(message)
    return redirect(target, 303)
