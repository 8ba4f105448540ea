"""Public statistics: how many items came in and what became of them, with nobody singled
out (`GET /api/v1/stats`, shown on the site's home and compliance pages).

Counts by type, state, category and month. Spam is left out. A count from 1 to
SUPPRESS_BELOW - 1 is published as null with `suppressed: true`; when a breakdown would
then have just one hidden count, which anyone could work out from the total, the next
smallest is hidden too. No personal data, no text, no tracking codes.
"""

from __future__ import annotations

import datetime as dt
import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from . import db
from .api import cors
from .catalog import REPORT_CATEGORIES
from .errors import DATABASE_DOWN, api_error
from .intake import KIND_LABELS
from .models import KINDS, Submission, utcnow
from .triage import STATE_LABELS, STATES

SUPPRESS_BELOW = 5
CACHE_SECONDS = 300  # how long browsers and proxies may keep an answer
SERVER_CACHE_SECONDS = 60  # how long the app reuses its own last count
MONTHS = 24

bp = Blueprint("stats", __name__, url_prefix="/api/v1")
bp.after_request(cors)


def _month(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", Submission.created_at), "YYYY-MM")
    return func.strftime("%Y-%m", Submission.created_at)


def counts(session: Session) -> dict[str, dict[str, int]]:
    """The raw counts, spam left out: {"kind": {...}, "state": {...}, ...}, from one
    grouped pass over the table."""
    month = _month(session).label("month")
    columns = (Submission.kind, Submission.state, Submission.category, month)
    rows = session.execute(select(*columns, func.count())
                           .where(Submission.is_spam.is_(false())).group_by(*columns))
    found: dict[str, dict[str, int]] = {"kind": {}, "state": {}, "category": {}, "month": {}}
    for kind, state, category, in_month, n in rows:
        for name, key in (("kind", kind), ("state", state), ("category", category),
                          ("month", in_month)):
            if key:
                found[name][key] = found[name].get(key, 0) + n
    found["total"] = {"all": sum(found["kind"].values())}
    return found


def suppress(values: dict[str, int], threshold: int = SUPPRESS_BELOW) -> dict[str, int | None]:
    """Hide small counts, and a second one when a single hidden count could be derived."""
    shown: dict[str, int | None] = {
        key: (None if 0 < n < threshold else n) for key, n in values.items()}
    hidden = [key for key, n in shown.items() if n is None]
    if len(hidden) == 1:
        others = sorted((n, key) for key, n in values.items() if key not in hidden and n > 0)
        if others:
            shown[others[0][1]] = None
    return shown


def _rows(values: dict[str, int], order: list[str], labels: dict[str, str],
          key_name: str) -> list[dict]:
    shown = suppress({key: values.get(key, 0) for key in order})
    return [{key_name: key, "label": labels.get(key, key), "count": shown[key],
             "suppressed": shown[key] is None} for key in order]


def public_stats(session: Session, today: dt.date | None = None) -> dict:
    raw = counts(session)
    today = today or utcnow().date()
    months = _last_months(today, MONTHS)
    total = raw["total"]["all"]
    states = [s for s in STATES] + sorted(set(raw["state"]) - set(STATES))
    categories = [c.id for c in REPORT_CATEGORIES] + sorted(
        set(raw["category"]) - {c.id for c in REPORT_CATEGORIES})
    return {
        "generated": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "suppressed_below": SUPPRESS_BELOW,
        "note": (f"Counts of feedback and reports received, spam left out. Counts from 1 to "
                 f"{SUPPRESS_BELOW - 1} are not published (null, with suppressed: true), and "
                 "neither is a second count when one hidden count could be worked out from "
                 "the others, so that no one can be singled out."),
        "total": {"count": None if 0 < total < SUPPRESS_BELOW else total,
                  "suppressed": 0 < total < SUPPRESS_BELOW},
        "by_kind": _rows(raw["kind"], list(KINDS), KIND_LABELS, "kind"),
        "by_state": _rows(raw["state"], states, STATE_LABELS, "state"),
        "by_category": _rows(raw["category"], categories,
                             {c.id: c.label for c in REPORT_CATEGORIES}, "category"),
        "by_month": _rows(raw["month"], months, {}, "month"),
    }


def _last_months(today: dt.date, n: int) -> list[str]:
    year, month = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


@bp.get("/stats")
def stats():
    cached = current_app.extensions.setdefault("stats_cache", {})
    now = time.monotonic()
    if cached.get("until", 0) > now:
        body = cached["body"]
    else:
        try:
            body = public_stats(db.session())
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
            "`suppressed: true`; when one breakdown would have a single hidden count, the "
            "next smallest is hidden too. `by_month` covers the last "
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
