"""Rebuilds: only the policies whose history changed are made again, the cache is pruned."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from mkdocs.structure.files import File, Files

import site_builder.engine.archive as archive
import site_builder.history as history
import site_builder.versions as versions
from site_builder.build import BuildFailed, build_site
from site_builder.engine.mkdocs_pass import _link_targets
from site_builder.markup import html_block
from tests.history.conftest import (
    POLICY,
    V3_BODY,
    Recorded,
    Repo,
    archive_counts,
    assert_same_site,
    policy_text,
)

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def revise(repo: Repo) -> None:
    repo.write(POLICY, policy_text(V3_BODY + "E. Errors are corrected.\n",
                                   effective="2026-06-01"))
    repo.commit("Errors are corrected\n\nPublished-by: Office of Communications", "2026-05-20")


def test_a_rebuild_after_a_revision_makes_only_that_policys_pages(
    published, tmp_path, monkeypatch
):
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    build_site(published.content, tmp_path / "site", log=lambda _: None, now=NOW)
    revise(published)

    made = Recorded(tmp_path / "made")  # in the process that makes the archive's files
    rendered: list[str] = []
    parsed: list[str] = []
    make, render, parse = versions._policy_files, archive._render, history.parse_versions

    def parsing(drafts, fallback, prefix, warn):
        parsed.append(fallback.id)
        return parse(drafts, fallback, prefix, warn)

    def making(ctx, policy, history):
        made.append(policy.id)
        return make(ctx, policy, history)

    def rendering(file, *args):
        rendered.append(file.src_uri)
        return render(file, *args)

    monkeypatch.setattr(versions, "_policy_files", making)
    monkeypatch.setattr(archive, "_render", rendering)
    monkeypatch.setattr(history, "parse_versions", parsing)
    lines: list[str] = []
    build_site(published.content, tmp_path / "site", log=lines.append, now=NOW)
    assert parsed == ["social-media"]  # the other histories' versions from the cache
    assert made == ["social-media"]
    # MkDocs' pass took the unchanged pages' HTML (the other policies') from the cache.
    assert any(re.search(r"\d+ of its pages' HTML from the cache", x) for x in lines), lines
    assert rendered and all(uri.startswith("policies/social-media/") for uri in rendered)

    # The same site as a build from nothing.
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    build_site(published.content, tmp_path / "fresh", log=lambda _: None, now=NOW)
    assert_same_site(tmp_path / "site", tmp_path / "fresh")


def test_a_policy_is_made_again_when_a_policy_it_links_to_loses_an_anchor(
    published, tmp_path, monkeypatch
):
    """An old version's link is pointed elsewhere when its anchor is gone: not cached."""
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    other = "policies/other.md"
    text = policy_text(id="other", title="Other")
    published.write(other, text.replace(
        "## Rules {#rules}", "## Rules {#rules}\n\nSee [the purpose](social-media.md#purpose)."))
    published.commit("Add a policy that links to a section of the test policy")
    published.write(other, text.replace(
        "## Rules {#rules}", "## Rules {#rules}\n\nSee [the test policy](social-media.md)."))
    published.commit("Link to the whole test policy")
    build_site(published.content, tmp_path / "site", log=lambda _: None, now=NOW)
    first = tmp_path / "site" / "policies/other/versions/1/index.html"
    assert 'social-media/#purpose"' in first.read_text()

    published.write(POLICY, policy_text(V3_BODY.replace("{#purpose}", "{#aims}"),
                                        effective="2026-04-01"))
    published.commit("Rename the purpose section")  # the other policy is unchanged
    build_site(published.content, tmp_path / "site", log=lambda _: None, now=NOW)
    assert 'social-media/#purpose"' not in first.read_text()  # the policy's page instead


def test_the_cache_keeps_only_what_the_last_build_used(published, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(cache))
    build_site(published.content, tmp_path / "site", log=lambda _: None, now=NOW)
    stale = cache / "ab" / ("ab" + "0" * 62)
    stale.parent.mkdir(exist_ok=True)
    stale.write_text("a page no build needs any more")
    writing = cache / "ab" / ("ab" + "1" * 62 + ".123.tmp")
    writing.write_text("being written by another build")
    before = entries(cache)

    revise(published)
    lines: list[str] = []
    build_site(published.content, tmp_path / "site", log=lines.append, now=NOW)
    assert not stale.exists()
    assert writing.exists()
    assert any("unused cache entries removed" in x for x in lines), lines
    after = entries(cache)
    assert before - after - {stale.name}  # what the new version changed was replaced
    assert after - before  # by what it is made of now

    # What is left is all the next build needs, and it needs all of it.
    lines.clear()
    build_site(published.content, tmp_path / "site", log=lines.append, now=NOW)
    assert archive_counts(lines)[0] == 0
    assert not any("unused cache entries removed" in x for x in lines), lines
    assert entries(cache) == after


def entries(cache: Path) -> set[str]:
    return {p.name for p in cache.glob("??/*") if not p.name.endswith(".tmp")}


def test_marked_html_is_set_into_the_page_as_written():
    table = '<table id="t"><tr><td>a &amp; b</td></tr></table>'
    form = '<form><h2 id="on-a&amp;date">Date</h2><a name="n">x</a></form>'
    markdown = ("# Title\n\n" + html_block(table) + "\nSome *text*.\n\n"
                + html_block(form))
    stripped, blocks = archive.set_aside_html(markdown)
    assert "<table" not in stripped and "<form" not in stripped
    html = "<h1>Title</h1>\n" + "".join(
        f"<p>{name}</p>\n" for name in blocks) + "<p>Some <em>text</em>.</p>"
    assert archive.put_back_html(html, blocks).count(table) == 1
    assert archive.html_anchors(blocks) == {"t", "on-a&date", "n"}


def test_a_page_of_mkdocs_pass_is_cached_only_while_its_links_name_files(tmp_path):
    files = Files([File(path, str(tmp_path / "docs"), str(tmp_path / "site"), True)
                   for path in ("policies/a/index.md", "data/x.json", "index.md")])
    here = "policies/index.md"

    def resolve(markdown: str) -> bool:  # as the render cache checks a kept page
        return all(target in files.src_uris for target in _link_targets(markdown, here))

    assert resolve("[A](a/index.md#k) ![x](../data/x.json) [home](../index.md)\n"
                   "[out](https://example.org/x.md) [form](/feedback/?p=a) [top](#t)")
    assert not resolve("See [B](b/index.md).")
    assert not resolve("See [B][b].\n\n[b]: b/index.md\n")
    # what is kept with the page's HTML: the files its relative links name
    assert _link_targets("[A](a/index.md#k) [A again](./a/index.md) ![x](../data/x.json)\n"
                         "[out](https://example.org/x.md) [form](/feedback/) [top](#t)\n\n"
                         "[b]: b/index.md\n", here) == [
        "data/x.json", "policies/a/index.md", "policies/b/index.md"]


def test_a_build_leaves_pythons_collector_as_it_found_it(published, tmp_path, monkeypatch):
    """The history stage pauses the cyclic collector and sets its objects apart; the
    build hands them back, whether it succeeds or not."""
    import gc

    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    paused = []
    real_read = history.read_history

    def read(*args, **kwargs):
        paused.append(not gc.isenabled())
        return real_read(*args, **kwargs)

    monkeypatch.setattr(history, "read_history", read)
    build_site(published.content, tmp_path / "site", log=lambda _: None, now=NOW)
    assert paused == [True]
    assert gc.isenabled() and gc.get_freeze_count() == 0

    import site_builder.publish as publish

    def refuse(*args, **kwargs):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(publish, "publish", refuse)  # fails after the history stage
    with pytest.raises(BuildFailed):
        build_site(published.content, tmp_path / "site", log=lambda _: None, now=NOW)
    assert gc.isenabled() and gc.get_freeze_count() == 0
