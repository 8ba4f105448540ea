"""The site as a value: every page and file the build publishes, made before anything is
rendered. A page has its path, URL, title, front matter, body, kind and language.

The page modules (`pages/`), the open data and the archive (`versions.py`) each hand
over their files by path; `make_site` gathers them into one `Site`, which the render stage
(`engine/`) turns into HTML without reading anything back from disk. A page knows
whether it is in MkDocs' own pass (a page of the navigation, and the pages it lists) or in
a policy's archive, rendered apart and taken over from the published site when unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from . import addresses, languages, opendata, pages, versions
from .content import Library
from .files import write_files
from .history import PolicyHistory
from .markup import PageSource
from .parallel import Alongside
from .schema import LanguageEntry
from .stamp import SiteStamp

NAVIGABLE = "navigable"  # rendered by MkDocs' pass, searchable, may be in the navigation
ARCHIVE = "archive"  # a policy's version, redline, comparison or changelog page


@dataclass(frozen=True)
class Page:
    path: str  # its source in the docs folder (`addresses`)
    source: PageSource | None  # its front matter and Markdown body; None: in `Site.unread`
    kind: str  # NAVIGABLE or ARCHIVE
    policy: str | None = None  # the policy whose archive holds it
    lang: str = "en"

    @property
    def url(self) -> str:
        return addresses.url(self.path)

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def meta(self) -> dict:
        """The front matter's fields (title, description, search, hide…)."""
        return self.source.meta

    @property
    def body(self) -> str:
        return self.source.body

    @property
    def markdown(self) -> str:
        """Front matter and body, as MkDocs reads a page."""
        return self.source.markdown


@dataclass(frozen=True)
class Site:
    pages: dict[str, Page]  # by path
    files: dict[str, str]  # data files and feeds, by path
    archive_files: dict[str, str]  # data files that go with a policy's archive, by path
    nav: list[dict[str, str]]  # the policy pages for the navigation, in reading order
    footers: dict[str, str] = field(default_factory=dict)  # policy id → its archive's footer
    footer: str = ""  # every other page's footer: the content version
    # policy id → the key of everything its archive files are made from (none without a
    # store), and the archives whose files the store holds and nobody has read yet: their
    # pages have no source here (`versions.Unread.read` gives them)
    archive_keys: dict[str, str] = field(default_factory=dict)
    unread: dict[str, versions.Unread] = field(default_factory=dict)
    lang: str = languages.DEFAULT  # the language its pages are written in

    def navigable(self) -> list[Page]:
        return [page for page in self.pages.values() if page.kind == NAVIGABLE]

    def archive(self) -> list[Page]:
        return [page for page in self.pages.values() if page.kind == ARCHIVE]

    def write(self, folder: Path) -> list[Path]:
        """The site's sources as a docs folder: to look at, or to build with bare MkDocs."""
        sources = {path: page.markdown for path, page in self.pages.items() if page.source}
        for stored in self.unread.values():
            sources.update({path: made.markdown if isinstance(made, PageSource) else made
                            for path, made in stored.read().items()})
        return write_files(folder, {**sources, **self.files, **self.archive_files})


def make_site(
    library: Library, histories: dict[str, PolicyHistory], stamp: SiteStamp,
    *, tick: Callable[[str], None] | None = None, site_url: str | None = None,
    timed: Callable[[str], AbstractContextManager] = lambda _: nullcontext(),
    unread: bool = False,
    language: LanguageEntry | None = None,
    html_bodies: bool = False,
) -> Site:
    """Every page and file of the site; `pages.PageProblem` on content the current pages
    cannot be made from. `timed(name)` wraps each of the two steps (the build logs their
    times): the current pages and open data ("pages"), then the archive ("versions"),
    which with a second core is made there meanwhile (`parallel.Alongside`): its time
    is then what the build still waits for it once the pages are made.
    With `unread`, the archives the store holds are left there (`Site.unread`) for the
    render stage, which may take them over from the published site without reading them.

    `language` is the language the pages are written in (the default when None); another
    language's site has the same paths and is published under its prefix (`/es/`).
    `html_bodies`: the site's Markdown is converted as `render_html` converts pieces of
    it (`render_html.standard_markdown`), so the policies' pages and the version pages
    may carry their text as HTML."""
    lang = language.code if language else languages.DEFAULT
    settings = stamp.as_dict()
    if site_url:
        settings["site_url"] = site_url
    if html_bodies:
        settings["html_bodies"] = True
    # the archive's files are made on another core meanwhile; `timed("versions")` is
    # then what the build waits for them once the current pages are made
    archive = Alongside(lambda: versions.sendable(versions.archive_parts(
        library, histories, settings, unread=unread, language=language)))
    try:
        with timed("pages"):
            made = pages.current_pages(library, histories, stamp, tick=tick,
                                       language=language, html_bodies=html_bodies)
            site_pages = {path: Page(path, page, NAVIGABLE) for path, page in made.items()}
            files = opendata.open_data_files(library, histories, stamp)
        with timed("versions"):
            per_policy, others, keys = versions.received(archive.result(), library,
                                                         histories, settings, language)
    finally:
        archive.stop()  # when the pages failed: nothing more is wanted of it
    archive_data: dict[str, str] = {}
    stored: dict[str, versions.Unread] = {}
    for made in [*per_policy.values(), others]:
        if isinstance(made, versions.Unread):
            stored[made.policy] = made
            made = dict.fromkeys(made.pages)
        for path, made_here in made.items():
            policy = addresses.archive_policy(path)
            if made_here is None or isinstance(made_here, PageSource):
                kind = ARCHIVE if addresses.is_archive_page(path) else NAVIGABLE
                site_pages[path] = Page(path, made_here, kind,
                                        policy if kind == ARCHIVE else None)
            elif policy is not None:
                archive_data[path] = made_here
            else:
                files[path] = made_here
    return Site(
        pages=site_pages,
        files=files,
        archive_files=archive_data,
        nav=pages.nav_policies(library, language),
        footers={pid: versions.archive_footer(h, stamp, lang) for pid, h in histories.items()},
        footer=stamp.footer_in(lang),
        lang=lang,
        archive_keys=keys,
        unread=stored,
    )

