"""Rebuilds read only the commits after the last build's HEAD, and still publish the same."""

from __future__ import annotations

import datetime as dt

import site_builder.gitlog as gitlog
import site_builder.history as history
from site_builder import store
from site_builder.build import build_site
from site_builder.content import load_library
from tests.history.conftest import POLICY, V3_BODY, Repo, assert_same_site, body_with, policy_text

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
RENAMED = "policies/social-media-rules.md"


def versions_seen(histories) -> dict:
    """Everything of a policy's history that a reader of the site can see."""
    return {
        pid: (
            h.unpublished, h.complete, h.paths, h.warnings, h.changes,
            [(v.number, v.commit, v.published, v.note, v.author_role, v.corrections,
              v.effective, v.blob, v.withheld, v.policy.path, v.policy.front_matter,
              v.policy.body) for v in h.versions],
        )
        for pid, h in histories.items()
    }


def read(repo: Repo, cache) -> dict:
    library, problems = load_library(repo.content)
    assert not problems, problems
    with store.opened(cache):
        histories, _warnings = history.read_history(repo.content, library)
    return histories


def fresh(repo: Repo) -> dict:
    return versions_seen(read(repo, None))


def head(repo: Repo) -> str:
    return repo.git("rev-parse", "HEAD").strip()


def test_a_rebuild_after_new_commits_publishes_what_a_build_from_nothing_does(
    published, tmp_path, monkeypatch, log_reads
):
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    build_site(published.content, tmp_path / "site", log=lambda _: None, now=NOW)
    assert log_reads == [None]
    last_read = head(published)

    # After that build: a rename, a new version under the new name, an editorial
    # correction and a change of the front matter only.
    published.git("mv", f"content/{POLICY}", f"content/{RENAMED}")
    published.commit("Give the policy file a clearer name", "2026-04-02")
    v4 = body_with(("Replies name the department.",
                    "Replies name the department and the date."), body=V3_BODY)
    published.write(RENAMED, policy_text(v4, effective="2026-05-01"))
    version_4 = published.commit("Replies are dated", "2026-04-10")
    published.write(RENAMED, policy_text(v4.replace("Replies name", "Replies state"),
                                         effective="2026-05-01"))
    correction = published.commit("Fix a word\n\nEditorial: true", "2026-04-12")
    published.write(RENAMED, policy_text(v4.replace("Replies name", "Replies state"),
                                         effective="2026-05-01", reviewed="2026-04-20"))
    published.commit("Reviewed", "2026-04-20")

    log_reads.clear()
    lines: list[str] = []
    build_site(published.content, tmp_path / "site", log=lines.append, now=NOW)
    assert log_reads == [last_read]  # only the commits after the last build were read

    page = (tmp_path / "site" / "policies/social-media/versions/index.html").read_text()
    assert "Version 4" in page and "Version 5" not in page
    assert "Fix a word" in (tmp_path / "site" / "policies/social-media/changelog/index.html"
                            ).read_text()
    histories = read(published, tmp_path / "cache")
    policy = histories["social-media"]
    assert [v.commit for v in policy.versions][-1] == version_4
    assert [c.commit for c in policy.current.corrections] == [correction]
    assert policy.paths == (POLICY, RENAMED)
    assert versions_seen(histories) == fresh(published)

    # The same site, page for page, as a build without a cache.
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    build_site(published.content, tmp_path / "fresh", log=lambda _: None, now=NOW)
    assert_same_site(tmp_path / "site", tmp_path / "fresh")


def test_without_new_commits_git_log_is_not_run_and_edits_stay_unpublished(
    published, tmp_path, log_reads
):
    cache = tmp_path / "cache"
    before = read(published, cache)
    log_reads.clear()
    assert versions_seen(read(published, cache)) == versions_seen(before)
    assert log_reads == []

    published.write(POLICY, policy_text(V3_BODY + "E. Not yet published.\n",
                                        effective="2026-04-01"))
    histories = read(published, cache)
    assert log_reads == []
    assert histories["social-media"].unpublished
    assert len(histories["social-media"].versions) == 3
    assert versions_seen(histories) == fresh(published)


def test_an_amended_commit_is_read_again_from_the_start(published, tmp_path, log_reads):
    cache = tmp_path / "cache"
    read(published, cache)
    published.write(POLICY, policy_text(V3_BODY.replace("obscene", "abusive"),
                                        effective="2026-04-01"))
    published.git("commit", "-q", "-a", "--amend", "-m", "Abusive comments, not obscene")
    log_reads.clear()
    histories = read(published, cache)
    assert log_reads == [None]
    current = histories["social-media"].current
    assert current.number == 3 and current.note == "Abusive comments, not obscene"
    assert "abusive" in current.policy.body
    assert versions_seen(histories) == fresh(published)


def test_another_branch_is_read_again_from_the_start(published, tmp_path, log_reads):
    cache = tmp_path / "cache"
    published.git("checkout", "-q", "-b", "other", "HEAD~1")
    published.write(POLICY, policy_text(V3_BODY.replace("signed", "dated"),
                                        effective="2026-04-01"))
    published.commit("Dated posts")
    published.write(POLICY, policy_text(V3_BODY.replace("signed", "dated and signed"),
                                        effective="2026-04-01"))
    published.commit("Dated and signed posts")
    read(published, cache)
    published.git("checkout", "-q", "main")
    published.git("reset", "-q", "--hard", "other~1")  # main now ends at "Dated posts"
    log_reads.clear()
    histories = read(published, cache)
    assert log_reads == [None]
    assert [v.note for v in histories["social-media"].versions][-1] == "Dated posts"
    assert versions_seen(histories) == fresh(published)


def test_a_merge_after_the_last_read_is_read_in_full(published, tmp_path, log_reads):
    cache = tmp_path / "cache"
    published.git("checkout", "-q", "-b", "side", "HEAD~1")
    read(published, cache)
    published.write("policies/other.md", policy_text(id="other", title="Other"))
    published.commit("Add another policy")
    published.git("checkout", "-q", "main")
    published.git("merge", "-q", "--no-edit", "side")
    published.write(POLICY, policy_text(V3_BODY + "E. Merged.\n", effective="2026-04-01"))
    published.commit("After the merge")
    log_reads.clear()
    histories = read(published, cache)
    assert log_reads == [None]
    assert "other" in histories and len(histories["social-media"].versions) == 4
    assert versions_seen(histories) == fresh(published)


def test_an_old_merge_then_new_commits_read_incrementally(published, tmp_path, log_reads):
    published.git("checkout", "-q", "-b", "side", "HEAD~2")
    published.write("policies/other.md", policy_text(id="other", title="Other"))
    published.commit("Add another policy")
    published.git("checkout", "-q", "main")
    published.git("merge", "-q", "--no-edit", "side")
    cache = tmp_path / "cache"
    read(published, cache)
    last_read = head(published)
    published.write("policies/other.md", policy_text(V3_BODY, id="other", title="Other"))
    published.commit("Other: the same rules")
    log_reads.clear()
    histories = read(published, cache)
    assert log_reads == [last_read]
    assert len(histories["other"].versions) == 2
    assert versions_seen(histories) == fresh(published)


def test_an_unreadable_cache_is_read_again_from_the_start(published, tmp_path, log_reads):
    cache = tmp_path / "cache"
    read(published, cache)
    kept = [p for p in cache.rglob("*") if p.is_file()
            and p.name == gitlog.log_key(gitlog.locate(published.content)[0],
                                         history._code_hash())]
    assert len(kept) == 1
    published.write(POLICY, policy_text(V3_BODY + "E. New.\n", effective="2026-04-01"))
    published.commit("A new clause")
    for garbage in (b"not a pickle", b"\x80\x05K\x01.",  # the number 1: not a log
                    kept[0].read_bytes()[:100]):
        kept[0].write_bytes(garbage)
        log_reads.clear()
        histories = read(published, cache)
        assert log_reads == [None]
        assert len(histories["social-media"].versions) == 4
        assert versions_seen(histories) == fresh(published)


def test_a_log_kept_in_another_format_is_not_used(published, tmp_path, log_reads, monkeypatch):
    cache = tmp_path / "cache"
    read(published, cache)
    monkeypatch.setattr(gitlog, "_LOG_CACHE_FORMAT", gitlog._LOG_CACHE_FORMAT + 1)
    published.write(POLICY, policy_text(V3_BODY + "E. New.\n", effective="2026-04-01"))
    published.commit("A new clause")
    log_reads.clear()
    histories = read(published, cache)
    assert log_reads == [None]
    assert versions_seen(histories) == fresh(published)
