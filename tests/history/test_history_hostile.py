"""Hostile front matter in `transparency revise` and in old commits of the history.

`revise` reports a hostile value like `check` does and changes nothing; an old commit whose
front matter holds one never stops the build: that version keeps its text.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.conftest import CONTENT
from tests.content.conftest import AI, HOSTILE, NESTED, PROBLEM, expect
from tests.history.conftest import POLICY, V2_BODY, V3_BODY, Repo, policy_text

POLICY_CASES = [case for case in HOSTILE if case.rel.startswith("policies/")]


def run(*argv: str) -> tuple[int, list[str], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Repo:
    """A repository with the shipped content committed."""
    repo = Repo(tmp_path_factory.mktemp("hostile") / "repo")
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    repo.commit("Shipped content", "2026-01-05")
    return repo


@pytest.mark.parametrize("case", HOSTILE, ids=[case.id for case in HOSTILE])
def test_revise_reports_a_hostile_value_and_changes_nothing(shipped, case):
    clean = snapshot(shipped.content)
    try:
        line = case.apply(shipped.content)
        broken = snapshot(shipped.content)
        code, out, err = run("revise", "ai-1-19", "--note", "Clarifies §K.", "--effective",
                             "2026-03-01", "--content", str(shipped.content))
        assert code == 1, (out, err)
        expect(out, case.rel, line, *case.words)
        assert all(PROBLEM.match(x) and len(x) <= 400 for x in out), out
        assert err[-1].startswith(f"transparency revise: {len(out)} problem(s) in "), err
        assert snapshot(shipped.content) == broken  # no change note written
        assert shipped.git("diff", "--cached", "--name-only") == ""
    finally:
        for path in set(snapshot(shipped.content)) - set(clean):
            path.unlink()
        for path, data in clean.items():
            path.write_bytes(data)


def test_old_commits_with_hostile_front_matter_keep_their_text(tmp_path):
    """Every hostile value, each in an old commit of a policy: each version keeps its text."""
    repo = Repo(tmp_path / "repo")
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    repo.commit("Shipped content", "2026-01-05")
    clean = snapshot(repo.content)
    marks: list[tuple[str, str]] = []  # (commit, the text its version of AI 1-19 ends with)
    for number, case in enumerate(POLICY_CASES, start=1):
        for path, data in clean.items():
            path.write_bytes(data)
        case.apply(repo.content)
        mark = f"Revision {number} ({case.id})."
        for rel in {case.rel, AI}:  # the broken file is a new version, and AI 1-19 too
            path = repo.content / rel
            path.write_text(path.read_text().rstrip("\n") + f"\n\n{mark}\n")
        marks.append((repo.commit(f"Revision {number}: {case.id}"), mark))
        for rel in {case.rel} - {AI}:
            if not (CONTENT / rel).exists():
                (repo.content / rel).unlink()
    for path, data in clean.items():
        path.write_bytes(data)
    repo.commit("Back to the shipped content")

    _, histories, warnings = repo.history()
    versions = histories["ai-1-19"].versions
    assert len(versions) == len(POLICY_CASES) + 2
    for version, (commit, mark) in zip(versions[1:-1], marks, strict=True):
        assert version.commit == commit
        assert version.policy.body.rstrip().endswith(mark), mark
    stated = [w for w in warnings if "does not pass today's checks" in w]
    impossible_day = marks[[c.id for c in POLICY_CASES].index("impossible-day")][0]
    assert any(f"at commit {impossible_day[:7]}" in w for w in stated), warnings


def test_build_publishes_old_versions_whose_front_matter_no_longer_reads(repo, tmp_path):
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    repo.write(POLICY, policy_text(effective="2026-02-30", reviewed="2022-13-45"))
    first = repo.commit("First, with dates that do not exist", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY, title="!!binary aGk=",
                                   extra=f"source: {NESTED}\nsummary: {'9' * 5000}\n"))
    second = repo.commit("Second, with a tag, deep nesting and a duplicate field", "2026-01-06")
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-04-01"))
    repo.commit("Third, as it should be", "2026-01-07")

    out = tmp_path / "site"
    code, printed, log = run("build", "--content", str(repo.content), "--out", str(out))
    assert code == 0, (printed, log)
    assert printed == []
    for commit in (first, second):
        assert any(f"at commit {commit[:7]}: its front matter does not pass today's checks"
                   in line for line in log), log
    versions = out / "policies" / "social-media" / "versions"
    first_page = (versions / "1" / "index.html").read_text()
    assert "Identify changes to earlier posts" in first_page
    assert "current and secure" in (versions / "2" / "index.html").read_text()
    assert "Replies name the department" in (versions / "3" / "index.html").read_text()


def test_a_version_git_no_longer_holds_is_named_as_missing_not_as_unreadable(repo, tmp_path):
    """A partial or damaged clone lacks an old version's file: the build says so, and how
    to show it, rather than calling the file "not UTF-8"; the version's page says its text
    could not be read, and why."""
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    repo.write(POLICY, policy_text())
    first = repo.commit("First", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY))
    repo.commit("Second", "2026-01-06")
    blob = repo.git("rev-parse", f"{first}:content/{POLICY}").strip()
    (repo.top / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # git no longer holds it

    out = tmp_path / "site"
    code, printed, log = run("build", "--content", str(repo.content), "--out", str(out))
    assert code == 0, (printed, log)
    assert any(f"at commit {first[:7]} is missing from the repository (a partial or damaged "
               "clone), so its text is not shown; build from a full clone to show it" in line
               for line in log), log
    assert not any("not UTF-8" in line for line in log), log
    page = (out / "policies" / "social-media" / "versions" / "1" / "index.html").read_text()
    assert ("The text of this version could not be read (the repository this site was built "
            "from does not hold it).") in page
    assert "current and secure" in (out / "policies/social-media/versions/2/index.html"
                                    ).read_text()
