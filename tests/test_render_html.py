"""A version page's text laid out as HTML (`render_html.body`): the same HTML as converting
the Markdown body whole, each piece converted once, and Markdown kept where a piece could
come out otherwise."""

from __future__ import annotations

import random
import re
from pathlib import Path

import markdown
import pytest
from mkdocs.config import load_config

from site_builder import render_html
from site_builder.content import load_library, parse_policy
from site_builder.engine import sections
from site_builder.engine.archive import put_back_html, set_aside_html
from site_builder.labels import ENGLISH, Words
from site_builder.markup import HTML_START
from site_builder.render import render_policy_body

ROOT = Path(__file__).resolve().parents[1]
SPANISH = Words("es", "/es")
PAGE = "policies/{id}/versions/2/index.md"

FRONT = """\
---
id: {id}
title: Policy {id}
kind: department-policy
parent: ai-1-19
status: active
department: Department of Technology and Innovation
owner: Department of Technology and Innovation
approved_by: Chief Administrative Officer
summary: A policy of a shape the tests need.
review:
  interval_months: 12
  last_reviewed: 2026-01-01
---

"""

SHAPES = {
    # one clause alone in its list: Python-Markdown makes that list tight
    "single": "## One {#one}\n\nA. Departments keep their accounts current.\n",
    "single-with-child": "## One {#one}\n\nA. Departments shall:\n    a. keep records.\n",
    "nested": "## One {#one}\n\nIntro *prose* with a [link](https://example.org/a).\n\n"
              "A. First rule.\n    a. Sub rule.\n        i. Deeper rule.\n    b. Another.\n"
              "B. Second rule with **bold**.\n",
    "lines": "## One {#one}\n\nA. A clause whose text\n   runs over two lines.\n"
             "B. Next.\n",
    "paragraphs": "## One {#one}\n\nA. First paragraph.\n\n   Second paragraph\n   of it.\n"
                  "B. Next.\n",
    "preamble": "Before any heading.\n\nA. A clause before the first heading.\n\n"
                "## One {#one}\n\nText.\n",
    "table": "## One {#one}\n\n| Kind | Rule |\n| --- | --- |\n| post | kept |\n\n"
             "A. After the table.\n",
    "prose list": "## One {#one}\n\n- a bullet\n- another\n\nA. A clause after them.\n\n"
                  "## Two {#two}\n\nB. A clause of its own.\n",
    "self link": "## One {#one}\n\nA. See [clause B](#b).\n\nB. Here.\n",
    "other link": "## One {#one}\n\nA. See [the other policy](other.md#a).\n\n"
                  "## Two {#two}\n\nB. Plain.\n",
    "quote and break": "## One {#one}\n\n> quoted\n\nA. A line  \n   broken.\n",
    "levels": "## Top {#top}\n\n#### Deep {#deep}\n\nA. Rule.\n",
    # titles and text a section's links and a clause's words must not be written for
    "marked up": "## Rules & \"quotes\" <b>bold</b> snake_case {#one}\n\n"
                 "A. Keep *records* & notes_here.\nB. Plain words, 50% (mostly).\n\n"
                 "## ¿Qué? {#two}\n\nPlain prose: one line.\n\nC. ‘Quoted’ — “words”.\n",
}


def policy_of(pid: str, body: str):
    policy, problems = parse_policy(FRONT.format(id=pid) + body, f"policies/{pid}.md")
    assert policy is not None, problems
    return policy


def converted(text: str) -> str:
    """A page's Markdown as the archive step converts it: marked HTML blocks set aside."""
    md = markdown.Markdown(extensions=render_html.EXTENSIONS,
                           extension_configs=render_html.EXTENSION_CONFIGS)
    text, blocks = set_aside_html(text)
    return put_back_html(md.convert(text), blocks)


def shipped_policies():
    library, problems = load_library(ROOT / "content")
    assert not problems
    return library, list(library.policies.values())


@pytest.mark.parametrize("feedback", [False, True], ids=["version page", "policy page"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_body_laid_out_as_html_is_the_html_of_its_markdown(shape, feedback):
    policy = policy_of("p", SHAPES[shape])
    page = PAGE.format(id="p")
    for words in (ENGLISH, SPANISH):
        laid_out = render_html.body(policy, page=page, feedback=feedback, words=words)
        whole = render_policy_body(policy, page=page, feedback=feedback, words=words)
        assert converted(laid_out) == converted(whole), words.lang


def test_plain_words_are_written_as_python_markdown_writes_them():
    """`render_html._plain` against Python-Markdown, on lines of the characters it
    writes without converting and of words that look like Markdown to a reader."""
    md = markdown.Markdown(extensions=render_html.EXTENSIONS,
                           extension_configs=render_html.EXTENSION_CONFIGS)
    rng = random.Random(11)
    letters = list("aZ0 ,.;:?¿¡'\"()/%$+=’‘“”§–—-ñ")
    words = ["http://x.org", "1.", "a)", "--", "==", "(c)", "%20", "$1", "+", "’s", "A.",
             "x=y", "¿Qué?", render_html.TOOLS, "  ", "*", "_", "`", "[a]", "<b>", "&amp;",
             "{: #x }", "\\", "!", "#", "|"]
    written = 0
    for i in range(3000):
        text = "".join(rng.choice(words) if rng.random() < 0.3 else rng.choice(letters)
                       for _ in range(rng.randint(0, 12)))
        for piece in (text, f"**{rng.choice(['A.', 'b.', '12.'])}** {text}\n"
                            f"    {{: #k-{i % 7} .policy-clause }}"):
            html = render_html._plain(piece)
            if html is not None:
                written += 1
                assert html == md.reset().convert(piece), piece
    assert written > 1000  # most of them plain enough


def test_pieces_converted_together_come_out_as_each_alone(monkeypatch):
    monkeypatch.setattr(render_html, "_converted", {})
    pieces = ["Some *emphasis*.",
              f"**A.** Keep [a link](https://example.org) {render_html.TOOLS}\n"
              "    {: #a .policy-clause }",
              "| a | b |\n| - | - |\n| 1 | 2 |", "Text with `code` and &amp;."]
    render_html.convert_all(pieces)
    together = {piece: render_html._converted[piece] for piece in pieces}
    md = markdown.Markdown(extensions=render_html.EXTENSIONS,
                           extension_configs=render_html.EXTENSION_CONFIGS)
    assert together == {piece: md.reset().convert(piece) for piece in pieces}
    # a piece that reaches into the next (an unclosed raw HTML block) is not kept
    monkeypatch.setattr(render_html, "_converted", {})
    render_html.convert_all(["<div>\nopen", "*after*"])
    assert render_html._converted == {}


# the sections (and the text before the first) laid out as HTML: all but those with a list
# in their prose or a link to another page
AS_HTML = {"levels": 2, "marked up": 2, "lines": 1, "nested": 1, "other link": 1, "paragraphs": 1,
           "preamble": 2, "prose list": 1, "quote and break": 1, "self link": 1, "single": 1,
           "single-with-child": 1, "table": 1}


def test_every_shape_but_a_list_in_prose_or_a_link_elsewhere_is_laid_out_as_html():
    laid_out = {shape: render_html.body(policy_of("p", body), page=PAGE.format(id="p"))
                for shape, body in SHAPES.items()}
    assert {shape: text.count(HTML_START) for shape, text in laid_out.items()} == AS_HTML


def test_the_shipped_policies_come_out_the_same_and_mostly_as_html():
    library, policies = shipped_policies()
    html_sections = 0
    for policy in policies:
        page = PAGE.format(id=policy.id)
        laid_out = render_html.body(policy, page=page, library=library)
        whole = render_policy_body(policy, page=page, library=library, feedback=False)
        assert converted(laid_out) == converted(whole), policy.id
        html_sections += laid_out.count(HTML_START)
    assert html_sections >= 5


def test_a_section_linking_to_another_page_stays_markdown_for_the_engine_to_check():
    policy = policy_of("p", SHAPES["other link"])
    laid_out = render_html.body(policy, page=PAGE.format(id="p"))
    one, two = laid_out.split("## Two")
    assert "[the other policy](other.md#a)" in one and HTML_START not in one
    assert HTML_START in two and "Plain." in two


def test_a_single_clause_is_a_tight_list_with_its_id_on_the_item():
    laid_out = render_html.body(policy_of("p", SHAPES["single"]), page=PAGE.format(id="p"))
    assert '<li class="policy-clause" id="a"><strong>A.</strong> Departments keep' in laid_out


def test_a_clause_unchanged_between_versions_is_converted_once(monkeypatch):
    seen: list[str] = []  # each piece converted, pieces converted together apart
    monkeypatch.setattr(render_html, "_converted", {})
    original = markdown.Markdown.convert

    def counted(self, text):
        seen.extend(text.strip("\n").split(f"\n\n{render_html._SPLIT}\n\n"))
        return original(self, text)

    monkeypatch.setattr(markdown.Markdown, "convert", counted)
    first = ("## One {#one}\n\nA. Kept *rule*.\nB. Old *wording*.\nC. Another kept *rule*.\n"
             "D. Plain words, written without converting.\n")
    second = first.replace("Old", "New")
    render_html.body(policy_of("p", first), page=PAGE.format(id="p"))
    before = len(seen)
    render_html.body(policy_of("p", second), page=PAGE.format(id="p"))
    assert before == 3  # three clauses with emphasis; the links and D are written as HTML
    assert len(seen) - before == 1 and "New *wording*" in seen[-1]


def test_the_sites_configuration_is_the_one_bodies_are_laid_out_for(tmp_path):
    assert render_html.standard_markdown(ROOT / "mkdocs.yml")
    (tmp_path / "docs").mkdir()
    config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(tmp_path / "docs"),
                         site_dir=str(tmp_path / "site"))
    assert sections.safe(config)
    text = (ROOT / "mkdocs.yml").read_text()
    other = tmp_path / "mkdocs.yml"
    other.write_text(re.sub(r"markdown_extensions:\n", "markdown_extensions:\n  - def_list\n",
                            text, count=1))
    assert not render_html.standard_markdown(other)
    other.write_text(text.replace("permalink: false", "permalink: true"))
    assert not render_html.standard_markdown(other)
    other.write_text("nav: [")
    assert not render_html.standard_markdown(other)
    # links to the app must be left as written, without a warning, to be written as HTML
    other.write_text(text.replace("    absolute_links: info", "    absolute_links: warn"))
    assert not render_html.standard_markdown(other)
    other.write_text(text + "\n# again\nvalidation:\n  absolute_links: relative_to_docs\n")
    assert not render_html.standard_markdown(other)


@pytest.mark.parametrize("text", [
    "<b>care</b> & <script>alert(1)</script>", "a < b > c", "back\\slash *star* _u_ `t`",
    "[x](y) #h |p| {: .c }", "&amp; &lt; &#60;", "Rules & \"quotes\" <b>bold</b> snake_case",
])
def test_escaped_text_is_shown_as_written(text):
    """`render.escape_md`: the text, HTML-escaped, and no backslash of the escapes."""
    from html import escape

    from site_builder.render import escape_md
    md = markdown.Markdown(extensions=render_html.EXTENSIONS,
                           extension_configs=render_html.EXTENSION_CONFIGS)
    assert md.convert(escape_md(text)) == f"<p>{escape(text, quote=False)}</p>"
