"""A policy body for a version page: its headings in Markdown, everything else as the HTML
Python-Markdown makes of `render.render_policy_body`'s Markdown, each piece converted once.

A version page holds the whole text of a policy. Python-Markdown's nested lists cost most
of converting one (about 4 ms of a 6 ms page of 35 clauses), and a policy's versions share
almost all their clauses. So the clause lists are laid out here as Python-Markdown lays
out the lists `render.clause_markdown` writes, and only the pieces are converted: each
clause's paragraphs, each run of prose, the links under each heading. A piece's HTML is
kept by its Markdown while one policy's versions are made, so a clause unchanged since
the last version is not converted again. The headings stay Markdown, so the table of contents and
the anchor checks see them as before; the rest goes into the page as marked raw HTML
blocks (`markup.html_block`), which the archive step sets into the page as they are.

The lists `render.clause_markdown` writes are loose (a blank line between items), so every
item's paragraphs are `<p>`s, except where Python-Markdown makes a list tight: a list of
one item that is a single paragraph without children, whose attributes then go on the
`<li>`. That is done here too, and tests/test_render_html.py compares the two ways on
every shape of clause the shipped content and a generated history have.

The conversion is the site's (EXTENSIONS, the Markdown extensions of mkdocs.yml). A body
is laid out here only when that holds and the result is the same wherever it sits on a
page; `body` returns None otherwise, and the page keeps the Markdown:

- no piece may begin a block that could join a block next to it or be a heading. In a
  clause, no line but the first may start a list, a heading, a quote, a table, fenced
  code, raw HTML or an attribute list, or be indented or an underline. A run of prose may
  not start indented, nor hold a list (a clause list after it would join it), a heading,
  a reference definition, raw HTML or fenced code;
- a piece's HTML links only to the page's own anchors (`#k-c`) or to an address with a
  scheme, which no engine rewrites; a link to another page stays Markdown for the engine
  to check and rewrite;
- no piece's HTML has a blank line, which would end a raw HTML block for another
  Markdown renderer.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import yaml

from .content import Library, Policy
from .labels import ENGLISH, Wording
from .markup import html_block
from .outline import Block, Section
from .render import (
    ClauseText,
    block_markdown,
    clause_text,
    link_rewriter,
    prose_text,
    section_heading,
    section_links,
    section_markdown,
)

# The Markdown extensions of mkdocs.yml with those MkDocs always adds, in MkDocs' order,
# and their settings: the conversion the site's pages get (`engine.standard_markdown`).
EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "admonition", "md_in_html"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}
VERSION = f"Python-Markdown {markdown.__version__}"  # what a body laid out here depends on

# a line that could start a block of its own, or end a paragraph as a heading
_BLOCKISH = re.compile(
    r"^(?:[ \t]|[*+-](?:[ \t]|$)|\d+[.)](?:[ \t]|$)|#|>|\||```|~~~|<|\{:|!!!|\[TOC\]"
    r"|\[[^\]]*\]:|[=-]+[ \t]*$|(?:[*_][ \t]*){3,}$)",
    re.M)
# in a run of prose: a line that could make it a list (which a clause list after it would
# join), a heading, or a reference a piece elsewhere could use; or a first line indented
_PROSE = re.compile(
    r"\A[ \t]|^[ ]{0,3}(?:[*+-]|\d+[.)])(?:[ \t]|$)|^[ ]{0,3}#|^[=-]+[ \t]*$|\[TOC\]"
    r"|^[ ]{0,3}\[[^\]]*\]:|^[ ]{0,3}(?:<|```|~~~)",
    re.M)
_HREF = re.compile(r"""\s(?:href|src)=(["'])(.*?)\1""")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

_converter: markdown.Markdown | None = None
_converted: dict[str, str] = {}  # a piece's Markdown → its HTML, for one policy at a time
_converted_for: list[str] = [""]  # that policy


class _NotHere(Exception):
    """A piece that must stay Markdown."""


def standard_markdown(config_file: Path) -> bool:
    """Whether mkdocs.yml has the site's pages converted as EXTENSIONS and
    EXTENSION_CONFIGS say (MkDocs puts its own three first, then those mkdocs.yml lists,
    each once); bodies are laid out here only then."""
    try:
        config = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return False  # the render stage reports a broken mkdocs.yml
    listed = config.get("markdown_extensions") if isinstance(config, dict) else None
    names, configs = ["toc", "tables", "fenced_code"], {}
    for entry in listed if isinstance(listed, list) else [None]:
        if isinstance(entry, dict) and len(entry) == 1:
            [(entry, settings)] = entry.items()
            if settings:
                configs[entry] = settings
        if not isinstance(entry, str):
            return False
        if entry not in names:
            names.append(entry)
    return names == EXTENSIONS and configs == EXTENSION_CONFIGS


def convert(text: str) -> str:
    """One piece of Markdown as HTML, converted as the site converts a page."""
    html = _converted.get(text)
    if html is None:
        global _converter
        if _converter is None:
            _converter = markdown.Markdown(extensions=EXTENSIONS,
                                          extension_configs=EXTENSION_CONFIGS)
        html = _converter.reset().convert(text)
        _converted[text] = html
    return html


def body(policy: Policy, *, page: str, library: Library | None = None,
         feedback: bool = False, words: Wording = ENGLISH) -> str:
    """`render.render_policy_body(policy, page=page, …)` with its sections (and the prose
    before the first) as their heading in Markdown and the rest as a raw HTML block; a
    section with a piece that must stay Markdown (see above) stays Markdown whole. Its
    heading starts a top-level block that nothing before it can take in, so the sections
    do not touch."""
    rewrite = link_rewriter(library, policy, page)
    anchors = policy.outline.anchors
    if _converted_for[0] != policy.id:  # the versions of a policy are made one after another
        _converted.clear()
        _converted_for[0] = policy.id
    out: list[str] = []
    try:
        out.append(_html([_block(policy, block, rewrite, feedback, words, anchors)
                          for block in policy.outline.preamble]))
    except _NotHere:
        out += [block_markdown(policy, block, rewrite, feedback, words)
                for block in policy.outline.preamble]
    for section in policy.outline.sections:
        try:
            html = _html([_section(policy, section, rewrite, feedback, words, anchors)])
            out += [section_heading(section), html]
        except _NotHere:
            out.append(section_markdown(policy, section, rewrite, feedback, 0, words))
    return "\n\n".join(part for part in out if part.strip()) + "\n"


def _html(pieces: list[str]) -> str:
    html = "\n".join(piece for piece in pieces if piece)
    return html_block(html).rstrip("\n") if html else ""


def _section(policy, section: Section, rewrite, feedback: bool, words: Wording,
             anchors) -> str:
    pieces = [_piece(section_links(policy, section, feedback, words), anchors, checked="")]
    pieces += [_block(policy, block, rewrite, feedback, words, anchors)
               for block in section.blocks]
    return "\n".join(piece for piece in pieces if piece)


def _block(policy, block: Block, rewrite, feedback: bool, words: Wording, anchors) -> str:
    if block.prose:
        text = prose_text(block, rewrite)
        if _PROSE.search(text):
            raise _NotHere
        return _piece(text, anchors, checked="") if text.strip() else ""
    return _list([clause_text(policy, clause, rewrite, feedback, words)
                  for clause in block.clauses], anchors)


def _list(items: list[ClauseText], anchors) -> str:
    if len(items) == 1 and not items[0].more and not items[0].children:
        paragraph = _first(items[0], anchors)  # a tight list: the item is the paragraph
        return f"<ul>\n<li{paragraph[2:-4]}</li>\n</ul>"
    return "<ul>\n" + "\n".join(_item(item, anchors) for item in items) + "\n</ul>"


def _item(item: ClauseText, anchors) -> str:
    parts = [_first(item, anchors)]
    parts += [_piece(paragraph, anchors) for paragraph in item.more]
    if item.children:
        parts.append(_list(list(item.children), anchors))
    return "<li>\n" + "\n".join(parts) + "\n</li>"


def _first(item: ClauseText, anchors) -> str:
    """A clause's first paragraph with its id, as the list's `{: #id }` line gives it."""
    first, _, rest = item.first.partition("\n")
    # in the list, its lines after the first keep the indentation of the item's text
    text = "\n    ".join([first, *rest.split("\n")] if rest else [first])
    html = _piece(f"{text}\n    {{: #{item.id} .policy-clause }}", anchors, checked=rest)
    if not (html.startswith("<p ") and html.endswith("</p>")) or "<p" in html[2:]:
        raise _NotHere
    return html


def _piece(text: str, anchors, *, checked: str | None = None) -> str:
    """A piece's HTML, when it is the same wherever it stands (see above); `checked` is
    the part of its Markdown that could begin a block (all of it by default)."""
    if _BLOCKISH.search(text if checked is None else checked):
        raise _NotHere
    html = convert(text)
    if "\n\n" in html:
        raise _NotHere
    for _, href in _HREF.findall(html):
        if not (_SCHEME.match(href) or (href.startswith("#") and href[1:] in anchors)):
            raise _NotHere
    return html
