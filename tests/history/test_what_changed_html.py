""""What changed" and the year pages with their lists of changes laid out as HTML
(`render_html.list_block`): the same pages as when MkDocs converts the lists' Markdown, and
a list converted once, then kept by its Markdown."""

from __future__ import annotations

import datetime as dt
import re

import markdown
import pytest

from site_builder import render_html, store
from site_builder.build import build_site
from site_builder.engine.archive import put_back_html, set_aside_html
from site_builder.markup import HTML_START
from tests.conftest import CONTENT
from tests.history.conftest import Repo, three_versions

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
BUILT = re.compile(r"Built 2026[^<]*|\d{4}-\d\d-\d\dT[\d:.]+(?:\+00:00|Z)")


def pages_of(site) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): BUILT.sub("", p.read_text(encoding="utf-8"))
            for p in sorted((site / "changes").rglob("*.html"))}


@pytest.fixture
def two_years(tmp_path) -> Repo:
    """The shipped policies adopted in 2025, three versions of one more in 2026, and a
    change whose note has characters Markdown and HTML treat specially."""
    repo = Repo(tmp_path / "repo")
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    repo.commit("Adopt the City's social media policies", "2025-03-02")
    three_versions(repo)
    policy = repo.content / "policies" / "social-media.md"
    repo.write("policies/social-media.md", policy.read_text().replace(
        "Posts must be accurate", "Posts *must* be accurate"))
    repo.commit("Emphasis & <b>care</b> with *stars*, [brackets] and `ticks`\n\n"
                "Security_first: 5 < 6 & \"quotes\".\n\n"
                "Published-by: Office of Communications", "2026-04-02")
    return repo


def test_the_pages_are_the_same_as_with_the_lists_in_markdown(two_years, tmp_path,
                                                                monkeypatch):
    as_html = tmp_path / "as-html"
    build_site(two_years.content, as_html, log=lambda _: None, now=NOW)
    monkeypatch.setattr(render_html, "list_block", lambda lines: None)
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "other-cache"))
    as_markdown = tmp_path / "as-markdown"
    build_site(two_years.content, as_markdown, log=lambda _: None, now=NOW)

    html, md = pages_of(as_html), pages_of(as_markdown)
    assert set(html) == {"changes/index.html", "changes/2025/index.html",
                         "changes/2026/index.html"}
    assert html == md
    assert ("Emphasis &amp; &lt;b&gt;care&lt;/b&gt; with *stars*, [brackets] and `ticks` — "
            "Office") in html["changes/index.html"]
    # the lists' links lead to pages of the site
    for page, text in html.items():
        folder = (as_html / page).parent
        for href in re.findall(r'<li><a href="([^"#]+)"', text):
            assert (folder / href / "index.html").is_file(), (page, href)


def converted(text: str) -> str:
    md = markdown.Markdown(extensions=render_html.EXTENSIONS,
                           extension_configs=render_html.EXTENSION_CONFIGS)
    text, blocks = set_aside_html(text)
    return put_back_html(md.convert(text), blocks)


LINES = ["- [Policy A](../policies/a/), **March 1, 2026**: [Version 2](../policies/a/v/) "
         "(what changed): Notes \\*kept\\* & <span lang=\"en\">said</span> — City staff",
         "- [Policy B](../policies/b/), **March 1, 2026**: Details updated (review) — Clerk"]


def test_a_list_block_is_what_markdown_makes_of_the_list_in_its_page():
    block = render_html.list_block(LINES)
    assert block is not None and block.startswith(HTML_START)
    page = "# Title\n\n## March 2026\n\n{}\n\n## February 2026\n\nText.\n"
    assert converted(page.format(block)) == converted(page.format("\n".join(LINES)))


@pytest.mark.parametrize("lines", [[], ["- one", "two"], ["- one\n  more"],
                                   ["- one", "* two"]])
def test_a_list_that_is_not_one_line_items_stays_markdown(lines):
    assert render_html.list_block(lines) is None


def test_a_list_is_converted_once_then_kept_by_its_markdown(tmp_path, monkeypatch):
    with store.opened(tmp_path / "cache"):
        first = render_html.list_block(LINES)
        monkeypatch.setattr(render_html, "_markdown", lambda: pytest.fail("converted again"))
        assert render_html.list_block(LINES) == first
        with pytest.raises(pytest.fail.Exception):
            render_html.list_block([*LINES, "- [Policy C](../policies/c/)"])
