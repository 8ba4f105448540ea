"""What the history stage hands on: each policy's versions and changelog.

A `PolicyHistory` holds every public version of a policy (`Version`), oldest first, with
its editorial corrections (`Correction`), its changelog (`ChangeEntry`), anything in its
commits that looks like a credential (`Leak`) and each version's translations. `spans`
and `version_on` say when each version was in effect. `history.py` reads these from git
and is where the other stages import them from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import schema
from .content import Policy
from .translations import Translation

DEFAULT_ROLE = "City staff"
FIRST_VERSION_NOTE = "First published on this site."


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
class Response:
    """A tracking code a revision names in its `Responds-to:` trailer: the public feedback
    it answers. `code` is the canonical code, or the item as written when it is not one
    (`withdrawals.history_problems` stops the build on it)."""

    code: str
    commit: str
    valid: bool = True
    dropped: bool = False  # registries/responses.yaml drops it: named by mistake


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
    # The feedback the version's commit, and its corrections' commits, respond to.
    responses: tuple[Response, ...] = ()

    @property
    def responds_to(self) -> tuple[str, ...]:
        """The tracking codes of the feedback this version responds to, each once."""
        return tuple(dict.fromkeys(r.code for r in self.responses
                                   if r.valid and not r.dropped))

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
    # language → version number → the translation of that version, when one was committed
    # or is in the working tree (`translation_history.py`)
    translated: dict[str, dict[int, Translation]] = field(default_factory=dict)
    # The key everything its versions were made from is kept under in the build's store
    # (`history._made_key`: its commits, file versions, current file and the code that
    # reads them), or None: a stage may name the versions' texts by it.
    source: str | None = field(default=None, compare=False)  # equal however it was read

    @property
    def current(self) -> Version:
        return self.versions[-1]

    def translation(self, lang: str, number: int) -> Translation | None:
        """The translation of version `number` into `lang`, when there is one."""
        return self.translated.get(lang, {}).get(number)

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

