"""History: every public version of every policy, read from the content's git history.

What makes a version (documented for staff in docs/publishing.md):

- a commit that changes a policy's text (its body) publishes a new version;
- unless the commit message carries the trailer `Editorial: true`: then it amends the
  current version and is listed as an editorial correction;
- a commit that changes only the front matter (review dates, owner, …) is a changelog
  entry, not a new version;
- uncommitted edits are "unpublished changes": shown in a local preview, never a version.

The whole history is read in one pass: one `git log` over the policies folder (renames as
`R100 old new`, followed here in Python) and one long-lived `git cat-file --batch` for the
file contents. The cost grows with the number of commits, not commits × files. With a
cache folder, what that pass produced is kept, and the next build reads only the commits
after the HEAD it ended at when HEAD still descends from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import ValidationError

from . import addresses, schema, secrets_scan, store
from .active_content import history_warnings
from .content import (
    POLICY_DIR,
    WITHDRAWN,
    Library,
    Policy,
    Problem,
    decode,
    parse_policy,
    policy_credentials,
    split_front_matter,
)
from .outline import parse_outline

DEFAULT_ROLE = "City staff"
EDITORIAL_TRAILER = "Editorial"
ROLE_TRAILER = "Published-by"
TRUE_VALUES = {"true", "yes", "1"}
MAX_NOTE = 2000

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
_EMAIL = re.compile(r"[^\s<>@]+@[^\s<>@]+")


class _Unset:
    def __repr__(self) -> str:
        return "from the front matter"


_FRONT_MATTER = _Unset()


@dataclass(frozen=True)
class Correction:
    """An editorial amendment (commit trailer `Editorial: true`): no new version."""

    published: dt.datetime
    note: str
    commit: str
    author_role: str = DEFAULT_ROLE


@dataclass(frozen=True)
class ChangeEntry:
    """One line of a policy's changelog: a new version, a correction or a metadata change."""

    published: dt.datetime
    kind: str  # "version" | "editorial" | "metadata"
    note: str
    version: int  # the version the entry belongs to
    commit: str
    author_role: str = DEFAULT_ROLE
    fields: tuple[str, ...] = ()  # metadata entries: the front matter fields that changed


@dataclass(frozen=True)
class Version:
    number: int  # 1, 2, 3 … in publication order
    policy: Policy  # the policy as parsed at this version (after its corrections)
    commit: str | None  # None when there is no git history
    published: dt.datetime | None  # commit date (publication), None without history
    note: str  # change note: commit message's first paragraph or front matter change_note
    author_role: str  # who published it, as a role, never a personal email
    corrections: tuple[Correction, ...] = ()
    # The date the version took effect, as the front matter states it for this version.
    # None when the front matter gives none, or only repeats the previous version's date.
    # Left unset, it is the policy's `effective` field.
    effective: dt.date | None = _FRONT_MATTER  # type: ignore[assignment]
    blob: str | None = None  # git blob of the file as last published for this version
    # Why the text is not published (it could not be read), or None.
    withheld: str | None = None
    # registries/withdrawn.yaml's entry when the version is withdrawn: then `policy` holds
    # the current metadata and no text, and `note` and `corrections` are empty.
    withdrawn: schema.Withdrawal | None = None

    def __post_init__(self) -> None:
        if self.effective is _FRONT_MATTER:
            object.__setattr__(self, "effective", self.policy.meta.effective)


@dataclass(frozen=True)
class PolicyHistory:
    policy_id: str
    versions: tuple[Version, ...]  # oldest first; never empty
    changes: tuple[ChangeEntry, ...] = ()  # newest first
    unpublished: bool = False  # the working tree differs from the last published version
    warnings: tuple[str, ...] = field(default_factory=tuple)
    complete: bool = True  # False when git history could not be read (one version only)
    paths: tuple[str, ...] = ()  # the file's paths over time, oldest first (renames)
    leaks: tuple[Leak, ...] = ()  # what looks like a credential in any commit of it

    @property
    def current(self) -> Version:
        return self.versions[-1]

    def version(self, number: int) -> Version | None:
        if 1 <= number <= len(self.versions):
            return self.versions[number - 1]
        return None

    def shown_before(self, number: int) -> Version | None:
        """The nearest version before `number` that is not withdrawn: what a redline of
        version `number` compares it with."""
        return next((v for v in reversed(self.versions[:max(number - 1, 0)])
                     if v.withdrawn is None), None)


@dataclass(frozen=True)
class Leak:
    """Something that looks like a credential in a commit of a policy's history."""

    version: int  # the version the commit belongs to
    commit: str
    path: str  # the file at that commit, relative to the content folder
    line: int  # its line there; 0 for the commit message
    what: str  # "a GitHub token", …


# ---------------------------------------------------------------------------------------
# When each version was in effect


@dataclass(frozen=True)
class Span:
    """When a version was in effect: from `start` up to (not including) `end`."""

    version: Version
    start: dt.date | None
    start_kind: str  # "effective" (front matter) | "published" (commit date) | "unknown"
    end: dt.date | None  # the next version's start; None while it is the latest


def spans(history: PolicyHistory) -> list[Span]:
    """Each version's period in effect, oldest first.

    A version starts on its stated effective date, or else on the day it was published.
    It ends when the next version starts.
    """
    starts: list[tuple[dt.date | None, str]] = []
    for version in history.versions:
        if version.effective is not None:
            starts.append((version.effective, "effective"))
        elif version.published is not None:
            starts.append((version.published.date(), "published"))
        else:
            starts.append((None, "unknown"))
    result = []
    for i, version in enumerate(history.versions):
        start, kind = starts[i]
        end = starts[i + 1][0] if i + 1 < len(starts) else None
        result.append(Span(version, start, kind, end))
    return result


def version_on(history: PolicyHistory, day: dt.date) -> Version | None:
    """The version in effect on a day: the latest one that had started by then."""
    found = None
    for span in spans(history):
        if span.start is not None and span.start <= day:
            found = span.version
    return found


# ---------------------------------------------------------------------------------------
# Git


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


_COMMIT = "\x1eCOMMIT"
_LOG_FORMAT = (
    "%x1eCOMMIT%x00%H%x00%cI%x00"
    f"%(trailers:key={EDITORIAL_TRAILER},valueonly,separator=%x2C)%x00"
    f"%(trailers:key={ROLE_TRAILER},valueonly,separator=%x2C)%x00"
    "%B%x00"
)
_ZERO = "0" * 40


def read_log(repo: Repository, since: str | None = None) -> list[Commit]:
    """Every commit that touched the policies folder, oldest first, in one git log.

    With `since`, only the commits after it (`since..HEAD`)."""
    folder = f"{repo.prefix}{POLICY_DIR}"
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
        if token == _COMMIT and i + 5 < n:
            sha, date, editorial, role, message = tokens[i + 1 : i + 6]
            commits.append(Commit(
                sha=sha,
                published=dt.datetime.fromisoformat(date),
                editorial=any(v.strip().lower() in TRUE_VALUES for v in editorial.split(",")),
                role=role.split(",")[-1].strip() or None,
                message=message,
                changes=[],
                leak=next((f.what for f in secrets_scan.scan(message)), None),
            ))
            i += 6
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
# From commits to versions


@dataclass
class _State:
    """A policy file as one commit left it."""

    commit: Commit
    path: str
    blob: str
    text: str | None  # None when the blob is not UTF-8
    front: str
    data: dict
    norm: bytes  # a digest of the body as a reader sees it (`_norm_body`)
    secrets: tuple[tuple[int, str], ...]  # (line, what) for each credential in the file

    @property
    def policy_id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None


@dataclass(eq=False)
class _Lineage:
    """One policy file followed through renames."""

    states: list[_State] = field(default_factory=list)
    ended: int | None = None  # position in the log of the commit that deleted it
    paths: list[str] = field(default_factory=list)
    joined: _Lineage | None = None  # the lineage this one continues (same policy id)

    def resolved(self) -> _Lineage:
        lineage = self
        while lineage.joined is not None:
            lineage = lineage.joined
        return lineage


def _is_policy_path(path: str | None, folder: str) -> bool:
    if not path or not path.startswith(folder):
        return False
    name = path[len(folder):]
    return "/" not in name and name.endswith(".md") and not name.startswith(".")


_Pending = tuple[_Lineage, Commit, str, str]  # lineage, commit, path, blob


def _lineages(
    commits: list[Commit], folder: str
) -> tuple[list[_Lineage], dict[str, _Lineage], list[_Pending]]:
    """Follow every policy file through its commits; renames keep the lineage."""
    lineages: list[_Lineage] = []
    by_path: dict[str, _Lineage] = {}
    pending: list[_Pending] = []

    def start(path: str) -> _Lineage:
        lineage = _Lineage(paths=[path])
        lineages.append(lineage)
        by_path[path] = lineage
        return lineage

    for position, commit in enumerate(commits):
        for change in commit.changes:
            old_ok = _is_policy_path(change.old_path, folder)
            new_ok = _is_policy_path(change.path, folder)
            if change.status == "R" and old_ok:
                lineage = by_path.pop(change.old_path, None)
                if not new_ok:
                    if lineage is not None:
                        lineage.ended = position
                    continue
                if lineage is None:
                    lineage = start(change.path)
                else:
                    by_path[change.path] = lineage
                    lineage.paths.append(change.path)
            elif not new_ok:
                continue
            elif change.status == "D":
                lineage = by_path.pop(change.path, None)
                if lineage is not None:
                    lineage.ended = position
                continue
            elif change.status in "AC" or change.path not in by_path:
                lineage = start(change.path)
            else:
                lineage = by_path[change.path]
            if change.blob:
                pending.append((lineage, commit, change.path, change.blob))
    return lineages, by_path, pending


_File = tuple[str | None, str, dict, bytes, tuple]  # a blob's text, front, data, norm, secrets


def _file(raw: bytes | None, path: str) -> _File:
    """What a policy file's contents say, whichever commit and path it is found at.

    Each file version is read once (the log cache keeps what it says), and so is put
    through the credential check once: the same check as the working tree's."""
    text = None
    if raw is not None:
        text, _ = decode(raw, path)
    parts = split_front_matter(text) if text is not None else None
    front, body = (parts[0], parts[1]) if parts else ("", text or "")
    data, found = policy_credentials(text, path) if text is not None else ({}, [])
    secrets = tuple((problem.line, problem.message.split(";")[0]) for problem in found)
    return text, front, data if front else {}, _norm_digest(body), secrets


def _norm_body(body: str) -> str:
    """The text as a reader sees it: trailing spaces and blank edges do not count."""
    return "\n".join(line.rstrip() for line in body.strip("\n").split("\n")).strip()


def _norm_digest(body: str) -> bytes:
    """What tells two bodies apart as a reader sees them, in 32 bytes."""
    return hashlib.sha256(_norm_body(body).encode("utf-8", "surrogateescape")).digest()


FIRST_VERSION_NOTE = "First published on this site."


def first_paragraph(message: str) -> str:
    """A commit message's first paragraph as one line; trailers are never part of it."""
    paragraph = re.split(r"\n[ \t]*\n", message.strip(), maxsplit=1)[0]
    lines = [line.strip() for line in paragraph.split("\n")]
    if lines and all(re.match(r"^[A-Za-z][A-Za-z0-9-]*: ", line) for line in lines):
        # The message is nothing but trailers.
        if all(line.split(":", 1)[0] in (EDITORIAL_TRAILER, ROLE_TRAILER, "Policy")
               for line in lines):
            return ""
    note = " ".join(line for line in lines if line)
    return note[:MAX_NOTE]


def _role(value: str | None) -> str:
    """The publishing role from a trailer; never an email address."""
    if not value:
        return DEFAULT_ROLE
    value = _EMAIL.sub("", value).replace("<>", "").strip(" ,;<>")
    return value[:200] if value else DEFAULT_ROLE


def _note(state: _State, previous: _State | None) -> str:
    """A version's public note: a `change_note` new in this commit, else the message.

    A policy's first commit is usually its import, whose message speaks of the repository
    rather than the policy, so the first version says only that it was first published.
    """
    note = state.data.get("change_note")
    if isinstance(note, str) and note.strip():
        old = previous.data.get("change_note") if previous else None
        if note != old:
            return " ".join(note.split())[:MAX_NOTE]
    if previous is None:
        return FIRST_VERSION_NOTE
    return first_paragraph(state.commit.message)


def _changed_fields(old: dict, new: dict) -> tuple[str, ...]:
    keys = list(dict.fromkeys([*old, *new]))
    return tuple(k for k in keys if old.get(k) != new.get(k) and k != "change_note")


@dataclass
class _Draft:
    """A version being assembled while walking a lineage."""

    first: _State
    last: _State
    note: str
    role: str
    corrections: list[Correction] = field(default_factory=list)
    states: list[_State] = field(default_factory=list)  # every commit of the version


def _walk(lineage: _Lineage) -> tuple[list[_Draft], list[ChangeEntry]]:
    drafts: list[_Draft] = []
    entries: list[ChangeEntry] = []
    previous: _State | None = None
    for state in lineage.states:
        commit = state.commit
        role = _role(commit.role)
        if previous is None:
            drafts.append(_Draft(state, state, _note(state, None), role))
            entries.append(ChangeEntry(commit.published, "version", drafts[-1].note, 1,
                                       commit.sha, role))
        elif state.norm != previous.norm:
            if commit.editorial:
                note = _note(state, previous)
                drafts[-1].corrections.append(Correction(commit.published, note, commit.sha, role))
                drafts[-1].last = state
                entries.append(ChangeEntry(commit.published, "editorial", note, len(drafts),
                                           commit.sha, role))
            else:
                drafts.append(_Draft(state, state, _note(state, previous), role))
                entries.append(ChangeEntry(commit.published, "version", drafts[-1].note,
                                           len(drafts), commit.sha, role))
        else:
            drafts[-1].last = state
            if state.front != previous.front:
                fields = _changed_fields(previous.data, state.data)
                if fields:
                    entries.append(ChangeEntry(commit.published, "metadata",
                                               first_paragraph(commit.message), len(drafts),
                                               commit.sha, role, fields))
        drafts[-1].states.append(state)
        previous = state
    return drafts, entries


def _parse_quickly(state: _State, rel: str) -> Policy | None:
    """The same Policy `parse_policy` makes from a valid file, without its diagnostics.

    Old versions are only read, never reported on, so the front matter already loaded
    (with libyaml) is validated against the same schema and the body outlined the same
    way. Anything unusual goes through `parse_policy`.
    """
    parts = split_front_matter(state.text or "")
    if parts is None or not state.data:
        return None
    try:
        meta = schema.PolicyMeta.model_validate(state.data)
    except ValidationError:
        return None
    front, body, body_line = parts
    return Policy(meta, rel, body, body_line, parse_outline(body, body_line), front)


def _parse(state: _State, fallback: Policy, rel: str, warn: list[str]) -> tuple[Policy, str | None]:
    """Parse a historical version; keep its text even when its metadata no longer parses."""
    if state.text is None:
        warn.append(f"{rel} at commit {state.commit.sha[:7]} is not UTF-8; its text is not shown")
        return replace(fallback, body="", outline=parse_outline("", 1)), (
            "The text of this version could not be read (it is not UTF-8)."
        )
    policy = _parse_quickly(state, rel)
    if policy is not None:
        return policy, None
    policy, _problems = parse_policy(state.text, rel)
    if policy is not None:
        return policy, None
    parts = split_front_matter(state.text)
    body, body_line = (parts[1], parts[2]) if parts else (state.text, 1)
    warn.append(
        f"{rel} at commit {state.commit.sha[:7]}: its front matter does not pass today's "
        "checks; its text is shown with the current metadata"
    )
    return replace(fallback, body=body, body_line=body_line,
                   outline=parse_outline(body, body_line), front_matter=state.front), None


def _versions(
    drafts: list[_Draft], fallback: Policy, prefix: str, warn: list[str]
) -> tuple[Version, ...]:
    versions: list[Version] = []
    previous_effective: object = None
    for number, draft in enumerate(drafts, start=1):
        rel = draft.last.path[len(prefix):]
        policy, withheld = _parse(draft.last, fallback, rel, warn)
        warn += history_warnings(policy.body, policy.body_line,
                                 f"{rel} at commit {draft.last.commit.sha[:7]}")
        stated = schema.date_or_none(draft.last.data.get("effective"))
        effective = stated if (number == 1 or stated != previous_effective) else None
        previous_effective = stated
        versions.append(Version(
            number=number,
            policy=policy,
            commit=draft.first.commit.sha,
            published=draft.first.commit.published,
            note=draft.note,
            author_role=draft.role,
            corrections=tuple(draft.corrections),
            effective=effective,
            blob=draft.last.blob,
            withheld=withheld,
        ))
    return tuple(versions)


def _code_hash() -> str:
    """The source of the modules a policy's versions are parsed by."""
    return store.source_hash("history.py", "content.py", "outline.py", "schema.py",
                       "active_content.py", "secrets_scan.py") + secrets_scan.SCANNER


def _cached_versions(
    lineage: _Lineage, drafts: list[_Draft], fallback: Policy, prefix: str, warn: list[str],
) -> tuple[Version, ...]:
    """`_versions`, kept between builds in the build's store.

    Parsing and outlining every version of every policy was most of the history stage,
    and a published version never changes. The key is every commit, path and file version
    in the policy's history (a commit id covers its message, date and trailers), the
    current file (its text stands in for a version whose metadata no longer parses) and
    the code.
    """
    cache = store.current()
    if not cache.enabled:
        return _versions(drafts, fallback, prefix, warn)
    key = store.Store.key(
        "history-versions", _code_hash(), prefix, fallback.path, str(fallback.body_line),
        fallback.front_matter, fallback.body,
        *(f"{state.commit.sha}\0{state.path}\0{state.blob}" for state in lineage.states))
    kept = cache.get_object(key)
    if kept is not None:
        versions, warnings = kept
        warn.extend(warnings)
        return versions
    before = len(warn)
    versions = _versions(drafts, fallback, prefix, warn)
    cache.put_object(key, (versions, warn[before:]))
    return versions


# What the last build's log pass produced: kept so that the next build reads only the
# commits after it. Change the number when what is kept changes.
_LOG_CACHE_FORMAT = 3


@dataclass
class _Log:
    """The commits up to `head` that touched the policies folder, and each file they left."""

    head: str
    commits: list[Commit]
    files: dict[str, _File]  # by blob


def _log_key(repo: Repository) -> str:
    return store.Store.key("history-log", str(_LOG_CACHE_FORMAT), _code_hash(), str(repo.top),
                           repo.prefix)


def _load_log(key: str) -> _Log | None:
    kept = store.current().get_object(key)
    if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == _LOG_CACHE_FORMAT
            and isinstance(kept[1], _Log)):
        return None
    return kept[1]


def _save_log(key: str, log: _Log) -> None:
    store.current().put_object(key, (_LOG_CACHE_FORMAT, log))


def _is_ancestor(top: Path, old: str, new: str) -> bool:
    """Whether commit `old` is an ancestor of `new` (git answers by its exit status)."""
    try:
        git(top, "merge-base", "--is-ancestor", old, new)
    except GitError:
        return False
    return True


def _commits_since(repo: Repository, kept: _Log | None) -> list[Commit]:
    """Every commit of the log, reading only the ones after `kept.head` when that is safe.

    The commits after the kept head are read alone only when the kept head is an ancestor
    of HEAD and the commits after it form one line (no merge): then a full `git log`
    would list the kept commits first, in the same order, and the new ones after them.
    Otherwise (rewritten history, another branch, merges) the whole log is read.
    """
    assert repo.head is not None
    if kept is None:
        return read_log(repo)
    if kept.head == repo.head:
        return list(kept.commits)
    if _is_ancestor(repo.top, kept.head, repo.head):
        try:
            merge = git(repo.top, "rev-list", "--merges", "--max-count=1",
                        f"{kept.head}..{repo.head}").strip()
        except GitError:
            merge = "unknown"
        if not merge:
            return [*kept.commits, *read_log(repo, since=kept.head)]
    return read_log(repo)


def _one_version(policy: Policy, *, unpublished: bool, complete: bool,
                 warnings: tuple[str, ...] = ()) -> PolicyHistory:
    version = Version(1, policy, None, None, policy.meta.change_note or "", DEFAULT_ROLE)
    return PolicyHistory(policy.id, (version,), (), unpublished, warnings, complete,
                         (policy.path,))


def read_history(
    content_dir: Path, library: Library,
) -> tuple[dict[str, PolicyHistory], list[str]]:
    """Versions per policy id, and warnings for the build log.

    In a build with a store (`store.opened`), each policy's parsed versions are kept
    between builds, keyed by the commits and file versions of its history and its current
    file. So is the log pass: the commits up to HEAD and what each file version says, so
    that the next build reads only the commits after that HEAD (`_commits_since`).
    """
    repo, reason = locate(content_dir)
    if repo is None or repo.shallow or repo.head is None:
        if repo is None:
            why = (f"{content_dir} is not in a git repository ({reason}); each policy is "
                   "built with one version and no history")
        elif repo.shallow:
            why = (f"{repo.top} is a shallow clone, so its history is incomplete; each policy "
                   "is built with one version. Fetch the full history (git fetch --unshallow, "
                   "or fetch-depth: 0 in CI) before publishing")
        else:
            why = (f"{repo.top} has no commits yet; every policy is built as unpublished "
                   "changes. Commit the content to publish version 1")
        unpublished = repo is not None and not repo.shallow
        histories = {
            pid: _one_version(policy, unpublished=unpublished, complete=False)
            for pid, policy in library.policies.items()
        }
        return histories, [f"history: {why}"]

    folder = f"{repo.prefix}{POLICY_DIR}/"
    log_key = _log_key(repo) if store.current().enabled else None
    kept = _load_log(log_key) if log_key else None
    known = kept.files if kept is not None else {}
    try:
        commits = _commits_since(repo, kept)
        lineages, at_head, pending = _lineages(commits, folder)
        blobs = read_blobs(repo.top, (blob for _, _, _, blob in pending if blob not in known))
    except GitError as error:
        histories = {pid: _one_version(p, unpublished=False, complete=False)
                     for pid, p in library.policies.items()}
        return histories, [f"history: reading git failed ({error}); each policy is built "
                           "with one version and no history"]
    files: dict[str, _File] = {}
    for lineage, commit, path, blob in pending:
        parsed = files.get(blob) or known.get(blob)
        if parsed is None:
            parsed = _file(blobs.get(blob), path)
        if blob in blobs or blob in known:  # kept; one missing from the repository is not
            files[blob] = parsed
        lineage.states.append(_State(commit, path, blob, *parsed))
    if log_key is not None and (kept is None or kept.head != repo.head
                                 or files.keys() != known.keys()):
        _save_log(log_key, _Log(repo.head, commits, files))
    position = {commit.sha: i for i, commit in enumerate(commits)}
    lineages = _join_by_id(lineages, position)
    at_head = {path: lineage.resolved() for path, lineage in at_head.items()}

    warnings: list[str] = []
    histories: dict[str, PolicyHistory] = {}
    for pid, policy in library.policies.items():
        repo_path = f"{repo.prefix}{policy.path}"
        lineage = at_head.get(repo_path)
        if lineage is None or not lineage.states:
            # Renamed or re-created in the working tree: find its history by id.
            lineage = next(
                (x for x in reversed(lineages) if x.states and x.states[-1].policy_id == pid),
                None,
            )
        if lineage is None or not lineage.states:
            message = (f"history: {policy.path} is not committed yet; it is built as "
                       "unpublished changes (version 1 is published when it is committed)")
            warnings.append(message)
            histories[pid] = _one_version(policy, unpublished=True, complete=True,
                                          warnings=(message,))
            continue
        drafts, entries = _walk(lineage)
        policy_warnings: list[str] = []
        versions = _cached_versions(lineage, drafts, policy, repo.prefix, policy_warnings)
        withdrawn = {w.version: w for w in library.withdrawals if w.policy == pid}
        versions, entries = _withdraw(versions, entries, withdrawn, policy)
        last = lineage.states[-1]
        unpublished = (
            lineage.ended is not None
            or at_head.get(repo_path) is not lineage
            or (last.front, last.norm) != (policy.front_matter, _norm_digest(policy.body))
        )
        entries.sort(key=lambda e: e.published)
        histories[pid] = PolicyHistory(
            pid,
            versions,
            tuple(reversed(entries)),
            unpublished,
            tuple(policy_warnings),
            True,
            tuple(p[len(repo.prefix):] for p in dict.fromkeys(lineage.paths)),
            _leaks(drafts, repo.prefix),
        )
        warnings += [f"history: {w}" for w in policy_warnings]
    return histories, warnings


# ---------------------------------------------------------------------------------------
# Credentials in the history, and withdrawn versions


def _leaks(drafts: list[_Draft], prefix: str) -> tuple[Leak, ...]:
    """Every credential in any commit of each version (file or message), once a version."""
    found: dict[tuple, Leak] = {}
    for number, draft in enumerate(drafts, start=1):
        for state in draft.states:
            rel = state.path[len(prefix):]
            seen = [(line, what) for line, what in state.secrets]
            if state.commit.leak:
                seen.append((0, f"its message looks like it contains {state.commit.leak}"))
            for line, what in seen:
                found.setdefault((number, rel, line, what),
                                 Leak(number, state.commit.sha, rel, line, what))
    return tuple(found.values())


def _withdraw(versions: tuple[Version, ...], entries: list[ChangeEntry],
              withdrawn: dict[int, schema.Withdrawal], current: Policy,
              ) -> tuple[tuple[Version, ...], list[ChangeEntry]]:
    """The versions and changelog with the withdrawn versions' text and notes taken out.

    A withdrawn version keeps its number and dates (its address leads to a tombstone);
    its text, metadata, note and corrections are gone, and so are the changelog entries
    of its commits but the one that published it, whose note goes. One entry says when
    it was withdrawn and why."""
    withdrawn = {n: w for n, w in withdrawn.items() if n <= len(versions)}
    if not withdrawn:
        return versions, entries
    blank = replace(current, body="", outline=parse_outline("", 1), front_matter="")
    versions = tuple(
        replace(v, policy=blank, note="", corrections=(), withdrawn=withdrawn[v.number])
        if v.number in withdrawn else v
        for v in versions
    )
    kept = [e if e.version not in withdrawn else replace(e, note="", fields=())
            for e in entries if e.version not in withdrawn or e.kind == "version"]
    for number, item in sorted(withdrawn.items()):
        kept.append(ChangeEntry(dt.datetime.combine(item.withdrawn, dt.time(), dt.UTC),
                                "withdrawn", item.reason, number, ""))
    return versions, kept


def history_problems(library: Library, histories: dict[str, PolicyHistory]) -> list[Problem]:
    """What stops a build after the history is read: a credential in a version that is
    not withdrawn, and a withdrawal that names no version that can be withdrawn."""
    problems = withdrawal_problems(library, histories)
    for pid, history in sorted(histories.items()):
        for leak in history.leaks:
            version = history.version(leak.version)
            if version is None or version.withdrawn is not None:
                continue
            then = ("commit the file without it (a new version), then "
                    if leak.version == len(history.versions) else "then ")
            published = f", published {version.published:%Y-%m-%d}" if version.published else ""
            problems.append(Problem(leak.path, leak.line, (
                f"commit {leak.commit[:7]} (version {leak.version} of {pid}{published}): "
                f"{leak.what}, and every version is published; rotate the credential, "
                f"{then}withdraw version {leak.version} in {WITHDRAWN} (see "
                "docs/publishing.md, \"A credential committed by mistake\")")))
    return problems


def withdrawal_problems(library: Library, histories: dict[str, PolicyHistory]) -> list[Problem]:
    """Withdrawals (registries/withdrawn.yaml) that name no version that can be withdrawn:
    one past the last, or the latest, whose text is still the current page's."""
    problems = []
    for item in library.withdrawals:
        history = histories.get(item.policy)
        if history is None or not history.complete:
            continue  # no policy (reported by the check) or no history to number versions
        line = library.withdrawal_lines.get((item.policy, item.version), 1)
        count = len(history.versions)
        if item.version > count:
            problems.append(Problem(WITHDRAWN, line, (
                f"{item.policy} has no version {item.version} (it has "
                f"{'one version' if count == 1 else f'versions 1 to {count}'}); see "
                f"{addresses.url(addresses.versions(item.policy))} for the numbers")))
        elif item.version == count:
            problems.append(Problem(WITHDRAWN, line, (
                f"version {count} is the latest version of {item.policy}, and its text is "
                "the current page's: commit the file without what must go first (a new "
                f"version), then withdraw version {count}")))
    return problems


def _join_by_id(lineages: list[_Lineage], position: dict[str, int]) -> list[_Lineage]:
    """Join a file deleted and re-created under the same policy id (a rename git missed)."""
    result: list[_Lineage] = []
    for lineage in lineages:
        pid = lineage.states[0].policy_id if lineage.states else None
        earlier = None
        if pid is not None:
            start = position[lineage.states[0].commit.sha]
            earlier = next(
                (x for x in reversed(result)
                 if x.states and x.ended is not None and x.ended <= start
                 and x.states[-1].policy_id == pid),
                None,
            )
        if earlier is None:
            result.append(lineage)
            continue
        earlier.states.extend(lineage.states)
        earlier.paths.extend(lineage.paths)
        earlier.ended = lineage.ended
        lineage.joined = earlier
    return result
