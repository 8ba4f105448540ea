"""The content the City publishes: valid, faithful to the sources, and complete."""

from __future__ import annotations

import re
import string
import subprocess
import sys

from site_builder.content import load_library
from tests.conftest import CONTENT, ROOT


def test_shipped_content_passes_the_check():
    result = subprocess.run(
        [sys.executable, "-m", "site_builder.cli", "check"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is valid" in result.stderr


def test_ai_1_19_has_rules_a_to_u_with_their_nested_items():
    library, problems = load_library(CONTENT)
    assert problems == []
    outline = library.policies["ai-1-19"].outline
    rules = next(s for s in outline.sections if s.id == "rules")
    top = [c.id for block in rules.blocks for c in block.clauses]
    assert top == list(string.ascii_lowercase[: string.ascii_lowercase.index("u") + 1])
    anchors = outline.anchors
    # K has a. through l.; T.b has i. and ii.; U.d has I.
    assert [f"k-{x}" for x in "abcdefghijkl"] == [a for a in anchors if a.startswith("k-")]
    assert {"t-b-i", "t-b-ii", "u-d-i", "s-a", "s-b", "o-b"} <= set(anchors)
    assert outline.label_of("t-b-ii") == "§T.b.ii"
    k_c = next(c for c in outline.clauses() if c.id == "k-c")
    assert k_c.text == "Profane language or content;"


def test_ai_1_19_keeps_what_the_source_is_missing_visible():
    library, _ = load_library(CONTENT)
    policy = library.policies["ai-1-19"]
    assert policy.meta.effective is None and policy.meta.issued is None
    assert "cut off" in policy.meta.incomplete
    a = next(c for c in policy.outline.clauses() if c.id == "a")
    assert a.text.startswith("The City of Albuquerque's website ( will remain the City's primary")
    assert "missing" in a.text
    # The code library's page chrome is gone.
    assert "Skip to code content" not in policy.body
    assert "Compare to:" not in policy.body


def test_every_required_element_is_covered_by_the_comprehensive_draft():
    library, _ = load_library(CONTENT)
    resolution = library.policies["council-resolution-social-media-accounts"]
    required = [e.id for e in resolution.meta.requires]
    assert required == [
        "behavioral-expectations", "content-specifications", "prohibition-on-personal-attacks",
        "response-guidelines", "monitoring-and-review", "disciplinary-actions",
        "restorative-actions", "policy-review",
    ]
    for element in resolution.meta.requires:
        assert element.clause in resolution.outline.anchors
    draft = library.policies["comprehensive-social-media-policy"]
    assert draft.meta.status == "draft"
    for element_id in required:
        section = draft.meta.satisfies[element_id]
        assert section in {s.id for s in draft.outline.sections}


def test_resolution_is_free_of_line_numbers_and_repeated_legends():
    library, _ = load_library(CONTENT)
    body = library.policies["council-resolution-social-media-accounts"].body
    assert body.count("[Bracketed/Underscored Material] - New") <= 1
    assert not re.search(r"^\d{1,2} (WHEREAS|with|and)\b", body, re.MULTILINE)


def test_department_policies_name_parent_and_approver_and_are_marked_samples():
    library, _ = load_library(CONTENT)
    departments = [p for p in library.policies.values() if p.meta.kind == "department-policy"]
    assert len(departments) >= 2
    assert "apd-social-media" in library.policies
    for policy in departments:
        assert policy.meta.parent == "ai-1-19"
        assert policy.meta.approved_by
        assert policy.meta.sample is True
    assert library.policies["apd-social-media"].meta.approved_by == "APD Director of Communications"


def test_registries_hold_no_credentials_and_mark_samples():
    library, _ = load_library(CONTENT)
    for account in library.accounts.accounts:
        assert account.sample is True
        assert "sample" in str(account.url)
    text = (CONTENT / "registries" / "accounts.yaml").read_text()
    assert not re.search(r"^\s*-?\s*(password|login|token|secret)\w*\s*:", text, re.I | re.M)
