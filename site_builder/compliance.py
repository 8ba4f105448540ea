"""Compliance: the resolution's required elements against the comprehensive policy.

Everything here is computed from the content, never stated by hand: an element is covered
only when the comprehensive policy names a section for it in `satisfies` and that section
is in its text.
"""

from __future__ import annotations

from dataclasses import dataclass

from .content import Library, Policy
from .schema import RequiredElement


@dataclass(frozen=True)
class ElementCoverage:
    resolution: Policy
    element: RequiredElement
    policy: Policy | None  # the comprehensive policy that covers it, if any
    section: str | None  # the section id in that policy
    section_title: str | None

    @property
    def covered(self) -> bool:
        return self.policy is not None and self.section is not None


def element_coverage(library: Library) -> list[ElementCoverage]:
    """One row per element any resolution requires, in the resolution's order."""
    comprehensive = [
        p for p in library.policies.values() if p.meta.kind == "comprehensive-policy"
    ]
    rows = []
    for resolution, element in library.required_elements():
        found: tuple[Policy, str, str] | None = None
        for policy in comprehensive:
            section = (policy.meta.satisfies or {}).get(element.id)
            if section and section in policy.outline.anchors:
                title = policy.outline.label_of(section) or section
                found = (policy, section, title)
                break
        if found:
            rows.append(ElementCoverage(resolution, element, *found))
        else:
            rows.append(ElementCoverage(resolution, element, None, None, None))
    return rows
