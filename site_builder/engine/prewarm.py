"""MkDocs' reading of the navigable pages shared with the other cores.

MkDocs reads every page of its pass (front matter, Markdown to HTML) one after another
before it renders any; with the current page of every policy among them, that was most of
the pass, on one core. So once the navigation is made (`on_nav`), another process reads
the pages from the last one backwards, each exactly as MkDocs would (MkDocs' own
`_populate_page`, with every plugin's events), and the render cache
(`mkdocs_pass._RenderCache`) keeps the result in the build's store; this process reads
them from the first one forwards, and takes a page the other has read from the store.
Each page has a state in shared memory, so that a page is read by one process only: the
two meet in the middle, and this process waits only for a page the other has started.

A page whose reading logged a warning is not kept (the render cache keeps only a page
without one), so this process reads it again and logs its warnings itself. Without a
store, or with one core, this process reads every page, as MkDocs does.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable

from mkdocs.commands import build as _build
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import InclusionLevel

from ..parallel import Helpers, workers

PREWARM_MIN = 24  # fewer pages than this: not worth a process
WAIT = 60.0  # seconds to wait for a page the other process started before reading it here

FREE, THEIRS, READ, LEFT, OURS = range(5)  # a page's state


class Prewarm(BasePlugin):
    """Reads the pass's pages from the last backwards in another process (see above).

    `then(page)` is called in that process after each page it has read: the search
    cache (`search_cache.SearchCache.prepare`) keeps the page's search entries then, which
    this process would otherwise make one page after another once every page is read."""

    def __init__(self, then: Callable[[object], None] | None = None) -> None:
        super().__init__()
        self.then = then
        self.states = None
        self.index: dict[str, int] = {}
        self.helpers: Helpers | None = None
        self.reading = False  # this is the other process

    def on_nav(self, nav, config, files):  # noqa: D102 (MkDocs event)
        pages = files.documentation_pages(inclusion=InclusionLevel.is_included)
        if len(pages) < PREWARM_MIN or workers() < 2 or not hasattr(os, "fork"):
            return nav
        self.index = {file.src_uri: i for i, file in enumerate(pages)}
        self.states = multiprocessing.get_context("fork").Array("b", len(pages))

        def read_from_the_end() -> dict:
            self.reading = True
            done = 0
            for i in reversed(range(len(pages))):
                with self.states.get_lock():
                    if self.states[i] != FREE:
                        break  # this process has come this far: the rest is its
                    self.states[i] = THEIRS
                page = pages[i].page
                read = False
                try:
                    # MkDocs' own reading of a page (private: it has no public name), so
                    # that every plugin sees the page as in MkDocs' pass
                    _build._populate_page(page, config, files)
                    read = True
                    if self.then is not None:
                        self.then(page)
                finally:
                    self.states[i] = READ if read else LEFT
                done += 1
            return {"read": done}

        self.helpers = Helpers([read_from_the_end])
        return nav

    def on_page_markdown(self, markdown, page, config, files):  # noqa: D102 (MkDocs event)
        """Claim the page, or wait for the other process to finish reading it."""
        i = self.index.get(page.file.src_uri)
        if self.states is None or i is None or self.reading:
            return markdown
        with self.states.get_lock():
            if self.states[i] == FREE:
                self.states[i] = OURS
                return markdown
        waited = time.monotonic()
        while self.states[i] == THEIRS and time.monotonic() - waited < WAIT:
            time.sleep(0.0005)
        return markdown  # the render cache has it, unless it was left or logged a warning

    def on_env(self, env, config, files):  # noqa: D102 (MkDocs event)
        self.finish()
        return env

    def finish(self) -> None:
        """Wait for the other process (every page is read by now)."""
        if self.helpers is not None:
            helpers, self.helpers = self.helpers, None
            helpers.wait()
        self.states = None

    def stop(self) -> None:
        if self.helpers is not None:
            self.helpers.stop()
            self.helpers = None
