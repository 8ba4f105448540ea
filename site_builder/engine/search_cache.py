"""Material's search entries of the pages of MkDocs' pass, kept between builds."""

from __future__ import annotations

import json
from collections.abc import Callable

from mkdocs.plugins import BasePlugin

from .. import store
from ..store import Store
from .archive import package_version
from .templates import toc_tokens

SEARCH_VERSION = "search-1"  # bump when what a page's search entries depend on changes


class SearchCache(BasePlugin):
    """Keeps the entries Material's search plugin makes of each page between builds.

    The plugin parses every page's HTML (`SearchIndex.add_entry_from_context`) on every
    build; on a rebuild most pages' HTML is unchanged (`mkdocs_pass._RenderCache`). The
    entries are kept keyed by all they are made from: the page's address, title, front matter, HTML
    and table of contents, the plugin's settings (with the separator it worked out), the
    Material and jieba versions and SEARCH_VERSION. An unchanged page's entries are
    appended to the index as the plugin would have appended them; the others are made by
    the plugin and kept.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cache = store.current()
        self.hits = 0
        self.add_entries: Callable | None = None
        self.index = None  # Material's search index of this build
        self.kept: dict[str, tuple[str, list]] = {}  # src_uri → its entries' key, entries
        self.slices: dict[str, tuple[int, int]] = {}  # src_uri → where its entries are

    def prepare(self, page) -> None:
        """Make and keep the page's entries ahead of its turn (in another process, which
        has read the page: `prewarm.Prewarm`), so that its turn finds them kept. A page
        whose template is not rendered there gets the same entries in its turn."""
        if self.add_entries is not None and page.content is not None:
            self.add_entries(page)

    def on_pre_build(self, *, config):  # noqa: D102 (MkDocs event)
        search = config.plugins.get("material/search") or config.plugins.get("search")
        index = getattr(search, "search_index", None)
        if index is None or not search.config.enabled:
            return
        common = json.dumps([SEARCH_VERSION, package_version("mkdocs-material"),
                             package_version("jieba"), dict(search.config)],
                            sort_keys=True, default=str)
        add = index.add_entry_from_context

        def add_entries(page) -> None:
            key = Store.key("mkdocs-search", common, page.url, str(page.title),
                            json.dumps(page.meta, sort_keys=True, default=str),
                            json.dumps(toc_tokens(page.toc)),
                            page.content)
            start = len(index.entries)
            kept = self.cache.get_json(key)
            if kept is not None:
                index.entries.extend(kept)
                self.hits += 1
            else:
                add(page)
                kept = index.entries[start:]
                self.cache.put_json(key, kept)
            self.kept[page.file.src_uri] = key, kept
            self.slices[page.file.src_uri] = start, len(index.entries)

        index.add_entry_from_context = add_entries  # this build's index only
        self.add_entries = add_entries
        self.index = index
