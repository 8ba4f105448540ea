"""The MkDocs stage: build a docs folder into HTML with Material, from Python.

Does what `mkdocs build` does (load the config, start the plugins, build, shut the plugins
down) so that warnings can be collected and reported as build problems instead of being
printed by MkDocs' own command line.

The archive pages (every version, redline, comparison and changelog: `archive.is_archive`)
are left out of MkDocs' own pass and rendered right after it by `archive.render_archive`,
with the same configuration, environment and checks, a small navigation and a cache.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, BuildError, ConfigurationError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, InclusionLevel

from .archive import ArchiveResult, is_archive, render_archive

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
POLICIES_SECTION = "Policies"
NAV_POLICY_LIMIT = 40


class MkDocsFailed(Exception):
    """MkDocs stopped; `problems` holds its warnings and errors, one line each."""

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


class _Archive(BasePlugin):
    """Keeps the archive pages out of MkDocs' pass and remembers what rendering them needs.

    Pages named in `unlisted` are built but left out of the nav on purpose.
    """

    def __init__(self, unlisted: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.files = None
        self.env = None
        self.pages: list[File] = []
        self.unlisted = unlisted

    def on_files(self, files, config):  # noqa: D102 (MkDocs event)
        self.pages = []
        for file in files.documentation_pages(inclusion=lambda _: True):
            if is_archive(file.src_uri):
                file.inclusion = InclusionLevel.EXCLUDED
                self.pages.append(file)
            elif file.src_uri in self.unlisted:
                file.inclusion = InclusionLevel.NOT_IN_NAV
        self.files = files
        return files

    def on_env(self, env, config, files):  # noqa: D102 (MkDocs event)
        self.env = env
        return env


def listed_policies(policies: list[dict[str, str]]) -> list[dict[str, str]]:
    """The policy pages the nav lists: all of them, unless there are too many.

    MkDocs renders the whole nav into every page, so a nav that lists hundreds of
    policies makes the build grow with the square of their number; past
    NAV_POLICY_LIMIT the nav leads to the policy index, which lists them all.
    """
    return policies if len(policies) <= NAV_POLICY_LIMIT else []


def with_policies(nav: list, policies: list[dict[str, str]]) -> list:
    """The nav with the policy pages added to the Policies section."""
    nav = copy.deepcopy(nav)
    for item in nav:
        if isinstance(item, dict) and POLICIES_SECTION in item:
            section = item[POLICIES_SECTION]
            if isinstance(section, str):
                section = [section]
            item[POLICIES_SECTION] = list(section) + policies
            return nav
    nav.append({POLICIES_SECTION: policies})
    return nav


def build_html(
    docs_dir: Path,
    site_dir: Path,
    *,
    policies_nav: list[dict[str, str]],
    extra: dict,
    config_file: Path = CONFIG,
    strict: bool = True,
    tick: Callable[[str], None] | None = None,
    cache_dir: Path | None = None,
    used: set[str] | None = None,
) -> ArchiveResult:
    """Build docs_dir into site_dir with the site's mkdocs.yml; raise MkDocsFailed.

    `cache_dir` keeps the archive pages' HTML between builds (none: no cache); `used`
    receives the cache key of every archive page. Returns what the archive step did and
    how long it took.
    """
    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    propagate = logger.propagate
    logger.propagate = False  # report through MkDocsFailed, not on stderr
    try:
        try:
            config = load_config(
                str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=strict
            )
        except (ConfigurationError, Abort) as error:
            raise MkDocsFailed(f"mkdocs.yml: {error}", collector.messages) from error
        base_nav = copy.deepcopy(config.nav or [])
        listed = listed_policies(policies_nav)
        config.nav = with_policies(config.nav or [], listed)
        config.extra.update(extra)
        unlisted = frozenset(page for item in policies_nav if item not in listed
                             for page in item.values())
        archive = _Archive(unlisted)
        config.plugins["transparency/archive"] = archive
        if tick:
            config.plugins["transparency/progress"] = _Progress(tick)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
            before = len(collector.messages)
            result = render_archive(
                config=config, files=archive.files, env=archive.env, archive=archive.pages,
                base_nav=base_nav, site_version=str(config.extra.get("site_version", "")),
                cache_dir=cache_dir, config_file=Path(config_file),
                messages=collector.messages, tick=tick, used=used,
            )
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
        logger.removeHandler(collector)
        logger.propagate = propagate
