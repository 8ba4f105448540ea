"""Records: exports of items to CSV and JSON, the public-release redaction, and the
spreadsheet formula neutralising every CSV cell goes through.

A public release (for example an answer to a request under the Inspection of Public
Records Act) leaves out names, email addresses, tracking codes, internal notes and staff,
and blanks anything in the text that looks like an email address (spelt out too: `ana at
example dot org`), a phone number, a social security number, or the sender's own name. Of
the addresses a report names it keeps only an official account's (one in the accounts
directory), never a post's: a post's address can lead to the resident who reported it or
to the person it was about. A staff export keeps everything. Retention anonymises with the
same rules (`redact`, `kept_urls`).

Phone numbers are found by Google's libphonenumber (the `phonenumbers` package), reading
the text as written in the United States, and then kept only when their digits are grouped
the way a phone number is written (`505-555-0100`, `(505) 555-0100`, `+1 505 555 0100`,
`555-0100`, ...): dates, times, policy and section numbers, tracking codes, years and the
ids in a post's address are left alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator

import phonenumbers

from .catalog import Catalog
from .models import Submission
from .triage import split_outcomes

EMAIL_IN_TEXT = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# An address spelt out so that robots miss it: `ana at example dot org`, `ana [at] example
# [dot] org`, `ana(at)example.org`. Only redacted when the spelling is unmistakable: a
# bracketed "at", or a "dot" in words or brackets (`meet at city.hall` stays).
_BRACKET_AT = r"\s*[\[({<]\s*at\s*[\])}>]\s*"
_WORD_AT = r"\s+at\s+"
_SPACED_AT = r"\s+@\s+"
_SPELT_DOT = r"(?:\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+dot\s+)"
SPELT_EMAIL_IN_TEXT = re.compile(
    rf"(?<![\w.+%-])[\w.+%-]+(?P<at>{_BRACKET_AT}|{_WORD_AT}|{_SPACED_AT})"
    rf"[\w-]+(?:(?:{_SPELT_DOT}|\.)[\w-]+)*(?:{_SPELT_DOT}|\.)[a-z]{{2,}}(?![\w-])",
    re.IGNORECASE | re.UNICODE)
_SPELT_DOT_IN = re.compile(_SPELT_DOT, re.IGNORECASE)
# US social security numbers: 123-45-6789 or 123 45 6789 (the same separator twice).
SSN_IN_TEXT = re.compile(r"(?<![\w.,/-])\d{3}([- \u2010\u2011\u2013])\d{2}\1\d{4}"
                         r"(?![\w/-]|[.,]\d)")
# Web addresses in the text: the ids in them are not phone numbers.
URL_IN_TEXT = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
PHONE_REGION = "US"
# How the digits of a phone number written without a country code are grouped (an
# extension left out): 505-555-0100, 1-505-555-0100, (505) 5550100, 555-0100.
PHONE_GROUPINGS = {(3, 3, 4), (1, 3, 3, 4), (3, 7), (1, 3, 7), (3, 4)}
# Written as one run of digits, a number must be a valid one: 5055550100 is, an id like
# 1234567890 is not.
PHONE_RUNS = {(10,), (11,)}
EMAIL_MARK = "[email removed]"
PHONE_MARK = "[phone removed]"
SSN_MARK = "[SSN removed]"
NAME_MARK = "[name removed]"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

STAFF_COLUMNS = (
    "tracking_code", "received_at", "kind", "state", "state_reason", "outcomes", "category",
    "policy_id", "section", "account_id", "account_url", "post_url", "seen_at", "message",
    "public_note", "internal_note", "name", "email", "wants_reply", "assignee", "duplicate_of",
    "legal_hold", "is_spam", "source", "updated_at", "closed_at", "incident_date",
    "judged_against", "referred_to", "action_link", "language",
)
PUBLIC_COLUMNS = (
    "received_at", "kind", "state", "state_reason", "outcomes", "category", "policy_id",
    "section", "account_id", "account_url", "post_url", "seen_at", "message", "public_note",
    "updated_at", "closed_at", "incident_date", "judged_against", "referred_to", "action_link",
    "language",
)


def redact(text: str | None, names: Iterable[str | None] = ()) -> str | None:
    """The text with email addresses, phone numbers, social security numbers and the given
    names blanked."""
    if text is None:
        return None
    text = EMAIL_IN_TEXT.sub(EMAIL_MARK, text)
    text = SPELT_EMAIL_IN_TEXT.sub(_spelt_email, text)
    text = SSN_IN_TEXT.sub(SSN_MARK, text)
    text = _blank(text, _phone_numbers(text), PHONE_MARK)
    for name in names:
        for part in _name_parts(name):
            text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", NAME_MARK, text,
                          flags=re.IGNORECASE)
    return text


def _spelt_email(match: re.Match) -> str:
    spelt = match.group(0)
    if re.fullmatch(_BRACKET_AT, match.group("at")) or _SPELT_DOT_IN.search(spelt):
        return EMAIL_MARK
    return spelt


def _phone_numbers(text: str) -> Iterator[tuple[int, int]]:
    """Where the phone numbers in the text are: (start, end) of each."""
    if sum(c.isdigit() for c in text) < 7:
        return
    addresses = [m.span() for m in URL_IN_TEXT.finditer(text)]
    for found in phonenumbers.PhoneNumberMatcher(text, PHONE_REGION,
                                                 leniency=phonenumbers.Leniency.POSSIBLE):
        if any(start < found.end and found.start < end for start, end in addresses):
            continue
        if _written_as_a_phone_number(found):
            yield found.start, found.end


def _written_as_a_phone_number(found) -> bool:
    number = found.number
    groups = re.findall(r"\d+", found.raw_string)
    if number.extension and groups and groups[-1] == number.extension:
        groups = groups[:-1]
    if found.raw_string.lstrip().startswith("+"):  # an international number, +1 505 ...
        return phonenumbers.is_possible_number(number)
    shape = tuple(len(group) for group in groups)
    if shape in PHONE_RUNS:
        return phonenumbers.is_valid_number(number)
    if shape == (3, 4):  # a local number: its exchange starts with 2 to 9
        return groups[0][0] in "23456789"
    return shape in PHONE_GROUPINGS


def _blank(text: str, spans: Iterable[tuple[int, int]], mark: str) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(mark)
        last = end
    out.append(text[last:])
    return "".join(out)


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


def kept_urls(item: Submission, catalog: Catalog | None) -> tuple[str | None, None]:
    """What a public release or an anonymised item keeps of the addresses a report names:
    (account_url, post_url). The account's address only when it is an official City account
    in the accounts directory (it names the City, not a person); a post's address never (it
    can lead to the resident who reported it, or to the person the post was about)."""
    official = (item.account_url and catalog is not None
                and catalog.account_at(item.account_url) is not None)
    return (item.account_url if official else None), None


def _current_catalog() -> Catalog | None:
    from flask import current_app, has_app_context

    return current_app.extensions.get("catalog") if has_app_context() else None


def item_record(item: Submission, public: bool, assignee: str | None = None,
                catalog: Catalog | None = None, judged: Iterable = ()) -> dict:
    """One item as an export row: every staff column, or only the public ones, redacted.
    `catalog` (by default the app's) tells official accounts' addresses apart and names
    the reasons and outcomes (without one, they are given by their ids). `judged` are the
    clauses its decision cites (`judging.Citation`), each given by its permanent address
    in the version then in effect, or as `policy#clause (not in effect)`."""
    catalog = catalog if catalog is not None else _current_catalog()
    offered = catalog.outcomes if catalog is not None else None
    row = {
        "tracking_code": item.tracking_code,
        "received_at": _iso(item.created_at),
        "kind": item.kind,
        "state": item.state,
        "state_reason": (offered.reason_label(item.state_reason)
                         if offered and item.state_reason else item.state_reason),
        "outcomes": [offered.action_label(o) if offered else o
                     for o in split_outcomes(item.outcomes)],
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
        "incident_date": item.incident_date,
        "referred_to": item.referred_to,
        "action_link": item.action_link,
        "language": item.language,  # the code of the language it was written in
        "judged_against": [c.url or f"{c.policy_id}#{c.clause} (not in effect)"
                           for c in judged],
    }
    if not public:
        return {column: row[column] for column in STAFF_COLUMNS}
    names = [item.name]
    released = {column: row[column] for column in PUBLIC_COLUMNS}
    for column in ("message", "public_note"):
        released[column] = redact(released[column], names)
    released["account_url"], released["post_url"] = kept_urls(item, catalog)
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
