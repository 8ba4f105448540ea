"""The render stage: the site value (`site.Site`) into HTML with MkDocs' API and Material.

Runs on the engine this process runs (`engines.current`: MkDocs or ProperDocs, which
answers to the same API). Does what `mkdocs build` does (load the config, start the
plugins, build, shut the plugins down) so that warnings can be collected from the
engine's loggers and reported as build problems instead of being printed by its own
command line.

The site's pages and files are handed to MkDocs from memory (`site.Site`). The archive
pages (every version, redline, comparison and changelog: `addresses.is_archive_page`) are
left out of MkDocs' own pass and rendered by `archive.Archive`, with the same
configuration, environment and checks, a small navigation and a cache: on the other cores
from the moment MkDocs has read every page, and in this process after the pass.
"""

from __future__ import annotations

import copy
import logging
import posixpath
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, BuildError, ConfigurationError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, InclusionLevel, file_sort_key
from mkdocs.structure.toc import get_toc
from mkdocs.utils.yaml import yaml_load

from .. import store
from ..languages import by_code, default_language, gettext
from ..publish import Published
from ..schema import ENGLISH_ONLY, LanguagesRegistry
from ..site import Site
from ..store import Store
from . import CONFIG, engines
from .archive import (
    Archive,
    ArchiveResult,
    html_anchors,
    put_back_html,
    set_aside_html,
    theme_hash,
)
from .known_pages import KnownPages
from .languages import configure, install_words, theme_key
from .prewarm import Prewarm
from .search_cache import SearchCache
from .site_files import SiteFiles
from .templates import StoredTemplates, TemplateCache, WarningCounter, toc_tokens

POLICIES_SECTION = "Policies"
NAV_POLICY_LIMIT = 40


class MkDocsFailed(Exception):
    """The engine stopped; `problems` holds its warnings and errors, one line each."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


class _Progress(BasePlugin):
    """Calls `tick(page_path)` after each page is rendered."""

    def __init__(self, tick: Callable[[str], None]):
        super().__init__()
        self.tick = tick

    def on_post_page(self, output, page, config):  # noqa: D102 (MkDocs event)
        self.tick(page.file.src_uri)
        return output


class _StartArchive(BasePlugin):
    """Sets the archive step going on the other cores once MkDocs has read every page,
    while this process finishes MkDocs' pass (`archive.Archive`). Its `on_env` runs after
    `_Sources`' (the site's words are in the environment) and before the template cache
    takes over the page template, which the archive must render unchanged."""

    def __init__(self, sources: _Sources, archive: Archive) -> None:
        super().__init__()
        self.sources = sources
        self.archive = archive

    def on_env(self, env, config, files):  # noqa: D102 (MkDocs event)
        self.archive.start(self.sources.files, env)
        return env


class _Sources(BasePlugin):
    """Hands MkDocs the site's pages and files from memory, keeps the archive pages out of
    its pass, and remembers what rendering them needs.

    Pages named in `unlisted` are built but left out of the nav on purpose.
    """

    def __init__(self, site: Site, unlisted: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.site = site  # its pages are in `site.lang`
        self.files: SiteFiles | None = None
        self.unlisted = unlisted
        self.templates: StoredTemplates | None = None

    def on_files(self, files, config):  # noqa: D102 (MkDocs event)
        # In the order MkDocs lists a docs folder (index first, folders last), which the
        # search index and the sitemap keep. The archive pages are found by path alone.
        pages = {page.path: page.markdown for page in self.site.navigable()}
        made = [File.generated(config, path, content=text)
                for path, text in {**pages, **self.site.files}.items()]
        for file in made:
            if file.src_uri in self.unlisted:
                file.inclusion = InclusionLevel.NOT_IN_NAV
        self.files = SiteFiles([*files, *sorted(made, key=file_sort_key)], config,
                               {page.path: page for page in self.site.archive()})
        return self.files

    @event_priority(100)  # before any plugin loads a template
    def on_env(self, env, config, files):  # noqa: D102 (MkDocs event)
        install_words(env, self.site.lang)
        if store.current().enabled:
            env.bytecode_cache = self.templates = StoredTemplates()
        return env

    def on_post_build(self, *, config):  # noqa: D102 (MkDocs event)
        if self.templates is not None:
            self.templates.save()


class _HtmlBlocks(BasePlugin):
    """Sets the marked raw HTML blocks of a page of MkDocs' pass (a policy's text laid out
    as HTML, `render_html`) into its HTML as they are, as the archive step does for its
    pages (`archive.set_aside_html`): Markdown sees a token paragraph in place of each,
    and the ids in them count as the page's anchors for MkDocs' anchor check.

    The blocks are set aside after every other plugin has seen the page's Markdown (the
    render cache keys a page by its Markdown as written) and put back before any other
    plugin sees its HTML, and the page's Markdown is as written again then (the template
    cache keys a page by it). A page the render cache restores (`restored`) is left
    alone: its kept HTML and anchors have the blocks in them already."""

    def __init__(self, restored: set[str] | frozenset[str] = frozenset()) -> None:
        super().__init__()
        # src_uri → its blocks by token, and its Markdown as written
        self.blocks: dict[str, tuple[dict[str, str], str]] = {}
        self.restored = restored  # pages whose HTML the render cache gives, blocks and all

    @event_priority(-50)
    def on_page_markdown(self, markdown, page, config, files):  # noqa: D102 (MkDocs event)
        if page.file.src_uri in self.restored:
            return markdown
        written = markdown
        markdown, blocks = set_aside_html(markdown)
        if blocks:
            self.blocks[page.file.src_uri] = blocks, written
        return markdown

    @event_priority(50)
    def on_page_content(self, html, page, config, files):  # noqa: D102 (MkDocs event)
        found = self.blocks.pop(page.file.src_uri, None)
        if not found:
            return html
        blocks, page.markdown = found
        page.present_anchor_ids = (page.present_anchor_ids or set()) | html_anchors(blocks)
        return put_back_html(html, blocks)


RENDER_VERSION = "render-2"  # bump when what `_RenderCache` keeps changes
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)", re.M)


class _RenderCache(BasePlugin):
    """Keeps the HTML MkDocs' pass makes of each page's Markdown between builds.

    Most pages of a rebuild (one current page per policy) have the same Markdown as in
    the build before. Their Markdown is turned into HTML once and kept, keyed by the
    Markdown, the page's address and the theme (`archive.theme_hash`: mkdocs.yml, theme/,
    the MkDocs, Material and Markdown versions). A cached page skips only `Page.render`:
    its table of contents, anchors and links to other pages' anchors are restored, so
    the templates, the search index and MkDocs' anchor check see the same page. The
    links MkDocs rewrites depend on which files exist, so a page is taken from the cache
    only when every relative link in its Markdown still names a file of the site (the
    files they name are kept with its HTML, so the Markdown is not searched again); only
    a page that rendered without a warning is kept. Its HTML is kept as the plugins
    before this one leave it (`_HtmlBlocks` has set its raw HTML blocks back). What
    `Page.render` leaves on the page includes one private attribute,
    `_title_from_render` (the title MkDocs takes from the first heading when the nav and
    front matter give none); it is kept and restored with the rest, or a cached page
    would lose its title.
    """

    def __init__(self, theme: str) -> None:
        super().__init__()
        self.cache = store.current()
        self.common = theme
        self.warnings = WarningCounter()
        self.hits = 0
        self.restored: set[str] = set()  # the pages of this build taken from the cache
        # src_uri → its entry's key and the files its links name, when it has one
        self.kept: dict[str, tuple[str, list[str]]] = {}
        # src_uri → key, warnings before, the files its relative links name
        self.pending: dict[str, tuple[str, int, list[str]]] = {}

    def on_startup(self, *, command, dirty):  # noqa: D102 (MkDocs event)
        engines.attach(self.warnings)

    def on_shutdown(self):  # noqa: D102 (MkDocs event)
        engines.detach(self.warnings)

    def on_page_markdown(self, markdown, page, config, files):  # noqa: D102 (MkDocs event)
        src = page.file.src_uri
        key = Store.key("mkdocs-page", RENDER_VERSION, self.common, src, markdown)
        data = self.cache.get_json(key)
        if data is not None and not all(target in files.src_uris for target in data["targets"]):
            data = None
        if data is not None:
            anchors = {}
            for target, links in data["links_to_anchors"].items():
                file = files.get_file_from_path(target)
                if file is None:
                    data = None
                    break
                anchors[file] = links
        if data is None:
            self.pending[src] = (key, self.warnings.count, _link_targets(markdown, src))
            return markdown

        def restore(config, files) -> None:
            page.content = data["content"]
            page.toc = get_toc(data["toc"])
            page._title_from_render = data["title"]
            page.present_anchor_ids = set(data["anchors"])
            page.links_to_anchors = anchors

        page.render = restore  # this page only: MkDocs calls it next
        self.restored.add(src)
        self.kept[src] = key, data["targets"]
        self.hits += 1
        return markdown

    def on_page_content(self, html, page, config, files):  # noqa: D102 (MkDocs event)
        pending = self.pending.pop(page.file.src_uri, None)
        if pending is None or self.warnings.count != pending[1]:
            return html
        self.kept[page.file.src_uri] = pending[0], pending[2]
        self.cache.put_json(pending[0], {
            "content": html,  # as the plugins before this one left it (blocks set back)
            "toc": toc_tokens(page.toc),
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links_to_anchors": {file.src_uri: links for file, links
                                 in (page.links_to_anchors or {}).items()},
            "targets": pending[2],
        })
        return html


def _link_targets(markdown: str, src_uri: str) -> list[str]:
    """The files a page's relative links name, by their normalised paths (as `Files`
    looks them up); kept with the page's HTML, so that a page taken from the cache needs
    no search of its Markdown."""
    base = posixpath.dirname(src_uri)
    out = set()
    for target in {*_LINK.findall(markdown), *_DEFINITION.findall(markdown)}:
        if target.startswith(("#", "/")):  # an anchor of the page, or an absolute address
            continue
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            continue
        out.add(posixpath.normpath(posixpath.join(base, unquote(parts.path))))
    return sorted(out)


def listed_policies(policies: list[dict[str, str]]) -> list[dict[str, str]]:
    """The policy pages the nav lists: all of them, unless there are too many.

    MkDocs renders the whole nav into every page, so a nav that lists hundreds of
    policies makes the build grow with the square of their number; past
    NAV_POLICY_LIMIT the nav leads to the policy index, which lists them all.
    """
    return policies if len(policies) <= NAV_POLICY_LIMIT else []


def with_policies(nav: list, policies: list[dict[str, str]],
                  title: str = POLICIES_SECTION) -> list:
    """The nav with the policy pages added to the Policies section (named `title`: its
    name in the page's language)."""
    nav = copy.deepcopy(nav)
    for item in nav:
        if isinstance(item, dict) and title in item:
            section = item[title]
            if isinstance(section, str):
                section = [section]
            item[title] = list(section) + policies
            return nav
    nav.append({title: policies})
    return nav


def site_url(config_file: Path = CONFIG) -> str | None:
    """The site's public address as mkdocs.yml gives it (`site_url`), or None."""
    try:
        with open(config_file, encoding="utf-8") as file:
            config = yaml_load(file)
    except (OSError, ValueError, yaml.YAMLError):
        return None  # the render stage reports a broken mkdocs.yml
    value = config.get("site_url") if isinstance(config, dict) else None
    return str(value) if value else None


def render_site(
    site: Site,
    site_dir: Path,
    *,
    config_file: Path = CONFIG,
    strict: bool = True,
    tick: Callable[[str], None] | None = None,
    published: Published | None = None,
    languages: LanguagesRegistry = ENGLISH_ONLY,
) -> ArchiveResult:
    """Render every page and file of `site` into site_dir with the site's mkdocs.yml;
    raise MkDocsFailed.

    MkDocs is given the pages from memory (its docs folder is empty). In a build with a
    store (`store.opened`), the archive pages' HTML is kept between builds, and so are the
    HTML of the other pages' Markdown (`_RenderCache`) and their search entries
    (`search_cache.SearchCache`). `published` is the site the policies' archives may be taken over
    from (`archive.Archive`). Returns what the archive step did and how long it
    took.

    The pages are in `site.lang`, one of `languages`: its MkDocs configuration is set for
    it (`languages.configure`), and a language other than the default is published under
    its prefix (`site_dir` is then that folder of the site).
    """
    language = by_code(languages, site.lang) or default_language(languages)
    collector = _Collector()
    listening = engines.listen(collector)  # report through MkDocsFailed, not on stderr
    empty = Path(tempfile.mkdtemp(prefix=".docs-", dir=Path(site_dir).parent))
    try:
        try:
            config = load_config(
                str(config_file), docs_dir=str(empty), site_dir=str(site_dir), strict=strict
            )
        except (ConfigurationError, Abort) as error:
            raise MkDocsFailed(f"mkdocs.yml: {error}", collector.messages) from error
        configure(config, language, languages)  # the nav's titles in the language
        theme = theme_hash(Path(config_file))  # what every cached page depends on
        theme += theme_key(language, languages)
        base_nav = copy.deepcopy(config.nav or [])
        listed = listed_policies(site.nav)
        config.nav = with_policies(config.nav or [], listed,
                                   gettext(site.lang, POLICIES_SECTION))
        config.extra["site_version"] = site.footer
        unlisted = frozenset(page for item in site.nav if item not in listed
                             for page in item.values())
        sources = _Sources(site, unlisted)
        config.plugins["transparency/sources"] = sources
        html_blocks = _HtmlBlocks()
        config.plugins["transparency/html-blocks"] = html_blocks
        archive = Archive(
            config=config, data=site.archive_files, keys=site.archive_keys,
            unread=site.unread, base_nav=base_nav, site_version=site.footer, theme=theme,
            messages=collector.messages, tick=tick, footers=site.footers, published=published,
        )
        config.plugins["transparency/archive"] = _StartArchive(sources, archive)
        render_cache = template_cache = known = None
        search_cache = SearchCache()
        prewarm = Prewarm(then=search_cache.prepare)
        if store.current().enabled:
            config.plugins["transparency/prewarm"] = prewarm
            render_cache = _RenderCache(theme)
            html_blocks.restored = render_cache.restored
            template_cache = TemplateCache(theme)
            config.plugins["transparency/render-cache"] = render_cache
            config.plugins["transparency/search-cache"] = search_cache
            config.plugins["transparency/template-cache"] = template_cache
            known = KnownPages(theme, render_cache, template_cache, search_cache, tick,
                               published)
            config.plugins["transparency/known-pages"] = known
        if tick:
            config.plugins["transparency/progress"] = _Progress(tick)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            try:
                build(config)
            except BaseException:
                prewarm.stop()
                archive.stop()
                raise
            before = len(collector.messages)
            result = archive.finish()
            if render_cache is not None and template_cache is not None:
                result.pass_cached = render_cache.hits + len(known.known)
                result.pass_templates = template_cache.hits + len(known.known)
                result.refooted, result.pages = known.refooted, known.pages
            if strict and len(collector.messages) > before:
                count = len(collector.messages) - before
                raise MkDocsFailed(f"Aborted with {count} warnings in strict mode!",
                                   collector.messages)
            return result
        except (Abort, BuildError) as error:
            raise MkDocsFailed(str(error), collector.messages) from error
        finally:
            config.plugins.on_shutdown()
    finally:
        engines.unlisten(collector, listening)
        shutil.rmtree(empty, ignore_errors=True)
