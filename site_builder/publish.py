"""The publish stage: put the built site in the place of the published one.

The build makes the new site in a temporary folder next to the output, and only a build
in which every stage succeeded gets here: bad content never leaves a half-built site.
Publishing is two renames (`swap_into_place`), so the output folder holds either the old
site or the new one.

A policy's archive pages (every version, redline, comparison and changelog) never change
once published, and their footer names the policy's last change rather than the build
(`SiteStamp.policy_footer`). So when the published site already holds a policy's archive
exactly as this build would write it, its folders are moved into the new site instead of
being written again: at 800 policies that spares writing some 24,000 pages (about 900 MB)
on every build and deleting as many with the old site. What the published site holds is
recorded in the build's store after each publish, with the output folder's identity (its
inode, and the inode and modification time of its `index.html`), so a site replaced or
rebuilt by other means is never taken for the one recorded. The record is removed before
anything moves and written again only once the new site is in place, so a build stopped
halfway leaves no record and the next build writes every page.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import store
from .store import Store

RECORD_VERSION = 1


@dataclass(frozen=True)
class Published:
    """The site now at the output folder, as the build that published it recorded it."""

    site: Path
    archives: dict[str, str] = field(default_factory=dict)  # policy id → archive key


def in_folder(published: Published | None, prefix: str) -> Published | None:
    """What the published site holds in one of its folders (a language's, `es/`): the
    archives recorded under that prefix (`es/ai-1-19`), by policy id."""
    if published is None or not prefix:
        return published
    return Published(published.site / prefix.rstrip("/"),
                     {pid.removeprefix(prefix): key for pid, key in published.archives.items()
                      if pid.startswith(prefix)})


def _record_key(out: Path) -> str:
    return Store.key("published", str(RECORD_VERSION), str(out))


def _identity(out: Path) -> list[int] | None:
    try:
        folder = out.stat()
        index = (out / "index.html").stat()
    except OSError:
        return None
    return [folder.st_dev, folder.st_ino, index.st_ino, index.st_mtime_ns]


def published_site(out: Path) -> Published | None:
    """What the site at `out` holds of each policy's archive; None when that is not known
    (no store, no record, or the folder was replaced or rebuilt since it was recorded)."""
    out = Path(out).resolve()
    data = store.current().get_json(_record_key(out))
    if (not isinstance(data, dict) or data.get("version") != RECORD_VERSION
            or data.get("out") != str(out) or data.get("site") != _identity(out)
            or not isinstance(data.get("archives"), dict)):
        return None
    return Published(out, {str(pid): str(key) for pid, key in data["archives"].items()})


def publish(new: Path, out: Path, *, moves: list[str] = (),
            archives: dict[str, str] | None = None) -> None:
    """Put the site built in `new` at `out`.

    `moves` are folders and files (site-relative) that the published site holds as the
    new one would: they move over instead of being written again. `archives` (policy
    id → key) is what the new site holds, recorded in the build's store for the next
    build. If a move or the swap fails, what moved goes back and the published site is
    as it was.
    """
    out = Path(out).resolve()
    record = _record_key(out)
    store.current().drop(record)
    moved: list[str] = []
    try:
        for path in moves:
            target = new / path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(out / path, target)
            moved.append(path)
        swap_into_place(new, out)
    except OSError:
        for path in reversed(moved):
            try:
                os.rename(new / path, out / path)
            except OSError:
                pass  # nothing more can be done; the next build writes every page
        raise
    store.current().put_json(record, {
        "version": RECORD_VERSION, "out": str(out), "site": _identity(out),
        "archives": archives or {},
    })


def swap_into_place(new: Path, out: Path) -> None:
    """Replace `out` by `new` with two renames; put the old one back if the second fails."""
    old = None
    if out.exists():
        old = new.parent / "previous"
        out.rename(old)
    try:
        new.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)
        raise
