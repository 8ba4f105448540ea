"""The inbox list: filters from the query string, the query, counts and pages.

Built to stay quick at 100,000 items: every filter has an index in the list's order
(migration 0002; the language has its own, 0009), pages are offset + limit, the matching
count stops at COUNT_CAP, and free-text search is bounded (2 to 100 characters, wildcards
escaped, a statement timeout on PostgreSQL). A search that looks like a tracking code
finds that item by its code.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from sqlalchemy import false, func, select, text, true
from sqlalchemy.orm import Session

from ..catalog import Catalog
from ..models import KINDS, StaffMember, Submission
from ..tracking import normalise_tracking_code
from ..triage import OPEN, STATES

COUNT_CAP = 10_000
SEARCH_MIN = 2
SEARCH_MAX = 100
SEARCH_TIMEOUT_MS = 5000
SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "updated": "Recently updated",
}
STATE_FILTERS = ("open", *STATES, "all")
SPAM_FILTERS = ("hide", "only", "include")
# Received dates the filters take: the service began in 2026; anything far outside is a typo
# (and 9999-12-31, the last date Python has, would leave no "day after" to compare with).
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2999, 12, 31)
# The largest id an INTEGER column holds on PostgreSQL (and so the largest any item has).
ID_MAX = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def whole_number(raw: str | None) -> int | None:
    """A whole number written with the digits 0 to 9 (str.isdigit() also takes "²" and
    "٣", which int() then refuses or reads), at most ID_MAX; otherwise None."""
    raw = (raw or "").strip()
    if not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if number <= ID_MAX else None


def has_control_characters(text_: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text_)


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    state: str = "open"
    category: str = ""
    policy: str = ""
    account: str = ""
    assignee: str = ""  # "", "me", "none" or a staff id
    language: str = ""  # "" or a code from the languages registry
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str = ""
    sort: str = "newest"
    spam: str = "hide"
    page: int = 1

    def args(self, **changes) -> dict:
        """The query-string arguments for these filters (defaults left out)."""
        chosen = replace(self, **changes)
        default = Filters()
        out = {}
        for name in ("kind", "state", "category", "policy", "account", "assignee", "language",
                     "q", "sort", "spam", "page"):
            value = getattr(chosen, name)
            if value != getattr(default, name):
                out[name] = value
        for name, key in (("received_from", "from"), ("received_to", "to")):
            value = getattr(chosen, name)
            if value is not None:
                out[key] = value.isoformat()
        return out

    def query_string(self, **changes) -> str:
        args = self.args(**changes)
        return "?" + urlencode(args) if args else ""

    def describe(self) -> dict:
        """For the audit log and export files: the filters that were set."""
        return {k: str(v) for k, v in self.args(page=1).items()}


@dataclass
class Parsed:
    filters: Filters
    errors: dict[str, str] = field(default_factory=dict)


def parse(args, catalog: Catalog) -> Parsed:
    """Filters from a query string (or form); what cannot be used is named in `errors`
    (by its parameter, with what to give instead) and left out, so the list still shows."""
    errors: dict[str, str] = {}
    values: dict = {}

    def one(name: str, allowed, message: str) -> None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return
        if raw in allowed:
            values[name] = raw
        else:
            errors[name] = message

    one("kind", KINDS, "Choose feedback or reports")
    one("state", STATE_FILTERS, "Choose a state from the list")
    one("category", catalog.category_ids, "Choose a category from the list")
    one("policy", catalog.policies, "Choose a policy from the list")
    one("account", catalog.accounts, "Choose an account from the list")
    one("sort", SORTS, "Choose an order from the list")
    one("spam", SPAM_FILTERS, "Choose whether to show suspected spam")
    one("language", [entry.code for entry in catalog.languages.languages],
        "Choose a language from the list")
    assignee = (args.get("assignee") or "").strip()
    if assignee in ("me", "none"):
        values["assignee"] = assignee
    elif whole_number(assignee) is not None:
        values["assignee"] = str(whole_number(assignee))
    elif assignee:
        errors["assignee"] = "Choose someone from the list (assignee: me, none or a staff number)"
    for name, key in (("received_from", "from"), ("received_to", "to")):
        raw = (args.get(key) or "").strip()
        if raw:
            try:
                day = dt.date.fromisoformat(raw)
            except ValueError:
                errors[key] = "Enter the date like 2026-03-27"
                continue
            if DATE_MIN <= day <= DATE_MAX:
                values[name] = day
            else:
                errors[key] = (f"Enter a date from {DATE_MIN.isoformat()} to "
                               f"{DATE_MAX.isoformat()}, like 2026-03-27")
    if values.get("received_from") and values.get("received_to") and \
            values["received_from"] > values["received_to"]:
        errors["to"] = "The end date must be on or after the start date"
        values.pop("received_to")
    q = " ".join((args.get("q") or "").split())
    if q:
        if has_control_characters(q):
            errors["q"] = "Search for text without control characters"
        elif len(q) < SEARCH_MIN and normalise_tracking_code(q) is None:
            errors["q"] = f"Search for at least {SEARCH_MIN} characters"
        elif len(q) > SEARCH_MAX:
            errors["q"] = f"Search for at most {SEARCH_MAX} characters"
        else:
            values["q"] = q
    page = (args.get("page") or "").strip()
    if page:
        number = whole_number(page)
        if number is None or number < 1:
            errors["page"] = "Give the page as a number, like 2; this is page 1"
        else:
            values["page"] = number
    return Parsed(Filters(**values), errors)


def _escape_like(text_: str) -> str:
    return text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(filters: Filters, member_id: int | None) -> list:
    where = []
    if filters.spam == "hide":
        where.append(Submission.is_spam.is_(false()))
    elif filters.spam == "only":
        where.append(Submission.is_spam.is_(true()))
    if filters.state == "open":
        where.append(Submission.state.in_(OPEN))
    elif filters.state != "all":
        where.append(Submission.state == filters.state)
    for name, column in (("kind", Submission.kind), ("category", Submission.category),
                         ("policy", Submission.policy_id),
                         ("account", Submission.account_id),
                         ("language", Submission.language)):
        value = getattr(filters, name)
        if value:
            where.append(column == value)
    if filters.assignee == "me":
        where.append(Submission.assignee_id == member_id)
    elif filters.assignee == "none":
        where.append(Submission.assignee_id.is_(None))
    elif filters.assignee:
        where.append(Submission.assignee_id == int(filters.assignee))
    if filters.received_from:
        where.append(Submission.created_at >= _midnight(filters.received_from))
    if filters.received_to:
        where.append(Submission.created_at < _midnight(filters.received_to
                                                       + dt.timedelta(days=1)))
    if filters.q:
        code = normalise_tracking_code(filters.q)
        if code is not None:
            where.append(Submission.tracking_code == code)
        else:
            where.append(Submission.message.ilike(f"%{_escape_like(filters.q)}%",
                                                  escape="\\"))
    return where


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _order(sort: str) -> list:
    if sort == "oldest":
        return [Submission.created_at.asc(), Submission.id.asc()]
    if sort == "updated":
        return [Submission.updated_at.desc(), Submission.id.desc()]
    return [Submission.created_at.desc(), Submission.id.desc()]


@dataclass(frozen=True)
class Row:
    id: int
    tracking_code: str
    kind: str
    state: str
    category: str | None
    policy_id: str | None
    section: str | None
    account_id: str | None
    created_at: dt.datetime
    assignee_id: int | None
    snippet: str
    is_spam: bool
    legal_hold: bool
    language: str


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    matching: int  # capped at COUNT_CAP + 1
    number: int
    size: int

    @property
    def more_than_cap(self) -> bool:
        return self.matching > COUNT_CAP

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.matching, COUNT_CAP) // self.size))

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


SNIPPET = 140


def _bound_search(session: Session, filters: Filters) -> None:
    if filters.q and session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL statement_timeout = {SEARCH_TIMEOUT_MS}"))


def page_of(session: Session, filters: Filters, member_id: int | None, size: int) -> Page:
    where = conditions(filters, member_id)
    _bound_search(session, filters)
    matching = session.scalar(select(func.count()).select_from(
        select(Submission.id).where(*where).limit(COUNT_CAP + 1).subquery())) or 0
    number = min(filters.page, max(1, -(-min(matching, COUNT_CAP) // size)))
    query = (
        select(Submission.id, Submission.tracking_code, Submission.kind, Submission.state,
               Submission.category, Submission.policy_id, Submission.section,
               Submission.account_id, Submission.created_at, Submission.assignee_id,
               func.substr(Submission.message, 1, SNIPPET + 1).label("snippet"),
               Submission.is_spam, Submission.legal_hold, Submission.language)
        .where(*where).order_by(*_order(filters.sort))
        .limit(size).offset((number - 1) * size)
    )
    rows = [Row(**row._mapping) for row in session.execute(query)]
    return Page(rows, matching, number, size)


def ids_of(session: Session, filters: Filters, member_id: int | None, limit: int | None = None):
    """Every item matching the filters, in the list's order (for exports)."""
    query = select(Submission).where(*conditions(filters, member_id)) \
        .order_by(*_order(filters.sort))
    if limit:
        query = query.limit(limit)
    _bound_search(session, filters)
    return session.scalars(query.execution_options(yield_per=500))


def state_counts(session: Session) -> dict[str, int]:
    """How many items are in each state (suspected spam counted apart)."""
    counts = {state: 0 for state in STATES}
    for state, n in session.execute(select(Submission.state, func.count())
                                    .where(Submission.is_spam.is_(false()))
                                    .group_by(Submission.state)):
        counts[state] = n
    counts["spam"] = session.scalar(select(func.count()).select_from(Submission)
                                    .where(Submission.is_spam.is_(true()))) or 0
    return counts


def staff_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(StaffMember.id, StaffMember.email)).all())
