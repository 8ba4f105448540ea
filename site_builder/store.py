"""The build's one cache: a keyed store on disk, with get, put, mark used and prune.

A build opens the store once (`opened`) and the stages that pay for caching ask for it
(`current`) at their boundary: a policy's history, a policy's pages, a page's HTML. No
stage takes a cache as a parameter, and a stage run outside a build (a test, a
benchmark) finds the store closed: every `get` misses and every `put` is dropped.

Entries are files named by their key in folders named by the key's first two
characters. Each is written whole or not at all (a temporary file, then a rename), and
starts with a mark and the length of what follows, so an entry cut short by a crash, a
full disk or a power cut reads as a miss rather than as a truncated page. (A digest of
the content was tried first: at 800 policies it cost a rebuild 0.6 s of hashing some
800 MB, for no case the length misses that JSON or pickle would not refuse.)

An entry is marked used by setting its modification time; `prune` removes the entries
no build touched since this store was opened. That works across the processes a build
forks (nothing has to be sent back) and leaves alone what a build running at the same
time is using. The time is the file system's own clock, read from a mark written when
the store opens, so a coarse clock in the kernel cannot make a fresh entry look old. The
folder is made by the first entry written, so a build that stops early leaves nothing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_MAGIC = b"TS1"  # at the start of every entry, then the length of the rest (8 bytes)
_HEADER = len(_MAGIC) + 8
_MARK = ".opened"
_STALE_TMP = 3600  # seconds: a temporary file this old belongs to a build that died


class Store:
    """Entries under `folder`; with None, a store that keeps nothing."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None
        self._root = str(self.folder) if self.folder is not None else ""
        self.opened_ns = 0  # a store made by this build holds nothing older to prune
        self.hits = 0
        self.misses = 0
        if self.folder is not None and self.folder.is_dir():
            self.opened_ns = self._mark()

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    @staticmethod
    def key(*parts: str | bytes) -> str:
        """A key for everything an entry is made from (any number of strings)."""
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def _path(self, key: str) -> str:
        """The entry's file: a string, as a build names tens of thousands of them (a
        `Path` cost a rebuild at 800 policies about a second)."""
        assert self.folder is not None
        return os.path.join(self._root, key[:2], key)

    def _mark(self) -> int:
        """Touch the store's mark and return its time: the file system's "now"."""
        assert self.folder is not None
        try:
            mark = self.folder / _MARK
            mark.touch()
            os.utime(mark)
            return mark.stat().st_mtime_ns
        except OSError:  # a store that cannot be written only costs time
            return time.time_ns()

    # -- bytes ---------------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """The entry under `key`, marked used; None when there is none or it is damaged."""
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            with open(path, "rb") as file:
                raw = file.read()
        except OSError:
            self.misses += 1
            return None
        data = raw[_HEADER:]
        if raw[:len(_MAGIC)] != _MAGIC or raw[len(_MAGIC):_HEADER] != _length(data):
            self.misses += 1
            return None
        self.use(key)
        self.hits += 1
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`: whole or not at all. A failure only costs time later."""
        if self.folder is None:
            return
        path = self._path(key)
        tmp = f"{path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(tmp, "wb") as out:
                out.write(_MAGIC + _length(data))
                out.write(data)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def drop(self, key: str) -> None:
        """Remove the entry under `key`, if there is one."""
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self._path(key))

    def use(self, *keys: str) -> None:
        """Mark entries used by this build without reading them (they survive `prune`)."""
        if self.folder is None:
            return
        for key in keys:
            with contextlib.suppress(OSError):
                os.utime(self._path(key))

    def keep(self, key: str) -> bool:
        """Mark the entry under `key` used without reading it; whether there is one (it
        may still read as damaged later: `get` then misses)."""
        if self.folder is None:
            return False
        try:
            os.utime(self._path(key))
        except OSError:
            return False
        return True

    def prune(self) -> int:
        """Remove the entries no build used since this store opened; how many.

        Temporary files are left to the build writing them, unless they are an hour old
        (a build that died mid-write)."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        stale_tmp = self.opened_ns - _STALE_TMP * 1_000_000_000
        # os.scandir rather than Path: a store holds tens of thousands of entries
        with os.scandir(self._root) as subs:
            folders = [sub.path for sub in subs if len(sub.name) == 2 and sub.is_dir()]
        for folder in folders:
            try:
                with os.scandir(folder) as found:
                    entries = list(found)
            except OSError:
                continue
            for entry in entries:
                try:
                    mtime = entry.stat().st_mtime_ns
                    if entry.name.endswith(".tmp"):
                        if mtime >= stale_tmp:
                            continue
                    elif mtime >= self.opened_ns:
                        continue
                    os.unlink(entry.path)
                except OSError:
                    continue  # gone already, or not ours to remove: only space is lost
                removed += 1
        return removed

    # -- values --------------------------------------------------------------------------

    def get_text(self, key: str) -> str | None:
        data = self.get(key)
        try:
            return None if data is None else data.decode("utf-8")
        except UnicodeDecodeError:  # not text this code wrote: make it again
            return None

    def put_text(self, key: str, text: str) -> None:
        self.put(key, text.encode("utf-8"))

    def get_json(self, key: str) -> Any:
        """The value `put_json` kept; None when there is none or it does not parse."""
        data = self.get(key)
        try:
            return None if data is None else json.loads(data)
        except ValueError:  # not JSON this code wrote: make it again
            return None

    def put_json(self, key: str, value: Any) -> None:
        self.put(key, json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                                 default=str).encode("utf-8"))

    def get_object(self, key: str) -> Any:
        """A Python value this store's `put_object` kept (a pickle this build's code
        wrote into its own folder, never one from elsewhere); None when there is none."""
        data = self.get(key)
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 (made by other code: make it again)
            return None

    def put_object(self, key: str, value: Any) -> None:
        self.put(key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def _length(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big")


_CLOSED = Store(None)
_current: Store = _CLOSED


def current() -> Store:
    """The store of the build under way; a store that keeps nothing outside a build."""
    return _current


@contextlib.contextmanager
def opened(folder: Path | None) -> Iterator[Store]:
    """Open the store at `folder` (None: no cache) for the stages of one build. When the
    build stops with an error, a folder this build made is removed again (and the folder
    above it, when this build made that too and left it empty): the first build of
    content with a mistake in it leaves nothing behind, although the load stage keeps
    each file's checks before the mistakes stop it."""
    global _current
    before = _current
    _current = Store(folder) if folder is not None else _CLOSED
    made = [] if folder is None else [path for path in (Path(folder), Path(folder).parent)
                                      if not path.exists()]
    try:
        yield _current
    except BaseException:
        for path in made:
            if path == Path(folder):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.rmdir()  # only when empty
        raise
    finally:
        _current = before


def folder_for(content: Path) -> Path | None:
    """Where the store lives: $TRANSPARENCY_CACHE, or else `.cache/transparency/` next to
    the content folder (ignored by git); `off` turns caching off. It lives outside the
    output, which each build replaces."""
    value = os.environ.get("TRANSPARENCY_CACHE")
    if value is not None and value.strip().lower() in ("off", "none", "0", ""):
        return None
    if value:
        return Path(value)
    return Path(content).resolve().parent / ".cache" / "transparency"


@functools.cache
def source_hash(*modules: str) -> str:
    """A digest of these modules' source (paths relative to site_builder/), read once per
    process: an entry made by other code is not taken for this code's."""
    digest = hashlib.sha256()
    for name in modules:
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()
