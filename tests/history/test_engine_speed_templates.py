"""The template output of MkDocs' pass kept between builds: an unchanged page is not
rendered again, and the site is the same as one built without the cache."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import site_builder.engine.templates as templates
from site_builder.build import build_site
from tests.history.conftest import (
    POLICY,
    V3_BODY,
    Repo,
    assert_same_site,
    policy_text,
)

JUNE_1 = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
JUNE_2 = dt.datetime(2026, 6, 2, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def repo(published) -> Repo:
    """The shipped policies and three versions of a test policy."""
    return published



def whole(lines: list[str]) -> int:
    """From a build's log: pages of MkDocs' pass whose template output was kept."""
    found = [re.search(r"HTML from the cache, (\d+) whole", line) for line in lines]
    return next((int(match[1]) for match in found if match), 0)


def same_as_fresh(repo: Repo, out, tmp_path, monkeypatch, now=JUNE_2) -> None:
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    fresh = tmp_path / "fresh"
    build_site(repo.content, fresh, log=lambda _: None, now=now)
    assert_same_site(out, fresh)


def test_unchanged_pages_keep_their_output_and_get_this_builds_footer(
        repo, tmp_path, cache, monkeypatch):
    out = tmp_path / "site"
    lines: list[str] = []
    build_site(repo.content, out, log=lines.append, now=JUNE_1)
    assert whole(lines) == 0
    lines.clear()
    build_site(repo.content, out, log=lines.append, now=JUNE_2)
    found = next(re.search(r"(\d+) of its pages' HTML from the cache", line)
                 for line in lines if "HTML from the cache" in line)
    assert whole(lines) == int(found[1]) > 5  # every page whose Markdown is unchanged
    assert "Built 2026-06-02 08:30 UTC" in (out / "policies" / "index.html").read_text()
    assert templates.PLACEHOLDER not in (out / "policies" / "index.html").read_text()
    same_as_fresh(repo, out, tmp_path, monkeypatch)


def test_a_page_taken_from_the_cache_is_not_read_again(repo, tmp_path, cache, monkeypatch):
    """Its HTML blocks are in its kept HTML, and the files its links name are kept with
    it: neither its Markdown's blocks nor its links are looked for again. (The review
    schedule names the day of the build, so its Markdown is new every day.)"""
    from site_builder.engine import mkdocs_pass

    out = tmp_path / "site"
    build_site(repo.content, out, log=lambda _: None, now=JUNE_1)
    searched: list[str] = []
    on_markdown, targets = mkdocs_pass._HtmlBlocks.on_page_markdown, mkdocs_pass._link_targets

    def blocks(self, markdown, page, config, files):
        done = on_markdown(self, markdown, page, config, files)
        if done != markdown or page.file.src_uri not in self.restored:
            searched.append(page.file.src_uri)
        return done

    blocks.mkdocs_priority = on_markdown.mkdocs_priority  # after the render cache's
    monkeypatch.setattr(mkdocs_pass._HtmlBlocks, "on_page_markdown", blocks)
    monkeypatch.setattr(mkdocs_pass, "_link_targets",
                        lambda markdown, src: searched.append(src) or targets(markdown, src))
    lines: list[str] = []
    build_site(repo.content, out, log=lines.append, now=JUNE_2)
    assert whole(lines) > 5
    assert searched == ["reviews/index.md"] * 2  # its blocks and its links
    same_as_fresh(repo, out, tmp_path, monkeypatch)


def test_templates_compiled_once_are_taken_from_the_store(repo, tmp_path, cache, monkeypatch):
    import jinja2

    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        if filename is not None:
            compiled.append(filename)
        return compile_(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    build_site(repo.content, tmp_path / "site", log=lambda _: None, now=JUNE_1)
    first = set(compiled)
    assert any(name.endswith("main.html") for name in first), first
    compiled.clear()
    build_site(repo.content, tmp_path / "site", log=lambda _: None, now=JUNE_2)
    assert not any(name.endswith(("main.html", "base.html", "header.html", "footer.html"))
                   for name in compiled), compiled
    assert len(set(compiled)) <= len(first) // 4, compiled
    same_as_fresh(repo, tmp_path / "site", tmp_path, monkeypatch)


def test_a_revision_renders_again_the_pages_it_changes(repo, tmp_path, cache, monkeypatch):
    out = tmp_path / "site"
    build_site(repo.content, out, log=lambda _: None, now=JUNE_1)
    repo.write(POLICY, policy_text(V3_BODY + "E. Errors are corrected.\n",
                                   effective="2026-06-01"))
    repo.commit("Errors are corrected\n\nPublished-by: Office of Communications", "2026-05-20")
    lines: list[str] = []
    build_site(repo.content, out, log=lines.append, now=JUNE_2)
    assert whole(lines) > 0
    assert "Errors are corrected." in (out / "policies/social-media/index.html").read_text()
    same_as_fresh(repo, out, tmp_path, monkeypatch)


def test_a_new_title_in_the_navigation_renders_every_page_again(
        repo, tmp_path, cache, monkeypatch):
    out = tmp_path / "site"
    build_site(repo.content, out, log=lambda _: None, now=JUNE_1)
    repo.write(POLICY, policy_text(V3_BODY, title="Social Media Test Policy, Renamed",
                                   effective="2026-04-01"))
    repo.commit("Renamed\n\nPublished-by: Office of Communications", "2026-05-20")
    lines: list[str] = []
    build_site(repo.content, out, log=lines.append, now=JUNE_2)
    assert whole(lines) == 0  # every page shows the navigation, which names the policy
    same_as_fresh(repo, out, tmp_path, monkeypatch)


def test_the_key_covers_the_neighbours_in_the_navigation(tmp_path):
    class Page:
        def __init__(self, url, title, previous=None, following=None):
            self.url, self.title = url, title
            self.previous_page, self.next_page = previous, following
            self.file = type("File", (), {"src_uri": url + "index.md"})()
            self.meta, self.toc, self.ancestors = {"title": title}, [], []
            self.is_homepage, self.canonical_url, self.edit_url = False, None, None
            self.markdown, self.content = "# x", "<h1>x</h1>"

    before = Page("a/", "A", following=Page("b/", "B"))
    renamed = Page("a/", "A", following=Page("b/", "B, renamed"))
    assert templates.page_key("t", "n", before) != templates.page_key("t", "n", renamed)
    assert templates.page_key("t", "n", before) == templates.page_key(
        "t", "n", Page("a/", "A", following=Page("b/", "B")))
    assert templates.page_key("t", "n", before) != templates.page_key("t", "m", before)
