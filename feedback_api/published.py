"""What the published site says, read from its open data in SITE_DIR: which revisions
respond to which feedback (`data/policies.json`), and when each version of a policy was
in effect and what its clauses said (`data/versions/<id>.json` and `.text.json`).

A revision names the feedback behind it in its commit (`Responds-to:`); the site's build
publishes the codes with each version (`responds_to`). The app learns from that file, never
from git: a piece of feedback "led to a revision" once a published version lists its code.

Each file is read again whenever it changes (a new build replaces it): a look at its
size, time and inode on each question, which costs microseconds. A site not built yet, or
a file that cannot be read, means that nothing is known from it yet; the log says why,
once per change.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from site_builder import addresses
from site_builder.tracking_codes import normalise_tracking_code

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Revision:
    """A published version that responds to a piece of feedback."""

    policy_id: str
    version: int
    url: str  # site-relative, as the open data gives it
    diff_url: str | None  # its redline, None for a first version

    def as_json(self) -> dict:
        return {"policy_id": self.policy_id, "version": self.version, "url": self.url,
                "diff_url": self.diff_url}


def revisions_by_code(data: dict) -> dict[str, tuple[Revision, ...]]:
    """Each tracking code the open data names, with the versions that respond to it."""
    found: dict[str, list[Revision]] = {}
    for policy in _list(data.get("policies")):
        if not isinstance(policy, dict):
            continue
        for version in _list(policy.get("versions")):
            if (not isinstance(version, dict) or version.get("withdrawn")
                    or not isinstance(version.get("number"), int)):
                continue
            for code in _list(version.get("responds_to")):
                canonical = normalise_tracking_code(code)
                if canonical is None:
                    continue
                url, diff_url = version.get("url"), version.get("diff_url")
                if not (isinstance(url, str) and url.startswith("/")
                        and isinstance(policy.get("id"), str)):
                    continue
                found.setdefault(canonical, []).append(Revision(
                    policy["id"], version["number"], url,
                    diff_url if isinstance(diff_url, str) and diff_url.startswith("/")
                    else None))
    return {code: tuple(revisions) for code, revisions in found.items()}


def _list(value) -> list:
    """A list from the file, or nothing: what another shape holds is not trusted."""
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class VersionSpan:
    """When a published version of a policy was in effect: from `start` until the day
    before `until` (the next version's start; None for the current one)."""

    number: int
    start: dt.date | None
    until: dt.date | None
    url: str  # its page, site-relative
    withdrawn: bool

    def covers(self, day: dt.date) -> bool:
        return (self.start is not None and self.start <= day
                and (self.until is None or day < self.until))


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def version_spans(data: dict) -> tuple[VersionSpan, ...]:
    """A policy's versions and their dates from `data/versions/<id>.json`."""
    found = []
    for entry in _list(data.get("versions")):
        if not isinstance(entry, dict) or not isinstance(entry.get("number"), int):
            continue
        url = entry.get("url")
        if not isinstance(url, str):
            continue
        found.append(VersionSpan(entry["number"], _date(entry.get("from")),
                                 _date(entry.get("until")), "/" + url.lstrip("/"),
                                 bool(entry.get("withdrawn"))))
    return tuple(sorted(found, key=lambda v: v.number))


def clause_texts(data: dict) -> dict[int, dict[str, str]]:
    """Each version's sections and clauses by anchor, with their plain text (a section's
    title), from `data/versions/<id>.text.json` (`site_builder.redline` parts)."""
    texts: dict[int, dict[str, str]] = {}
    versions = data.get("versions")
    if not isinstance(versions, dict):
        return texts
    for number, parts in versions.items():
        if not str(number).isdigit():
            continue
        found: dict[str, str] = {}
        for part in _list(parts):
            if not (isinstance(part, list) and len(part) == 4):
                continue
            section, title, _level, units = part
            if isinstance(section, str) and section and isinstance(title, str) and title:
                found[section] = title
            for unit in _list(units):
                if (isinstance(unit, list) and len(unit) >= 5 and isinstance(unit[0], str)
                        and unit[0] and isinstance(unit[4], str)):
                    found[unit[0]] = unit[4]
        texts[int(number)] = found
    return texts


class _File:
    """One JSON file of the published site, parsed again whenever it changes."""

    def __init__(self, path: Path, parse, what: str):
        self.path = path
        self.parse = parse
        self.what = what  # what is not known while it cannot be read, for the log
        self.seen: tuple | None = None
        self.value = parse({})

    def current(self):
        try:
            stat = os.stat(self.path)
            seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except OSError as error:
            seen = ("missing", error.strerror)
        if seen == self.seen:
            return self.value
        self.seen = seen
        try:
            data = json.loads(self.path.read_bytes())
            if not isinstance(data, dict):
                raise ValueError("it is not a JSON object")
            self.value = self.parse(data)
        except (OSError, ValueError, RecursionError) as error:
            log.warning("the site's open data %s could not be read (%s); %s until it can",
                        self.path, getattr(error, "strerror", None) or error, self.what)
            self.value = self.parse({})
        return self.value


class PublishedSite:
    """The open data of the site in `site_dir`, each file kept up to date with the disk."""

    def __init__(self, site_dir: Path | str | None):
        self.site = Path(site_dir) if site_dir else None
        self._lock = threading.Lock()
        self._files: dict[str, _File] = {}

    def _value(self, rel: str, parse, what: str):
        if self.site is None:
            return parse({})
        with self._lock:
            file = self._files.get(rel)
            if file is None:
                file = self._files[rel] = _File(self.site / rel, parse, what)
            return file.current()

    def led_to(self, code: str) -> tuple[Revision, ...]:
        """The published versions that respond to the feedback with this code."""
        return self._value(addresses.POLICIES_DATA, revisions_by_code,
                           "no revision is known to respond to feedback").get(code, ())

    def responded(self) -> dict[str, tuple[Revision, ...]]:
        """Every tracking code a published revision responds to, with the revisions."""
        return self._value(addresses.POLICIES_DATA, revisions_by_code,
                           "no revision is known to respond to feedback")

    def versions(self, policy_id: str) -> tuple[VersionSpan, ...]:
        """The policy's published versions, with when each was in effect."""
        return self._value(addresses.versions_data(policy_id), version_spans,
                           f"the versions of {policy_id} are not known")

    def clauses(self, policy_id: str) -> dict[int, dict[str, str]]:
        """Each published version's sections and clauses, by anchor, with their text."""
        return self._value(addresses.versions_text(policy_id), clause_texts,
                           f"the text of {policy_id}'s versions is not known")
