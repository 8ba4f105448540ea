"""The site's version: which content commit it was built from, and when.

Shown in the footer of every page and in the open data, so a printed page or a downloaded
file can be traced back to the exact text it was built from. A policy's archive pages
show the commit of that policy's last change instead (`SiteStamp.policy_footer`).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .languages import translator

NO_HISTORY = "no git history"


@dataclass(frozen=True)
class SiteStamp:
    commit: str | None  # short hash of HEAD of the repository holding the content
    dirty: bool  # the content folder has uncommitted changes
    built: dt.datetime  # UTC

    @property
    def version(self) -> str:
        """"d25f70a", "d25f70a with uncommitted changes" or "no git history"."""
        if self.commit is None:
            return NO_HISTORY
        return f"{self.commit} with uncommitted changes" if self.dirty else self.commit

    @property
    def generated(self) -> str:
        """The build time as ISO 8601 UTC, to the second."""
        return self.built.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace(
            "+00:00", "Z"
        )

    @property
    def footer(self) -> str:
        return self.footer_in(None)

    def footer_in(self, lang: str | None) -> str:
        """The footer of the current pages in language `lang`: this build's version."""
        _ = translator(lang)
        built = self.built.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        if self.commit is None:
            return _("Content version: no git history. Built %(built)s.", built=built)
        if self.dirty:
            return _("Content version %(commit)s (uncommitted changes). Built %(built)s.",
                     commit=self.commit, built=built)
        return _("Content version %(commit)s. Built %(built)s.", commit=self.commit,
                 built=built)

    def policy_footer(self, commit: str, changed: dt.datetime, lang: str | None = None) -> str:
        """The footer of one policy's archive pages (its versions, redlines, comparisons
        and changelog): the content version of the last change to that policy.

        Its text is the same at every later commit, so these pages, which never change
        once published, need not be written again by every build; the current pages
        carry `footer`, which names this build."""
        short = commit[:max(7, len(self.commit or ""))]
        day = changed.astimezone(dt.UTC).strftime("%Y-%m-%d")
        _ = translator(lang)
        return _("Content version %(commit)s, the last change to this policy (%(day)s).",
                 commit=short, day=day)

    @property
    def today(self) -> dt.date:
        return self.built.astimezone(dt.UTC).date()

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "commit": self.commit,
            "dirty": self.dirty,
            "generated": self.generated,
            "today": self.today.isoformat(),
            "footer": self.footer,
        }


def _git(content_dir: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(content_dir), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def site_stamp(content_dir: Path, now: dt.datetime | None = None) -> SiteStamp:
    """Read the content commit from git; "no git history" outside a repository."""
    built = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    content_dir = Path(content_dir).resolve()
    commit = _git(content_dir, "rev-parse", "--short", "HEAD")
    if not commit:
        return SiteStamp(None, False, built)
    status = _git(content_dir, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return SiteStamp(commit, bool(status), built)
