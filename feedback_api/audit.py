"""The audit log: who viewed personal data, changed an item, exported or ran retention, and
when. Append-only: this module only adds and reads, and the database refuses UPDATE and
DELETE on `audit_events` (migration 0002).

An event is added to the caller's session, so it commits with the change it describes or
not at all. `detail` is a small JSON object and never holds personal data: no names, no
resident email addresses, no submitted text (staff email addresses are fine).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import AuditEvent, Submission, utcnow

ACTION_LABELS = {
    "signed-in": "Signed in",
    "signed-out": "Signed out",
    "sign-in-unlocked": "Lifted a sign-in pause",
    "viewed-personal-data": "Viewed the item with its contact details",
    "exported-personal-data": "Exported the item with its contact details",
    "state-changed": "Changed the state",
    "assigned": "Changed the assignment",
    "note-added": "Added an internal note",
    "legal-hold": "Changed the legal hold",
    "exported": "Exported items",
    "audit-exported": "Exported the audit log",
    "anonymised": "Anonymised (retention)",
    "deleted": "Deleted (retention)",
    "staff-created": "Added a staff account",
    "staff-disabled": "Disabled a staff account",
    "staff-enabled": "Enabled a staff account",
    "staff-password-reset": "Reset a staff password",
    "staff-role-changed": "Changed a staff role",
    "staff-signed-out": "Ended a staff member's sessions",
    "reopen-requested": "Reopen requested by the resident",
    "messages-stopped": "The resident stopped the messages",
}


@dataclass(frozen=True)
class Event:
    id: int
    at: dt.datetime
    actor: str
    action: str
    tracking_code: str | None
    detail: dict

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def summary(self) -> str:
        """The detail as a short line a person can read."""
        return "; ".join(f"{key.replace('_', ' ')}: {_plain(value)}"
                         for key, value in self.detail.items())


def _plain(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if value is None or value == "":
        return "none"
    return str(value)


def record(session: Session, actor: str, action: str, item: Submission | None = None,
           detail: dict | None = None, actor_id: int | None = None,
           at: dt.datetime | None = None) -> None:
    """Add one event to the session; it is written when the caller commits."""
    session.add(AuditEvent(
        at=at or utcnow(), actor=actor, actor_id=actor_id, action=action,
        submission_id=item.id if item is not None else None,
        tracking_code=item.tracking_code if item is not None else None,
        detail=json.dumps(detail, sort_keys=True, ensure_ascii=False) if detail else None,
    ))


def _event(row: AuditEvent) -> Event:
    return Event(row.id, row.at, row.actor, row.action, row.tracking_code,
                 json.loads(row.detail) if row.detail else {})


def for_item(session: Session, item: Submission) -> list[Event]:
    """The item's full history, oldest first.

    Matched on the tracking code as well as the row id: SQLite can hand a deleted item's
    id to a new one, a tracking code is never reused.
    """
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.tracking_code == item.tracking_code,
               or_(AuditEvent.submission_id == item.id, AuditEvent.submission_id.is_(None)))
        .order_by(AuditEvent.id))
    return [_event(row) for row in rows]


def events(session: Session, since: dt.datetime | None = None,
           until: dt.datetime | None = None) -> Iterable[Event]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    for row in session.scalars(query.execution_options(yield_per=1000)):
        yield _event(row)


CSV_COLUMNS = ("id", "at", "actor", "action", "tracking_code", "detail")


def to_csv(rows: Iterable[Event]) -> str:
    from .records import spreadsheet_safe

    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in rows:
        writer.writerow([spreadsheet_safe(value) for value in (
            event.id, event.at.isoformat(timespec="seconds"), event.actor, event.action,
            event.tracking_code or "", json.dumps(event.detail, ensure_ascii=False)
            if event.detail else "")])
    return out.getvalue()
