"""Check what the registries cite against the policies: every policy id and section anchor
in report-categories.yaml, outcomes.yaml and citations.yaml must exist, and ids are unique.

A citation is a policy id and the anchor of a section or clause in that policy's outline
(`ai-1-19` and `k-b` for AI 1-19 §K.b). The report form, the API, the inbox and the site
link to `/policies/<id>/#<anchor>`, so a citation that names nothing would publish a dead
link and a rule that is not there. `content.check_library` calls `problems` (this module
cannot import `content`, which imports it: it returns each problem's fields, `Found`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from . import schema

REGISTRY_DIR = "registries"
CATEGORIES = "report-categories.yaml"
OUTCOMES = "outcomes.yaml"
SITE = "citations.yaml"
ANCHOR_EXAMPLE = "a clause's anchor is its letters joined by '-': AI 1-19 §K.b is `k-b`"


class Found(NamedTuple):
    """One problem: the fields of a `content.Problem`."""

    path: str
    line: int
    message: str


class Cited(Protocol):
    """What the check reads of a `content.Library`."""

    policies: Mapping[str, Any]  # id -> content.Policy (its `path` and `outline.anchors`)
    unloaded: frozenset[str]
    report_categories: schema.ReportCategoryRegistry | None
    outcomes: schema.OutcomeRegistry | None
    citations: schema.SiteCitations


def problems(library: Cited, lines: Mapping[str, Mapping[tuple, int]]) -> list[Found]:
    """Every citation naming an unknown policy or an anchor its policy does not have, and
    every id used twice, at the line of the registry file that says it. `lines` maps each
    registry file's name to its YAML's key path -> line (as `content` reads it)."""
    found: list[Found] = []
    categories = library.report_categories
    if categories is not None:
        where = _Where(CATEGORIES, lines.get(CATEGORIES, {}))
        found += where.duplicates(
            (("categories", i), c.id) for i, c in enumerate(categories.categories))
        for i, category in enumerate(categories.categories):
            for j, citation in enumerate(category.cites):
                found += where.citation(library, ("categories", i, "cites", j), citation)
    outcomes = library.outcomes
    if outcomes is not None:
        where = _Where(OUTCOMES, lines.get(OUTCOMES, {}))
        # Both kinds of reason are kept in one column of an item, so one id names one.
        found += where.duplicates(
            [((key, i), r.id) for key in ("resolve_reasons", "dismiss_reasons")
             for i, r in enumerate(getattr(outcomes, key))], "reason")
        found += where.duplicates(
            [((key, "actions", i), a.id) for key in ("disciplinary_actions", "restorative_actions")
             for i, a in enumerate(getattr(outcomes, key).actions)], "action")
        for key in ("disciplinary_actions", "restorative_actions"):
            found += where.citation(library, (key, "cites"), getattr(outcomes, key).cites)
    site = library.citations
    where = _Where(SITE, lines.get(SITE, {}))
    for name in sorted(site.model_fields_set):  # the defaults, when the file is absent, are not
        found += where.citation(library, (name,), getattr(site, name))
    return found


class _Where:
    """One registry file: its path as problems name it, and the lines of its keys."""

    def __init__(self, name: str, lines: Mapping[tuple, int]):
        self.path = f"{REGISTRY_DIR}/{name}"
        self.lines = lines

    def line(self, at: tuple) -> int:
        """The line of the key at `at`, or of the nearest key above it that has one."""
        for end in range(len(at), -1, -1):
            if at[:end] in self.lines:
                return self.lines[at[:end]]
        return 1

    def citation(self, library: Cited, at: tuple, citation: schema.Citation) -> list[Found]:
        policy = library.policies.get(citation.policy)
        if policy is None:
            if citation.policy in library.unloaded:  # its own problems are reported
                return []
            close = difflib.get_close_matches(citation.policy, list(library.policies), n=1)
            hint = (f"did you mean {close[0]!r}?" if close else
                    "cite a policy by the `id` in its front matter")
            return [Found(self.path, self.line(at + ("policy",)),
                          f"policy {citation.policy!r} is not a policy id; {hint}")]
        anchors = policy.outline.anchors
        if citation.section in anchors:
            return []
        close = difflib.get_close_matches(citation.section, list(anchors), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use one it has ({ANCHOR_EXAMPLE})"
        return [Found(self.path, self.line(at + ("section",)),
                      f"section {citation.section!r}: {policy.path} has no section or clause "
                      f"with this anchor; {hint}")]

    def duplicates(self, ids: Iterable[tuple[tuple, str]], what: str = "category"
                   ) -> list[Found]:
        seen: dict[str, int] = {}
        found = []
        for at, item in ids:
            line = self.line(at + ("id",))
            if item in seen:
                found.append(Found(self.path, line, f"duplicate id {item!r} (first on line "
                                                    f"{seen[item]}); give each {what} its own "
                                                    "id"))
            else:
                seen[item] = line
        return found
