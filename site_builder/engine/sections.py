"""A version page's Markdown converted a section at a time, each distinct section once.

A policy's version pages share most of their text: version N+1 rewords a clause or two of
version N. Converting each version page whole (Python-Markdown, with MkDocs' link
rewriting and anchor collection) was most of the archive step's Markdown time. So a page
is cut into sections at each ATX heading (`#` … `######`) at the start of a line after a
blank line; every such line starts a top-level block of its own, which no block before it
can take in. Each section is converted with the page's own `Page.render` and the result
(HTML, flat table-of-contents tokens, ids, links to its own anchors, title) is kept by
its text for the other pages of the same policy; the page's HTML is the sections' HTML
joined with "\n" (the line Python-Markdown ends every top-level block with), its table
of contents the sections' tokens nested again (`nest_toc_tokens`), its title the first
section's.

This gives the page `Page.render` gives only under conditions checked here, and the page
is rendered whole otherwise:

- the configured Markdown extensions are exactly those of mkdocs.yml (SAFE_EXTENSIONS,
  SAFE_CONFIGS); the page has no fenced code, no `[TOC]` marker and no raw HTML (`<`
  before a letter, `/`, `!` or `?`) once the marked HTML blocks are set aside
  (`archive.set_aside_html`), so no block spans two sections;
- no section defines a reference link (another section could use it);
- no id appears in two sections (the table of contents makes heading ids unique across
  the whole page, a section alone cannot);
- the first section's HTML is not empty (MkDocs takes the title from the first element).

A section is kept for other pages only when its conversion logged nothing and its HTML
links nowhere but to anchors of the same page (`#…`) or to addresses with a scheme,
which MkDocs leaves as they are wherever the page is; its links to the page's own
anchors are registered on each page that uses it, so MkDocs' anchor check runs on every
page as before. What a section's conversion logs is held back until the page is done,
and logged only if the page is not rendered whole after all (which logs it again).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from markdown.extensions import Extension
from markdown.extensions.toc import nest_toc_tokens
from mkdocs.structure import pages as _pages
from mkdocs.structure.toc import get_toc

from ..render_html import EXTENSION_CONFIGS, EXTENSIONS

# the site's conversion (md_in_html acts only on raw HTML blocks, which a page converted by
# sections has none of)
SAFE_EXTENSIONS = EXTENSIONS
SAFE_CONFIGS = EXTENSION_CONFIGS
_SPLIT = re.compile(r"(?<=\n\n)(?=#{1,6}[ \t])")
_UNSAFE = re.compile(r"<[A-Za-z/!?]|```|~~~|\[TOC\]")
_LINK = re.compile(r"""\s(?:href|src)=(["'])(.*?)\1""")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# where Page.render logs what it finds in links: the engine's own module's logger
# (`properdocs.structure.pages` when ProperDocs answers for `mkdocs.structure.pages`)
_PAGES_LOG = _pages.log.name


@dataclass(frozen=True)
class Section:
    """What converting one section gave."""

    html: str
    toc: list[dict]  # flat table-of-contents tokens, without children
    anchors: frozenset[str]
    links: dict = field(default_factory=dict)  # File → {anchor: link}, as MkDocs records
    title: str | None = None
    references: bool = False  # it defines reference links
    kept: bool = False  # the same wherever it is: may serve other pages


Memo = dict[str, Section]  # by the section's Markdown


class _Probe(Extension):
    """Gives access to the Markdown instance `Page.render` makes (its references and toc)."""

    md = None

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        self.md = md


class _HoldBack(logging.Filter):
    """Holds back what Page.render logs, to be logged once the page is known to be done."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.records.append(record)
        return False


def safe(config) -> bool:
    """Whether the configured Markdown is the one these conditions were written for."""
    return (list(config["markdown_extensions"]) == SAFE_EXTENSIONS
            and (config["mdx_configs"] or {}) == SAFE_CONFIGS)


def split(markdown: str) -> list[str]:
    """The page's sections; blank text before the first heading stays with it."""
    chunks = _SPLIT.split(markdown)
    while len(chunks) > 1 and not chunks[0].strip():
        chunks[1] = chunks.pop(0) + chunks[0]
    return chunks


def _flat(tokens: list[dict]) -> list[dict]:
    out = []
    for token in tokens:
        out.append({key: value for key, value in token.items() if key != "children"})
        out.extend(_flat(token["children"]))
    return out


def _kept(html: str, links: dict, file) -> bool:
    if any(target is not file for target in links):
        return False
    return all(href.startswith("#") or _SCHEME.match(href) for _, href in _LINK.findall(html))


def _convert(page, text: str, config, files, probe: _Probe, held: _HoldBack) -> Section:
    page.markdown = text
    before = len(held.records)
    probe.md = None
    page.render(config, files)
    md = probe.md
    assert md is not None
    # `_title_from_render` is the title MkDocs takes from a page's first heading; MkDocs
    # sets it in `Page.render` and has no public name for it.
    links = dict(page.links_to_anchors or {})
    return Section(
        html=page.content,
        toc=_flat(getattr(md, "toc_tokens", [])),
        anchors=frozenset(page.present_anchor_ids or ()),
        links=links,
        title=page._title_from_render,
        references=bool(md.references),
        kept=(len(held.records) == before and not md.references
              and _kept(page.content, links, page.file)),
    )


def render(page, config, files, memo: Memo) -> None:
    """`page.render(config, files)`, a section at a time where that gives the same page
    (see above); sections already in `memo` are not converted again, and the sections
    that may serve other pages are added to it."""
    markdown = page.markdown
    chunks = split(markdown) if markdown and safe(config) and not _UNSAFE.search(markdown) \
        else []
    if len(chunks) < 2:
        page.render(config, files)
        return
    probe = _Probe()
    held = _HoldBack()
    logger = logging.getLogger(_PAGES_LOG)
    extensions = config["markdown_extensions"]
    config["markdown_extensions"] = [*extensions, probe]
    logger.addFilter(held)
    try:
        sections = []
        for text in chunks:
            section = memo.get(text)
            if section is None:
                section = _convert(page, text, config, files, probe, held)
                if section.kept:
                    memo[text] = section
            sections.append(section)
    finally:
        logger.removeFilter(held)
        config["markdown_extensions"] = extensions
        page.markdown = markdown
    anchors = [section.anchors for section in sections]
    if (any(section.references for section in sections) or not sections[0].html
            or len(frozenset().union(*anchors)) != sum(map(len, anchors))):
        page.render(config, files)  # logs what it finds itself
        return
    for record in held.records:
        logger.handle(record)
    page.content = "\n".join(section.html for section in sections)
    page.toc = get_toc(nest_toc_tokens([dict(token) for section in sections
                                        for token in section.toc]))
    page._title_from_render = sections[0].title  # see `_convert`
    page.present_anchor_ids = set().union(*anchors)
    links: dict = {}
    for section in sections:
        for target, found in section.links.items():
            target = page.file if section.kept else target
            for anchor, link in found.items():
                links.setdefault(target, {}).setdefault(anchor, link)
    if logger.getEffectiveLevel() > logging.DEBUG:  # as `Page.render` decides to keep them
        page.links_to_anchors = links
