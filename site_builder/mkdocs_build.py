"""The MkDocs stage: build a docs folder into HTML with Material, from Python.

Does what `mkdocs build` does (load the config, start the plugins, build, shut the plugins
down) so that warnings can be collected and reported as build problems instead of being
printed by MkDocs' own command line.
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

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
POLICIES_SECTION = "Policies"


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
) -> None:
    """Build docs_dir into site_dir with the site's mkdocs.yml; raise MkDocsFailed."""
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
        config.nav = with_policies(config.nav or [], policies_nav)
        config.extra.update(extra)
        if tick:
            config.plugins["transparency/progress"] = _Progress(tick)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        except (Abort, BuildError) as error:
            raise MkDocsFailed(str(error), collector.messages) from error
        finally:
            config.plugins.on_shutdown()
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate
