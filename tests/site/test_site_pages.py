"""The page stage on small content trees: what each page says, before MkDocs runs."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from site_builder.build import BuildFailed, build_site
from site_builder.content import load_library
from site_builder.history import read_history
from site_builder.opendata import write_open_data
from site_builder.pages import PageProblem, write_pages
from site_builder.stamp import SiteStamp
from tests.site.conftest import AI, COMPREHENSIVE, RESOLUTION, make_content

STAMP = SiteStamp("abc1234", False, dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC))


def generate(root, tmp_path):
    library, problems = load_library(root)
    assert problems == []
    histories, _ = read_history(root, library)
    docs = tmp_path / "docs"
    write_pages(docs, library, histories, STAMP)
    write_open_data(docs, library, histories, STAMP)
    return docs, library


def page(docs, rel: str) -> str:
    return (docs / rel).read_text(encoding="utf-8")


def test_writes_every_page_at_its_fixed_address(content, tmp_path):
    docs, library = generate(content, tmp_path)
    for rel in ["index.md", "policies/index.md", "compliance/index.md", "accounts/index.md",
                "platforms/index.md", "comment-guidelines/index.md", "reviews/index.md",
                "data/policies.json", "data/accounts.json"]:
        assert (docs / rel).is_file(), rel
    for pid in library.policies:
        assert (docs / "policies" / pid / "index.md").is_file()


def test_policy_page_states_unknown_dates_and_flags_samples(content, tmp_path):
    docs, _ = generate(content, tmp_path)
    text = page(docs, "policies/ai-1-19/index.md")
    assert "<dt>Effective</dt><dd><span class=\"not-stated\">Not stated in the source" in text
    assert "badge--active\">Active</span>" in text
    assert "badge--sample" not in text
    parks = page(docs, "policies/parks-social-media/index.md")
    assert "badge--sample\">Sample</span>" in parks
    assert '!!! note "Sample record"' in parks
    draft = page(docs, "policies/comprehensive/index.md")
    assert '!!! warning "Draft"' in draft


def test_policy_page_offers_feedback_and_a_report_as_buttons(content, tmp_path):
    docs, _ = generate(content, tmp_path)
    text = page(docs, "policies/ai-1-19/index.md")
    assert '<a href="/feedback/?policy=ai-1-19" class="md-button">Comment on this policy</a>' \
        in text
    assert '<a href="/report/" class="md-button">Report a possible violation</a>' in text


def test_incomplete_note_is_shown_as_a_notice(tmp_path):
    ai = AI.replace("review:\n", "incomplete: Section A is cut off in the source.\nreview:\n")
    ai = ai.replace("{reviewed}", "2026-06-01")
    root = make_content(tmp_path / "content")
    (root / "policies" / "ai-1-19.md").write_text(ai, encoding="utf-8")
    docs, _ = generate(root, tmp_path)
    text = page(docs, "policies/ai-1-19/index.md")
    assert '!!! warning "Incomplete source"\n\n    Section A is cut off in the source.' in text


def test_department_policy_and_its_parent_link_each_other(content, tmp_path):
    docs, _ = generate(content, tmp_path)
    child = page(docs, "policies/parks-social-media/index.md")
    assert '<dt>Issued under</dt><dd><a href="../ai-1-19/">AI 1-19: Social Media Policy</a>' \
        in child
    parent = page(docs, "policies/ai-1-19/index.md")
    assert "## Department policies under this policy {#policy-departments}" in parent
    assert "(../parks-social-media/index.md)" in parent


def test_comment_guidelines_are_made_from_section_k(tmp_path):
    changed = AI.replace("Profane language or content;", "Profanity of any kind;")
    root = make_content(tmp_path / "content")
    (root / "policies" / "ai-1-19.md").write_text(
        changed.replace("{reviewed}", "2026-06-01"), encoding="utf-8")
    docs, _ = generate(root, tmp_path)
    text = page(docs, "comment-guidelines/index.md")
    assert "**b.** Profanity of any kind;" in text
    assert "Profane language" not in text
    assert "(../policies/ai-1-19/index.md#k-b)" in text
    assert "**ii.** phone numbers." in text
    assert "[\u00a7L](../policies/ai-1-19/index.md#l) requires" in text


def test_without_section_k_the_build_stops(tmp_path):
    root = make_content(tmp_path / "content")
    text = (root / "policies" / "ai-1-19.md").read_text()
    (root / "policies" / "ai-1-19.md").write_text(text.replace("K. Posts", "J. Posts")
                                                  .replace("subsection K", "subsection J"))
    library, problems = load_library(root)
    assert problems == []
    with pytest.raises(PageProblem) as failure:
        write_pages(tmp_path / "docs", library, {}, STAMP)
    assert "policies/ai-1-19.md:1:" in failure.value.problems[0]


def test_compliance_links_each_element_to_the_section_that_meets_it(content, tmp_path):
    docs, _ = generate(content, tmp_path)
    text = page(docs, "compliance/index.md")
    assert "**2 of 2 elements covered.**" in text
    assert '<a href="../policies/comprehensive/#how-to-behave">' in text
    assert '<a href="../policies/resolution/#a-1">Behavioral Expectations (Resolution \u00a7A.1)' \
        in text
    assert "It is a draft and has not been adopted" in text


def test_compliance_shows_missing_elements(tmp_path):
    root = make_content(tmp_path / "content", policies={"resolution.md": RESOLUTION})
    docs, _ = generate(root, tmp_path)
    text = page(docs, "compliance/index.md")
    assert "**0 of 2 elements covered.**" in text
    assert text.count('badge--missing">Missing</span>') == 2


def test_compliance_counts_the_feedback_links_it_wrote(content, tmp_path):
    docs, library = generate(content, tmp_path)
    text = page(docs, "compliance/index.md")
    pages = [page(docs, f"policies/{pid}/index.md") for pid in library.policies]
    links = sum(p.count("](/feedback/?") for p in pages)
    assert links > len(library.policies)
    assert f"({links} links)" in text
    assert f"{len(library.policies)} of {len(library.policies)} policies" in text


def test_review_schedule_lists_overdue_first(tmp_path):
    root = make_content(tmp_path / "content", reviewed="2026-10-01", policies={
        "comprehensive.md": COMPREHENSIVE.replace("last_reviewed: 2026-01-01",
                                                  "last_reviewed: 2024-01-01"),
        "resolution.md": RESOLUTION,
    })
    docs, _ = generate(root, tmp_path)
    text = page(docs, "reviews/index.md")
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>.*?badge--review-([a-z-]+)", text)
    states = [state for _, state in rows]
    assert states[0] == "overdue"
    assert "Comprehensive Policy" in rows[0][0]
    order = {"overdue": 0, "due-soon": 1, "unknown": 2, "current": 3}
    assert states == sorted(states, key=order.get)
    assert "Official accounts directory" in text and "Approved platforms list" in text


def test_policy_index_has_no_js_filters_by_kind_and_department(content, tmp_path):
    docs, _ = generate(content, tmp_path)
    text = page(docs, "policies/index.md")
    for anchor in ["kind-administrative-instruction", "kind-department-policy",
                   "department-parks-and-recreation-department", "department-city-council"]:
        assert f"](#{anchor})" in text
        assert f"{{#{anchor}}}" in text
    assert "data-sortable" in text


def test_section_ids_the_page_uses_itself_stop_the_build(tmp_path):
    root = make_content(tmp_path / "content")
    path = root / "policies" / "ai-1-19.md"
    text = path.read_text()
    line = text[: text.index("{#purpose}")].count("\n") + 1
    path.write_text(text.replace("{#purpose}", "{#policy-details}"))
    _, problems = load_library(root)  # the load stage refuses it, before any page is made
    assert [str(p) for p in problems] == [
        f"policies/ai-1-19.md:{line}: section id 'policy-details' is used by the policy page "
        "itself; choose another id"]
    out = tmp_path / "site"
    with pytest.raises(BuildFailed) as failure:
        build_site(root, out, log=lambda _: None)
    assert failure.value.problems == problems
    assert not out.exists()


def test_values_from_content_are_escaped(tmp_path):
    root = make_content(tmp_path / "content")
    path = root / "registries" / "accounts.yaml"
    path.write_text(path.read_text().replace("City news.", "<script>alert(1)</script> news."))
    docs, _ = generate(root, tmp_path)
    text = page(docs, "accounts/index.md")
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; news." in text


def test_open_data_has_the_fixed_shape(content, tmp_path):
    docs, library = generate(content, tmp_path)
    data = json.loads(page(docs, "data/policies.json"))
    assert data["site_version"] == "abc1234"
    assert data["generated"] == "2026-11-22T12:00:00Z"
    ai = next(p for p in data["policies"] if p["id"] == "ai-1-19")
    assert ai["url"] == "/policies/ai-1-19/"
    assert ai["review"] == {"interval_months": 12, "last_reviewed": "2026-06-01",
                            "next_due": "2027-06-01", "state": "current"}
    assert ai["versions"][0]["url"] == "/policies/ai-1-19/versions/1/"
    assert ai["versions"][0]["diff_url"] is None
    accounts = json.loads(page(docs, "data/accounts.json"))
    assert accounts["accounts"][0]["handle"] == "@abq_test_city"
    assert accounts["platforms"][0]["domains"] == ["x.com", "twitter.com"]
