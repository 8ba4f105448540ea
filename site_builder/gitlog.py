"""Talking to git: the commands the history stage runs, and its log pass kept between builds.

The whole history is read in one pass: one `git log` over the policies folder (renames as
`R100 old new`, followed in `lineage.py`) and one long-lived `git cat-file --batch` for the
file contents. The cost grows with the number of commits, not commits × files. With a
cache folder, what that pass produced is kept (`Log`), and the next build reads only the
commits after the HEAD it ended at when HEAD still descends from it (`commits_since`).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import secrets_scan, store
from .content import POLICY_DIR
from .tracking_codes import split_codes

EDITORIAL_TRAILER = "Editorial"
ROLE_TRAILER = "Published-by"
RESPONDS_TRAILER = "Responds-to"  # the tracking codes of the feedback a revision answers
TRUE_VALUES = {"true", "yes", "1"}

# Variables that would point git at another repository than the content's.
_GIT_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)


class GitError(Exception):
    pass


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    return env


def git(cwd: Path, *args: str, check: bool = True) -> str:
    """Run git in a folder; return its output. Raises GitError with git's message."""
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            env=_git_env(),
            check=False,
        )
    except OSError as error:
        raise GitError(f"git could not be run ({error.strerror})") from None
    if check and result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return result.stdout.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Repository:
    """Where a content folder lives in git."""

    top: Path  # the repository's top-level folder
    prefix: str  # the content folder inside it, '' or 'content/' (with the slash)
    shallow: bool
    head: str | None  # None before the first commit


def locate(content_dir: Path) -> tuple[Repository | None, str | None]:
    """The repository holding a content folder, or None and the reason."""
    content_dir = Path(content_dir).resolve()
    try:
        top = git(content_dir, "rev-parse", "--show-toplevel").strip()
        prefix = git(content_dir, "rev-parse", "--show-prefix").strip()
        shallow = git(content_dir, "rev-parse", "--is-shallow-repository").strip() == "true"
        head = git(content_dir, "rev-parse", "--verify", "--quiet", "HEAD", check=False).strip()
    except GitError as error:
        return None, str(error)
    return Repository(Path(top), prefix, shallow, head or None), None


@dataclass
class FileChange:
    status: str  # A, M, D, R, C, T
    path: str
    old_path: str | None
    blob: str | None  # new blob; None for a deletion


@dataclass
class Commit:
    sha: str
    published: dt.datetime
    editorial: bool
    role: str | None
    message: str
    changes: list[FileChange]
    leak: str | None = None  # what the message looks like it holds ("a GitHub token")
    responds_to: tuple[str, ...] = ()  # Responds-to trailers' items, as written


_COMMIT = "\x1eCOMMIT"
_LOG_FORMAT = (
    "%x1eCOMMIT%x00%H%x00%cI%x00"
    f"%(trailers:key={EDITORIAL_TRAILER},valueonly,separator=%x2C)%x00"
    f"%(trailers:key={ROLE_TRAILER},valueonly,separator=%x2C)%x00"
    f"%(trailers:key={RESPONDS_TRAILER},valueonly,separator=%x2C)%x00"
    "%B%x00"
)
_ZERO = "0" * 40


def read_log(repo: Repository, since: str | None = None) -> list[Commit]:
    """Every commit that touched the policies folder, oldest first, in one git log.

    With `since`, only the commits after it (`since..HEAD`)."""
    return read_folder_log(repo, POLICY_DIR, since)


def read_folder_log(repo: Repository, folder: str, since: str | None = None) -> list[Commit]:
    """Every commit that touched `folder` (relative to the content folder), oldest first,
    in one git log; with `since`, only the commits after it."""
    folder = f"{repo.prefix}{folder}"
    head = repo.head or "HEAD"
    out = git(
        repo.top,
        "log", "-z", "-M", "--raw", "--no-abbrev", "--topo-order", "--reverse",
        "--diff-merges=first-parent", f"--format={_LOG_FORMAT}",
        f"{since}..{head}" if since else head,
        "--", f":(literal){folder}",
    )
    return parse_log(out)


def parse_log(out: str) -> list[Commit]:
    tokens = out.split("\0")
    commits: list[Commit] = []
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i].lstrip("\n")
        if token == _COMMIT and i + 6 < n:
            sha, date, editorial, role, responds, message = tokens[i + 1 : i + 7]
            commits.append(Commit(
                sha=sha,
                published=dt.datetime.fromisoformat(date),
                editorial=any(v.strip().lower() in TRUE_VALUES for v in editorial.split(",")),
                role=role.split(",")[-1].strip() or None,
                message=message,
                changes=[],
                leak=next((f.what for f in secrets_scan.scan(message)), None),
                responds_to=tuple(split_codes(responds)),
            ))
            i += 7
            continue
        if token.startswith(":") and commits:
            # ":100644 100644 <old> <new> M" then one path, or two for R and C.
            parts = token[1:].split(" ")
            status = parts[4][:1] if len(parts) > 4 else "M"
            new = parts[3] if len(parts) > 3 else None
            if status in "RC":
                old_path, path = tokens[i + 1], tokens[i + 2]
                i += 3
            else:
                old_path, path = None, tokens[i + 1]
                i += 2
            blob = None if status == "D" or new == _ZERO else new
            commits[-1].changes.append(FileChange(status, path, old_path, blob))
            continue
        i += 1
    return commits


def read_blobs(top: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """Read many blobs through one `git cat-file --batch` process."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    process = subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=top,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_git_env(),
    )
    assert process.stdin is not None and process.stdout is not None

    def feed() -> None:
        try:
            for sha in wanted:
                process.stdin.write(sha.encode() + b"\n")
            process.stdin.close()
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    blobs: dict[str, bytes] = {}
    try:
        for sha in wanted:
            line = process.stdout.readline()
            if not line:
                raise GitError("git cat-file --batch stopped before reading every file")
            header = line.decode().split()
            if len(header) < 3 or header[1] == "missing":
                continue
            size = int(header[2])
            blobs[sha] = process.stdout.read(size)
            process.stdout.read(1)  # the newline after each object
    finally:
        writer.join()
        process.stdout.close()
        process.wait()
    return blobs


# ---------------------------------------------------------------------------------------
# The log pass, kept between builds

# What the last build's log pass produced: kept so that the next build reads only the
# commits after it. Change the number when what is kept changes.
_LOG_CACHE_FORMAT = 5
# A tail holds at most this many commits, or an eighth of the entry it follows if more.
_TAIL_COMMITS = 64


@dataclass
class Log:
    """The commits up to `head` that touched the policies folder, and each file they left."""

    head: str
    commits: list[Commit]
    files: dict[str, tuple]  # by blob: what the file says (`lineage.File`)
    # As `load_log` gives it: the HEAD of the store's main entry and how many of the
    # first commits that entry holds; the rest came from its tail (`save_log`).
    main_head: str | None = None
    main_commits: int = 0


def log_key(repo: Repository, code: str) -> str:
    """Where a repository's log pass is kept; `code` is a digest of the code that read it."""
    return store.Store.key("history-log", str(_LOG_CACHE_FORMAT), code, str(repo.top),
                           repo.prefix)


def _tail_key(key: str) -> str:
    return store.Store.key(key, "tail")


def load_log(key: str) -> Log | None:
    """The log pass kept under `key`: its main entry and the tail that follows it, if the
    tail follows that entry; None when there is none or the main entry is damaged."""
    cache = store.current()
    kept = cache.get_object(key)
    if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == _LOG_CACHE_FORMAT
            and isinstance(kept[1], Log)):
        return None
    main = kept[1]
    log = Log(main.head, main.commits, main.files, main.head, len(main.commits))
    tail = cache.get_object(_tail_key(key))
    if (isinstance(tail, tuple) and len(tail) == 3 and tail[0] == _LOG_CACHE_FORMAT
            and tail[1] == main.head and isinstance(tail[2], Log)):
        log.head = tail[2].head
        log.commits = [*main.commits, *tail[2].commits]
        log.files = {**main.files, **tail[2].files}
    return log


def save_log(key: str, log: Log, kept: Log | None = None) -> None:
    """Keep a log pass. When it only adds commits to `kept` (as `load_log` gave it), and
    not many, only what they add is written, as the tail of the main entry `kept` came
    from: rewriting the whole pass (8,000 commits and file versions at 800 policies) was
    a tenth of a rebuild's history stage. Otherwise it becomes the main entry, alone."""
    cache = store.current()
    count = kept.main_commits if kept is not None and kept.main_head is not None else 0
    added = len(log.commits) - count
    if (count and 0 <= added <= max(_TAIL_COMMITS, count // 8)
            and all(a is b for a, b in zip(log.commits, kept.commits[:count], strict=False))):
        held = {change.blob for commit in log.commits[:count] for change in commit.changes}
        tail = Log(log.head, log.commits[count:],
                   {blob: file for blob, file in log.files.items() if blob not in held})
        cache.put_object(_tail_key(key), (_LOG_CACHE_FORMAT, kept.main_head, tail))
        return
    cache.put_object(key, (_LOG_CACHE_FORMAT, Log(log.head, log.commits, log.files)))
    cache.drop(_tail_key(key))


def _is_ancestor(top: Path, old: str, new: str) -> bool:
    """Whether commit `old` is an ancestor of `new` (git answers by its exit status)."""
    try:
        git(top, "merge-base", "--is-ancestor", old, new)
    except GitError:
        return False
    return True


def commits_since(repo: Repository, kept: Log | None,
                  read: Callable[..., list[Commit]] | None = None) -> list[Commit]:
    """Every commit of the log, reading only the ones after `kept.head` when that is safe.
    `read(repo, since)` reads the log: `read_log`, the policies', unless told otherwise.

    The commits after the kept head are read alone only when the kept head is an ancestor
    of HEAD and the commits after it form one line (no merge): then a full `git log`
    would list the kept commits first, in the same order, and the new ones after them.
    Otherwise (rewritten history, another branch, merges) the whole log is read.
    """
    assert repo.head is not None
    read = read or read_log
    if kept is None:
        return read(repo)
    if kept.head == repo.head:
        return list(kept.commits)
    if _is_ancestor(repo.top, kept.head, repo.head):
        try:
            merge = git(repo.top, "rev-list", "--merges", "--max-count=1",
                        f"{kept.head}..{repo.head}").strip()
        except GitError:
            merge = "unknown"
        if not merge:
            return [*kept.commits, *read(repo, kept.head)]
    return read(repo)

