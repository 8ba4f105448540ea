"""Reading versions from git: what makes a version, renames, corrections, odd repositories."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from site_builder import gitlog
from site_builder.content import load_library
from site_builder.history import read_history, spans, version_on
from tests.history.conftest import (
    BODY_1,
    POLICY,
    V2_BODY,
    V3_BODY,
    Repo,
    body_with,
    policy_text,
    three_versions,
)


def test_three_commits_make_three_versions_whose_text_matches_each_commit(repo):
    commits = three_versions(repo)
    _, histories, warnings = repo.history()
    assert warnings == []
    h = histories["social-media"]
    assert [v.number for v in h.versions] == [1, 2, 3]
    assert [v.commit for v in h.versions] == commits
    assert [v.policy.body.strip() for v in h.versions] == [
        BODY_1.strip(), V2_BODY.strip(), V3_BODY.strip()]
    assert [v.published.date() for v in h.versions] == [
        dt.date(2026, 1, 5), dt.date(2026, 1, 20), dt.date(2026, 3, 10)]
    assert [v.effective for v in h.versions] == [
        dt.date(2025, 7, 1), dt.date(2026, 2, 1), dt.date(2026, 4, 1)]
    # The note is the message's first paragraph; the role comes from the trailer.
    assert h.versions[1].note == "Accounts must also be secure"
    assert h.versions[1].author_role == "Office of Communications"
    # The first commit is the import: its message speaks of the repository, not the policy.
    assert h.versions[0].note == "First published on this site."
    assert h.versions[0].author_role == "City staff"
    assert "writer@example.org" not in repr(h)
    assert h.current.number == 3 and not h.unpublished and h.complete
    assert [c.kind for c in h.changes] == ["version", "version", "version"]
    assert [c.version for c in h.changes] == [3, 2, 1]  # newest first


def test_the_version_in_effect_on_a_date(repo):
    three_versions(repo)
    h = repo.history()[1]["social-media"]
    assert version_on(h, dt.date(2025, 6, 30)) is None
    assert version_on(h, dt.date(2025, 7, 1)).number == 1
    assert version_on(h, dt.date(2026, 3, 31)).number == 2
    assert version_on(h, dt.date(2026, 4, 1)).number == 3
    periods = [(s.start, s.end, s.start_kind) for s in spans(h)]
    assert periods[1] == (dt.date(2026, 2, 1), dt.date(2026, 4, 1), "effective")
    assert periods[2][1] is None


def test_an_effective_date_left_over_from_the_last_version_is_not_repeated(repo):
    repo.write(POLICY, policy_text(effective="2025-07-01"))
    repo.commit("First", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY, effective="2025-07-01"))
    repo.commit("Second, with the old effective date left in place", "2026-02-10")
    h = repo.history()[1]["social-media"]
    assert h.versions[1].effective is None
    span = spans(h)[1]
    assert (span.start, span.start_kind) == (dt.date(2026, 2, 10), "published")


def test_a_renamed_file_keeps_its_history(repo):
    three_versions(repo)
    repo.git("mv", f"content/{POLICY}", "content/policies/renamed.md")
    repo.commit("Rename the file", "2026-03-20")
    repo.write("policies/renamed.md", policy_text(V3_BODY.replace("signed", "dated"),
                                                  effective="2026-05-01"))
    repo.commit("Posts are dated", "2026-04-20")
    _, histories, warnings = repo.history()
    h = histories["social-media"]
    assert [v.number for v in h.versions] == [1, 2, 3, 4]
    assert h.versions[0].policy.body.strip() == BODY_1.strip()
    assert h.paths == (POLICY, "policies/renamed.md")
    assert not h.unpublished and warnings == []


def test_a_rename_git_does_not_detect_is_joined_by_the_policy_id(repo):
    repo.write(POLICY, policy_text())
    repo.commit("First", "2026-01-05")
    (repo.content / POLICY).unlink()
    repo.write("policies/new-name.md", policy_text("## Purpose {#purpose}\n\nAll new.\n"))
    repo.commit("Rewrite under a new file name", "2026-02-05")
    h = repo.history()[1]["social-media"]
    assert [v.number for v in h.versions] == [1, 2]
    assert "All new." in h.current.policy.body


def test_an_editorial_commit_corrects_the_current_version_without_a_new_one(repo):
    three_versions(repo)
    fixed = V3_BODY.replace("name the department", "name the department.").replace(
        "department..", "department.")
    fixed = fixed.replace("signed", "signed by the department")
    repo.write(POLICY, policy_text(fixed, effective="2026-04-01"))
    sha = repo.commit("Fix the wording of §B\n\nEditorial: true", "2026-03-15")
    h = repo.history()[1]["social-media"]
    assert len(h.versions) == 3
    assert "signed by the department" in h.current.policy.body
    assert [(c.commit, c.note) for c in h.current.corrections] == [
        (sha, "Fix the wording of §B")]
    assert (h.changes[0].kind, h.changes[0].version) == ("editorial", 3)


def test_a_metadata_only_commit_is_a_changelog_entry_not_a_version(repo):
    three_versions(repo)
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-04-01", reviewed="2026-03-30"))
    repo.commit("Annual review: no changes needed", "2026-03-30")
    h = repo.history()[1]["social-media"]
    assert len(h.versions) == 3
    entry = h.changes[0]
    assert (entry.kind, entry.version, entry.fields) == ("metadata", 3, ("review",))
    assert entry.note == "Annual review: no changes needed"
    assert h.current.policy.meta.review.last_reviewed == dt.date(2026, 3, 30)


def test_a_change_note_in_the_front_matter_is_used_once(repo):
    repo.write(POLICY, policy_text(extra="change_note: First publication on this site.\n"))
    repo.commit("wip", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY,
                                   extra="change_note: First publication on this site.\n"))
    repo.commit("Security added to §A", "2026-02-05")
    notes = [v.note for v in repo.history()[1]["social-media"].versions]
    assert notes == ["First publication on this site.", "Security added to §A"]


def test_a_trailer_with_an_email_never_reaches_the_page(repo):
    repo.write(POLICY, policy_text())
    repo.commit("First\n\nPublished-by: Jane Roe <jane.roe@cabq.example>", "2026-01-05")
    version = repo.history()[1]["social-media"].current
    assert "@" not in version.author_role and "cabq" not in version.author_role


def test_history_is_read_with_one_git_log_and_one_cat_file(repo, monkeypatch):
    for i in range(6):
        repo.write(f"policies/extra-{i}.md", policy_text(id=f"extra-{i}", title=f"Extra {i}"))
    three_versions(repo)
    for n in range(4):
        for i in range(6):
            repo.write(f"policies/extra-{i}.md",
                       policy_text(BODY_1 + f"\nRevision {n}.\n", id=f"extra-{i}",
                                   title=f"Extra {i}"))
        repo.commit(f"Revision {n} of every extra policy")
    calls: list[list[str]] = []  # every process started (subprocess.run uses Popen too)
    real_popen = subprocess.Popen

    def popen(args, *a, **k):
        calls.append(list(args))
        return real_popen(args, *a, **k)

    monkeypatch.setattr(gitlog.subprocess, "Popen", popen)
    library, _ = load_library(repo.content)
    histories, _ = read_history(repo.content, library)
    assert [len(histories[f"extra-{i}"].versions) for i in range(6)] == [5] * 6
    logs = [c for c in calls if "log" in c]
    cat_files = [c for c in calls if "cat-file" in c]
    assert len(logs) == 1 and len(cat_files) == 1, calls
    assert len(calls) <= 6  # plus rev-parse to find the repository


def test_uncommitted_edits_are_unpublished_never_a_version(repo):
    three_versions(repo)
    repo.write(POLICY, policy_text(V3_BODY + "\nE. A draft rule.\n", effective="2026-04-01"))
    _, histories, _ = repo.history()
    h = histories["social-media"]
    assert h.unpublished
    assert len(h.versions) == 3
    assert "A draft rule" not in h.current.policy.body


def test_a_policy_added_but_not_committed_is_one_unpublished_version(repo):
    three_versions(repo)
    repo.write("policies/brand-new.md", policy_text(id="brand-new", title="Brand new"))
    _, histories, warnings = repo.history()
    h = histories["brand-new"]
    assert h.unpublished and len(h.versions) == 1 and h.current.commit is None
    assert any("policies/brand-new.md is not committed" in w for w in warnings)
    assert not histories["social-media"].unpublished


def test_a_shallow_clone_warns_and_builds_one_version(repo, tmp_path):
    three_versions(repo)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.top}", str(clone)],
                   check=True, capture_output=True)
    library, problems = load_library(clone / "content")
    assert problems == []
    histories, warnings = read_history(clone / "content", library)
    h = histories["social-media"]
    assert len(h.versions) == 1 and not h.complete
    assert "Signed posts" not in h.current.note  # no invented history
    assert h.current.policy.body.strip() == V3_BODY.strip()
    assert any("shallow clone" in w and "--unshallow" in w for w in warnings)


def test_a_folder_without_git_warns_and_builds_one_version(tmp_path):
    import shutil

    from tests.conftest import CONTENT

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    library, _ = load_library(content)
    histories, warnings = read_history(content, library)
    assert set(histories) == set(library.policies)
    assert all(len(h.versions) == 1 and not h.complete for h in histories.values())
    assert len(warnings) == 1 and "not in a git repository" in warnings[0]


def test_a_repository_without_commits_builds_everything_as_unpublished(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.write(POLICY, policy_text())
    _, histories, warnings = repo.history()
    assert histories["social-media"].unpublished
    assert any("no commits yet" in w for w in warnings)


def test_content_in_another_repository(tmp_path, monkeypatch):
    other = Repo(tmp_path / "elsewhere", content="site-content/published")
    three_versions(other)
    # Run from a different repository altogether.
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q", "here"], check=True)
    monkeypatch.chdir(tmp_path / "here")
    library, _ = load_library(other.content)
    histories, warnings = read_history(other.content, library)
    assert warnings == []
    assert [v.number for v in histories["social-media"].versions] == [1, 2, 3]


@pytest.mark.parametrize("message", ["Tidy\n\nEditorial: yes", "Tidy\n\nEditorial: TRUE"])
def test_editorial_trailer_values(repo, message):
    repo.write(POLICY, policy_text())
    repo.commit("First", "2026-01-05")
    repo.write(POLICY, policy_text(body_with(("promptly", "quickly"))))
    repo.commit(message, "2026-01-06")
    assert len(repo.history()[1]["social-media"].versions) == 1


def test_a_text_that_first_appears_in_a_merge_is_a_version(repo):
    repo.write(POLICY, policy_text())
    repo.commit("First", "2026-01-05")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(POLICY, policy_text(body_with(("profane", "obscene"))))
    repo.commit("Obscene comments", "2026-01-06")
    repo.git("checkout", "-q", "main")
    repo.write(POLICY, policy_text(body_with(("profane", "vulgar"))))
    repo.commit("Vulgar comments", "2026-01-07")
    merge = repo.git("merge", "-q", "feature", "-m", "Merge", check=False)
    assert "CONFLICT" in merge
    repo.write(POLICY, policy_text(body_with(("profane", "vulgar or obscene"))))
    repo.commit("Vulgar or obscene comments", "2026-01-08")
    h = repo.history()[1]["social-media"]
    assert "vulgar or obscene" in h.current.policy.body
    assert h.current.note == "Vulgar or obscene comments"
    assert len(h.versions) == 4


def test_an_old_version_the_schema_no_longer_accepts_keeps_its_text(repo):
    repo.write(POLICY, policy_text(extra="retired_field: something\n"))
    repo.commit("First, with a field the schema later dropped", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY))
    repo.commit("Second", "2026-01-06")
    _, histories, warnings = repo.history()
    first = histories["social-media"].versions[0]
    assert first.policy.body.strip() == BODY_1.strip() and first.withheld is None
    assert any("does not pass today's checks" in w for w in warnings)
