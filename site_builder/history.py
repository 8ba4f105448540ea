"""History: every public version of every policy, read from the content's git history.

This module fixes the data the later stages use (`Version`, `PolicyHistory`). Until the git
reader lands, `read_history` gives each policy one version: its text as it is on disk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .content import Library, Policy


@dataclass(frozen=True)
class Correction:
    """An editorial amendment (commit trailer `Editorial: true`): no new version."""

    published: dt.datetime
    note: str
    commit: str


@dataclass(frozen=True)
class ChangeEntry:
    """One line of a policy's changelog: a new version, a correction or a metadata change."""

    published: dt.datetime
    kind: str  # "version" | "editorial" | "metadata"
    note: str
    version: int  # the version the entry belongs to
    commit: str


@dataclass(frozen=True)
class Version:
    number: int  # 1, 2, 3 … in publication order
    policy: Policy  # the policy as parsed at this version
    commit: str | None  # None when there is no git history
    published: dt.datetime | None  # commit date (publication), None without history
    note: str  # change note: commit message's first paragraph or front matter change_note
    author_role: str  # who published it, as a role, never a personal email
    corrections: tuple[Correction, ...] = ()

    @property
    def effective(self) -> dt.date | None:
        return self.policy.meta.effective


@dataclass(frozen=True)
class PolicyHistory:
    policy_id: str
    versions: tuple[Version, ...]  # oldest first; never empty
    changes: tuple[ChangeEntry, ...] = ()  # newest first
    unpublished: bool = False  # the working tree differs from the last published version
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def current(self) -> Version:
        return self.versions[-1]


def read_history(content_dir: Path, library: Library) -> tuple[dict[str, PolicyHistory], list[str]]:
    """Versions per policy id, and warnings for the build log."""
    histories = {
        pid: PolicyHistory(
            pid,
            (Version(1, policy, None, None, policy.meta.change_note or "", "City staff"),),
        )
        for pid, policy in library.policies.items()
    }
    return histories, []
