"""Builds in a process of its own, on the engine TRANSPARENCY_ENGINE names.

An engine is chosen once per process (`site_builder/engine/engines.py`), so a test that
builds on another engine than its own runs this. Its one argument is a JSON list of
builds, each `{"content", "out", "config_file"?, "now"?, "broken_archive_link"?}`; it
prints a JSON list of results, each `{"engine", "built", "message", "problems"}`.

`broken_archive_link` adds a link to a missing page to every policy's changelog, an
archive page (rendered outside the engine's own pass).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path

from site_builder import engine, versions
from site_builder.build import BuildFailed, build_site

BROKEN_LINK = "\n[Gone](../no-such-page.md)\n"


def run(job: dict) -> dict:
    original = versions.changelog_md
    if job.get("broken_archive_link"):
        def broken(*args, **kwargs):
            page = original(*args, **kwargs)
            return replace(page, body=page.body + BROKEN_LINK)

        versions.changelog_md = broken
    now = dt.datetime.fromisoformat(job["now"]) if job.get("now") else None
    config = {"config_file": Path(job["config_file"])} if job.get("config_file") else {}
    try:
        build_site(Path(job["content"]), Path(job["out"]), log=lambda _: None, now=now,
                   **config)
        result = {"built": True, "message": "", "problems": []}
    except BuildFailed as failure:
        result = {"built": False, "message": str(failure),
                  "problems": [str(problem) for problem in failure.problems]}
    finally:
        versions.changelog_md = original
    return {"engine": engine.current().name, **result}


if __name__ == "__main__":
    print(json.dumps([run(job) for job in json.loads(sys.argv[1])]))
