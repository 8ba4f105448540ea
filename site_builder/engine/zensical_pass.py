"""The render stage on Zensical: the site value (`site.Site`) written to disk and built by
Zensical, a canary for the engine after Material's end of life (`docs/engines.md`).

Zensical has no plugin API: nothing of the build can run inside its pass. So every page
(the navigable ones and the archive pages alike) is written as Markdown into a docs folder,
next to a configuration generated from the site's mkdocs.yml for the page's language, and
Zensical is run on them in a process of its own. Its warnings are read from its output.
What it cannot do yet is not done: there is no archive step (every archive page is built
by Zensical's pass, with the full navigation), no cache, no progress bar, and no archive is
taken over from the published site.

Two things the MkDocs pass gets from MkDocs are done here:

- a nav entry that names no page: Zensical builds it silently, so the nav is checked
  against the docs folder first and each missing page is a warning;
- the theme: the site's `theme/` with the overrides Zensical's templates need instead
  (`theme-zensical/`) laid over it, so MkDocs' output does not change.

Each archive page's footer names its policy's last change (`Site.footers`); it is passed in
the page's front matter as `site_version`, which the Zensical copyright partial prefers.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import yaml
from mkdocs.utils.yaml import yaml_load

from .. import addresses
from ..files import write_files
from ..languages import by_code, default_language, gettext
from ..markup import HTML_END, HTML_START, PageSource
from ..publish import Published
from ..schema import ENGLISH_ONLY, LanguageEntry, LanguagesRegistry
from ..site import ARCHIVE, Site
from . import CONFIG
from .archive import ArchiveResult
from .languages import configure
from .mkdocs_pass import (
    NAV_POLICY_LIMIT,
    POLICIES_SECTION,
    MkDocsFailed,
    listed_policies,
    site_url,
    with_policies,
)

__all__ = ["NAV_POLICY_LIMIT", "MkDocsFailed", "listed_policies", "render_site", "site_url",
           "with_policies", "OVERLAY", "TIMEOUT"]

OVERLAY = Path(__file__).resolve().parents[2] / "theme-zensical"
# theme/ files Zensical's own templates replace: its search is a button that opens a
# dialog its script draws (already named), where Material's was the dialog itself
DROPPED = ("partials/search.html",)
# The words of the theme's templates, which MkDocs' pass gives them as `_()`
# (`languages.install_words`): here `extra.words`, in the page's language
WORDS = ("Link", "%(label)s copied", "Navigation menu", "Search", "Language",
         "Give feedback", "Report a possible violation")
TIMEOUT = 1800  # seconds Zensical may take on one language
# How Zensical reports a problem: "Warning: page does not exist", then a box whose top
# names the file, line and column ("╭─[ policies/x/changelog/index.md:23:8 ]") and whose
# numbered lines quote the source; after them, "5 issues found".
_ISSUE = re.compile(r"^(Warning|Error): (.+)$")
_WHERE = re.compile(r"╭─\[\s*(.+?)\s*\]")
_QUOTED = re.compile(r"^\s*\d+\s*│\s?(.*\S)")
_COUNT = re.compile(r"^(\d+) issues? found")
# A marked HTML block (`markup.html_block`) that is one opening tag alone
_OPENING_BLOCK = re.compile(rf"^({re.escape(HTML_START)}\n<div\b(?![^>]*\bmarkdown\b)[^>]*)>"
                            rf"(?=\n{re.escape(HTML_END)}$)", re.M)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def generated_config(config_file: Path, site: Site, language: LanguageEntry,
                     languages: LanguagesRegistry) -> dict:
    """The site's mkdocs.yml for Zensical and `site`'s language, as the MkDocs pass sets
    it (`languages.configure`, the policy pages in the nav, the footer), with the words of
    the theme's templates and Material's classic look."""
    with open(config_file, encoding="utf-8") as file:
        raw = yaml_load(file)
    config = SimpleNamespace(**{key: copy.deepcopy(value) for key, value in raw.items()})
    config.extra = dict(getattr(config, "extra", None) or {})
    config.theme = dict(getattr(config, "theme", None) or {})
    config.site_url = getattr(config, "site_url", None)
    config.site_description = getattr(config, "site_description", None)
    config.nav = getattr(config, "nav", None) or []
    configure(config, language, languages)  # the nav's titles in the language
    config.nav = with_policies(config.nav, listed_policies(site.nav),
                               gettext(site.lang, POLICIES_SECTION))
    config.extra["site_version"] = site.footer
    config.extra["words"] = {word: gettext(site.lang, word) for word in WORDS}
    config.theme["variant"] = "classic"  # the modern one fails axe's colour contrast with ours
    return {key: value for key, value in vars(config).items() if value is not None}


def nav_pages(nav) -> list[str]:
    """Every page the nav names (its links to other addresses left out)."""
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    if isinstance(nav, list):
        return [page for item in nav for page in nav_pages(item)]
    if isinstance(nav, str) and not nav.startswith("/") and "://" not in nav:
        return [nav]
    return []


def missing_nav_pages(nav, docs: Path) -> list[str]:
    """A warning, worded as MkDocs words it, for each nav entry whose page is not there."""
    return [f"WARNING: A reference to '{page}' is included in the 'nav' configuration, "
            "which is not found in the documentation files."
            for page in nav_pages(nav) if not (docs / page).is_file()]


def write_docs(site: Site, docs: Path) -> None:
    """Every page and file of `site` into `docs`, each page as Zensical is to read it
    (`for_zensical`)."""
    sources = {path: page.markdown for path, page in site.pages.items() if page.source}
    for stored in site.unread.values():
        sources.update({path: made.markdown if isinstance(made, PageSource) else made
                        for path, made in stored.read().items()})
    for path, text in sources.items():
        if path.endswith(".md"):
            policy = addresses.archive_policy(path) if addresses.is_archive_page(path) else None
            sources[path] = for_zensical(text, site.footers.get(policy) if policy else None)
    write_files(docs, {**sources, **site.files, **site.archive_files})


def for_zensical(markdown: str, footer: str | None = None) -> str:
    """A page's Markdown as Zensical is to read it.

    - A marked HTML block that only opens an element (`<div lang="en">`, whose end is a
      block of its own) is set aside by MkDocs' archive step, and the Markdown between
      the two blocks converted as usual; Python-Markdown alone would take everything up
      to the end tag for raw HTML. It gets `markdown` (md_in_html), which converts it.
    - An archive page's footer (`footer`: its policy's last change) goes into its front
      matter as `site_version`, which the copyright partial prefers.
    """
    markdown = _OPENING_BLOCK.sub(r"\1 markdown>", markdown)
    if footer and markdown.startswith("---\n"):
        markdown = markdown.replace(
            "\n---\n", f"\nsite_version: {json.dumps(footer, ensure_ascii=False)}\n---\n", 1)
    return markdown


def theme_folder(config_file: Path, custom_dir: str | None, into: Path) -> Path:
    """The site's theme (mkdocs.yml's `custom_dir`) with Zensical's overrides laid over
    it, in `into`."""
    into.mkdir()
    if custom_dir:
        shutil.copytree(Path(config_file).parent / custom_dir, into, dirs_exist_ok=True)
    for path in DROPPED:
        (into / path).unlink(missing_ok=True)
    if OVERLAY.is_dir():
        shutil.copytree(OVERLAY, into, dirs_exist_ok=True)
    return into


def run_zensical(config: Path) -> tuple[int, list[str], str]:
    """Build the project `config` names; its exit status, problems and whole output."""
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "zensical", "build", "--clean",
                           "--config-file", str(config)],
                          cwd=config.parent, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    output = _ANSI.sub("", done.stdout + done.stderr)
    return done.returncode, problems_in(output), output


def problems_in(output: str) -> list[str]:
    """Each warning or error in Zensical's output as one line, worded as MkDocs' are:
    `WARNING: path:line:column: message: the source quoted`. When it counts more issues
    than are read here, its whole output is the problem, so that none goes unseen."""
    problems: list[list[str]] = []
    counted = 0
    for line in output.splitlines():
        if issue := _ISSUE.match(line):
            problems.append([issue.group(1).upper() + ":", "", issue.group(2).strip(), ""])
        elif problems and (where := _WHERE.search(line)) and not problems[-1][1]:
            problems[-1][1] = where.group(1) + ":"
        elif problems and (quoted := _QUOTED.match(line)) and not problems[-1][3]:
            problems[-1][3] = ": " + quoted.group(1).strip()
        elif count := _COUNT.match(line.strip()):
            counted += int(count.group(1))
    lines = [" ".join(part for part in parts[:3] if part) + parts[3] for parts in problems]
    if counted > len(lines):
        lines.append(f"ERROR: Zensical found {counted} issues; its output:\n{output.strip()}")
    return lines


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
    """Render every page and file of `site` into site_dir with Zensical; raise
    MkDocsFailed on its warnings (in strict mode) or when it stops.

    `tick` and `published` are taken for the same call as the MkDocs pass, and unused:
    Zensical reports no page as it goes, and every archive page is built again."""
    del tick, published
    language = by_code(languages, site.lang) or default_language(languages)
    site_dir = Path(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    project = Path(tempfile.mkdtemp(prefix=".zensical-", dir=site_dir.parent))
    try:
        docs = project / "docs"
        write_docs(site, docs)
        config = generated_config(Path(config_file), site, language, languages)
        config.update(docs_dir="docs", site_dir="site", strict=False)
        config["theme"]["custom_dir"] = theme_folder(
            Path(config_file), config["theme"].get("custom_dir"), project / "theme").name
        config_path = project / "mkdocs.yml"
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                               encoding="utf-8")
        problems = missing_nav_pages(config.get("nav") or [], docs)
        status, warnings, output = run_zensical(config_path)
        problems += warnings
        if status != 0:
            last = output.strip().splitlines()[-1:] or ["no output"]
            raise MkDocsFailed(f"Zensical exited with status {status}: {last[0]}",
                               problems or output.strip().splitlines()[-20:])
        if strict and problems:
            raise MkDocsFailed(f"Aborted with {len(problems)} warnings in strict mode!",
                               problems)
        if site_dir.exists():
            shutil.rmtree(site_dir)
        shutil.move(project / "site", site_dir)
        return ArchiveResult(rendered=sum(1 for page in site.pages.values()
                                          if page.kind == ARCHIVE))
    finally:
        shutil.rmtree(project, ignore_errors=True)
