"""The public register of decisions: how each rule has been applied.

`/decisions/` (a page in the site's look) and `GET /api/v1/decisions` (JSON) list what was
decided, with nobody singled out: decided items (resolved or dismissed, spam left out)
with their public outcome, the clauses they cite with the version in effect, the month of
the decision and the restorative actions that are public. Never text, contact details,
tracking codes, disciplinary actions or staff. Filter with `policy` and `clause`.

Counts by clause (each citation counts: a decision citing two clauses counts for both),
by month and by outcome are published with the statistics' suppression
(`stats.withheld`): a count from 1 to SUPPRESS_BELOW - 1 is null, and so are as many more
as it takes that none can be worked out by subtraction from the totals. The decisions
themselves are listed in groups of the same month, clause and version: a group smaller
than SUPPRESS_BELOW is not listed one by one, so the list never shows what the counts hide.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask import Blueprint, jsonify, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder import addresses, languages

from . import db, i18n
from .catalog import Catalog
from .errors import DATABASE_DOWN, api_error
from .i18n import _
from .judging import clause_label, page_language
from .models import JudgedClause, Submission, utcnow
from .stats import SUPPRESS_BELOW, Relation, withheld
from .status import public_outcome
from .web import catalog, cors

bp = Blueprint("decisions", __name__)
CLOSED = ("resolved", "dismissed")


class FilterError(ValueError):
    """A filter that names no policy or clause; the message says what to use."""


@dataclass(frozen=True)
class Decision:
    month: str  # "2026-03", of the decision
    outcome: str  # public outcome id
    outcome_label: str
    actions: tuple[str, ...]  # labels of the public restorative actions
    cited: tuple[tuple[str, str, int | None], ...]  # (policy, clause, version)


def filters(args, known: Catalog) -> tuple[str | None, str | None]:
    policy = (args.get("policy") or "").strip() or None
    clause = (args.get("clause") or "").strip() or None
    if policy is not None and known.policy(policy) is None:
        raise FilterError(_("policy %(given)s is not a policy of this site; use an id from "
                            "%(list)s, such as %(example)s", given=repr(policy[:80]),
                            list="/data/policies.json", example="ai-1-19"))
    if clause is not None and policy is None:
        raise FilterError(_("clause needs policy too, such as %(example)s",
                            example="?policy=ai-1-19&clause=k-c"))
    if clause is not None and (len(clause) > 80 or not clause.replace("-", "").isalnum()):
        raise FilterError(_("clause %(given)s is not a clause's anchor; use one like "
                            "%(example)s (for %(cited)s)", given=repr(clause[:80]),
                            example="k-c", cited="§K.c"))
    return policy, clause


def decided(session: Session, known: Catalog, policy: str | None,
            clause: str | None) -> list[Decision]:
    """The decisions citing the policy (and clause) given, or all decisions."""
    items = session.execute(
        select(Submission.id, Submission.state, Submission.state_reason, Submission.outcomes,
               Submission.closed_at)
        .where(Submission.state.in_(CLOSED), Submission.is_spam.is_(False),
               Submission.closed_at.is_not(None))).all()
    cites: dict[int, list[tuple[str, str, int | None]]] = {}
    for row in session.execute(select(JudgedClause.submission_id, JudgedClause.policy_id,
                                      JudgedClause.clause, JudgedClause.version)
                               .order_by(JudgedClause.position)):
        cites.setdefault(row.submission_id, []).append((row.policy_id, row.clause, row.version))
    found = []
    for item in items:
        cited = tuple(cites.get(item.id, ()))
        if policy and not any(p == policy and (clause is None or c == clause)
                              for p, c, _version in cited):
            continue
        outcome = public_outcome(known.outcomes, item.state, item.state_reason, item.outcomes,
                                 None, None)
        if outcome is None:
            continue
        found.append(Decision(f"{item.closed_at:%Y-%m}", outcome["id"], outcome["label"],
                              tuple(a["label"] for a in outcome["actions"]), cited))
    return sorted(found, key=lambda d: d.month, reverse=True)


def register(found: list[Decision], known: Catalog, policy: str | None,
             clause: str | None) -> dict:
    """The register's answer: counts with suppression, and the decisions in groups."""
    by_clause = Counter((p, c) for d in found for p, c, _version in d.cited
                        if (policy is None or p == policy) and (clause is None or c == clause))
    by_month = Counter(d.month for d in found)
    by_outcome = Counter(d.outcome for d in found)
    values = {"decisions": len(found), "citations": sum(by_clause.values())}
    breakdowns = {"clause": ("citations", [f"{p}#{c}" for p, c in sorted(by_clause)]),
                  "month": ("decisions", sorted(by_month, reverse=True)),
                  "outcome": ("decisions", sorted(by_outcome))}
    counted = {"clause": {f"{p}#{c}": n for (p, c), n in by_clause.items()},
               "month": by_month, "outcome": by_outcome}
    relations = []
    for name, (of, keys) in breakdowns.items():
        cells = tuple(f"{name}:{key}" for key in keys)
        values.update((f"{name}:{key}", counted[name][key]) for key in keys)
        values[f"rest:{name}"] = values[of] - sum(counted[name][key] for key in keys)
        relations.append(Relation(of, cells, f"rest:{name}"))
    hidden = withheld(values, relations)

    def count(name: str) -> dict:
        return {"count": None if name in hidden else values[name], "suppressed": name in hidden}

    labels = {o.id: _(o.label) for o in known.outcomes.public_outcomes}
    groups: dict[tuple, list[Decision]] = {}
    for decision in found:
        for p, c, version in decision.cited or (("", "", None),):
            if (policy and p != policy) or (clause and c != clause):
                continue
            groups.setdefault((decision.month, p, c, version), []).append(decision)
    listed, unlisted = [], 0
    for (month, p, c, version), members in sorted(groups.items(), reverse=True):
        if len(members) < SUPPRESS_BELOW:
            unlisted += len(members)
            continue
        for d in members:
            listed.append({
                "month": month, "outcome": d.outcome, "outcome_label": d.outcome_label,
                "actions": list(d.actions),
                "clause": _clause(known, p, c, version) if p else None})
    return {
        "generated": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "suppressed_below": SUPPRESS_BELOW,
        "filters": {"policy": policy, "clause": clause},
        "decisions_count": count("decisions"),
        "citations_count": count("citations"),
        "by_clause": [{**_clause(known, *key.split("#", 1), None), **count(f"clause:{key}")}
                      for key in breakdowns["clause"][1]],
        "by_month": [{"month": key, **count(f"month:{key}")} for key in breakdowns["month"][1]],
        "by_outcome": [{"outcome": key, "label": labels.get(key, key),
                        **count(f"outcome:{key}")} for key in breakdowns["outcome"][1]],
        "decisions": listed,
        "not_listed": unlisted > 0,
    }


def _clause(known: Catalog, policy: str, clause: str, version: int | None) -> dict:
    return {"policy_id": policy, "clause": clause,
            "label": clause_label(known, policy, clause, page_language()),
            "version": version,
            "url": addresses.url(addresses.version(policy, version), clause) if version
            else addresses.policy_url(policy, clause)}


def _answer(json_wanted: bool):
    known = catalog()
    try:
        policy, clause = filters(request.args, known)
    except FilterError as error:
        if json_wanted:
            return api_error(400, _("The filter cannot be used: %(error)s.", error=error))
        return render_template("decisions.html", error=str(error), data=None,
                               title=_("Decisions: how the rules have been applied")), 400
    try:
        data = register(decided(db.session(), known, policy, clause), known, policy, clause)
    except db.DatabaseUnavailable:
        if json_wanted:
            return api_error(503, DATABASE_DOWN, code="database_unavailable")
        raise
    if json_wanted:
        response = jsonify(data)
        response.headers["Cache-Control"] = "public, max-age=300"
        return response
    lang = i18n.language().code
    shown = (clause_label(known, policy, clause, lang) if clause
             else known.policy(policy).name_in(lang) if policy else None)
    return render_template("decisions.html", data=data, error=None, catalog=known,
                           policy=known.policy(policy), bar=_bar, shown=shown,
                           number=_number,
                           api_url=url_for("decisions.api", **{
                               k: v for k, v in data["filters"].items() if v}),
                           title=_("Decisions: how the rules have been applied"))


def _number(count: int) -> str:
    """A count as the page's language writes it (English as it always has: `1234`)."""
    code = i18n.language().code
    return str(count) if code == languages.DEFAULT else languages.whole_number(count, code)


def _bar(count: int | None, largest: int) -> int:
    """A bar's width in twentieths, for the chart (a class, since no inline style may run)."""
    if not count or not largest:
        return 0
    return max(1, round(20 * count / largest))


@bp.get("/decisions/")
def page():
    return _answer(json_wanted=False)


@bp.get("/api/v1/decisions")
def api():
    return cors(_answer(json_wanted=True))


def init_app(app) -> None:
    app.register_blueprint(bp)


def openapi_paths() -> dict:
    """The register's operation for the OpenAPI document (feedback_api.openapi)."""
    count = {"type": "object", "required": ["count", "suppressed"], "properties": {
        "count": {"type": ["integer", "null"], "minimum": 0,
                  "description": "null when suppressed."},
        "suppressed": {"type": "boolean"}}}
    clause = {"type": "object", "required": ["policy_id", "clause", "label", "version", "url"],
              "properties": {"policy_id": {"type": "string"}, "clause": {"type": "string"},
                             "label": {"type": "string"},
                             "version": {"type": ["integer", "null"]},
                             "url": {"type": "string"}}}

    def rows(key: str, schema: dict, extra: dict | None = None) -> dict:
        return {"type": "array", "items": {
            "type": "object", "required": [*([key] if key else []), "count", "suppressed"],
            "properties": {**({key: schema} if key else {}), **(extra or {}),
                           **count["properties"]}}}

    filter_param = {"in": "query", "required": False, "schema": {"type": "string",
                                                                 "maxLength": 80}}
    return {"/api/v1/decisions": {"get": {
        "summary": "The public register of decisions: how each rule has been applied",
        "operationId": "decisions",
        "description": (
            "Decided items (spam left out) with their public outcome, the clauses they "
            "cite in the version then in effect, the month and the public restorative "
            "actions; never text, contact details, tracking codes, disciplinary actions or "
            f"staff. Counts from 1 to {SUPPRESS_BELOW - 1} are null with `suppressed: "
            "true`, and so are as many more as it takes that none can be worked out by "
            "subtraction: `by_clause` adds up to `citations_count`, `by_month` and "
            "`by_outcome` to `decisions_count`. Decisions in a group (month, clause, "
            f"version) of fewer than {SUPPRESS_BELOW} are not listed (`not_listed`)."),
        "parameters": [
            {**filter_param, "name": "policy", "description": "A policy's id: ai-1-19."},
            {**filter_param, "name": "clause",
             "description": "A clause's anchor (with `policy`): k-c for §K.c."}],
        "responses": {
            "200": {"description": "The register.", "content": {"application/json": {
                "schema": {
                    "type": "object",
                    "required": ["generated", "suppressed_below", "filters", "decisions_count",
                                 "citations_count", "by_clause", "by_month", "by_outcome",
                                 "decisions", "not_listed"],
                    "properties": {
                        "generated": {"type": "string", "format": "date-time"},
                        "suppressed_below": {"type": "integer", "const": SUPPRESS_BELOW},
                        "filters": {"type": "object"},
                        "decisions_count": count,
                        "citations_count": count,
                        "by_clause": rows("", {}, clause["properties"]),
                        "by_month": rows("month", {"type": "string",
                                                   "pattern": "^[0-9]{4}-[0-9]{2}$"}),
                        "by_outcome": rows("outcome", {"type": "string"},
                                           {"label": {"type": "string"}}),
                        "decisions": {"type": "array", "items": {
                            "type": "object",
                            "required": ["month", "outcome", "outcome_label", "actions",
                                         "clause"],
                            "properties": {
                                "month": {"type": "string"},
                                "outcome": {"type": "string"},
                                "outcome_label": {"type": "string"},
                                "actions": {"type": "array", "items": {"type": "string"}},
                                "clause": {"oneOf": [clause, {"type": "null"}]}}}},
                        "not_listed": {"type": "boolean"},
                    },
                }}}},
            "400": {"description": "A filter names no policy or clause; the message says "
                                   "what to use.", "content": {"application/json": {
                                       "schema": {"$ref": "#/components/schemas/Error"}}}},
            "503": {"$ref": "#/components/responses/E503"},
        },
    }}}

