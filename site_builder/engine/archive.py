"""The archive: version, redline, compare and changelog pages, rendered outside MkDocs' pass.

A site with N policies of V versions has about 3·N·V such pages against N + 12 navigable
ones, and a published version never changes. MkDocs' own pass renders every page with the
whole navigation and validates every link on every build; at 200 policies that was 81% of
the build time. So the MkDocs stage builds only the navigable pages (home, lists, current
policies, registries, oversight, "What changed"), and the archive pages follow in the same
process, with the same configuration, Markdown extensions, link checks and Material
template (`main.html` and the partials in `theme/`):

- MkDocs' pass knows the archive pages by path alone (`site_files.SiteFiles`), as
  excluded files: links to them from the navigable pages resolve, but MkDocs neither
  renders nor indexes them (they were out of the search index already), nor goes over
  them each time it lists the site's pages;
- each archive page is then rendered here: MkDocs' `Page.render` (Markdown, the link and
  anchor checks, the table of contents) and Material's `main.html` with a small
  navigation (the sections of `mkdocs.yml`, without the list of every policy), so a page
  does not grow with the number of policies;
- the resulting HTML is kept in a cache keyed by the page's Markdown, its address, the
  theme (`mkdocs.yml`, `theme/`, MkDocs and Material versions) and the small navigation.
  An unchanged page on the next build is one string replacement and a write. The HTML of
  a policy's pages is kept as one entry of the build's store, under the theme, the small
  navigation and the policy (`_kept_pages`): creating a file costs more than writing
  one here, and a policy's pages change together;
- a policy's pages together are its archive, keyed by every page's key and its footer.
  When the published site holds that archive under the same key, nothing is written:
  its folders move over into the new site when it is published (`publish.py`).

The footer is not cached: the cached HTML holds a placeholder where the footer shows it,
filled in when the page is written. An archive page's footer names the content version
of its policy's last change (`SiteStamp.policy_footer`), which stays the same from build
to build; it is the site's version, which names the build, only while a policy has
uncommitted edits.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import markupsafe
from mkdocs.commands.build import get_context
from mkdocs.exceptions import BuildError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section, get_navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import meta

from .. import addresses, store
from ..markup import HTML_END, HTML_START
from ..parallel import Helpers, Turns, WorkFailed, workers
from ..publish import Published, Refooted
from . import engines, sections
from .shared_parts import SharedParts
from .site_files import SiteFiles

ARCHIVE_VERSION = "archive-2"  # bump when this module's output changes
PLACEHOLDER = "@@transparency-site-version@@"
PARALLEL_MIN = 200  # fewer archive pages than this: not worth a process
THEME = Path(__file__).resolve().parents[2] / "theme"
HTML_BLOCK = re.compile(rf"^{re.escape(HTML_START)}\n(.*?)\n{re.escape(HTML_END)}$",
                        re.M | re.S)
VERSION_PAGE = re.compile(r"policies/[^/]+/versions/\d+/index\.md")  # a version's text
_ANCHOR = re.compile(r"<(\w+)\b[^>]*?\s(id|name)=\"([^\"]*)\"")


@dataclass
class ArchiveResult:
    rendered: int = 0
    cached: int = 0
    reused: int = 0  # pages the published site holds as they are: their folders move over
    seconds: float = 0.0
    pass_cached: int = 0  # pages of MkDocs' pass whose Markdown's HTML came from the cache
    pass_templates: int = 0  # pages of MkDocs' pass whose template output came from the cache
    archives: dict[str, str] = field(default_factory=dict)  # policy id → its archive's key
    moves: list[str] = field(default_factory=list)  # folders to take from the published site
    # the pages of MkDocs' pass to take from the published site with a new footer, and
    # what the site holds of those it knows (`known_pages.KnownPages`)
    refooted: list[Refooted] = field(default_factory=list)
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)


def package_version(package: str) -> str:
    """The installed version of a package, or "?" when it is not installed."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def theme_hash(config_file: Path) -> str:
    """What the archive's HTML depends on besides each page: config, theme and versions
    (the engine's among them: its name is in every page's generator tag)."""
    digest = hashlib.sha256(ARCHIVE_VERSION.encode())
    for package in (engines.current().distribution, "mkdocs-material", "markdown"):
        digest.update(f"{package}={package_version(package)}\0".encode())
    digest.update(Path(config_file).read_bytes())
    for path in sorted(THEME.rglob("*")):
        if path.is_file():
            digest.update(f"\0{path.relative_to(THEME).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _nav_signature(items) -> str:
    parts = []
    for item in items:
        if isinstance(item, Section):
            parts.append(f"[{item.title}:{_nav_signature(item.children)}]")
        else:
            parts.append(f"{item.title}>{getattr(item, 'url', '')}")
    return "|".join(parts)


def small_navigation(files: Files, config, base_nav: list) -> Navigation:
    """The navigation of mkdocs.yml as written (its sections), without the policy list.

    MkDocs makes a page object for each page of `files` it goes over: the archive pages
    are not among them (`site_files.SiteFiles`), unless the navigation names one."""
    full_nav = config.nav
    config.nav = base_nav
    try:
        return get_navigation(files, config)
    finally:
        config.nav = full_nav


def archive_folders(paths: list[str]) -> list[str]:
    """The site folders a policy's archive pages (by path) are written into
    (policies/<id>/versions and so on), each holding nothing else."""
    return sorted({"/".join(path.split("/")[:3]) for path in paths})


class Archive:
    """The archive step: each archive page written into config.site_dir; problems are
    MkDocs' warnings (`messages`).

    It is started (`start`) once MkDocs' pass has read every navigable page, so that the
    other cores render archive pages while this process finishes the pass (templates,
    search index), and finished (`finish`) after the pass: this process then renders
    what the others have not taken yet, and their reports are gathered. The policies are
    handed out in turn (`parallel.Turns`), so that a process that starts later takes
    fewer. Without more than one core, or with fewer than PARALLEL_MIN pages, everything
    happens in `finish`. Each process works out the small navigation itself when it
    starts rendering: making it sets the previous, next and parent links of the
    navigable pages, which MkDocs' pass must not see.

    `theme` is the build's `theme_hash`, part of every page's cache key. `data` (site
    path → text) are the policies' data files (`addresses.archive_policy`), written here
    with their policy's pages. `footers` gives the footer of each policy's archive pages
    (policy id → text; the site's version for the others). The pages and data files of
    one policy are one archive, keyed by the key of everything its files are made from
    (`keys`: policy id → `versions.policy_key`), the theme, the small navigation and the
    footer: when the `published` site holds that archive under the same key, its folders
    and files are listed in the result's `moves` instead of being written
    (`publish.publish` moves them). `unread` (policy id → `versions.Unread`) are the
    archives whose files are still in the store: their pages' sources are read only when
    they are written here. The HTML of a policy's pages is kept in the build's store, as one
    entry (`_kept_pages`).
    """

    def __init__(
        self,
        *,
        config,
        data: dict[str, str] | None = None,
        keys: dict[str, str] | None = None,
        unread: dict | None = None,
        base_nav: list,
        site_version: str,
        theme: str,
        messages: list[str],
        tick: Callable[[str], None] | None = None,
        footers: dict[str, str] | None = None,
        published: Published | None = None,
    ) -> None:
        self.config = config
        self.data = data or {}
        self.keys = keys or {}
        self.unread = unread or {}
        self.base_nav = base_nav
        self.site_version = site_version
        self.theme = theme
        self.messages = messages
        self.tick = tick
        self.footers = footers or {}
        self.published = published
        self.files: SiteFiles | None = None
        self.env = None
        self.todo: list[str] = []
        self.turns: Turns | None = None
        self.helpers: Helpers | None = None
        self.ended = 0.0  # when MkDocs' pass ended

    def start(self, files: SiteFiles, env) -> None:
        """Take the site's files (the archive pages among them) and the Jinja
        environment; set the other processes going when that is worth it."""
        self.files, self.env = files, env
        by_policy: dict[str, list[str]] = {}
        for path in files.archive_paths:
            by_policy.setdefault(addresses.archive_policy(path), []).append(path)
        self.data_of: dict[str, dict[str, str]] = {}
        for rel, text in self.data.items():
            pid = addresses.archive_policy(rel)
            self.data_of.setdefault(pid, {})[rel] = text
            by_policy.setdefault(pid, [])
        for pid in self.unread:
            by_policy.setdefault(pid, [])
        self.by_policy = by_policy
        self.todo = sorted(by_policy)
        jobs = workers() if len(files.archive_paths) >= PARALLEL_MIN else 1
        if jobs > 1 and hasattr(os, "fork"):
            self.turns = Turns(len(self.todo))
            self.helpers = Helpers([self._share] * (jobs - 1))

    def stop(self) -> None:
        """Stop the other processes (MkDocs' pass failed)."""
        if self.helpers is not None:
            self.helpers.stop()
            self.helpers = None

    def finish(self) -> ArchiveResult:
        """Render what is left here and gather what every process did."""
        self.ended = time.perf_counter()
        result = ArchiveResult()
        try:
            reports = [self._share()]
            if self.helpers is not None:
                reports += self.helpers.reports()
        except WorkFailed as failure:
            raise BuildError(f"Rendering the archive pages failed: {failure}") from failure
        finally:
            self.helpers = None
        for report in reports[1:]:  # this process's share logged its warnings here already
            self.messages.extend(report["messages"])
        for report in reports:
            result.rendered += report["rendered"]
            result.cached += report["cached"]
            result.reused += report["reused"]
            result.archives.update(report["archives"])
            result.moves.extend(report["moves"])
        result.seconds = time.perf_counter() - self.ended
        return result

    def _share(self) -> dict:
        """Build the archives of the policies this process takes (all of them when it
        is alone), with the footer placeholder in place of the site's version."""
        config = self.config
        before = len(self.messages)
        self.files.as_site_pages()  # from here on they are checked as pages of the site
        real_version = config.extra.get("site_version", "")
        config.extra["site_version"] = PLACEHOLDER
        try:
            nav = small_navigation(self.files, config, self.base_nav)
            taken = (self.todo[index] for index in self.turns) if self.turns is not None \
                else iter(self.todo)
            report = self._build(nav, taken)
        finally:
            config.extra["site_version"] = real_version
        report["messages"] = self.messages[before:]  # what MkDocs logged, for a child's share
        return report

    def _build(self, nav: Navigation, todo) -> dict:
        """Build these policies' archives: taken over from the published site, or each
        page from the cache when it has it, else rendered (and kept)."""
        config, files, env, messages = self.config, self.files, self.env, self.messages
        assert files is not None
        cache = store.current()
        doc_files = files.documentation_pages()
        common = hashlib.sha256(
            f"{self.theme}\0{_nav_signature(nav.items)}".encode()
        ).hexdigest()
        site_dir = Path(config.site_dir)
        tick, published = self.tick, self.published
        folders: set[Path] = set()
        shared = SharedParts(nav)

        def write_file(out: Path, data: bytes) -> None:
            if out.parent not in folders:
                out.parent.mkdir(parents=True, exist_ok=True)
                folders.add(out.parent)
            out.write_bytes(data)

        def write(file: File, html: str, footer: str) -> None:
            write_file(Path(file.abs_dest_path), html.replace(PLACEHOLDER, footer).encode(
                "utf-8", errors="xmlcharrefreplace"))
            if tick:
                tick(file.src_uri)

        def reusable(pid: str, key: str | None, where: list[str]) -> bool:
            return (key is not None and published is not None
                    and published.archives.get(pid) == key
                    and all((published.site / path).exists() for path in where)
                    and not any((site_dir / path).exists() for path in where))

        done: dict = {"rendered": 0, "cached": 0, "reused": 0, "archives": {}, "moves": []}
        anchors_level = config.validation.links.anchors
        for pid in todo:
            paths = self.by_policy[pid]
            footer = self.footers.get(pid, self.site_version)
            stored = self.unread.get(pid)
            files_of = self.data_of.get(pid, {})
            where = archive_folders(paths) + sorted(stored.data if stored else files_of)
            archive_key = (hashlib.sha256(f"{common}\0{footer}\0{self.keys[pid]}".encode())
                           .hexdigest() if pid in self.keys else None)
            if reusable(pid, archive_key, where):
                cache.use(_kept_pages(common, pid))  # the pages' HTML, for when they change
                done["reused"] += len(paths)
                done["moves"].extend(where)
                done["archives"][pid] = archive_key
                if tick:
                    for path in paths:
                        tick(path)
                continue
            pages = [files.archive_file(path) for path in paths]
            if stored is not None:
                made = stored.read()
                files_of = {rel: made[rel] for rel in stored.data}
                for file in pages:
                    file.content_string = made[file.src_uri].markdown
            keyed = []
            for file in pages:
                source = file.content_string  # in memory, or read from docs_dir
                key = hashlib.sha256(f"{common}\0{file.src_uri}\0{source}".encode()).hexdigest()
                keyed.append((file, key, source))
            shown = str(markupsafe.escape(footer))
            memo: sections.Memo = {}  # the sections of this policy's version pages
            before = len(messages)
            kept = cache.get_json(_kept_pages(common, pid))
            if not isinstance(kept, dict):
                kept = {}
            keep: dict[str, str] = {}
            for rel, text in files_of.items():
                write_file(site_dir / rel, text.encode("utf-8"))
            for file, key, source in keyed:
                html = kept.get(key)
                if isinstance(html, str):
                    keep[key] = html
                    write(file, html, shown)
                    done["cached"] += 1
                    continue
                warned = len(messages)
                html = _render(file, source, config, files, doc_files, nav, env, memo, shared)
                assert file.page is not None
                file.page.validate_anchor_links(files=files, log_level=anchors_level)
                if len(messages) == warned:  # only a page without a warning is kept
                    keep[key] = html
                write(file, html, shown)
                done["rendered"] += 1
            if keep != kept:
                cache.put_json(_kept_pages(common, pid), keep)
            # only an archive without a warning is recorded
            if archive_key is not None and len(messages) == before:
                done["archives"][pid] = archive_key
        return done


def _kept_pages(common: str, pid: str) -> str:
    """Where the store keeps the HTML of a policy's archive pages (page key → HTML) for
    this theme and small navigation (`common`)."""
    return store.Store.key("archive-html", common, pid)


def _render(file: File, source: str, config, files: Files, doc_files, nav, env,
            memo: sections.Memo | None = None, shared: SharedParts | None = None) -> str:
    """One page, as MkDocs' own build renders it (minus plugins, which skip these pages).

    This follows `mkdocs.commands.build._build_page` step by step, on MkDocs' private
    state where that function does: `config._current_page` is what MkDocs' Markdown
    extensions (its link rewriting and anchor collection) read to know the page being
    rendered, and MkDocs sets it the same way around each page. It is the one private
    name this module uses. A version page's Markdown is converted a section at a time,
    each section once for the pages of one policy (`sections.render`, `memo`)."""
    page = Page(None, file, config)
    config._current_page = page
    try:
        page.markdown, page.meta = meta.get_data(source)  # Page.read_source, file read once
        page.markdown, blocks = set_aside_html(page.markdown)
        if memo is not None and VERSION_PAGE.fullmatch(file.src_uri):
            sections.render(page, config, files, memo)  # the same as page.render
        else:
            page.render(config, files)
        if blocks:
            page.content = put_back_html(page.content, blocks)
            page.present_anchor_ids = (page.present_anchor_ids or set()) | html_anchors(blocks)
        page.active = True
        context = get_context(nav, doc_files, config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        if shared is not None:
            return shared.render(template, context, page)
        return template.render(context)
    except Exception as error:
        engines.error_logger().error(f"Error building page '{file.src_uri}': {error}")
        raise
    finally:
        page.active = False
        config._current_page = None


def set_aside_html(markdown: str) -> tuple[str, dict[str, str]]:
    """Take the marked raw HTML blocks (`markup.html_block`) out of a page's Markdown.

    Each becomes a token paragraph that Markdown leaves alone; `put_back_html` puts the
    HTML in its place afterwards, exactly as Markdown would have passed it through.
    """
    blocks: dict[str, str] = {}

    def token(match: re.Match) -> str:
        name = f"ARCHIVEHTMLBLOCK{len(blocks)}X"
        blocks[name] = match.group(1)
        return f"\n{name}\n"

    return HTML_BLOCK.sub(token, markdown), blocks


def put_back_html(content: str, blocks: dict[str, str]) -> str:
    for name, html in blocks.items():
        content = content.replace(f"<p>{name}</p>", html, 1)
    return content


def html_anchors(blocks: dict[str, str]) -> set[str]:
    """The ids in raw HTML that links may point at, as MkDocs' own anchor check finds them."""
    found = set()
    for html in blocks.values():
        for tag, attr, value in _ANCHOR.findall(html):
            if attr == "id" or tag == "a":
                found.add(markupsafe.Markup(value).unescape())
    return found
