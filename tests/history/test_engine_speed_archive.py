"""A policy's archive taken over by its key: no page of an unchanged archive is read back
from the store or hashed, and a warning still stops the build."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

import site_builder.engine.archive as archive
import site_builder.versions as versions
from site_builder import history, store
from site_builder.build import BuildFailed, build_site
from site_builder.content import load_library
from site_builder.engine import render_site
from site_builder.site import make_site
from site_builder.stamp import site_stamp
from tests.history.conftest import (
    POLICY,
    V3_BODY,
    Recorded,
    Repo,
    archive_counts,
    assert_same_site,
    policy_text,
)

JUNE_1 = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
JUNE_2 = dt.datetime(2026, 6, 2, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def repo(published) -> Repo:
    """The shipped policies and three versions of a test policy."""
    return published



@pytest.fixture
def reads(monkeypatch, recorded) -> Recorded:
    """Every policy's archive files read back from the store, by key, in any process."""
    seen = recorded("reads")
    real = versions.cached_policy_files

    def counted(key):
        seen.append(key)
        return real(key)

    monkeypatch.setattr(versions, "cached_policy_files", counted)
    return seen


def revise(repo: Repo) -> None:
    repo.write(POLICY, policy_text(V3_BODY + "E. Errors are corrected.\n",
                                   effective="2026-06-01"))
    repo.commit("Errors are corrected\n\nPublished-by: Office of Communications",
                "2026-05-20")


def fresh_build(repo: Repo, out, monkeypatch) -> None:
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    build_site(repo.content, out, log=lambda _: None, now=JUNE_2)


def test_an_unchanged_archive_is_taken_over_without_reading_or_hashing_its_pages(
        repo, tmp_path, cache, reads, monkeypatch):
    out = tmp_path / "site"
    build_site(repo.content, out, log=lambda _: None, now=JUNE_1)
    assert reads == []  # nothing in the store yet: every archive was made

    hashed: list[str] = []
    real_sha = archive.hashlib.sha256

    def sha(data=b"", **kwargs):
        hashed.append(data.decode(errors="replace"))
        return real_sha(data, **kwargs)

    monkeypatch.setattr(archive.hashlib, "sha256", sha)
    lines: list[str] = []
    build_site(repo.content, out, log=lines.append, now=JUNE_2)
    rendered, cached, kept = archive_counts(lines)
    assert (rendered, cached) == (0, 0) and kept > 0
    assert reads == []  # no archive was read back from the store
    assert not any("\n---\n" in text or text.startswith("---") for text in hashed)
    monkeypatch.setattr(archive.hashlib, "sha256", real_sha)
    fresh_build(repo, tmp_path / "fresh", monkeypatch)
    assert_same_site(out, tmp_path / "fresh")


def test_after_a_revision_only_that_policys_archive_is_made_and_no_other_is_read(
        repo, tmp_path, cache, reads, monkeypatch):
    out = tmp_path / "site"
    build_site(repo.content, out, log=lambda _: None, now=JUNE_1)
    revise(repo)
    made = Recorded(tmp_path / "made")
    real = versions.make_policy_files

    def counted(ctx, policy, history, key):
        made.append(policy.id)
        return real(ctx, policy, history, key)

    monkeypatch.setattr(versions, "make_policy_files", counted)
    lines: list[str] = []
    build_site(repo.content, out, log=lines.append, now=JUNE_2)
    assert made == ["social-media"] and reads == []
    rendered, cached, kept = archive_counts(lines)
    assert rendered > 0 and kept > 0
    fresh_build(repo, tmp_path / "fresh", monkeypatch)
    assert_same_site(out, tmp_path / "fresh")


def test_an_archive_the_published_site_lacks_is_read_from_the_store(
        repo, tmp_path, cache, reads, monkeypatch):
    build_site(repo.content, tmp_path / "site", log=lambda _: None, now=JUNE_1)
    lines: list[str] = []
    build_site(repo.content, tmp_path / "other", log=lines.append, now=JUNE_2)
    rendered, cached, kept = archive_counts(lines)
    assert rendered == 0 and kept == 0 and cached > 0
    assert len(reads) == len(set(reads)) > 1  # each archive read once, in the archive step
    fresh_build(repo, tmp_path / "fresh", monkeypatch)
    assert_same_site(tmp_path / "other", tmp_path / "fresh")


def test_an_archive_whose_entry_reads_as_damaged_is_made_again(
        repo, tmp_path, cache, reads, monkeypatch):
    build_site(repo.content, tmp_path / "site", log=lambda _: None, now=JUNE_1)
    damaged = 0
    for entry in cache.glob("??/*"):
        raw = entry.read_bytes()
        if raw[11:12] == b"{" and '"files":' in _json_keys(raw[11:]):  # archive files
            # cut short
            entry.write_bytes(raw[: len(raw) // 2])
            damaged += 1
    assert damaged > 1
    made: list[str] = []
    real = versions.make_policy_files
    monkeypatch.setattr(versions, "make_policy_files",
                        lambda ctx, policy, *rest: made.append(policy.id) or real(
                            ctx, policy, *rest))
    build_site(repo.content, tmp_path / "other", log=lambda _: None, now=JUNE_2)
    assert len(reads) == damaged and sorted(made) == sorted(set(made)) and len(made) == damaged
    fresh_build(repo, tmp_path / "fresh", monkeypatch)
    assert_same_site(tmp_path / "other", tmp_path / "fresh")


def _json_keys(data: bytes) -> str:
    try:
        value = json.loads(data)
    except ValueError:
        return ""
    return "".join(f'"{key}":' for key in value) if isinstance(value, dict) else ""


def warn_on(monkeypatch, page: str) -> None:
    real = archive._render

    def render(file, *args):
        html = real(file, *args)
        if file.src_uri == page:
            logging.getLogger("mkdocs.test").warning("a test warning on %s", page)
        return html

    monkeypatch.setattr(archive, "_render", render)


def test_a_warning_on_an_archive_page_stops_a_rebuild(repo, tmp_path, cache, monkeypatch):
    out = tmp_path / "site"
    build_site(repo.content, out, log=lambda _: None, now=JUNE_1)
    before = (out / "index.html").read_bytes()
    revise(repo)
    warn_on(monkeypatch, "policies/social-media/versions/4/index.md")
    with pytest.raises(BuildFailed) as failed:
        build_site(repo.content, out, log=lambda _: None, now=JUNE_2)
    assert any("a test warning" in problem for problem in failed.value.problems)
    assert (out / "index.html").read_bytes() == before  # the published site is as it was
    # and the page that warned was not kept: it warns again
    with pytest.raises(BuildFailed):
        build_site(repo.content, out, log=lambda _: None, now=JUNE_2)


def test_only_an_archive_without_a_warning_is_recorded(repo, tmp_path, monkeypatch):
    warn_on(monkeypatch, "policies/social-media/versions/2/index.md")
    library, problems = load_library(repo.content)
    assert not problems
    histories, _ = history.read_history(repo.content, library)
    stamp = site_stamp(repo.content, JUNE_1)
    with store.opened(tmp_path / "cache"):
        site = make_site(library, histories, stamp, unread=True)
        result = render_site(site, tmp_path / "out", strict=False)
    assert set(site.archive_keys) == set(histories)
    assert "social-media" not in result.archives
    assert result.archives and set(result.archives) == set(histories) - {"social-media"}


def test_an_archive_left_unread_beside_the_pages_is_made_again_if_the_store_loses_it(
        repo, tmp_path, monkeypatch):
    """The archive's files are made in another process (`parallel.Alongside`); an archive
    the store holds comes back from it unread, able to make its files anew here."""
    monkeypatch.setenv("TRANSPARENCY_JOBS", "2")
    library, problems = load_library(repo.content)
    assert not problems
    histories, _ = history.read_history(repo.content, library)
    stamp = site_stamp(repo.content, JUNE_1)
    with store.opened(tmp_path / "cache") as cache:
        first = make_site(library, histories, stamp, unread=True)  # made and kept
        assert not first.unread
        second = make_site(library, histories, stamp, unread=True)
        assert set(second.unread) == set(histories)
        stored = second.unread["social-media"]
        kept = stored.read()
        assert kept and set(kept) == {*stored.pages, *stored.data}
        cache.drop(stored.key)
        assert versions.cached_policy_files(stored.key) is None
        assert stored.read() == kept
