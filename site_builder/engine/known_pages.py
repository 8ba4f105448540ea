"""Navigable pages whose output the store holds already, left out of MkDocs' pass.

On a rebuild after one revision at 800 policies, MkDocs' pass still read some 800 policy
pages that had not changed (their source and front matter), ran every plugin's events on
them, took their HTML, template output and search entries back from the caches and
wrote them: about 1.5 ms a page. A page that is not in the navigation (a policy's page,
once the nav lists no policies: `mkdocs_pass.NAV_POLICY_LIMIT`) is known when an earlier
build rendered it without a warning from the same source, at the same address, with the
same theme and navigation (the nav as the templates see it, with the front matter and
first heading of every page in it, which their titles and states come from): its output,
search entries, anchors and links are kept under a key of those. This build leaves a
known page out of MkDocs' pass, as an excluded file like the archive pages, and does for
it what the pass would have done:

- gives MkDocs a page object with the page's anchors, so that links to them from the
  pages it renders are checked as before;
- lists it in the sitemap in its place (`on_template_context`);
- writes its kept output with this build's footer (`templates.PLACEHOLDER`), puts its
  kept search entries in their place in the search index, and checks its links to other
  pages' anchors with MkDocs' own check (`on_post_build`, before the search plugin
  writes the index and before MkDocs counts the warnings of a strict build);
- or, when the published site holds the page as written from the same entry (the
  publish record says so, `publish.Published.pages`) with a footer as long as this
  build's, has it moved over when the site is published, the new footer written over
  the old where the entry says the footers stand (`publish.Refooted`). At 800 policies
  that spares reading and writing some 34 MB of pages on every rebuild.

A page is known only while every file its links name exists, and only when the three
caches of the pass hold it (`_RenderCache`, `TemplateCache`, `SearchCache`): their keys
are kept with it and marked used, so the store keeps them for the build that changes the
page again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import markupsafe
from mkdocs import utils
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from .. import store
from ..publish import Published, Refooted
from ..store import Store
from .templates import PLACEHOLDER, nav_signature

KNOWN_VERSION = "known-2"  # bump when what a known page's entry holds or means changes


@dataclass
class _Known:
    page: Page
    key: str  # its entry's
    entries: list  # its search entries
    # the template's output, PLACEHOLDER where the footer names the build; or, when the
    # published site holds the page as this build would write it, that page (`_taken`)
    html: str | Refooted


class KnownPages(BasePlugin):
    """Leaves the known pages out of MkDocs' pass and stands in for it (see above).

    `render`, `templates` and `search` are the pass's three caches, whose `kept` say
    under which keys they hold each page of this build (the render cache's, with the
    files the page's links name)."""

    def __init__(self, theme: str, render, templates, search,
                 tick: Callable[[str], None] | None = None,
                 published: Published | None = None) -> None:
        super().__init__()
        self.cache = store.current()
        self.theme = theme
        self.render, self.templates, self.search = render, templates, search
        self.tick = tick
        self.published = published
        self.nav_key: str | None = None
        self.footer = ""  # this build's pages' footer (`_footer`), known from `on_nav`
        self.files: Files | None = None
        self.known: dict[str, _Known] = {}
        # what the site holds of the pages this build knows or kept (`Published.pages`),
        # and the known pages to take over from the published site (`publish.publish`)
        self.pages: dict[str, tuple[str, str]] = {}
        self.refooted: list[Refooted] = []

    def _key(self, file: File) -> str | None:
        if self.nav_key is None:
            return None
        return Store.key("known-page", KNOWN_VERSION, self.theme, self.nav_key, file.src_uri,
                         file.url, file.content_string)

    @event_priority(50)  # before the other processes are sent to read the pass's pages
    def on_nav(self, nav, config, files):  # noqa: D102 (MkDocs event)
        self.files = files
        self.nav_key = Store.key(nav_signature(nav), *map(_title_sources, nav.pages))
        self.footer = _footer(config)
        for file in files.documentation_pages(inclusion=_not_in_nav):  # no archive page
            known = self._known(file, files, config)
            if known is not None:
                file.inclusion = InclusionLevel.EXCLUDED
                self.known[file.src_uri] = known
        return nav

    def _known(self, file: File, files: Files, config) -> _Known | None:
        key = self._key(file)
        data = self.cache.get_json(key) if key else None
        try:
            if data is None or not all(target in files.src_uris for target in
                                       [*data["targets"], *data["links_to_anchors"]]):
                return None
            html = self._taken(file.dest_uri, key, data["parts"])
            if html is not None:
                self.cache.use(data["template"])  # for a build that writes the page
            else:
                html = self.cache.get_text(data["template"])
            if html is None or not (self.cache.keep(data["render"])
                                    and self.cache.keep(data["search"])):
                return None
            page = Page(None, file, config)
            page.present_anchor_ids = set(data["anchors"])
            page.links_to_anchors = {files.get_file_from_path(target): links
                                     for target, links in data["links_to_anchors"].items()}
            return _Known(page, key, data["entries"], html)
        except (KeyError, TypeError):  # not an entry this code wrote
            return None

    def _taken(self, dest: str, key: str, parts) -> Refooted | None:
        """The page as the published site holds it, when that is this build's output
        (the entry under `key`, whose output is `parts` around its footers) but for a
        footer as long as this build's: it is taken over (`publish.Refooted`) rather than
        read from the store and written again."""
        held = self.published.pages.get(dest) if self.published is not None else None
        if held is None or held[0] != key or not isinstance(parts, list) \
                or not all(isinstance(part, int) for part in parts):
            return None
        old, new = (text.encode("utf-8", errors="xmlcharrefreplace")
                    for text in (held[1], self.footer))
        if len(old) != len(new) or not (self.published.site / dest).is_file():
            return None
        offsets, at = [], 0
        for part in parts[:-1]:
            at += part
            offsets.append(at)
            at += len(new)
        return Refooted(dest, tuple(offsets), old, new)

    def on_post_page(self, output, page, config):  # noqa: D102 (MkDocs event)
        """Keep a page not in the nav that the three caches hold, for later builds."""
        src = page.file.src_uri
        if not _not_in_nav(page.file.inclusion):  # the pass builds no archive page
            return output
        key = self._key(page.file)
        render, template = self.render.kept.get(src), self.templates.kept.get(src)
        search, parts = self.search.kept.get(src), self.templates.parts.get(src)
        if key is None or render is None or template is None or search is None \
                or parts is None:
            return output
        self.cache.put_json(key, {
            "render": render[0], "template": template, "search": search[0],
            "entries": search[1], "anchors": sorted(page.present_anchor_ids or ()),
            "links_to_anchors": {file.src_uri: links for file, links
                                 in (page.links_to_anchors or {}).items()},
            "targets": render[1], "parts": parts,
        })
        self.pages[page.file.dest_uri] = key, self.footer
        return output

    def on_template_context(self, context, template_name, config):  # noqa: D102
        if template_name == "sitemap.xml" and self.known and self.files is not None:
            context["pages"] = [file for file in self.files.documentation_pages(
                inclusion=lambda _: True) if file.inclusion.is_included()
                or file.src_uri in self.known]
        return context

    @event_priority(50)  # before the search plugin writes the index
    def on_post_build(self, *, config):  # noqa: D102 (MkDocs event)
        if not self.known or self.files is None:
            return
        footer = self.footer
        for known in self.known.values():
            if isinstance(known.html, Refooted):
                self.refooted.append(known.html)
            else:
                utils.write_file(known.html.replace(PLACEHOLDER, footer).encode(
                    "utf-8", errors="xmlcharrefreplace"), known.page.file.abs_dest_path)
            self.pages[known.page.file.dest_uri] = known.key, footer
            known.page.validate_anchor_links(files=self.files,
                                             log_level=config.validation.links.anchors)
            if self.tick:
                self.tick(known.page.file.src_uri)
        index = self.search.index
        if index is not None:
            made, entries = index.entries, []
            for file in self.files.documentation_pages(inclusion=lambda _: True):
                known = self.known.get(file.src_uri)
                if known is not None:
                    entries += known.entries
                elif file.src_uri in self.search.slices:
                    start, end = self.search.slices[file.src_uri]
                    entries += made[start:end]
            index.entries = entries


def _footer(config) -> str:
    """The footer of this build's pages, as they show it (`templates.PLACEHOLDER`)."""
    return str(markupsafe.escape(config.extra.get("site_version", "")))


def _title_sources(page: Page) -> str:
    """What a page of the nav takes its title and its state in the nav from, besides the
    nav itself: its front matter, and its first level-one heading (MkDocs' title for a
    page the nav and front matter give none)."""
    markdown, meta = get_data(page.file.content_string)
    heading = next((line for line in markdown.splitlines()
                    if line.startswith("# ") or "<h1" in line), "")
    return json.dumps([meta, heading], sort_keys=True, default=str)


def _not_in_nav(level: InclusionLevel) -> bool:
    """Built, but not in the navigation (`InclusionLevel.is_not_in_nav` also holds for
    the excluded files)."""
    return level == InclusionLevel.NOT_IN_NAV
