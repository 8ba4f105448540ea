"""The history stage's store: what each policy's lineage makes (versions, changelog,
credentials, warnings) is one entry, its latest version left out when it is the current
file; the kept log pass holds no texts, and a rebuild adds only a tail to it. Whatever
the store gives, or fails to give, the histories are those a build without it reads."""

from __future__ import annotations

import pickle
import shutil
import subprocess

import pytest

import site_builder.gitlog as gitlog
import site_builder.history as history
from site_builder import store
from site_builder.content import load_library, parse_policy
from site_builder.lineage import UNREAD
from site_builder.store import Store
from tests.history.conftest import (
    POLICY,
    V2_BODY,
    V3_BODY,
    Repo,
    policy_text,
)

PID = "social-media"


@pytest.fixture
def repo(published) -> Repo:
    """The shipped policies and three versions of the test policy, committed."""
    return published


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The policies whose versions are parsed (not taken from the store)."""
    calls: list[str] = []
    real = history.parse_versions

    def counting(drafts, fallback, prefix, warn):
        calls.append(fallback.id)
        return real(drafts, fallback, prefix, warn)

    monkeypatch.setattr(history, "parse_versions", counting)
    monkeypatch.setattr(history, "PARSE_MIN", 10_000)  # in this process, to be counted
    return calls


def read(repo: Repo, cache):
    library, problems = load_library(repo.content)
    assert not problems, problems
    with store.opened(cache):
        histories, warnings = history.read_history(repo.content, library)
    return library, histories, warnings


def fresh(repo: Repo):
    return read(repo, None)[1:]


def keys(repo: Repo) -> tuple[str, str]:
    """The keys of the policies' log pass: its main entry and its tail."""
    key = gitlog.log_key(gitlog.locate(repo.content)[0], history._code_hash())
    return key, gitlog._tail_key(key)


def entry(cache, key: str):
    return cache / key[:2] / key


def head(repo: Repo) -> str:
    return repo.git("rev-parse", "HEAD").strip()


def revise(repo: Repo, word: str, date: str) -> None:
    repo.write(POLICY, policy_text(V3_BODY.replace("obscene", word), effective="2026-04-01"))
    repo.commit(f"Comments that are {word}", date)


def test_a_rebuild_takes_every_policys_versions_from_the_store(repo, tmp_path, made):
    cache = tmp_path / "cache"
    library, histories, warnings = read(repo, cache)
    assert sorted(made) == sorted(library.policies)
    made.clear()
    library, again, again_warnings = read(repo, cache)
    assert made == []
    assert (again, again_warnings) == (histories, warnings) == fresh(repo)
    # The latest version is the current file: the store left it out, the library's is used.
    assert again[PID].current.policy is library.policies[PID]
    assert [v.number for v in again[PID].versions] == [1, 2, 3]


def test_a_new_commit_makes_only_that_policy_again_from_texts_read_from_git(
    repo, tmp_path, made, log_reads
):
    cache = tmp_path / "cache"
    read(repo, cache)
    with store.opened(cache):
        kept = gitlog.load_log(keys(repo)[0])
    assert kept is not None and kept.files
    assert {file[0] for file in kept.files.values()} == {UNREAD}  # no texts are kept
    # The front matter's strings are kept once: one `review` key for every file version.
    assert len({id(name) for file in kept.files.values() for name in file[2]
                if name == "review"}) == 1 < len(kept.files)
    last_read = head(repo)

    revise(repo, "abusive", "2026-05-01")
    made.clear()
    log_reads.clear()
    _, histories, warnings = read(repo, cache)
    assert made == [PID] and log_reads == [last_read]
    assert (histories, warnings) == fresh(repo)
    assert "abusive" in histories[PID].current.policy.body
    assert "profane" in histories[PID].versions[0].policy.body  # read from git again


def test_an_uncommitted_edit_makes_the_policy_again_and_keeps_it_unpublished(
    repo, tmp_path, made
):
    cache = tmp_path / "cache"
    read(repo, cache)
    repo.write(POLICY, policy_text(V3_BODY + "E. Not yet published.\n",
                                   effective="2026-04-01"))
    made.clear()
    library, histories, warnings = read(repo, cache)
    assert made == [PID]
    assert histories[PID].unpublished and len(histories[PID].versions) == 3
    assert histories[PID].current.policy is not library.policies[PID]
    assert (histories, warnings) == fresh(repo)


@pytest.mark.parametrize("damage", ["cut short", "not a pickle", "another value"])
def test_a_damaged_entry_of_versions_is_made_again(repo, tmp_path, made, damage):
    cache = tmp_path / "cache"
    _, histories, warnings = read(repo, cache)
    log = set(keys(repo))
    damaged = [p for p in cache.glob("??/*") if p.name not in log]
    assert damaged
    kept = Store(cache)
    for path in damaged:
        if damage == "cut short":
            path.write_bytes(path.read_bytes()[:200])
        elif damage == "not a pickle":
            kept.put(path.name, b"not a pickle")
        else:
            kept.put(path.name, pickle.dumps(((), [], ())))
    made.clear()
    assert read(repo, cache)[1:] == (histories, warnings)
    assert sorted(made) == sorted(histories)


def test_a_rebuild_adds_a_tail_to_the_kept_log_pass(repo, tmp_path, log_reads, monkeypatch):
    cache = tmp_path / "cache"
    read(repo, cache)
    main, tail = keys(repo)
    main_bytes = entry(cache, main).read_bytes()
    assert not entry(cache, tail).exists()
    main_head = head(repo)

    revise(repo, "abusive", "2026-05-01")
    log_reads.clear()
    got = read(repo, cache)[1:]
    assert log_reads == [main_head]
    assert got == fresh(repo)
    assert entry(cache, main).read_bytes() == main_bytes  # not written again
    assert entry(cache, tail).exists()

    revise(repo, "hateful", "2026-05-02")  # the tail grows; the main entry stays
    log_reads.clear()
    _, histories, warnings = read(repo, cache)
    assert (histories, warnings) == fresh(repo)
    assert entry(cache, main).read_bytes() == main_bytes
    with store.opened(cache):
        kept = gitlog.load_log(main)
    assert kept.head == head(repo) and kept.main_head == main_head
    assert len(kept.commits) == kept.main_commits + 2

    # A damaged tail: the commits after the main entry are read again.
    Store(cache).put(tail, b"not a pickle")
    log_reads.clear()
    assert read(repo, cache)[1:] == (histories, warnings)
    assert log_reads == [main_head]

    # A tail too long for the entry it follows: the whole pass becomes the main entry.
    monkeypatch.setattr(gitlog, "_TAIL_COMMITS", 0)
    revise(repo, "offensive", "2026-05-03")
    assert read(repo, cache)[1:] == fresh(repo)
    assert entry(cache, main).read_bytes() != main_bytes
    assert not entry(cache, tail).exists()
    with store.opened(cache):
        assert gitlog.load_log(main).main_head == head(repo)


def test_a_tail_left_by_another_main_entry_is_not_used(repo, tmp_path, log_reads):
    cache = tmp_path / "cache"
    read(repo, cache)
    main, tail = keys(repo)
    revise(repo, "abusive", "2026-05-01")
    read(repo, cache)  # a tail after the first main entry
    stale = entry(cache, tail).read_bytes()
    shutil.rmtree(cache)
    repo.git("reset", "-q", "--hard", "HEAD~1")
    revise(repo, "hateful", "2026-05-02")  # another branch: a main entry of its own
    read(repo, cache)
    entry(cache, tail).parent.mkdir(exist_ok=True)
    entry(cache, tail).write_bytes(stale)
    log_reads.clear()
    histories = read(repo, cache)[1:]
    assert log_reads == []  # the main entry's HEAD is HEAD: nothing to read
    assert histories == fresh(repo)
    assert "hateful" in histories[0][PID].current.policy.body


def test_equal_parts_of_versions_are_one_object_and_the_versions_are_unchanged(repo):
    _, histories, _ = repo.history()
    versions = histories[PID].versions
    first, second, third = (v.policy for v in versions)
    purpose = [s for s in first.outline.sections if s.id == "purpose"][0]
    assert [s for s in second.outline.sections if s.id == "purpose"][0] is purpose
    assert second.meta.review is not None
    for version, body in zip(versions, (None, V2_BODY, V3_BODY), strict=True):
        text = subprocess.run(["git", "show", f"{version.blob}"], cwd=repo.top, check=True,
                              capture_output=True, text=True).stdout
        assert body is None or body in text
        alone, problems = parse_policy(text, POLICY)
        assert not problems and version.policy == alone
