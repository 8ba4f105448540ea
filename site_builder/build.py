"""The build: content/ → checked library → history → site value → HTML → published site.

Each stage is a plain function in its own module; this one runs them in order, logs each
stage with its time, and builds into a temporary folder next to the output. The output is
swapped into place only when every stage succeeded, so bad content never leaves a
half-built site: the previous site stays as it was.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from . import engine, history, pages, publish, store, translations, withdrawals
from .content import load_library
from .engine import CONFIG
from .languages import default_language
from .render_html import standard_markdown
from .site import Site, make_site
from .stamp import SiteStamp, site_stamp

Log = Callable[[str], None]


class BuildFailed(Exception):
    """The build stopped; `problems` holds one `path:line: message` (or engine line) each."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


@dataclass(frozen=True)
class BuildResult:
    out: Path
    stamp: SiteStamp
    pages: int  # Markdown pages built
    seconds: float


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, label: str, total: int, stream: TextIO | None = None):
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())

    def tick(self, _item: str = "") -> None:
        self.done += 1
        if not self.enabled:
            return
        filled = min(self.WIDTH, self.WIDTH * self.done // self.total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r  {self.label} [{bar}] {min(self.done, self.total)}/{self.total}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\r" + " " * (self.WIDTH + len(self.label) + 20) + "\r")
            self.stream.flush()


@contextmanager
def stage(log: Log, name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    log(f"{name:<10} {time.perf_counter() - start:6.2f} s")


@contextmanager
def kept_to_the_end() -> Iterator[None]:
    """Make objects that live until the end of the build without Python's cyclic collector.

    The history stage makes millions of objects (every version of every policy, parsed or
    loaded from the cache), none of them garbage, and the collector went over them again
    and again while they were made: most of the stage's time at 800 policies. It is paused
    while they are made, and they are then set apart (`gc.freeze`) so that the later
    stages' collections skip them; `build_site` lets them go again when it ends. The load
    stage's library lives as long (its collections took a rebuild at 800 policies 0.06 s).
    Only these two stages pause it: Markdown and MkDocs make garbage with cycles in every
    page."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def build_site(
    content: Path,
    out: Path,
    log: Log = print,
    *,
    now: dt.datetime | None = None,
    config_file: Path = CONFIG,
    progress_stream: TextIO | None = None,
    engine_name: str | None = None,
) -> BuildResult:
    """Build the site from `content` into `out`; raise BuildFailed and leave `out` alone.

    `engine_name` chooses the engine that renders it (`engine.ENGINES`; by default the
    TRANSPARENCY_ENGINE setting, else MkDocs), once per process."""
    try:
        if engine_name is not None:
            engine.select(engine_name)
        engine.activate()
    except engine.EngineUnavailable as error:
        raise BuildFailed(str(error)) from None
    try:
        with store.opened(store.folder_for(content)) as cache:
            result = _build_site(content, out, log, now=now, config_file=config_file,
                                 progress_stream=progress_stream)
            removed = cache.prune()  # what this build did not use, a later one will not either
        if removed:
            log(f"{'':<10} {removed} unused cache entries removed")
        return result
    finally:
        gc.unfreeze()  # what `kept_to_the_end` set apart is collected as usual again


def _build_site(
    content: Path,
    out: Path,
    log: Log,
    *,
    now: dt.datetime | None,
    config_file: Path,
    progress_stream: TextIO | None,
) -> BuildResult:
    started = time.perf_counter()
    content = Path(content)
    out = Path(out).resolve()
    check_output(out, content)
    out.parent.mkdir(parents=True, exist_ok=True)

    with stage(log, "load"), kept_to_the_end():
        library, problems = load_library(content)  # withdrawals are checked after history
        if problems:
            noun = "problem" if len(problems) == 1 else "problems"
            raise BuildFailed(f"{len(problems)} {noun} in {content}/; nothing was built",
                              problems)
        stamp = site_stamp(content, now)
    log(f"{'':<10} {len(library.policies)} policies; content version {stamp.version}")

    with stage(log, "history"), kept_to_the_end():
        histories, warnings = history.read_history(content, library)
    for warning in warnings:
        log(f"warning: {warning}")
    problems = withdrawals.history_problems(library, histories) + \
        translations.history_problems(library.translations, histories)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise BuildFailed(f"{len(problems)} {noun} in the history of {content}/; nothing was "
                          "built", problems)

    default = default_language(library.languages).code

    def make(language) -> Site:
        """One language's site value, made just before it is rendered, so that only one
        language's pages are held at a time."""
        tag = _tag(language)
        bar = Progress("pages" + tag, pages.page_count(library), progress_stream)
        try:
            return make_site(library, histories, stamp, tick=bar.tick, unread=True,
                             site_url=engine.site_url(config_file),
                             html_bodies=standard_markdown(config_file),
                             timed=lambda name, tag=tag: stage(log, name + tag),
                             language=language)
        except pages.PageProblem as problem:
            raise BuildFailed(str(problem), problem.problems) from problem
        finally:
            bar.close()

    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=out.parent))
    try:
        site_dir = work / "site"
        md_pages = 0
        published = publish.published_site(out)
        moves: list[str] = []
        archives: dict[str, str] = {}
        refooted: list[publish.Refooted] = []
        kept_pages: dict[str, tuple[str, str]] = {}
        # the default language first: its pass empties site_dir
        for language in sorted(library.languages.languages, key=lambda x: x.code != default):
            site = make(language)
            gc.freeze()  # the site value lives through the render: its collections skip it
            md_pages += len(site.pages)
            prefix = "" if site.lang == default else site.lang + "/"
            archive = _render(site, site_dir / prefix, config_file, library, log,
                              progress_stream, publish.in_folder(published, prefix))
            moves += [prefix + path for path in archive.moves]
            archives.update({prefix + pid: key for pid, key in archive.archives.items()})
            refooted += [replace(page, path=prefix + page.path) for page in archive.refooted]
            kept_pages.update({prefix + path: page for path, page in archive.pages.items()})
            del site  # the next language's pages take its place

        with stage(log, "publish"):
            try:
                publish.publish(site_dir, out, moves=moves, archives=archives,
                                refooted=refooted, pages=kept_pages)
            except OSError as error:
                raise BuildFailed(f"the new site could not be put in place of {out} "
                                  f"({error.strerror or error}); the published site is as "
                                  "it was: free some space or fix the folder's "
                                  "permissions and build again") from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    log(f"built {md_pages} pages into {out} in {seconds:.1f} s")
    return BuildResult(out, stamp, md_pages, seconds)


def _tag(language) -> str:
    """" es" after a stage's name in the log, for a language but the default."""
    return "" if language.default else f" {language.code}"


def _render(site, site_dir: Path, config_file: Path, library, log: Log,
            progress_stream: TextIO | None, published: publish.Published | None):
    """One language's pages into `site_dir` (its folder of the site), logged."""
    start = time.perf_counter()
    suffix = "" if site.lang == default_language(library.languages).code else f" {site.lang}"
    bar = Progress("mkdocs" + suffix, len(site.pages), progress_stream)
    try:
        archive = engine.render_site(site, site_dir, config_file=config_file, tick=bar.tick,
                                     published=published, languages=library.languages)
    except engine.MkDocsFailed as failure:
        raise BuildFailed(f"{engine.current().title} stopped: {failure}",
                          failure.problems) from failure
    finally:
        bar.close()
    log(f"{'mkdocs' + suffix:<10} {time.perf_counter() - start - archive.seconds:6.2f} s")
    if archive.pass_cached or archive.pass_templates:
        taken = (f", {len(archive.refooted)} kept from the published site"
                 if archive.refooted else "")
        log(f"{'':<10} {archive.pass_cached} of its pages' HTML from the cache, "
            f"{archive.pass_templates} whole{taken}")
    log(f"{'archive' + suffix:<10} {archive.seconds:6.2f} s")
    log(f"{'':<10} {archive.rendered + archive.cached + archive.reused} archive pages: "
        f"{archive.rendered} rendered, {archive.cached} from the cache, "
        f"{archive.reused} kept from the published site")
    return archive


def check_output(out: Path, content: Path) -> None:
    """Refuse an output folder whose replacement would lose something that is not a site."""
    content = Path(content).resolve()
    problem = None
    if out == content or out in content.parents:
        problem = f"the output folder {out} holds the content folder"
    elif out == Path.cwd().resolve() or out in Path.cwd().resolve().parents:
        problem = f"the output folder {out} holds the current folder"
    elif out.exists() and not out.is_dir():
        problem = f"the output {out} is a file"
    elif out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        problem = f"{out} is not empty and is not a built site (no index.html)"
    if problem:
        raise BuildFailed(f"{problem}; the build replaces the whole output folder, so "
                          "choose another --out (for example site)")
