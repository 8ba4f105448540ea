"""What the published site says, read from its open data (`data/policies.json` in
SITE_DIR): which revisions respond to which feedback.

A revision names the feedback behind it in its commit (`Responds-to:`); the site's build
publishes the codes with each version (`responds_to`). The app learns from that file, never
from git: a piece of feedback "led to a revision" once a published version lists its code.

The file is read again whenever it changes (a new build replaces it): a look at its
size, time and inode on each question, which costs microseconds. A site not built yet, or a file that cannot be read, means no
revision is known yet; the log says why, once per change.
"""

from __future__ import annotations

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


class PublishedSite:
    """The open data of the site in `site_dir`, kept up to date with its file."""

    def __init__(self, site_dir: Path | str | None):
        self.path = Path(site_dir) / addresses.POLICIES_DATA if site_dir else None
        self._lock = threading.Lock()
        self._seen: tuple | None = None
        self._led_to: dict[str, tuple[Revision, ...]] = {}

    def led_to(self, code: str) -> tuple[Revision, ...]:
        """The published versions that respond to the feedback with this code."""
        self._refresh()
        return self._led_to.get(code, ())

    def _refresh(self) -> None:
        if self.path is None:
            return
        with self._lock:
            try:
                stat = os.stat(self.path)
                seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            except OSError as error:
                seen = ("missing", error.strerror)
            if seen == self._seen:
                return
            self._seen = seen
            try:
                data = json.loads(self.path.read_bytes())
                if not isinstance(data, dict):
                    raise ValueError("it is not a JSON object")
                self._led_to = revisions_by_code(data)
            except (OSError, ValueError) as error:
                log.warning("the site's open data %s could not be read (%s); no revision "
                            "is known to respond to feedback until it can", self.path,
                            getattr(error, "strerror", None) or error)
                self._led_to = {}
