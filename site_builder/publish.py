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

The pages out of the navigation that a build takes whole from its store (a policy's
page, past 40 policies: `engine.known_pages`) differ from the published ones only by
their footer, which names the build. The record says which store entry each was
written from and with which footer; such a page moves over too, and the new footer is
written over the old, which is as long (`Refooted`). Should publishing fail, the old
footer is written back before the page moves back. A folder whose every entry moves (a
policy's, when neither its page nor its archive changed) moves as one.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import store
from .store import Store

RECORD_VERSION = 2


@dataclass(frozen=True)
class Published:
    """The site now at the output folder, as the build that published it recorded it."""

    site: Path
    archives: dict[str, str] = field(default_factory=dict)  # policy id → archive key
    # a page's file (site-relative) → the key of its kept output and the footer it was
    # written with (`engine.known_pages`)
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Refooted:
    """A page the published site holds as the new site would write it, but for its
    footer, which names the build: it moves over, and the new footer (as long as the
    old) is written over the old one where it stands (`offsets`, in bytes)."""

    path: str  # site-relative
    offsets: tuple[int, ...]
    old: bytes
    new: bytes


def in_folder(published: Published | None, prefix: str) -> Published | None:
    """What the published site holds in one of its folders (a language's, `es/`): the
    archives recorded under that prefix (`es/ai-1-19`), by policy id, and the pages."""
    if published is None or not prefix:
        return published
    return Published(published.site / prefix.rstrip("/"),
                     {pid.removeprefix(prefix): key for pid, key in published.archives.items()
                      if pid.startswith(prefix)},
                     {path.removeprefix(prefix): page for path, page in published.pages.items()
                      if path.startswith(prefix)})


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
            or not isinstance(data.get("archives"), dict)
            or not isinstance(data.get("pages"), dict)):
        return None
    pages = {str(path): (page[0], page[1]) for path, page in data["pages"].items()
             if isinstance(page, list) and len(page) == 2
             and all(isinstance(item, str) for item in page)}
    return Published(out, {str(pid): str(key) for pid, key in data["archives"].items()},
                     pages)


def publish(new: Path, out: Path, *, moves: list[str] = (),
            archives: dict[str, str] | None = None, refooted: list[Refooted] = (),
            pages: dict[str, tuple[str, str]] | None = None) -> None:
    """Put the site built in `new` at `out`.

    `moves` are folders and files (site-relative) that the published site holds as the
    new one would: they move over instead of being written again; so do the `refooted`
    pages, whose footer is then written anew. `archives` (policy id → key) and `pages`
    (`Published.pages`) are what the new site holds, recorded in the build's store for
    the next build. If a move, a footer or the swap fails, what moved goes back as it
    was and the published site is as it was.
    """
    out = Path(out).resolve()
    record = _record_key(out)
    store.current().drop(record)
    moved: list[str] = []
    written: list[Refooted] = []
    made: set[Path] = set()
    try:
        for path in whole_folders(new, out, [*moves, *(page.path for page in refooted)]):
            target = new / path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.rename(out / path, target)
            moved.append(path)
        for page in refooted:
            written.append(page)
            _write_footer(new / page.path, page.offsets, page.new)
        swap_into_place(new, out)
    except OSError:
        for page in written:
            with contextlib.suppress(OSError):
                _write_footer(new / page.path, page.offsets, page.old)
        for path in reversed(moved):
            try:
                os.rename(new / path, out / path)
            except OSError:
                pass  # nothing more can be done; the next build writes every page
        raise
    store.current().put_json(record, {
        "version": RECORD_VERSION, "out": str(out), "site": _identity(out),
        "archives": archives or {}, "pages": pages or {},
    })


def whole_folders(new: Path, out: Path, paths: list[str]) -> list[str]:
    """`paths` to move from `out` to `new`, with every folder all of whose entries are
    among them, and which the new site does not have, moved as one (a policy's folder,
    when its page and its archive are both taken over: one rename instead of four and a
    folder made)."""
    by_folder: dict[str, set[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        if folder:
            by_folder.setdefault(folder, set()).add(name)
    whole = set()
    for folder, names in by_folder.items():
        try:
            if set(os.listdir(out / folder)) == names and not (new / folder).exists():
                whole.add(folder)
        except OSError:
            pass  # moved entry by entry, which reports what is wrong
    return sorted(whole) + [path for path in paths if path.rpartition("/")[0] not in whole]


def _write_footer(path: Path, offsets: tuple[int, ...], footer: bytes) -> None:
    with open(path, "r+b") as file:
        for offset in offsets:
            file.seek(offset)
            file.write(footer)


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
