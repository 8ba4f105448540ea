"""A policy body for a version page or a policy's page: its headings in Markdown,
everything else as the HTML Python-Markdown makes of `render.render_policy_body`'s
Markdown, each piece converted once.

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
- a piece's HTML links only to the page's own anchors (`#k-c`), to an address with a
  scheme or to an absolute path (the feedback app's `/feedback/…`), which the engine
  leaves as written (`standard_markdown`); a link to another page stays Markdown for the
  engine to check and rewrite;
- no piece's HTML has a blank line, which would end a raw HTML block for another
  Markdown renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import yaml

from . import store
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
    section_name,
    section_tools_html,
)
from .store import Store

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

# stands for a clause's links while its first paragraph is converted (a word Markdown
# leaves as it is); their HTML (`render.section_tools_html`) takes its place after
TOOLS = "Xclausetools7Q"
_SPLIT = "Xpiecesplit7Q"  # the paragraph between pieces converted together (`convert_all`)
# plain words (`_plain`): what Markdown and HTML leave as written, on one line
_WORD = "A-Za-z0-9\u00c0-\u024f,.;:?¿¡'\"()/%$+=’‘“”§–—\\-"
_PLAIN_WORDS = re.compile(rf"(?:[{_WORD} ]*[{_WORD}])?")
_PLAIN_CLAUSE = re.compile(r"\*\*([A-Za-z0-9]+\.)\*\* ([^\n]*)\n"
                           r"    \{: #([a-z0-9-]+) \.policy-clause \}")
_converter: markdown.Markdown | None = None
_converted: dict[str, str] = {}  # a piece's Markdown → its HTML, for one policy at a time
_converted_for: list[str] = [""]  # that policy


class _NotHere(Exception):
    """A piece that must stay Markdown."""


def standard_markdown(config_file: Path) -> bool:
    """Whether mkdocs.yml has the site's pages converted as EXTENSIONS and
    EXTENSION_CONFIGS say (MkDocs puts its own three first, then those mkdocs.yml lists,
    each once), and links to absolute paths (`/feedback/…`, the app's) left as written
    without a warning; bodies are laid out here only then."""
    try:
        config = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return False  # the render stage reports a broken mkdocs.yml
    if not isinstance(config, dict) or not _absolute_links_kept(config.get("validation")):
        return False
    listed = config.get("markdown_extensions")
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


def _absolute_links_kept(validation) -> bool:
    """Whether MkDocs leaves a link to an absolute path as it is and says so below a
    warning (`validation: links: absolute_links:` info or ignore, the top-level
    `validation: absolute_links:` applying too; info when neither is set): only then is
    such a link the same in a piece's HTML as in the page's Markdown."""
    if validation is None:
        return True
    if not isinstance(validation, dict):
        return False
    links = validation.get("links", {})
    if not isinstance(links, dict):
        return False
    return all(value in ("info", "ignore") for value in
               (validation.get("absolute_links", "info"), links.get("absolute_links", "info")))


def convert(text: str) -> str:
    """One piece of Markdown as HTML, converted as the site converts a page."""
    html = _converted.get(text)
    if html is None:
        html = _plain(text)
        if html is None:
            html = _markdown().reset().convert(text)
        _converted[text] = html
    return html


def _plain(text: str) -> str | None:
    """The HTML of a piece that is plain words, written here as Python-Markdown writes it
    (a clause's first paragraph with its marker and id, or a line of prose), or None.
    Plain: one line of letters, digits, spaces and punctuation Markdown and HTML read as
    they are (`_PLAIN_WORDS`), the line beginning with a letter. Most clauses are such
    sentences, and converting one costs Python-Markdown about as much as a whole page's
    layout here. tests/test_render_html.py checks this against Python-Markdown."""
    match = _PLAIN_CLAUSE.fullmatch(text)
    if match is not None:
        marker, words, anchor = match.groups()
        if _PLAIN_WORDS.fullmatch(words):
            return f'<p class="policy-clause" id="{anchor}"><strong>{marker}</strong> {words}</p>'
        return None
    if _PLAIN_WORDS.fullmatch(text) and text[:1].isalpha():
        return f"<p>{text}</p>"
    return None


def convert_all(texts: list[str]) -> None:
    """Convert the pieces not converted yet in one go, for `convert` to find: one
    conversion costs Python-Markdown about as much to start and end as a short piece
    takes. The pieces are set apart by a paragraph of their own, which no piece can
    reach into (none holds a reference definition, an open raw HTML block or a fence:
    see above), and the HTML is cut at it. When the cut does not give one part per piece
    (a piece the checks let through that did reach), nothing is kept and each piece is
    converted alone."""
    todo = []
    for text in dict.fromkeys(texts):
        if not text.strip() or text in _converted or _SPLIT in text:
            continue
        html = _plain(text)
        if html is None:
            todo.append(text)
        else:
            _converted[text] = html
    if len(todo) < 2:
        return
    html = _markdown().reset().convert(f"\n\n{_SPLIT}\n\n".join(todo))
    parts = html.split(f"\n<p>{_SPLIT}</p>\n")
    if len(parts) == len(todo):
        _converted.update(zip(todo, parts, strict=True))


def list_block(lines: list[str]) -> str | None:
    """A tight list of one-line items (`- …`) that stands alone on its page, as a marked
    raw HTML block (`markup.html_block`) of the HTML Python-Markdown makes of it, kept in
    the build's store by its Markdown; None when it must stay Markdown (an item that is
    not one line, or HTML with a blank line). The caller writes links to other pages as
    served addresses (`addresses.href`), which MkDocs would have made of them: the
    engine neither checks nor rewrites a raw HTML block's links.

    A page of every change in a year lists thousands; converting it cost Python-Markdown
    and MkDocs' link checks seconds on every build that changed one line of it."""
    if not lines or any(not line.startswith("- ") or "\n" in line for line in lines):
        return None
    text = "\n".join(lines)
    cache = store.current()
    key = Store.key("list-block", VERSION, repr((EXTENSIONS, EXTENSION_CONFIGS)), text)
    html = cache.get_text(key)
    if html is None:
        html = _markdown().reset().convert(text)
        cache.put_text(key, html)
    if "\n\n" in html or not html.startswith("<ul>"):
        return None
    return html_block(html)


def _markdown() -> markdown.Markdown:
    global _converter
    if _converter is None:
        _converter = markdown.Markdown(extensions=EXTENSIONS,
                                      extension_configs=EXTENSION_CONFIGS)
    return _converter


@dataclass
class _Layout:
    """What laying out one policy's body needs, and each clause list's `ClauseText`s,
    made once for converting its pieces together and for laying them out."""

    policy: Policy
    rewrite: Callable[[str], str | None]
    feedback: bool
    words: Wording
    anchors: dict[str, int]
    clauses: dict[int, list[ClauseText]] = field(default_factory=dict)  # by id(block)

    def items(self, block: Block) -> list[ClauseText]:
        found = self.clauses.get(id(block))
        if found is None:
            found = self.clauses[id(block)] = [
                clause_text(self.policy, clause, self.rewrite, self.feedback, self.words,
                            html=True) for clause in block.clauses]
        return found

    def texts(self) -> list[str]:
        """The Markdown of every piece the layout may convert, in order."""
        outline = self.policy.outline
        out: list[str] = []
        for block in [*outline.preamble, *(b for s in outline.sections for b in s.blocks)]:
            if block.prose:
                out.append(prose_text(block, self.rewrite))
                continue
            pending = list(reversed(self.items(block)))
            while pending:
                item = pending.pop()
                out.append(_first_text(item)[0])
                out += item.more
                pending += reversed(item.children)
        return out


def body(policy: Policy, *, page: str, library: Library | None = None,
         feedback: bool = False, words: Wording = ENGLISH) -> str:
    """`render.render_policy_body(policy, page=page, …)` with its sections (and the prose
    before the first) as their heading in Markdown and the rest as a raw HTML block; a
    section with a piece that must stay Markdown (see above) stays Markdown whole. Its
    heading starts a top-level block that nothing before it can take in, so the sections
    do not touch."""
    layout = _Layout(policy, link_rewriter(library, policy, page), feedback, words,
                     policy.outline.anchors)
    if _converted_for[0] != policy.id:  # the versions of a policy are made one after another
        _converted.clear()
        _converted_for[0] = policy.id
    convert_all(layout.texts())
    out: list[str] = []
    try:
        out.append(_html([_block(layout, block) for block in policy.outline.preamble]))
    except _NotHere:
        out += [block_markdown(policy, block, layout.rewrite, feedback, words)
                for block in policy.outline.preamble]
    for section in policy.outline.sections:
        try:
            html = _html([_section(layout, section)])
            out += [section_heading(section), html]
        except _NotHere:
            out.append(section_markdown(policy, section, layout.rewrite, feedback, 0, words))
    return "\n\n".join(part for part in out if part.strip()) + "\n"


def _html(pieces: list[str]) -> str:
    html = "\n".join(piece for piece in pieces if piece)
    return html_block(html).rstrip("\n") if html else ""


def _section(layout: _Layout, section: Section) -> str:
    policy, words = layout.policy, layout.words
    tools = section_tools_html(policy.id, section.id, section_name(section, words),
                               feedback=layout.feedback, words=words)
    pieces = [f'<p class="policy-tools">{tools}</p>' if tools is not None
              else _piece(section_links(policy, section, layout.feedback, words),
                          layout.anchors, checked="")]
    pieces += [_block(layout, block) for block in section.blocks]
    return "\n".join(piece for piece in pieces if piece)


def _block(layout: _Layout, block: Block) -> str:
    if block.prose:
        text = prose_text(block, layout.rewrite)
        if _PROSE.search(text):
            raise _NotHere
        return _piece(text, layout.anchors, checked="") if text.strip() else ""
    return _list(layout.items(block), layout.anchors)


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


def _first_text(item: ClauseText) -> tuple[str, str, str | None]:
    """The Markdown of a clause's first paragraph as its piece, with its id as the list's
    `{: #id }` line gives it; the part of it that could begin a block; its links' HTML
    when they are written here (TOOLS stands for them in the Markdown), else None."""
    written = item.first
    tools = item.tools_html
    if tools is not None and item.tools and written.endswith(" " + item.tools) \
            and TOOLS not in written:  # the links written here, the rest converted
        written = written[: -len(item.tools)] + TOOLS
    else:
        tools = None
    first, _, rest = written.partition("\n")
    # in the list, its lines after the first keep the indentation of the item's text
    text = "\n    ".join([first, *rest.split("\n")] if rest else [first])
    return f"{text}\n    {{: #{item.id} .policy-clause }}", rest, tools


def _first(item: ClauseText, anchors) -> str:
    """A clause's first paragraph with its id (`_first_text`) as HTML."""
    text, rest, tools = _first_text(item)
    html = _piece(text, anchors, checked=rest)
    if not (html.startswith("<p ") and html.endswith("</p>")) or "<p" in html[2:]:
        raise _NotHere
    if tools is not None:
        if html.count(TOOLS) != 1:
            raise _NotHere
        html = html.replace(TOOLS, tools)
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
        if not (_SCHEME.match(href) or href.startswith("/")
                or (href.startswith("#") and href[1:] in anchors)):
            raise _NotHere
    return html
