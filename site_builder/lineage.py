"""From commits to versions: each policy file followed through the log, and its versions.

What makes a version (documented for staff in docs/publishing.md):

- a commit that changes a policy's text (its body) publishes a new version;
- unless the commit message carries the trailer `Editorial: true`: then it amends the
  current version and is listed as an editorial correction;
- a commit that changes only the front matter (review dates, owner, …) is a changelog
  entry, not a new version.

A file is followed through renames (`trace_lineages`), and a file deleted and re-created
under the same policy id continues its lineage (`join_by_id`). Each file version is read
once (`read_file`); `walk` groups a lineage's commits into versions and changelog entries,
and `parse_versions` parses each version's text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from types import EllipsisType

from pydantic import ValidationError

from . import schema
from .active_content import history_warnings
from .content import Policy, decode, parse_policy, split_front_matter
from .credentials import policy_credentials
from .gitlog import EDITORIAL_TRAILER, ROLE_TRAILER, Commit
from .history_types import (
    DEFAULT_ROLE,
    FIRST_VERSION_NOTE,
    ChangeEntry,
    Correction,
    Response,
    Version,
)
from .outline import Block, Clause, Section, parse_outline
from .tracking_codes import normalise_tracking_code

MAX_NOTE = 2000
_EMAIL = re.compile(r"[^\s<>@]+@[^\s<>@]+")


# The text of a file version the kept log pass leaves out (`kept_file`): the texts of
# every version of every policy were 80% of what it kept, and only the versions a build
# parses again need them (`history._with_texts` reads those from git).
UNREAD = ...


@dataclass
class State:
    """A policy file as one commit left it."""

    commit: Commit
    path: str
    blob: str
    text: str | None | EllipsisType  # None when the blob is not UTF-8; UNREAD: not read yet
    front: str
    data: dict
    norm: bytes  # a digest of the body as a reader sees it (`_norm_body`)
    secrets: tuple[tuple[int, str], ...]  # (line, what) for each credential in the file
    missing: bool = False  # git no longer holds the blob (a partial or damaged clone)

    @property
    def policy_id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None


@dataclass(eq=False)
class Lineage:
    """One policy file followed through renames."""

    states: list[State] = field(default_factory=list)
    ended: int | None = None  # position in the log of the commit that deleted it
    paths: list[str] = field(default_factory=list)
    joined: Lineage | None = None  # the lineage this one continues (same policy id)

    def resolved(self) -> Lineage:
        lineage = self
        while lineage.joined is not None:
            lineage = lineage.joined
        return lineage


def _is_policy_path(path: str | None, folder: str) -> bool:
    if not path or not path.startswith(folder):
        return False
    name = path[len(folder):]
    return "/" not in name and name.endswith(".md") and not name.startswith(".")


_Pending = tuple[Lineage, Commit, str, str]  # lineage, commit, path, blob


def trace_lineages(
    commits: list[Commit], folder: str
) -> tuple[list[Lineage], dict[str, Lineage], list[_Pending]]:
    """Follow every policy file through its commits; renames keep the lineage."""
    lineages: list[Lineage] = []
    by_path: dict[str, Lineage] = {}
    pending: list[_Pending] = []

    def start(path: str) -> Lineage:
        lineage = Lineage(paths=[path])
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


def join_by_id(lineages: list[Lineage], position: dict[str, int]) -> list[Lineage]:
    """Join a file deleted and re-created under the same policy id (a rename git missed)."""
    result: list[Lineage] = []
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


File = tuple[str | None, str, dict, bytes, tuple]  # a blob's text, front, data, norm, secrets


def read_file(raw: bytes | None, path: str) -> File:
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
    return text, front, data if front else {}, norm_digest(body), secrets


def kept_file(file: File, seen: dict[str, str]) -> File:
    """A file version as the kept log pass holds it: without its text (unless that is
    None, not UTF-8: all a later build needs to know of it then), and with the strings of
    its front matter's fields made the very strings of other file versions' (`seen`)
    where equal, so that the store keeps each once and a rebuild makes each once: most
    are the same in every version of every policy, and there are 8,000 at 800 policies."""
    text, front, data, norm, secrets = file
    return (None if text is None else UNREAD, front, _shared(data, seen), norm, secrets)


def _shared(value, seen: dict[str, str]):
    if isinstance(value, str):
        return seen.setdefault(value, value)
    if isinstance(value, dict):
        return {_shared(key, seen): _shared(item, seen) for key, item in value.items()}
    if isinstance(value, list):
        return [_shared(item, seen) for item in value]
    return value


def _norm_body(body: str) -> str:
    """The text as a reader sees it: trailing spaces and blank edges do not count."""
    return "\n".join(line.rstrip() for line in body.strip("\n").split("\n")).strip()


def norm_digest(body: str) -> bytes:
    """What tells two bodies apart as a reader sees them, in 32 bytes."""
    return hashlib.sha256(_norm_body(body).encode("utf-8", "surrogateescape")).digest()


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


def _note(state: State, previous: State | None) -> str:
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
class Draft:
    """A version being assembled while walking a lineage."""

    first: State
    last: State
    note: str
    role: str
    corrections: list[Correction] = field(default_factory=list)
    states: list[State] = field(default_factory=list)  # every commit of the version
    responses: list[Response] = field(default_factory=list)  # its commits' Responds-to


def responses_of(commit: Commit) -> list[Response]:
    """The codes a commit's `Responds-to:` trailers name, canonical where they can be."""
    found = []
    for item in commit.responds_to:
        code = normalise_tracking_code(item)
        found.append(Response(code or item, commit.sha, code is not None))
    return found


def walk(lineage: Lineage, warn: list[str] | None = None
         ) -> tuple[list[Draft], list[ChangeEntry]]:
    """A lineage's commits grouped into versions (oldest first), and its changelog.

    A commit's `Responds-to:` codes go with the version it makes or corrects; on a commit
    that changes only the front matter they are not shown, and `warn` says so."""
    drafts: list[Draft] = []
    entries: list[ChangeEntry] = []
    previous: State | None = None
    for state in lineage.states:
        commit = state.commit
        role = _role(commit.role)
        if previous is None:
            drafts.append(Draft(state, state, _note(state, None), role))
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
                drafts.append(Draft(state, state, _note(state, previous), role))
                entries.append(ChangeEntry(commit.published, "version", drafts[-1].note,
                                           len(drafts), commit.sha, role))
        else:
            if commit.responds_to and warn is not None:
                warn.append(f"{state.path} at commit {commit.sha[:7]}: its Responds-to "
                            "trailer is not shown, because the commit changes only the "
                            "front matter (not a revision of the text)")
            drafts[-1].last = state
            if state.front != previous.front:
                fields = _changed_fields(previous.data, state.data)
                if fields:
                    entries.append(ChangeEntry(commit.published, "metadata",
                                               first_paragraph(commit.message), len(drafts),
                                               commit.sha, role, fields))
        if state.norm != (previous.norm if previous else None):
            drafts[-1].responses += responses_of(commit)
        drafts[-1].states.append(state)
        previous = state
    return drafts, entries


def _parse_quickly(state: State, rel: str) -> Policy | None:
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


def _parse(state: State, fallback: Policy, rel: str, warn: list[str]) -> tuple[Policy, str | None]:
    """Parse a historical version; keep its text even when its metadata no longer parses."""
    if state.text is None:
        at = f"{rel} at commit {state.commit.sha[:7]}"
        if state.missing:
            warn.append(f"{at} is missing from the repository (a partial or damaged "
                        "clone), so its text is not shown; build from a full clone to show it")
            why = "the repository this site was built from does not hold it"
        else:
            warn.append(f"{at} is not UTF-8; its text is not shown")
            why = "it is not UTF-8"
        return replace(fallback, body="", outline=parse_outline("", 1)), (
            f"The text of this version could not be read ({why})."
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


def parse_versions(
    drafts: list[Draft], fallback: Policy, prefix: str, warn: list[str]
) -> tuple[Version, ...]:
    """Each version's text and metadata as published; what cannot be read goes to `warn`."""
    versions: list[Version] = []
    previous_effective: object = None
    earlier: Policy | None = None
    seen: dict = {}
    for number, draft in enumerate(drafts, start=1):
        rel = draft.last.path[len(prefix):]
        policy, withheld = _parse(draft.last, fallback, rel, warn)
        policy = earlier = _alike(policy, earlier, seen)
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
            responses=tuple(draft.responses),
        ))
    return tuple(versions)


def _alike(policy: Policy, earlier: Policy | None, seen: dict) -> Policy:
    """`policy` made of the very objects of the versions before it (`earlier`, and the
    sections, blocks, clauses, links and texts in `seen`) where its parts equal theirs.

    A version mostly repeats the one before it, so a policy's versions share most of
    their parts (a clause below a line added is not equal, its line being another, but
    its text is): the store then keeps each part once, and a rebuild loads far fewer
    objects (loading every version of 800 policies was most of its history stage). The
    parts are immutable, so an equal part serves as well as its own."""
    def one(part):
        return seen.setdefault(part, part)

    def clause(item: Clause) -> Clause:
        return one(replace(item, id=one(item.id), label=one(item.label), text=one(item.text),
                           children=tuple(map(clause, item.children))))

    def block(item: Block) -> Block:
        return one(replace(item, prose=one(item.prose), clauses=tuple(map(clause, item.clauses))))

    def section(item: Section) -> Section:
        return one(replace(item, id=one(item.id), title=one(item.title),
                           blocks=tuple(map(block, item.blocks))))

    outline = policy.outline
    anchors, meta = outline.anchors, policy.meta
    if earlier is not None and anchors == earlier.outline.anchors:
        anchors = earlier.outline.anchors
    else:
        anchors = {one(anchor): line for anchor, line in anchors.items()}
    if (earlier is not None and meta == earlier.meta
            and meta.model_fields_set == earlier.meta.model_fields_set):
        meta = earlier.meta
    outline = replace(outline, preamble=one(tuple(map(block, outline.preamble))),
                      sections=one(tuple(map(section, outline.sections))), anchors=anchors,
                      links=one(outline.links), problems=one(outline.problems))
    return replace(policy, meta=meta, outline=outline, front_matter=one(policy.front_matter))
