"""The parts of an archive page's HTML that other archive pages share, rendered once.

The archive step (`archive.Archive`) renders every archive page with Material's
`main.html`; most of that page is the same on every archive page at the same depth of
the site. `SharedParts` renders those parts for the first page of each group and hands
their HTML to the others (`theme/base.html` reads `archive_nav` and `archive_parts`).
"""

from __future__ import annotations

import json

import markupsafe
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import normalize_url


class SharedParts:
    """The parts of an archive page's HTML that other archive pages share, each rendered
    once for the pages that share it.

    - The navigation: an archive page is not in it, so nothing in it is active and its
      HTML differs from page to page only in its addresses, which are relative to the
      page: pages whose links to every item of the navigation (and to the site's root)
      are written the same share it.
    - The head's links (styles, fonts, scripts), the header but the page's title and the
      language switch (`theme/partials/header.html`), the footer and the end of the page
      (the dialog, the configuration, the scripts): they read nothing of the page but its
      address's depth (`base_url`), its front matter (a page may hide the footer) and the
      pages before and after it, which archive pages have none of; pages alike in those
      share them.

    The first page of each group is rendered whole, with marks around the parts
    (`theme/base.html`) that are cut out again; the others are given the HTML the marks
    held and do not render those parts."""

    NAV = "<!--archive-nav-->"
    PARTS = ("head", "header_a", "header_b", "header_c", "footer", "tail")

    def __init__(self, nav: Navigation) -> None:
        self.urls = [nav.homepage.url] if nav.homepage else []
        pending = list(nav.items)
        while pending:
            item = pending.pop(0)
            if isinstance(item, Section):
                pending[:0] = item.children
            else:
                self.urls.append(item.url)
        self.known: dict[tuple, markupsafe.Markup] = {}  # navigations
        self.parts: dict[tuple, dict[str, markupsafe.Markup]] = {}
        self.marks = {name: markupsafe.Markup(f"<!--archive-{name}-->") for name in self.PARTS}

    def render(self, template, context: dict, page: Page) -> str:
        base = context.get("base_url")
        key = (base, *(normalize_url(url, page) for url in self.urls))
        alike = (base, json.dumps(
            [{k: v for k, v in (page.meta or {}).items() if k not in ("title", "description")},
             _neighbour_url(page.previous_page), _neighbour_url(page.next_page)],
            sort_keys=True, default=str))
        nav, parts = self.known.get(key), self.parts.get(alike)
        extra: dict = {}
        if nav is not None:
            extra["archive_nav"] = nav
        else:
            extra["archive_nav_mark"] = markupsafe.Markup(self.NAV)
        if parts is not None:
            extra["archive_parts"] = parts
        else:
            extra["archive_part_marks"] = self.marks
        html = template.render({**context, **extra})
        if nav is None:
            html, inside = _cut(html, self.NAV)
            if inside is not None:
                self.known[key] = inside
        if parts is None:
            found = {}
            for name, mark in self.marks.items():
                html, found[name] = _cut(html, mark)
            if all(inside is not None for inside in found.values()):
                self.parts[alike] = found
        return html


def _neighbour_url(page) -> str | None:
    return None if page is None else page.url


def _cut(html: str, mark: str) -> tuple[str, markupsafe.Markup | None]:
    """The HTML without the marks around a part, and the part (None when the page had
    no such part, or more than one)."""
    pieces = html.split(mark)
    if len(pieces) != 3:
        return "".join(pieces), None
    before, inside, after = pieces
    return before + inside + after, markupsafe.Markup(inside)
