"""Records: exports of items to CSV and JSON, the public-release redaction, and the
spreadsheet formula neutralising every CSV cell goes through.

A public release (for example an answer to a request under the Inspection of Public
Records Act) leaves out names, email addresses, tracking codes, internal notes and staff,
and blanks anything in the text that looks like an email address or a phone number, or the
sender's own name. A staff export keeps everything.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable

from .models import Submission
from .triage import outcome_labels, reason_label

EMAIL_IN_TEXT = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# North American numbers with or without country code and separators, and other
# international numbers: 7 or more digits with the usual separators.
PHONE_IN_TEXT = re.compile(
    r"(?<![\w/.-])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])?"
    r"\d{3}[\s.-]?\d{4}(?![\w/-])"
)
EMAIL_MARK = "[email removed]"
PHONE_MARK = "[phone removed]"
NAME_MARK = "[name removed]"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

STAFF_COLUMNS = (
    "tracking_code", "received_at", "kind", "state", "state_reason", "outcomes", "category",
    "policy_id", "section", "account_id", "account_url", "post_url", "seen_at", "message",
    "public_note", "internal_note", "name", "email", "wants_reply", "assignee", "duplicate_of",
    "legal_hold", "is_spam", "source", "updated_at", "closed_at",
)
PUBLIC_COLUMNS = (
    "received_at", "kind", "state", "state_reason", "outcomes", "category", "policy_id",
    "section", "account_id", "account_url", "post_url", "seen_at", "message", "public_note",
    "updated_at", "closed_at",
)


def redact(text: str | None, names: Iterable[str | None] = ()) -> str | None:
    """The text with email addresses, phone numbers and the given names blanked."""
    if text is None:
        return None
    text = EMAIL_IN_TEXT.sub(EMAIL_MARK, text)
    text = PHONE_IN_TEXT.sub(_phone, text)
    for name in names:
        for part in _name_parts(name):
            text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", NAME_MARK, text,
                          flags=re.IGNORECASE)
    return text


def _phone(match: re.Match) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return PHONE_MARK if digits >= 7 else match.group(0)


def _name_parts(name: str | None) -> list[str]:
    """The full name, then each word of it long enough not to blank ordinary words."""
    if not name or not name.strip():
        return []
    full = " ".join(name.split())
    words = [w for w in full.split() if len(w) >= 3]
    return [full, *sorted(set(words) - {full}, key=len, reverse=True)]


def spreadsheet_safe(value):
    """A CSV cell that a spreadsheet will not run as a formula (OWASP: CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def item_record(item: Submission, public: bool, assignee: str | None = None) -> dict:
    """One item as an export row: every staff column, or only the public ones, redacted."""
    row = {
        "tracking_code": item.tracking_code,
        "received_at": _iso(item.created_at),
        "kind": item.kind,
        "state": item.state,
        "state_reason": reason_label(item.state_reason),
        "outcomes": outcome_labels(item.outcomes),
        "category": item.category,
        "policy_id": item.policy_id,
        "section": item.section,
        "account_id": item.account_id,
        "account_url": item.account_url,
        "post_url": item.post_url,
        "seen_at": item.seen_at,
        "message": item.message,
        "public_note": item.public_note,
        "internal_note": item.internal_note,
        "name": item.name,
        "email": item.email,
        "wants_reply": bool(item.wants_reply),
        "assignee": assignee,
        "duplicate_of": item.duplicate_of,
        "legal_hold": bool(item.legal_hold),
        "is_spam": bool(item.is_spam),
        "source": item.source,
        "updated_at": _iso(item.updated_at),
        "closed_at": _iso(item.closed_at),
    }
    if not public:
        return {column: row[column] for column in STAFF_COLUMNS}
    names = [item.name]
    released = {column: row[column] for column in PUBLIC_COLUMNS}
    for column in ("message", "public_note", "post_url", "account_url"):
        released[column] = redact(released[column], names)
    return released


def to_csv(records: Iterable[dict], public: bool) -> str:
    columns = PUBLIC_COLUMNS if public else STAFF_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([spreadsheet_safe(_cell(record[column])) for column in columns])
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def to_json(records: Iterable[dict], public: bool, filters: dict, generated: dt.datetime) -> str:
    return json.dumps({
        "generated": _iso(generated),
        "public_release": public,
        "filters": filters,
        "items": list(records),
    }, ensure_ascii=False, indent=1)
