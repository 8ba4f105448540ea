"""Credentials in the history: every version is scanned, and a withdrawn version's text
is gone from the whole site, a tombstone left at its address.

The token is made up and assembled at run time, so that this file does not hold it whole.
"""

from __future__ import annotations

import gzip
import json
import re

import pytest

from site_builder.cli import main
from tests.conftest import CONTENT
from tests.history.conftest import POLICY, V3_BODY, Repo, policy_text, three_versions
from tests.history.test_history_site import text_of

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
WITHDRAWN = "registries/withdrawn.yaml"
REASON = "Its text included an access token by mistake; the token was revoked."
V4_NOTE = "Deployment instructions for the build server"
VERSIONS = "policies/social-media/versions"


def publish_with_token(repo: Repo, fix: str = "Take the token out") -> tuple[str, int]:
    """The shipped policies, three versions of the test policy, then a token committed
    (version 4) and taken out again by a commit with the message `fix` (version 5, or a
    correction of version 4). Returns the token's commit and line."""
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    three_versions(repo)
    text = policy_text(V3_BODY + f"\nDeploy from the build server with {TOKEN}.\n",
                       effective="2026-04-01")
    repo.write(POLICY, text)
    commit = repo.commit(V4_NOTE, "2026-03-20")
    repo.write(POLICY, policy_text(V3_BODY + "\nDeploy from the build server.\n",
                                   effective="2026-04-01"))
    repo.commit(fix, "2026-03-21")
    return commit, text.split("\n").index(f"Deploy from the build server with {TOKEN}.") + 1


def withdraw(repo: Repo, *entries: tuple[str, int, str, str]) -> None:
    lines = ["withdrawals:"]
    for policy, version, day, reason in entries:
        lines += [f"  - policy: {policy}", f"    version: {version}",
                  f"    withdrawn: {day}", f"    reason: {json.dumps(reason)}"]
    repo.write(WITHDRAWN, "\n".join(lines) + "\n")


def run(*args: str, capsys) -> tuple[int, list[str]]:
    code = main(list(args))
    return code, capsys.readouterr().out.splitlines()


def test_a_token_committed_then_taken_out_stops_the_build_naming_its_commit(
        repo, tmp_path, capsys):
    commit, line = publish_with_token(repo)
    out = tmp_path / "site"
    code, lines = run("build", "--content", str(repo.content), "--out", str(out),
                      capsys=capsys)
    assert code == 1
    expected = (f"{POLICY}:{line}: commit {commit[:7]} (version 4 of social-media, "
                "published 2026-03-20): text looks like it contains a GitHub token")
    hits = [x for x in lines if x.startswith(expected)]
    assert hits, lines
    assert "rotate the credential, then withdraw version 4 in registries/withdrawn.yaml" in hits[0]
    assert "docs/publishing.md" in hits[0]
    assert not out.exists()
    # `transparency check` says the same before anyone builds.
    code, lines = run("check", "--content", str(repo.content), capsys=capsys)
    assert code == 1 and any(x.startswith(expected) for x in lines), lines


def test_the_verdict_is_kept_with_the_history_cache_and_still_stops_later_builds(
        repo, tmp_path, capsys, monkeypatch):
    commit, line = publish_with_token(repo)
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    out = str(tmp_path / "site")
    prefix = f"{POLICY}:{line}: commit {commit[:7]} (version 4"
    for _ in range(2):  # the second build reads the history from the cache
        code, lines = run("build", "--content", str(repo.content), "--out", out,
                          capsys=capsys)
        assert code == 1 and any(x.startswith(prefix) for x in lines), lines
    repo.write(POLICY, policy_text(V3_BODY + "\nDeploy from the build server only.\n",
                                   effective="2026-04-01"))
    repo.commit("Only from the build server", "2026-03-25")  # read incrementally
    code, lines = run("build", "--content", str(repo.content), "--out", out, capsys=capsys)
    assert code == 1 and any(x.startswith(prefix) for x in lines), lines


def test_a_token_corrected_away_is_still_found_in_the_version_it_was_published_in(
        repo, capsys, tmp_path):
    commit, line = publish_with_token(repo, "Take the token out\n\nEditorial: true")
    code, lines = run("build", "--content", str(repo.content), "--out",
                      str(tmp_path / "site"), capsys=capsys)
    assert code == 1
    hit = next(x for x in lines if x.startswith(f"{POLICY}:{line}: commit {commit[:7]} "))
    # Version 4 (now corrected) is the latest: a new version has to come first.
    assert "commit the file without it (a new version), then withdraw version 4" in hit


def test_a_credential_in_a_commit_message_or_a_change_of_details_is_found(
        repo, capsys, tmp_path):
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    three_versions(repo)
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-04-01",
                                   extra=f"source:\n  title: Deploy notes\n  note: key {TOKEN}\n"))
    details = repo.commit("Record the source", "2026-03-12")
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-04-01"))
    repo.commit(f"Rotate the deploy token {TOKEN}", "2026-03-13")
    repo.write(POLICY, policy_text(V3_BODY + "F. One more rule.\n", effective="2026-04-01"))
    repo.commit("One more rule", "2026-03-14")
    code, lines = run("build", "--content", str(repo.content), "--out",
                      str(tmp_path / "site"), capsys=capsys)
    assert code == 1
    note_line = policy_text(V3_BODY, effective="2026-04-01",
                            extra=f"source:\n  title: Deploy notes\n  note: key {TOKEN}\n"
                            ).split("\n").index(f"  note: key {TOKEN}") + 1
    assert any(x.startswith(f"{POLICY}:{note_line}: commit {details[:7]} (version 3 of "
                            "social-media") and "value looks like a GitHub token" in x
               for x in lines), lines
    message = repo.git("rev-parse", "HEAD~1").strip()
    assert any(x.startswith(f"{POLICY}:0: commit {message[:7]} (version 3 of social-media")
               and "its message looks like it contains a GitHub token" in x
               for x in lines), lines


def test_check_refuses_a_withdrawal_of_no_version_or_of_the_latest(repo, capsys):
    publish_with_token(repo)
    withdraw(repo, ("social-media", 9, "2026-03-22", REASON),
             ("social-media", 5, "2026-03-22", REASON),
             ("social-medium", 2, "2026-03-22", REASON),
             ("social-media", 4, "2026-03-22", REASON),
             ("social-media", 4, "2026-03-23", REASON))
    code, lines = run("check", "--content", str(repo.content), capsys=capsys)
    assert code == 1
    problems = {int(x.split(":")[1]): x for x in lines if x.startswith(f"{WITHDRAWN}:")}
    assert len(problems) == len(lines) == 4, lines
    assert "social-media has no version 9 (it has versions 1 to 5)" in problems[2]
    assert ("version 5 is the latest version of social-media" in problems[6]
            and "then withdraw version 5" in problems[6])
    assert "policy 'social-medium' is not a policy id; did you mean 'social-media'?" in (
        problems[10])
    assert "version 4 of social-media is withdrawn twice (first on line 14)" in problems[18]


def test_a_withdrawal_is_checked_like_every_registry(repo, capsys):
    publish_with_token(repo)
    withdraw(repo, ("social-media", 4, "2026-02-30", REASON))
    repo.write(WITHDRAWN, (repo.content / WITHDRAWN).read_text() + "    note: x\n")
    code, lines = run("check", "--content", str(repo.content), capsys=capsys)
    assert code == 1
    assert any(x.startswith(f"{WITHDRAWN}:4: ") and "no such day" in x for x in lines), lines
    assert any(x.startswith(f"{WITHDRAWN}:6: ") and "unknown field 'note'" in x
               for x in lines), lines


@pytest.fixture(scope="module")
def withdrawn_site(tmp_path_factory):
    """A site built after version 4, which held the token, was withdrawn (six versions)."""
    root = tmp_path_factory.mktemp("withdrawn")
    repo = Repo(root / "repo")
    publish_with_token(repo)
    repo.write(POLICY, policy_text(V3_BODY + "\nDeploy from the build server.\n"
                                   "E. Errors are corrected within two days.\n",
                                   effective="2026-05-01"))
    repo.commit("Errors are corrected within two days", "2026-04-20")
    withdraw(repo, ("social-media", 4, "2026-03-22", REASON))
    out = root / "site"
    assert main(["check", "--content", str(repo.content)]) == 0
    assert main(["build", "--content", str(repo.content), "--out", str(out)]) == 0
    return out


def test_after_withdrawal_no_file_of_the_site_holds_the_token_or_the_version_note(
        withdrawn_site):
    files = [p for p in withdrawn_site.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".html", ".json", ".xml", ".atom", ".ics"}
    assert (withdrawn_site / "search" / "search_index.json").is_file()
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        assert TOKEN.encode() not in data, path
        assert TOKEN[4:20].encode() not in data, path
        assert V4_NOTE.encode() not in data, path  # the withdrawn version's note


def test_a_tombstone_stays_at_the_withdrawn_versions_addresses(withdrawn_site):
    said = f"Version 4 was withdrawn on March 22, 2026: {REASON}"
    for page in (f"{VERSIONS}/4/index.html", f"{VERSIONS}/4/changes/index.html",
                 "policies/social-media/compare/4-6/index.html"):
        text = text_of(withdrawn_site / page)
        assert said in text, page
        assert "Deploy from the build server" not in text
    listing = text_of(withdrawn_site / f"{VERSIONS}/index.html")
    assert said in listing
    changelog = text_of(withdrawn_site / "policies/social-media/changelog/index.html")
    assert f"March 22, 2026 : Version 4 withdrawn: {REASON}" in changelog
    changes = text_of(withdrawn_site / "changes/index.html")
    assert f"Version 4 withdrawn: {REASON}" in changes
    feed = (withdrawn_site / "feeds/social-media.atom").read_text()
    assert "version 4 (withdrawn)" in feed and REASON in feed


def test_the_other_versions_keep_their_addresses_and_redlines_skip_the_withdrawn_one(
        withdrawn_site):
    for n in (1, 2, 3, 5, 6):
        assert "Departments keep their accounts current" in text_of(
            withdrawn_site / f"{VERSIONS}/{n}/index.html"), n
    redline = text_of(withdrawn_site / f"{VERSIONS}/5/changes/index.html")
    assert "Version 5 compared with version 3." in redline
    assert "Version 4 was withdrawn, so the text is compared with the version before it." in (
        redline)
    assert "Deploy from the build server." in redline
    compare = (withdrawn_site / "policies/social-media/compare/index.html").read_text()
    assert re.findall(r'<option value="(\d+)">', compare)[:5] == ["1", "2", "3", "5", "6"]
    prepared = compare.replace("&#x27;", "'").replace("&quot;", '"')
    assert '"3-5"' in prepared and '"4-' not in prepared and '-4"' not in prepared
    assert "Version 5 compared with version 3." not in text_of(
        withdrawn_site / f"{VERSIONS}/6/changes/index.html")
    texts = json.loads((withdrawn_site / "data/versions/social-media.text.json").read_text())
    assert texts["versions"]["4"] is None and texts["versions"]["5"]
    index = json.loads((withdrawn_site / "data/versions/social-media.json").read_text())
    fourth = index["versions"][3]
    assert fourth["withdrawn"] == {"date": "2026-03-22", "reason": REASON}
    assert fourth["note"] is None and fourth["diff_url"] is None
    policies = json.loads((withdrawn_site / "data/policies.json").read_text())
    versions = next(p for p in policies["policies"] if p["id"] == "social-media")["versions"]
    assert [v["number"] for v in versions] == [1, 2, 3, 4, 5, 6]
    assert versions[3]["withdrawn"] == {"date": "2026-03-22", "reason": REASON}
    assert versions[3]["summary"] is None and versions[3]["url"].endswith("/versions/4/")
    assert versions[4]["diff_url"] == "/policies/social-media/versions/5/changes/"


def test_withdrawing_a_version_rewrites_a_site_and_cache_built_while_it_was_published(
        repo, tmp_path, monkeypatch):
    # Not a credential, but it must go too: a withdrawal serves any text.
    private = "Home address of the administrator: 12 Example Street"
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    three_versions(repo)
    repo.write(POLICY, policy_text(V3_BODY + f"\n{private}\n", effective="2026-04-01"))
    repo.commit("Contact details", "2026-03-20")
    repo.write(POLICY, policy_text(V3_BODY + "\nContact DTI.\n", effective="2026-04-01"))
    repo.commit("Contact DTI instead", "2026-03-21")
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "site"
    build = ["build", "--content", str(repo.content), "--out", str(out)]
    assert main(build) == 0
    assert private in text_of(out / f"{VERSIONS}/4/index.html")
    withdraw(repo, ("social-media", 4, "2026-03-22", "Personal data published by mistake."))
    assert main(build) == 0
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            data = gzip.decompress(data) if path.suffix == ".gz" else data
            assert private.encode() not in data, path
    assert "Version 4 was withdrawn on March 22, 2026" in text_of(
        out / f"{VERSIONS}/4/index.html")


def test_when_the_first_version_is_withdrawn_the_next_redline_says_there_is_none_before(
        repo, tmp_path, capsys):
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    text = policy_text(V3_BODY + f"\nDeploy with {TOKEN}\n", effective="2026-01-01")
    repo.write(POLICY, text)
    first = repo.commit("Adopt the policy", "2026-01-05")
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-02-01"))
    repo.commit("Without the token", "2026-01-06")
    repo.write(POLICY, policy_text(V3_BODY + "F. One more rule.\n", effective="2026-03-01"))
    repo.commit("One more rule", "2026-02-20")
    out = tmp_path / "site"
    build = ["build", "--content", str(repo.content), "--out", str(out)]
    code, lines = run(*build, capsys=capsys)
    line = text.split("\n").index(f"Deploy with {TOKEN}") + 1
    assert code == 1 and any(x.startswith(f"{POLICY}:{line}: commit {first[:7]} (version 1 ")
                             for x in lines), lines
    withdraw(repo, ("social-media", 1, "2026-01-07", REASON))
    assert run(*build, capsys=capsys)[0] == 0
    second = text_of(out / f"{VERSIONS}/2/changes/index.html")
    assert f"Version 1 was withdrawn on January 7, 2026: {REASON}" in second
    assert "There is no earlier version to compare it with." in second
    assert "Version 3 compared with version 2." in text_of(
        out / f"{VERSIONS}/3/changes/index.html")
    compare = (out / "policies/social-media/compare/index.html").read_text()
    assert re.findall(r'<option value="(\d+)">', compare)[:2] == ["2", "3"]
    assert not any(TOKEN.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file())
