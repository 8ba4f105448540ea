"""Public statistics: how many items came in and what became of them, with nobody singled
out (`GET /api/v1/stats`, shown on the site's home and compliance pages).

Counts by type, state, category and month. Spam is left out. No personal data, no text, no
tracking codes.

Suppression. A count from 1 to SUPPRESS_BELOW - 1 is published as null with
`suppressed: true` (primary suppression). The published numbers add up: the total is the
sum of the types and of the states, the reports are the sum of the categories, and the
months (with the items older than the months shown) add up to the total. So further counts
are withheld (secondary suppression) until no hidden count can be worked out from the
published ones: `withheld` checks every hidden count against every one of those sums,
taking into account that a hidden count is at least 1 (a 0 is published as 0), and hides
one more count at a time (the one that protects the most, the smallest first) until each
hidden count could be one more or one less without any published number changing. A
count of items older than the months shown that is from 1 to SUPPRESS_BELOW - 1 is
protected the same way, though it is never published.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify
from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from site_builder.languages import N_

from . import db, i18n
from .catalog import Category
from .errors import DATABASE_DOWN, api_error
from .i18n import _
from .models import KINDS, Submission, utcnow
from .status import KIND_LABELS
from .triage import INBOX_STATE_LABELS, STATES
from .web import catalog, cors

SUPPRESS_BELOW = 5
CACHE_SECONDS = 300  # how long browsers and proxies may keep an answer
SERVER_CACHE_SECONDS = 60  # how long the app reuses its own last count
MONTHS = 24
TOTAL = "total"
# The states as the statistics name them (triage.INBOX_STATE_LABELS), for the catalogue:
# their labels are shown through `_` in the language Accept-Language asks for.
STATE_WORDS = (N_("New"), N_("Triaged"), N_("Investigating"), N_("Resolved"),
               N_("Dismissed"))
REPORTS = "kind:report"

bp = Blueprint("stats", __name__, url_prefix="/api/v1")
bp.after_request(cors)


def _month(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", Submission.created_at), "YYYY-MM")
    return func.strftime("%Y-%m", Submission.created_at)


def counts(session: Session) -> dict[str, dict[str, int]]:
    """The raw counts, spam left out: {"kind": {...}, "state": {...}, ...}, from one
    grouped pass over the table. Categories are counted for reports only."""
    month = _month(session).label("month")
    columns = (Submission.kind, Submission.state, Submission.category, month)
    rows = session.execute(select(*columns, func.count())
                           .where(Submission.is_spam.is_(false())).group_by(*columns))
    found: dict[str, dict[str, int]] = {"kind": {}, "state": {}, "category": {}, "month": {}}
    for kind, state, category, in_month, n in rows:
        for name, key in (("kind", kind), ("state", state),
                          ("category", category if kind == "report" else None),
                          ("month", in_month)):
            if key:
                found[name][key] = found[name].get(key, 0) + n
    found["total"] = {"all": sum(found["kind"].values())}
    return found


# ---------------------------------------------------------------------------------------
# Suppression


@dataclass(frozen=True)
class Relation:
    """A published sum: `total` is the sum of `cells` and of `rest`, the part the cells
    leave out (never published: for the months, the items older than those shown)."""

    total: str
    cells: tuple[str, ...]
    rest: str


class _Audit:
    """What someone could work out from the published counts and the sums between them.

    A hidden count is safe when it could be one more or one less, with every published
    count unchanged, every hidden one at least 1 and every rest at least 0. A rest that is
    0 is taken as known (someone may know, say, that the service is younger than the months
    shown). A change of one in a count changes a total it is part of by at most one, so
    trying the shared totals one up and one down finds every such change.
    """

    def __init__(self, values: dict[str, int], relations: Iterable[Relation],
                 threshold: int = SUPPRESS_BELOW):
        self.values = values
        self.threshold = threshold
        self.relations = tuple(relations)
        self.rests = {relation.rest for relation in self.relations}
        seen: dict[str, int] = {}
        for relation in self.relations:
            for name in (relation.total, *relation.cells, relation.rest):
                seen[name] = seen.get(name, 0) + 1
        self.shared = tuple(sorted(name for name, n in seen.items() if n > 1))

    def sensitive_rests(self) -> set[str]:
        return {rest for rest in self.rests if 0 < self.values[rest] < self.threshold}

    def exposed(self, hidden: set[str], among: Iterable[str] | None = None) -> list[str]:
        """The hidden counts (and sensitive rests) someone could work out exactly."""
        names = set(hidden) | self.sensitive_rests() if among is None else set(among)
        return sorted(name for name in names if not self._movable(name, hidden))

    def _lowest(self, name: str) -> int:
        return 0 if name in self.rests else 1

    def _free(self, name: str, hidden: set[str]) -> bool:
        return name in hidden or (name in self.rests and self.values[name] > 0)

    def _movable(self, name: str, hidden: set[str]) -> bool:
        for step in (1, -1):
            value = self.values[name] + step
            if value >= self._lowest(name) and self._possible(name, value, hidden):
                return True
        return False

    def _possible(self, name: str, value: int, hidden: set[str]) -> bool:
        choices = []
        for shared in self.shared:
            if shared == name:
                choices.append((value,))
            elif self._free(shared, hidden):
                now = self.values[shared]
                choices.append(tuple(v for v in (now - 1, now, now + 1)
                                     if v >= self._lowest(shared)))
            else:
                choices.append((self.values[shared],))
        for chosen in itertools.product(*choices):
            fixed = dict(zip(self.shared, chosen, strict=True))
            fixed[name] = value
            if all(self._adds_up(relation, fixed, hidden) for relation in self.relations):
                return True
        return False

    def _adds_up(self, relation: Relation, fixed: dict[str, int], hidden: set[str]) -> bool:
        """Whether the relation can hold with `fixed` set and the free counts chosen."""
        known, free, lowest = 0, 0, 0
        for cell in (*relation.cells, relation.rest):
            if cell in fixed:
                known += fixed[cell]
            elif self._free(cell, hidden):
                free += 1
                lowest += self._lowest(cell)
            else:
                known += self.values[cell]
        total = relation.total
        if total not in fixed and self._free(total, hidden):
            return free > 0 or known >= self._lowest(total)
        left = (fixed[total] if total in fixed else self.values[total]) - known
        return left >= lowest if free else left == 0


def withheld(values: dict[str, int], relations: Iterable[Relation],
             threshold: int = SUPPRESS_BELOW) -> set[str]:
    """The counts to publish as null: those from 1 to threshold - 1, and as many more as it
    takes that none of them (nor a small rest) can be worked out from the published ones."""
    relations = tuple(relations)
    audit = _Audit(values, relations, threshold)
    published = [name for name in values if name not in audit.rests]
    totals = {relation.total for relation in relations}
    hidden = {name for name in published if 0 < values[name] < threshold}
    exposed = audit.exposed(hidden)
    while exposed:
        near = {name for relation in relations
                if {relation.total, *relation.cells, relation.rest} & set(exposed)
                for name in (relation.total, *relation.cells)}
        options = [name for name in published if name not in hidden and values[name] > 0]
        options = [name for name in options if name in near] or options
        if not options:
            break
        best = min(options, key=lambda option: (
            len(audit.exposed(hidden | {option}, among=[*exposed, option])),
            option in totals, values[option], option))
        hidden.add(best)
        exposed = audit.exposed(hidden, among=[*exposed, best])
    return hidden


def suppress(values: dict[str, int], threshold: int = SUPPRESS_BELOW) -> dict[str, int | None]:
    """One breakdown whose total is published: its counts, with those to hide as None."""
    relation = Relation("(total)", tuple(values), "(rest)")
    hidden = withheld({**values, "(total)": sum(values.values()), "(rest)": 0}, [relation],
                      threshold)
    return {key: None if key in hidden else n for key, n in values.items()}


# ---------------------------------------------------------------------------------------
# The published statistics


def public_stats(session: Session, categories: Iterable[Category],
                 today: dt.date | None = None) -> dict:
    return publish(counts(session), today or utcnow().date(), categories)


def publish(raw: dict[str, dict[str, int]], today: dt.date,
            categories: Iterable[Category]) -> dict:
    """The answer of GET /api/v1/stats from the raw counts, suppression applied; the
    categories are listed in the catalog's order, then any others reports were sent with."""
    months = _last_months(today, MONTHS)
    total = raw["total"]["all"]
    states = [s for s in STATES] + sorted(set(raw["state"]) - set(STATES))
    labels = {c.id: c.label for c in categories}
    category_ids = list(labels) + sorted(set(raw["category"]) - set(labels))
    breakdowns = {
        "kind": (TOTAL, list(KINDS)),
        "state": (TOTAL, states),
        "category": (REPORTS, category_ids),
        "month": (TOTAL, months),
    }
    values = {TOTAL: total}
    for name, (_of, keys) in breakdowns.items():
        values.update((f"{name}:{key}", raw[name].get(key, 0)) for key in keys)
    relations = []
    for name, (of, keys) in breakdowns.items():
        cells = tuple(f"{name}:{key}" for key in keys)
        values[f"rest:{name}"] = values[of] - sum(values[cell] for cell in cells)
        relations.append(Relation(of, cells, f"rest:{name}"))
    hidden = withheld(values, relations)

    def rows(name: str, labels: dict[str, str]) -> list[dict]:
        return [{name: key, "label": _(labels[key]) if key in labels else key,
                 "count": None if f"{name}:{key}" in hidden else values[f"{name}:{key}"],
                 "suppressed": f"{name}:{key}" in hidden} for key in breakdowns[name][1]]

    return {
        "generated": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "suppressed_below": SUPPRESS_BELOW,
        "note": _("Counts of feedback and reports received, spam left out. Counts from 1 to "
                  "%(most)s are not published (null, with suppressed: true), and neither are "
                  "as many more as it takes that no hidden count can be worked out from the "
                  "totals, so that no one can be singled out.", most=SUPPRESS_BELOW - 1),
        "total": {"count": None if TOTAL in hidden else total, "suppressed": TOTAL in hidden},
        "by_kind": rows("kind", KIND_LABELS),
        "by_state": rows("state", INBOX_STATE_LABELS),
        "by_category": rows("category", labels),
        "by_month": rows("month", {}),
    }


def _last_months(today: dt.date, n: int) -> list[str]:
    year, month = today.year, today.month
    out = []
    for _month in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


@bp.get("/stats")
def stats():
    # One answer kept per language: its labels and note are in Accept-Language's.
    cached = current_app.extensions.setdefault("stats_cache", {}).setdefault(
        i18n.language().code, {})
    now = time.monotonic()
    if cached.get("until", 0) > now:
        body = cached["body"]
    else:
        try:
            body = public_stats(db.session(), catalog().categories)
        except db.DatabaseUnavailable:
            current_app.logger.warning("stats: database unavailable", exc_info=True)
            return api_error(503, DATABASE_DOWN, code="database_unavailable")
        seconds = current_app.config.get("STATS_CACHE_SECONDS", SERVER_CACHE_SECONDS)
        cached.update(body=body, until=now + seconds)
    response = jsonify(body)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)


def openapi_paths() -> dict:
    """The stats operation for the OpenAPI document (feedback_api.openapi)."""
    count_row = {
        "type": "object",
        "required": ["label", "count", "suppressed"],
        "properties": {
            "label": {"type": "string"},
            "count": {"type": ["integer", "null"], "minimum": 0,
                      "description": "null when suppressed."},
            "suppressed": {"type": "boolean"},
        },
    }

    def rows(key: str, schema: dict) -> dict:
        return {"type": "array", "items": {
            **count_row, "required": [key, *count_row["required"]],
            "properties": {key: schema, **count_row["properties"]}}}

    return {"/api/v1/stats": {"get": {
        "summary": "Counts of feedback and reports, spam left out, small counts suppressed",
        "operationId": "stats",
        "description": (
            f"No personal data. Counts from 1 to {SUPPRESS_BELOW - 1} are null with "
            "`suppressed: true`, and so are as many more as it takes that no hidden count "
            "can be worked out from the published ones: the total is the sum of `by_kind` "
            "and of `by_state`, the `report` count the sum of `by_category`, and the total "
            "that of `by_month` and the older items. `by_month` covers the last "
            f"{MONTHS} months (UTC). The counts may be up to {SERVER_CACHE_SECONDS} "
            f"seconds old, and clients may keep an answer for {CACHE_SECONDS} seconds."),
        "responses": {
            "200": {"description": "The statistics.", "content": {"application/json": {
                "schema": {
                    "type": "object",
                    "required": ["generated", "suppressed_below", "total", "by_kind",
                                 "by_state", "by_category", "by_month"],
                    "properties": {
                        "generated": {"type": "string", "format": "date-time"},
                        "suppressed_below": {"type": "integer", "const": SUPPRESS_BELOW},
                        "note": {"type": "string"},
                        "total": {"type": "object", "properties": {
                            "count": {"type": ["integer", "null"]},
                            "suppressed": {"type": "boolean"}}},
                        "by_kind": rows("kind", {"enum": list(KINDS)}),
                        "by_state": rows("state", {"type": "string"}),
                        "by_category": rows("category", {"type": "string"}),
                        "by_month": rows("month", {"type": "string",
                                                   "pattern": "^[0-9]{4}-[0-9]{2}$"}),
                    },
                }}}},
            "503": {"$ref": "#/components/responses/E503"},
        },
    }}}
