"""The registries that cite policies: report categories, outcomes and the site's citations.

Every policy id and section anchor they name is checked against the policies by
`transparency check`, each problem at its `path:line`; ids are unique; the reasons the inbox's
workflow acts on stay. What the registries say reaches the report form, the API and the
inbox without a change to the code.
"""

from __future__ import annotations

import re

import pytest

from feedback_api import create_app
from feedback_api.catalog import ContentMissing, load_catalog
from feedback_api.db import make_engine, upgrade
from site_builder import schema
from site_builder.content import load_library
from tests.conftest import CONTENT
from tests.content.conftest import check, edit, expect

CATEGORIES = "registries/report-categories.yaml"
OUTCOMES = "registries/outcomes.yaml"
CITATIONS = "registries/citations.yaml"

NEW_CATEGORY = """\
  - id: impersonation
    label: Pretending to be the City
    hint: An account that looks official but is not in the directory.
    cites:
      - {policy: ai-1-19, section: e}
"""


def test_the_shipped_registries_cite_what_exists(content, capsys):
    assert check(content, capsys) == (0, [])
    library, problems = load_library(content)
    assert problems == []
    assert [c.id for c in library.report_categories.categories][-1] == "other"
    assert library.outcomes.disciplinary_actions.cites.section == "disciplinary-actions"
    guidelines = library.citations.comment_guidelines
    assert (guidelines.policy, guidelines.section) == ("ai-1-19", "k")


def test_a_category_citing_an_unknown_policy_is_a_problem_at_its_line(content, capsys):
    line = edit(content, CATEGORIES, "{policy: ai-1-19, section: k-b}",
                "{policy: ai-1-91, section: k-b}")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, CATEGORIES, line, "policy 'ai-1-91' is not a policy id",
           "did you mean 'ai-1-19'?")
    assert len(lines) == 1


def test_a_category_citing_an_anchor_the_policy_lacks_is_a_problem_at_its_line(content,
                                                                                capsys):
    line = edit(content, CATEGORIES, "section: a-3", "section: a-33")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, CATEGORIES, line, "section 'a-33'",
           "policies/council-resolution-social-media-accounts.md has no section or clause",
           "did you mean")
    assert len(lines) == 1


def test_an_anchor_written_as_the_clause_reads_says_how_anchors_are_written(content, capsys):
    line = edit(content, CATEGORIES, "{policy: ai-1-19, section: k-e}",
                "{policy: ai-1-19, section: K.e}")
    _, lines = check(content, capsys)
    # Not even an anchor: the schema says how ids are written.
    expect(lines, CATEGORIES, line, "'K.e' is not a valid id", "lowercase letters")


def test_a_category_id_used_twice_is_a_problem_at_the_second(content, capsys):
    first = edit(content, CATEGORIES, "  - id: political-campaigning\n",
                 "  - id: political-campaigning\n")
    second = edit(content, CATEGORIES, "  - id: discriminatory-content\n",
                  "  - id: political-campaigning\n")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, CATEGORIES, second, "duplicate id 'political-campaigning'",
           f"first on line {first}")


def test_outcomes_cite_the_comprehensive_policy_and_keep_the_workflow_reasons(content,
                                                                             capsys):
    cited = edit(content, OUTCOMES, "section: restorative-actions}", "section: restoration}")
    twice = edit(content, OUTCOMES, "  - id: feedback-noted\n", "  - id: addressed\n")
    action = edit(content, OUTCOMES, "{id: suspension,", "{id: retraining,")
    _, lines = check(content, capsys)
    expect(lines, OUTCOMES, cited, "section 'restoration'",
           "policies/comprehensive-social-media-policy.md has no section or clause",
           "did you mean 'restorative-actions'?")
    expect(lines, OUTCOMES, twice, "duplicate id 'addressed'", "give each reason its own id")
    expect(lines, OUTCOMES, action, "duplicate id 'retraining'", "give each action its own id")
    assert len(lines) == 3

    edit(content, OUTCOMES, "  - id: spam\n", "  - id: junk\n")
    _, lines = check(content, capsys)
    key = (content / OUTCOMES).read_text().split("\n").index("dismiss_reasons:") + 1
    expect(lines, OUTCOMES, key, "dismiss_reasons: the inbox's workflow needs the reason "
                                 "'spam'; add it back")


def test_the_sites_citations_are_checked_and_default_when_the_file_is_absent(content,
                                                                              capsys):
    line = edit(content, CITATIONS, "section: o-a}", "section: oa}")
    _, lines = check(content, capsys)
    assert lines == [f"{CITATIONS}:{line}: section 'oa': policies/ai-1-19.md has no section "
                     "or clause with this anchor; did you mean 'o-a'?"]

    (content / CITATIONS).unlink()
    assert check(content, capsys) == (0, [])
    library, _ = load_library(content)
    assert library.citations.platform_list.section == "o-a"


def test_the_feedback_apps_registries_are_optional_for_the_site_not_for_the_app(content,
                                                                                 capsys):
    (content / CATEGORIES).unlink()
    (content / OUTCOMES).unlink()
    assert check(content, capsys) == (0, [])
    with pytest.raises(ContentMissing, match=r"registries/report-categories\.yaml is missing"):
        load_catalog(content)


def test_a_category_added_to_the_registry_is_offered_without_a_change_to_the_code(content,
                                                                                  tmp_path):
    edit(content, CATEGORIES, "  - id: other\n", NEW_CATEGORY + "  - id: other\n")
    url = f"sqlite:///{tmp_path}/feedback.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "x" * 40, "DATABASE_URL": url, "TESTING": True,
                      "CONTENT_DIR": str(content), "RATELIMIT_STORAGE_URI": "memory://"})
    client = app.test_client()
    try:
        form = client.get("/report/").get_data(as_text=True)
        radio = re.search(r'<input[^>]*name="category"[^>]*value="impersonation"[^>]*>', form)
        assert radio, "the new category is not on the report form"
        assert 'id="category-impersonation"' in radio[0]
        assert ("An account that looks official but is not in the directory. (AI 1-19 §E)"
                in form)
        # Before "Something else", as listed.
        assert form.index('value="impersonation"') < form.index('value="other"')

        listed = client.get("/api/v1/report-categories").get_json()["categories"]
        assert [c["id"] for c in listed][-2:] == ["impersonation", "other"]
        assert listed[-2]["rules"] == [{"policy_id": "ai-1-19", "section": "e",
                                        "citation": "AI 1-19 §E"}]
        document = client.get("/api/v1/openapi.json").get_json()
        assert "impersonation" in document["components"]["schemas"]["Report"]["properties"][
            "category"]["enum"]

        sent = client.post("/api/v1/reports", json={
            "category": "impersonation", "description": "It copies the City's logo.",
            "account_url": "https://x.com/abq_city_official_real"})
        assert sent.status_code == 201, sent.get_json()
    finally:
        app.extensions["db_engine"].dispose()


NEW_MODELS = [
    schema.Citation, schema.ReportCategoryRegistry, schema.ReportCategory,
    schema.OutcomeRegistry, schema.PublicOutcome, schema.Reason, schema.DismissReason,
    schema.ActionList,
    schema.Action, schema.SiteCitations,
]


def test_content_readme_documents_every_field_of_these_registries():
    text = (CONTENT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, re.M))
    fields = {name for model in NEW_MODELS for name in model.model_fields}
    assert fields <= documented, sorted(fields - documented)
    for name in schema.WORKFLOW_RESOLVE_REASONS + schema.WORKFLOW_DISMISS_REASONS:
        assert f"`{name}`" in text
