"""`transparency check` on broken content: every problem, each at its `path:line`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from tests.conftest import ROOT
from tests.content.conftest import ACCOUNTS, AI, DRAFT, check, edit, expect


def test_clean_content_exits_zero(content, capsys):
    assert check(content, capsys) == (0, [])


def test_unknown_field_names_the_nearest_known_one(content, capsys):
    line = edit(content, AI, "summary:", "sumary:")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, AI, line, "unknown field 'sumary'", "did you mean 'summary'")
    # The missing required field is reported too, in the same run.
    expect(lines, AI, 2, "missing required field 'summary'")


def test_wrong_date_format_says_how_to_write_dates(content, capsys):
    line = edit(content, DRAFT, "last_reviewed: 2026-11-22", "last_reviewed: 11/22/2026")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, DRAFT, line, "review.last_reviewed", "'11/22/2026'", "YYYY-MM-DD")


def test_value_outside_the_allowed_set(content, capsys):
    line = edit(content, AI, "status: active", "status: enacted")
    _, lines = check(content, capsys)
    expect(lines, AI, line, "status", "'enacted'", "draft", "active")


def test_duplicate_policy_id(content, capsys):
    copy = content / "policies" / "ai-1-19-copy.md"
    shutil.copy(content / AI, copy)
    _, lines = check(content, capsys)
    duplicate = [x for x in lines if "duplicate policy id 'ai-1-19'" in x]
    assert len(duplicate) == 1
    # The second file in name order is the duplicate.
    assert duplicate[0].startswith("policies/ai-1-19.md:2: ")
    assert "ai-1-19-copy.md already uses it" in duplicate[0]


def test_parent_that_does_not_exist(content, capsys):
    line = edit(content, "policies/apd-social-media.md", "parent: ai-1-19", "parent: ai-1-91")
    _, lines = check(content, capsys)
    expect(lines, "policies/apd-social-media.md", line, "parent 'ai-1-91'",
           "did you mean 'ai-1-19'")


def test_department_policy_without_an_approver(content, capsys):
    path = content / "policies" / "apd-social-media.md"
    text = path.read_text()
    text = re.sub(r"^approved_by:.*\n", "", text, count=1, flags=re.M)
    path.write_text(text)
    _, lines = check(content, capsys)
    hits = [x for x in lines if x.startswith("policies/apd-social-media.md:")
            and "approved_by" in x and "§R" in x]
    assert hits, lines


def test_comprehensive_policy_missing_a_required_element(content, capsys):
    satisfies_line = edit(content, DRAFT, "satisfies:", "satisfies:")
    edit(content, DRAFT, "  restorative-actions: restorative-actions\n", "")
    _, lines = check(content, capsys)
    expect(lines, DRAFT, satisfies_line, "required element 'restorative-actions'",
           "Restorative Actions", "§A.7", "not covered")


def test_credential_looking_field_and_value(content, capsys):
    line = edit(content, ACCOUNTS, "    sample: true\n",
                "    sample: true\n    password: hunter2\n")
    _, lines = check(content, capsys)
    expect(lines, ACCOUNTS, line + 1, "'password' looks like a credential")
    line = edit(content, ACCOUNTS, "    purpose: City-wide news, public service",
                "    purpose: ghp_abcdefghijklmnopqrstuvwxyz0123456789AB City-wide news")
    _, lines = check(content, capsys)
    expect(lines, ACCOUNTS, line, "looks like a GitHub token")


def test_credential_in_policy_text(content, capsys):
    text = (content / AI).read_text()
    line = text.split("\n").index("## Signature {#signature}") + 1
    edit(content, AI, "## Signature {#signature}\n",
         "## Signature {#signature}\n\nShared login password: Spring2024!\n")
    _, lines = check(content, capsys)
    expect(lines, AI, line + 2, "looks like it contains a password")


def test_broken_links_to_other_policies_and_sections(content, capsys):
    path = content / AI
    text = path.read_text()
    line = text.split("\n").index("## Signature {#signature}") + 1
    path.write_text(text.replace(
        "## Signature {#signature}\n",
        "## Signature {#signature}\n\nSee [§K.z](#k-z), [the plan](no-such-policy.md) and "
        "[element](council-resolution-social-media-accounts.md#a-9).\n",
    ))
    _, lines = check(content, capsys)
    expect(lines, AI, line + 2, "broken link '#k-z'")
    expect(lines, AI, line + 2, "'no-such-policy.md'", "no policy file")
    expect(lines, AI, line + 2, "#a-9", "did you mean #a-8")


def test_invalid_yaml_is_reported_at_its_line(content, capsys):
    line = edit(content, ACCOUNTS, "    handle: \"@abq-city-sample\"",
                "    handle: \"@abq-city-sample\n      broken: [")
    _, lines = check(content, capsys)
    hits = [x for x in lines if x.startswith(f"{ACCOUNTS}:") and "invalid YAML" in x]
    assert hits and int(hits[0].split(":")[1]) >= line, lines


def test_yaml_aliases_are_refused(content, capsys):
    line = edit(content, AI, "review:\n", "base: &b {x: 1}\nreview:\n")
    _, lines = check(content, capsys)
    expect(lines, AI, line, "anchors and aliases")


def test_invalid_utf8_and_oversized_files(content, capsys):
    (content / "policies" / "latin1.md").write_bytes(b"---\nid: x\n---\ncaf\xe9\n")
    (content / "policies" / "huge.md").write_text("---\n" + "x" * (2 * 1024 * 1024))
    _, lines = check(content, capsys)
    expect(lines, "policies/latin1.md", 4, "not valid UTF-8", "save the file as UTF-8")
    expect(lines, "policies/huge.md", 1, "over the limit")


def test_inconsistent_clause_indentation_and_duplicate_ids(content, capsys):
    path = content / AI
    text = path.read_text()
    clause_line = text[: text.index("    c. Profane language")].count("\n") + 1
    text = text.replace("\n    c. Profane language", "\n  c. Profane language")
    line = text.split("\n").index("## Signature {#signature}") + 1
    text = text.replace("## Signature {#signature}",
                        "## Signature {#signature}\n\n## Again {#purpose}")
    path.write_text(text)
    _, lines = check(content, capsys)
    expect(lines, AI, clause_line, "clause c. is indented 2 spaces", "4 spaces more")
    expect(lines, AI, line + 2, "section id 'purpose' is used twice")


def test_section_ids_the_policy_page_uses_itself_are_refused(content, capsys):
    line = edit(content, AI, "## Signature {#signature}", "## Signature {#policy-versions}")
    code, lines = check(content, capsys)
    assert code == 1
    assert lines == [f"{AI}:{line}: section id 'policy-versions' is used by the policy page "
                     "itself; choose another id"]


def test_many_problems_in_one_tree_are_all_reported(content, capsys):
    edit(content, AI, "summary:", "sumary:")
    edit(content, DRAFT, "last_reviewed: 2026-11-22", "last_reviewed: soon")
    edit(content, "policies/apd-social-media.md", "parent: ai-1-19", "parent: nowhere")
    edit(content, ACCOUNTS, "platform: facebook", "platform: facebok")
    code, lines = check(content, capsys)
    assert code == 1
    files = {x.split(":")[0] for x in lines}
    assert {AI, DRAFT, "policies/apd-social-media.md", ACCOUNTS} <= files
    assert any("'facebok'" in x and "did you mean 'facebook'" in x for x in lines)
    assert all(re.match(r"^[\w./-]+:\d+: \S", x) for x in lines), lines


def test_usage_errors_exit_two():
    result = subprocess.run(
        [sys.executable, "-m", "site_builder.cli", "check", "--content", "/no/such/folder"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "content folder '/no/such/folder' not found" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "site_builder.cli", "chekc"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_a_policy_that_fails_to_load_is_not_also_every_link_to_it(content, capsys):
    line = edit(content, AI, "status: active", "status: enacted")
    code, lines = check(content, capsys)
    assert code == 1
    assert lines == [f"{AI}:{line}: status: 'enacted' is not allowed; use one of "
                     "'draft', 'active', 'superseded' or 'retired'"]
