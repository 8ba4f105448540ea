"""The archive step: version pages rendered outside MkDocs' pass, cached between builds."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import replace

import pytest

from site_builder.addresses import is_archive_page as is_archive
from site_builder.build import BuildFailed, build_site
from site_builder.engine.archive import PLACEHOLDER
from tests.history.conftest import POLICY, V3_BODY, Recorded, assert_same_site, policy_text

VERSIONS = "policies/social-media/versions"


def footer(page: str) -> str:
    return " ".join(re.search(r'<p class="site-version">(.*?)</p>', page, re.S)[1].split())


def without_footer(page: str) -> str:
    return re.sub(r'<p class="site-version">.*?</p>', "", page, flags=re.S)


def test_archive_pages_are_the_versions_redlines_comparisons_and_changelogs():
    for page in ("policies/x/versions/index.md", "policies/x/versions/2/index.md",
                 "policies/x/versions/2/changes/index.md", "policies/x/compare/index.md",
                 "policies/x/compare/1-3/index.md", "policies/x/changelog/index.md"):
        assert is_archive(page), page
    for page in ("index.md", "policies/index.md", "policies/x/index.md", "changes/index.md"):
        assert not is_archive(page), page


def test_a_cached_page_carries_its_footer(published, tmp_path, monkeypatch):
    """The cache keeps pages without their footer; each page gets the right one."""
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    last = published.git("rev-parse", "--short=7", "HEAD").strip()
    lines: list[str] = []
    build_site(published.content, tmp_path / "site", log=lines.append,
               now=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
    assert any(re.search(r"archive pages: \d+ rendered, 0 from the cache", x) for x in lines)
    first = (tmp_path / "site" / VERSIONS / "2" / "index.html").read_text()

    # Another output folder: nothing to take over, every archive page from the cache.
    lines.clear()
    out = tmp_path / "elsewhere"
    build_site(published.content, out, log=lines.append,
               now=dt.datetime(2026, 6, 2, 8, 30, tzinfo=dt.UTC))
    assert any(re.search(r"archive pages: 0 rendered, [1-9]\d* from the cache, 0 kept", x)
               for x in lines), lines
    again = (out / VERSIONS / "2" / "index.html").read_text()
    assert footer(again).endswith(
        f"Content version {last}, the last change to this policy (2026-03-10).")
    assert again == first
    assert "Built 2026-06-02 08:30 UTC" in footer((out / "index.html").read_text())
    for page in out.rglob("*.html"):
        assert PLACEHOLDER not in page.read_text(), page


def test_a_new_version_renders_only_the_pages_it_changes(published, tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "site"
    build_site(published.content, out, log=lambda _: None)
    published.write(POLICY, policy_text(V3_BODY + "E. Errors are corrected.\n",
                                        effective="2026-06-01"))
    published.commit("Errors are corrected\n\nPublished-by: Office of Communications",
                     "2026-05-20")
    lines: list[str] = []
    build_site(published.content, out, log=lines.append)
    counts = next(re.search(r"(\d+) rendered, (\d+) from the cache", x) for x in lines
                  if "archive pages" in x)
    rendered, cached = int(counts[1]), int(counts[2])
    assert cached > 0 and rendered > 0
    assert (out / VERSIONS / "4" / "changes" / "index.html").is_file()
    # Pages whose Markdown changed are rendered again: version 1 now says "of 4".
    assert "version 1</strong> of 4" in (out / VERSIONS / "1" / "index.html").read_text()


def test_a_broken_link_on_an_archive_page_stops_the_build(published, tmp_path, monkeypatch):
    """The archive pages get MkDocs' link checks, as they did inside its pass."""
    import site_builder.versions as versions

    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    original = versions.changelog_md

    def broken(*args, **kwargs):
        page = original(*args, **kwargs)
        return replace(page, body=page.body + "\n[Gone](../no-such-page.md)\n")

    monkeypatch.setattr(versions, "changelog_md", broken)
    with pytest.raises(BuildFailed) as failure:
        build_site(published.content, tmp_path / "site", log=lambda _: None)
    assert any("no-such-page.md" in p for p in failure.value.problems), failure.value.problems
    assert not (tmp_path / "site").exists()


def test_a_site_built_in_two_processes_matches_one(published, tmp_path, monkeypatch):
    """The versions stage and the archive step share their work between processes."""
    import site_builder.engine.archive as archive
    import site_builder.versions as versions

    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    monkeypatch.setenv("TRANSPARENCY_JOBS", "1")
    build_site(published.content, tmp_path / "one", log=lambda _: None, now=now)
    monkeypatch.setattr(archive, "PARALLEL_MIN", 1)
    monkeypatch.setattr(versions, "PARALLEL_MIN", 1)
    monkeypatch.setenv("TRANSPARENCY_JOBS", "2")
    forks = []
    real_fork = os.fork

    def fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    build_site(published.content, tmp_path / "two", log=lambda _: None, now=now)
    # the archive's files are made beside the current pages (that process forks a
    # second one of its own), and the archive is rendered in two
    assert len(forks) == 2
    assert_same_site(tmp_path / "one", tmp_path / "two")


def test_a_warning_in_a_rendering_process_stops_the_build(published, tmp_path, monkeypatch):
    import site_builder.engine.archive as archive
    import site_builder.versions as versions

    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    monkeypatch.setattr(archive, "PARALLEL_MIN", 1)
    monkeypatch.setenv("TRANSPARENCY_JOBS", "3")
    original = versions.version_md
    calls = Recorded(tmp_path / "calls")  # from whichever process makes the page

    def broken(*args, **kwargs):
        calls.append("called")
        page = original(*args, **kwargs)
        return replace(page, body=page.body + "\n[Gone](../no-such-page.md)\n")

    monkeypatch.setattr(versions, "version_md", broken)
    with pytest.raises(BuildFailed) as failure:
        build_site(published.content, tmp_path / "site", log=lambda _: None)
    broken_pages = {p for p in failure.value.problems if "no-such-page.md" in p}
    # every version page's warning, from all three processes
    assert len(broken_pages) == len(calls) >= 3, failure.value.problems


def test_archive_pages_that_share_parts_render_them_once(published, tmp_path, monkeypatch):
    """The navigation, the head's links, the footer and the end of the page are rendered
    once per group of archive pages that share them, and the pages are the same as when
    each renders its own."""
    import site_builder.engine.shared_parts as shared_parts

    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    real = shared_parts.SharedParts.render
    own = []

    def each_its_own(self, template, context, page):
        own.append(page.url)
        return template.render(context)

    monkeypatch.setattr(shared_parts.SharedParts, "render", each_its_own)
    build_site(published.content, tmp_path / "own", log=lambda _: None, now=now)
    groups: list[tuple[int, int]] = []

    def counted(self, template, context, page):
        html = real(self, template, context, page)
        groups.append((len(self.known), len(self.parts)))
        return html

    monkeypatch.setattr(shared_parts.SharedParts, "render", counted)
    build_site(published.content, tmp_path / "shared", log=lambda _: None, now=now)
    assert_same_site(tmp_path / "own", tmp_path / "shared")
    assert len(groups) == len(own) >= 10
    # pages at the same depth share them: versions/<n>/ and compare/<a>-<b>/, for example
    assert max(navs for navs, _ in groups) < len(own) / 2
    assert 0 < max(parts for _, parts in groups) < len(own) / 2
    page = (tmp_path / "shared" / VERSIONS / "2" / "index.html").read_text()
    assert "archive-" not in page and page.count("<script") >= 3 and "site-version" in page


def test_history_read_in_two_processes_matches_one(published, tmp_path, monkeypatch):
    """The history stage reads file versions and parses each policy's versions in one
    process per core when there are many; the site is the same."""
    import site_builder.history as history

    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    monkeypatch.setenv("TRANSPARENCY_JOBS", "1")
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache-one"))
    build_site(published.content, tmp_path / "one", log=lambda _: None, now=now)
    monkeypatch.setattr(history, "READ_MIN", 1)
    monkeypatch.setattr(history, "PARSE_MIN", 1)
    monkeypatch.setenv("TRANSPARENCY_JOBS", "2")
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache-two"))
    shares = []
    real = history.in_processes

    def counted(work, todo, jobs):
        shares.append((len(todo), jobs))
        return real(work, todo, jobs)

    monkeypatch.setattr(history, "in_processes", counted)
    build_site(published.content, tmp_path / "two", log=lambda _: None, now=now)
    assert len(shares) == 2 and all(jobs == 2 and todo >= 1 for todo, jobs in shares)
    assert_same_site(tmp_path / "one", tmp_path / "two")
