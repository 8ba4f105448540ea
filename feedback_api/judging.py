"""Decisions cite the rule as it stood: the clauses a decision rests on, each in the version
of its policy that was in effect on the day of the incident.

Staff pick clauses (`policy#anchor`) and confirm the incident date (the report's "when did
you see it", where given). For each clause the site's open data (`published`) says which
version was in effect that day; the decision records that version, the clause's
permanent address in it (`/policies/ai-1-19/versions/2/#m-a`) and its text as it then
read. A day before the policy's first version took effect cites no later text: the
decision records that the policy was not in effect.

Plain functions over plain data: `judge` returns the citations, or raises TriageError
naming the field at fault, as `triage` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import get_locale
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from site_builder import addresses, languages
from site_builder.labels import long_date

from . import i18n
from .catalog import Catalog
from .i18n import _
from .models import JudgedClause
from .published import PublishedSite, VersionSpan
from .triage import TriageError

MAX_CLAUSES = 20


@dataclass(frozen=True)
class Citation:
    """One clause a decision rests on, as it stood on the incident date."""

    policy_id: str
    clause: str  # its anchor: "m-a"
    version: int | None  # None: the policy was not in effect on that date
    in_effect_from: dt.date | None
    in_effect_until: dt.date | None  # the next version's start; None while current
    url: str | None  # the clause in that version, site-relative
    text: str | None  # the clause as that version words it (staff see it)

    def as_json(self) -> dict:
        """What the status JSON shows (`judged_against`)."""
        return {"policy_id": self.policy_id, "clause": self.clause, "version": self.version,
                "in_effect_from": self.in_effect_from.isoformat() if self.in_effect_from
                else None, "url": self.url}


@dataclass(frozen=True)
class ClauseChoice:
    value: str  # "ai-1-19#m-a"
    label: str  # "§M.a — Replies are courteous…"


def clause_label(catalog: Catalog, policy_id: str, clause: str,
                 lang: str | None = None) -> str:
    """ "AI 1-19 §M.a"; a clause no longer in the policy is named from its anchor. A
    section's title is in language `lang` where the policy's text is translated."""
    policy = catalog.policy(policy_id)
    if policy is None:
        return f"{policy_id} {anchor_label(clause)}"
    return (policy.section_label(clause, lang)
            or f"{policy.short_name_in(lang)} {anchor_label(clause)}")


def anchor_label(clause: str) -> str:
    """ "m-a" → "§M.a", as the site numbers clauses."""
    head, *rest = clause.split("-")
    return "§" + ".".join([head.upper(), *rest])


def page_language() -> str:
    """The code of the language this page, or this message (`i18n.in_language`), is in;
    the default language outside both (a command's app context, or no app at all)."""
    try:
        return i18n.code(get_locale())
    except RuntimeError:  # an app context with no request, outside `in_language`
        return languages.DEFAULT


def describe(citation: Citation, catalog: Catalog, incident: dt.date | None) -> str:
    """ "AI 1-19 §M.a, version 2, in effect from March 1, 2026" for the status page, in
    the page's language."""
    code = page_language()
    label = clause_label(catalog, citation.policy_id, citation.clause, code)
    if citation.version is None:
        policy = catalog.policy(citation.policy_id)
        name = policy.short_name_in(code) if policy else citation.policy_id
        if incident:
            return _("%(clause)s: %(policy)s was not yet in effect on %(day)s, so no version "
                     "of it applies", clause=label, policy=name,
                     day=languages.long_date(incident, code))
        return _("%(clause)s: %(policy)s was not yet in effect, so no version of it applies",
                 clause=label, policy=name)
    if citation.in_effect_from:
        return _("%(clause)s, version %(version)s, in effect from %(day)s", clause=label,
                 version=citation.version,
                 day=languages.long_date(citation.in_effect_from, code))
    return _("%(name)s, version %(version)s", name=label, version=citation.version)


def choices(catalog: Catalog, published: PublishedSite) -> list[tuple[str, list[ClauseChoice]]]:
    """The clauses staff may cite, by policy: every section and clause of the current
    text, then those only earlier versions had. Works as a plain multiple select."""
    grouped = []
    for policy in catalog.policies_in_order():
        texts = published.clauses(policy.id)
        latest = texts[max(texts)] if texts else {}
        listed = []
        for anchor, label in policy.sections.items():
            text = latest.get(anchor, "")
            listed.append(ClauseChoice(f"{policy.id}#{anchor}", _with_text(label, text)))
        earlier = {anchor: text for number in sorted(texts) for anchor, text
                   in texts[number].items() if anchor not in policy.sections}
        for anchor, text in earlier.items():
            listed.append(ClauseChoice(f"{policy.id}#{anchor}", _with_text(
                anchor_label(anchor), text) + " (earlier versions only)"))
        grouped.append((policy.name, listed))
    return grouped


def _with_text(label: str, text: str) -> str:
    text = " ".join(text.split())
    if not text or text == label:
        return label
    return f"{label} — {text[:90]}{'…' if len(text) > 90 else ''}"


def incident_date(value: str | None, today: dt.date) -> dt.date | None:
    """The incident date staff confirmed (YYYY-MM-DD), None when not given."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value[:10]) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise TriageError("incident_date", "Give the incident date as YYYY-MM-DD, e.g. "
                                           "2026-03-27")
    if day > today:
        raise TriageError("incident_date", f"The incident date {value} is in the future; "
                                           "give the day the post was seen")
    return day


def judge(picks: list[str], day: dt.date | None, catalog: Catalog,
          published: PublishedSite) -> list[Citation]:
    """The citations for the clauses picked (`policy#anchor`), as of `day`."""
    picks = list(dict.fromkeys(p for p in picks if p))
    if not picks:
        return []
    if len(picks) > MAX_CLAUSES:
        raise TriageError("clauses", f"Choose at most {MAX_CLAUSES} clauses")
    if day is None:
        raise TriageError("incident_date", "Give the date of the incident: the decision "
                                           "cites each clause as it stood that day")
    cited = []
    for pick in picks:
        policy_id, _hash, clause = pick.partition("#")
        policy = catalog.policy(policy_id)
        if policy is None or not clause:
            raise TriageError("clauses", "Choose clauses from the list")
        versions = published.versions(policy_id)
        if not versions:
            raise TriageError("clauses", (
                f"The site's open data for {policy.short_name} cannot be read, so the "
                "version in effect on that date is not known: build and publish the site "
                "(SITE_DIR is where the app reads it), then resolve again"))
        cited.append(_as_of(policy_id, clause, day, versions, published, catalog))
    return cited


def _as_of(policy_id: str, clause: str, day: dt.date, versions: tuple[VersionSpan, ...],
           published: PublishedSite, catalog: Catalog) -> Citation:
    in_effect = next((v for v in reversed(versions) if v.covers(day)), None)
    if in_effect is None:
        first = min((v.start for v in versions if v.start), default=None)
        if first is not None and day < first:
            return Citation(policy_id, clause, None, None, None, None, None)
        raise TriageError("clauses", (
            f"No version of {clause_label(catalog, policy_id, clause)} has a known date "
            f"covering {long_date(day)}; check the incident date"))
    text = published.clauses(policy_id).get(in_effect.number)
    if text is not None and clause not in text and not in_effect.withdrawn:
        raise TriageError("clauses", (
            f"{clause_label(catalog, policy_id, clause)} was not in version "
            f"{in_effect.number}, in effect on {long_date(day)}; choose a clause of that "
            "version, or check the incident date"))
    return Citation(policy_id, clause, in_effect.number, in_effect.start, in_effect.until,
                    addresses.url(addresses.version(policy_id, in_effect.number), clause),
                    (text or {}).get(clause))


# ---------------------------------------------------------------------------------------
# Kept with the item


def record(session: Session, submission_id: int, cited: list[Citation]) -> None:
    """Replace what the item's decision cites (in the caller's transaction)."""
    session.execute(delete(JudgedClause).where(JudgedClause.submission_id == submission_id))
    for position, citation in enumerate(cited):
        session.add(JudgedClause(
            submission_id=submission_id, position=position, policy_id=citation.policy_id,
            clause=citation.clause, version=citation.version,
            in_effect_from=_iso(citation.in_effect_from),
            in_effect_until=_iso(citation.in_effect_until), url=citation.url,
            clause_text=citation.text))


def judged(session: Session, submission_id: int) -> tuple[Citation, ...]:
    """What the item's decision cites, in the order staff chose."""
    rows = session.scalars(select(JudgedClause).where(
        JudgedClause.submission_id == submission_id).order_by(JudgedClause.position))
    return tuple(Citation(row.policy_id, row.clause, row.version, _day(row.in_effect_from),
                          _day(row.in_effect_until), row.url, row.clause_text)
                 for row in rows)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
