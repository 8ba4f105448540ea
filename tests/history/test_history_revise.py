"""`transparency revise`: the change note, the effective date, the commit and its trailers."""

from __future__ import annotations

import datetime as dt
import shlex
import subprocess

from site_builder.cli import main
from tests.history.conftest import POLICY, V2_BODY, policy_text


def revise(repo, *args: str) -> int:
    return main(["revise", *args, "--content", str(repo.content)])


def test_revise_writes_the_note_stages_and_prints_a_commit_that_publishes_it(repo, capsys):
    repo.write(POLICY, policy_text(effective="2025-07-01"))
    repo.commit("First", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY, effective="2025-07-01"))
    code = revise(repo, "social-media", "--note", "Accounts must also be secure (§A).",
                  "--effective", "2026-03-01", "--published-by", "Office of Communications")
    err = capsys.readouterr().err
    assert code == 0, err
    text = (repo.content / POLICY).read_text()
    assert "change_note: Accounts must also be secure (§A).\n" in text
    assert "effective: 2026-03-01\n" in text and "2025-07-01" not in text
    assert "review:\n  interval_months: 12\n" in text  # the rest is left as written
    assert repo.git("diff", "--cached", "--name-only").strip() == f"content/{POLICY}"
    assert "new version" in err
    command = next(line.strip() for line in err.splitlines() if line.strip().startswith("git"))
    subprocess.run(shlex.split(command), cwd=repo.top, check=True, capture_output=True)
    _, histories, _ = repo.history()
    version = histories["social-media"].current
    assert version.number == 2
    assert version.note == "Accounts must also be secure (§A)."
    assert version.effective == dt.date(2026, 3, 1)
    assert version.author_role == "Office of Communications"


def test_revise_commit_editorial_amends_the_current_version(repo, capsys):
    repo.write(POLICY, policy_text())
    repo.commit("First", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY))
    assert revise(repo, "social-media", "--note", "Typo in §A.", "--editorial", "--commit") == 0
    assert "Editorial: true" in repo.git("log", "-1", "--format=%B")
    h = repo.history()[1]["social-media"]
    assert len(h.versions) == 1 and h.current.corrections[0].note == "Typo in §A."


def test_revise_says_when_the_text_has_not_changed(repo, capsys):
    repo.write(POLICY, policy_text())
    repo.commit("First", "2026-01-05")
    assert revise(repo, "social-media", "--note", "Reviewed.", "--commit") == 0
    assert "not a new version" in capsys.readouterr().err
    h = repo.history()[1]["social-media"]
    assert len(h.versions) == 1


def test_revise_rejects_bad_input_with_exit_2(repo, capsys):
    repo.write(POLICY, policy_text())
    repo.commit("First", "2026-01-05")
    before = (repo.content / POLICY).read_text()
    assert revise(repo, "social-medai", "--note", "x") == 2
    assert "did you mean 'social-media'" in capsys.readouterr().err
    assert revise(repo, "social-media", "--note", "x", "--effective", "1 March") == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert revise(repo, "social-media", "--note", "   ") == 2
    assert revise(repo, "social-media", "--note", "x", "--published-by", "jane@cabq.example") == 2
    assert "role" in capsys.readouterr().err
    assert (repo.content / POLICY).read_text() == before
    assert repo.git("status", "--porcelain") == ""


def test_revise_refuses_invalid_content_with_exit_1(repo, capsys):
    repo.write(POLICY, policy_text())
    repo.commit("First", "2026-01-05")
    repo.write(POLICY, policy_text().replace("summary:", "sumary:"))
    assert revise(repo, "social-media", "--note", "x") == 1
    assert "unknown field 'sumary'" in capsys.readouterr().out
    assert repo.git("diff", "--cached", "--name-only") == ""
