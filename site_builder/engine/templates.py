"""Material's template output of the navigable pages, kept between builds.

On a rebuild after one new revision most navigable pages (one current page per policy,
the lists, the registries) are the same as in the build before, and rendering Material's
`main.html` for each (the header, the whole navigation, the table of contents, the
footer) was most of MkDocs' pass once their Markdown's HTML came from the cache
(`mkdocs_pass._RenderCache`). `TemplateCache` keeps each page's output, keyed by
everything the template reads:

- the theme (`archive.theme_hash`: mkdocs.yml, theme/, the MkDocs, Material and Markdown
  versions) and TEMPLATE_VERSION;
- the whole navigation as the templates see it: every section, page and link with its
  title and address, each page's front matter (Material reads icons and states from it),
  and the home page;
- the page: its source path and address (which decide the active items of the
  navigation and the links relative to it), title, front matter, Markdown, HTML, table
  of contents, the pages before and after it in the navigation, its sections, and
  whether it is the home page.

The footer names the build, so the output is kept with a placeholder where the footer
shows the site's version (as the archive's pages are, `archive.PLACEHOLDER`) and the
footer is written in when the page is. Only a page whose template rendered without a
warning is kept.
"""

from __future__ import annotations

import json
import logging
import os

import jinja2
import jinja2.bccache
import markupsafe
from mkdocs.plugins import BasePlugin
from mkdocs.structure.nav import Navigation

from .. import store
from ..store import Store
from . import engines
from .archive import PLACEHOLDER, package_version

__all__ = ["PLACEHOLDER", "StoredTemplates", "TemplateCache", "WarningCounter",
           "nav_signature", "page_key", "toc_tokens"]

TEMPLATE_VERSION = "template-1"  # bump when what a page's template output depends on changes
TEMPLATE = "main.html"  # the template of every navigable page; others are rendered as usual


def toc_tokens(items) -> list[dict]:
    """A table of contents as plain data (what `mkdocs.structure.toc.get_toc` reads)."""
    return [{"name": item.title, "id": item.id, "level": item.level,
             "children": toc_tokens(item.children)} for item in items]


def nav_signature(nav: Navigation) -> str:
    """The navigation as every page's template sees it, the current page aside."""
    def item(entry) -> list:
        if entry.is_section:
            return ["section", entry.title, [item(child) for child in entry.children]]
        if entry.is_page:
            return ["page", entry.title, entry.url, entry.file.src_uri, entry.meta]
        return ["link", entry.title, entry.url]

    home = nav.homepage
    return json.dumps([[home.url, home.title] if home else None,
                       [item(entry) for entry in nav.items]],
                      sort_keys=True, default=str, ensure_ascii=False)


def _neighbour(page) -> list | None:
    return None if page is None else [page.url, page.title]


def page_key(common: str, nav: str, page) -> str:
    """A key for everything the template's output of `page` depends on (see above)."""
    return Store.key(
        "mkdocs-template", TEMPLATE_VERSION, common, nav, page.file.src_uri, page.url,
        json.dumps([str(page.title), page.meta, toc_tokens(page.toc),
                    _neighbour(page.previous_page), _neighbour(page.next_page),
                    [str(section.title) for section in page.ancestors],
                    page.is_homepage, page.canonical_url, page.edit_url],
                   sort_keys=True, default=str, ensure_ascii=False),
        page.markdown or "", page.content or "")


class WarningCounter(logging.Handler):
    """Counts the warnings logged while it is attached (a render kept only without any)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class TemplateCache(BasePlugin):
    """Keeps `main.html`'s output of each page of MkDocs' pass between builds.

    MkDocs renders a page with `env.get_template(name).render(context)` and has no event
    to skip that call, so this plugin puts its own `render` on that one template object
    of this build's Jinja environment while MkDocs' pass builds its pages, and takes it
    away when the pass ends (`on_post_build`), before the archive step renders with the
    same template. `{% extends %}` and `{% include %}` do not call `render`, so only a
    page's own render goes through it.
    """

    def __init__(self, theme: str) -> None:
        super().__init__()
        self.cache = store.current()
        self.common = theme
        self.warnings = WarningCounter()
        self.hits = 0
        self.template = None
        self.kept: dict[str, str] = {}  # src_uri → the key its output is kept under
        # src_uri → the length in bytes of each part of its output around the footers
        self.parts: dict[str, list[int]] = {}

    def on_startup(self, *, command, dirty):  # noqa: D102 (MkDocs event)
        engines.attach(self.warnings)

    def on_shutdown(self):  # noqa: D102 (MkDocs event)
        engines.detach(self.warnings)
        self._restore()

    def on_env(self, env, config, files):  # noqa: D102 (MkDocs event)
        template = env.get_template(TEMPLATE)
        real = template.render
        signatures: dict[int, str] = {}

        def render(*args, **kwargs):
            context = args[0] if len(args) == 1 and not kwargs else None
            page = context.get("page") if isinstance(context, dict) else None
            nav = context.get("nav") if page is not None else None
            if (page is None or not isinstance(nav, Navigation)
                    or PLACEHOLDER in (page.markdown or "") + (page.content or "")):
                return real(*args, **kwargs)
            try:
                if id(nav) not in signatures:  # every page's title is known by now
                    signatures.clear()
                    signatures[id(nav)] = Store.key(nav_signature(nav))
                key = page_key(self.common, signatures[id(nav)], page)
            except (TypeError, ValueError):  # front matter JSON cannot hold: not kept
                return real(*args, **kwargs)
            footer = config.extra.get("site_version", "")
            html = self.cache.get_text(key)
            if html is None:
                warned = self.warnings.count
                config.extra["site_version"] = PLACEHOLDER
                try:
                    html = real(*args, **kwargs)
                finally:
                    config.extra["site_version"] = footer
                if self.warnings.count == warned:  # only an output without a warning
                    self.cache.put_text(key, html)
                    self.kept[page.file.src_uri] = key
            else:
                self.hits += 1
                self.kept[page.file.src_uri] = key
            if page.file.src_uri in self.kept:
                self.parts[page.file.src_uri] = [
                    len(part.encode("utf-8", errors="xmlcharrefreplace"))
                    for part in html.split(PLACEHOLDER)]
            return html.replace(PLACEHOLDER, str(markupsafe.escape(footer)))

        template.render = render  # this build's template object only, until the pass ends
        self.template = template
        return env

    def on_post_build(self, *, config):  # noqa: D102 (MkDocs event)
        self._restore()

    def _restore(self) -> None:
        if self.template is not None:
            vars(self.template).pop("render", None)  # the class's own render again
            self.template = None


class StoredTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates kept in the build's store: compiling the three dozen
    templates a build renders (Material's and `theme/`'s) took each build about 0.2 s.

    They are one entry, keyed by the Jinja and engine versions (which set up the
    environment the code is compiled for), read when the pass starts and written when
    it ends (`save`) with the templates this process used, if it compiled any. Jinja
    checks each against its template's source and this Python's version, and compiles
    it again when either differs. A template first used by the archive's other
    processes is compiled there on each build that renders with it."""

    def __init__(self) -> None:
        engine = engines.current().distribution
        self.key = Store.key("jinja-templates", jinja2.__version__, engine,
                             package_version(engine))
        kept = store.current().get_object(self.key)
        self.kept: dict[str, bytes] = kept if isinstance(kept, dict) else {}
        self.used: set[str] = set()
        self.compiled = False
        self.process = os.getpid()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:  # noqa: D102
        data = self.kept.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)
            self.used.add(bucket.key)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:  # noqa: D102
        self.kept[bucket.key] = bucket.bytecode_to_string()
        self.used.add(bucket.key)
        self.compiled = True

    def save(self) -> None:
        """Keep what this process used, when it compiled a template or left one unused."""
        if os.getpid() == self.process and (self.compiled or self.used != set(self.kept)):
            store.current().put_object(self.key, {key: self.kept[key] for key in self.used})
