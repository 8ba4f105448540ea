"""Stand-ins for what differs from one run to the next, so that generated docs do not.

The examples in the docs are real output, but part of it changes every time the code runs:
tracking codes are random, answers carry the time, commits get new ids and a throwaway
folder a new name. Each of these is shown as a stand-in, the same one every time:

- a tracking code: the n-th code the examples are given is shown as the n-th code drawn
  from a generator seeded with `SEED` (in the case it was written in);
- a time (ISO 8601, UTC) while the examples run: `MOMENT`, as if every request were sent
  at that moment; a Unix time ahead (`X-RateLimit-Reset`) as `MOMENT` plus the time to it,
  and a wait in seconds (`Retry-After`), both to the minute;
- a commit: the n-th commit of a throwaway repository by the n-th id of a fixed series;
- a throwaway folder: `/srv/transparency`;
- a duration (`0.08 s`): `n.nn s`.

(The methods an `Allow` header lists, a set sent in no fixed order, are shown sorted.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

SEED = "docs"
MOMENT = dt.datetime(2026, 11, 22, 17, 48, 40, tzinfo=dt.UTC)
FOLDER = "/srv/transparency"
DURATION = "n.nn"
# Tracking codes as feedback_api.tracking makes them: SMR- and 16 characters of Crockford's
# base32 in groups of four.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_ISO_TIME = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]00:00)")
_HEX = re.compile(r"\b[0-9a-f]{7,40}\b")
_DURATION = re.compile(r"( *)(\d+\.\d+)(?= s\b)")
# How far around the run a time may be and still be the time of the run.
_SLACK_SECONDS = 120


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class StandIns:
    """The stand-ins of one run of examples (one page's, or one command's)."""

    def __init__(self) -> None:
        self.started = time.time()
        self._codes = _tracking_codes()
        self._texts: dict[str, str] = {}
        self._commits: dict[str, str] = {}

    def tracking_code(self, real: str) -> str:
        """The stand-in of a tracking code an answer gave (the same one each time)."""
        if real not in self._texts:
            shown = next(self._codes)
            self._texts[real] = shown
            self._texts[real.lower()] = shown.lower()
        return self._texts[real]

    def folder(self, real: Path | str, shown: str = FOLDER) -> None:
        """Show the throwaway folder `real` (and what is in it) as `shown`."""
        self._texts[str(real)] = shown
        resolved = str(Path(real).resolve())
        self._texts.setdefault(resolved, shown)

    def commits(self, ids: Iterable[str]) -> None:
        """Show these commits (oldest first), in full or abbreviated, by a fixed series."""
        for real in ids:
            if real not in self._commits:
                number = len(self._commits) + 1
                self._commits[real] = hashlib.sha1(f"commit {number}".encode()).hexdigest()

    def unix_time(self, value: str, sent: float) -> str:
        """A Unix time ahead (a rate limit's reset) in the answer to a request sent at
        `sent`: MOMENT plus the time to it."""
        return str(int(MOMENT.timestamp()) + _to_minute(int(value) - sent))

    @staticmethod
    def seconds(value: str) -> str:
        """A wait in seconds (Retry-After), to the minute."""
        return str(_to_minute(int(value)))

    def apply(self, text: str) -> str:
        for real in sorted(self._texts, key=len, reverse=True):
            text = text.replace(real, self._texts[real])
        text = _HEX.sub(self._commit, text)
        return _ISO_TIME.sub(self._moment, text)

    @staticmethod
    def durations(text: str) -> str:
        """Every `0.08 s` as `n.nn s`, keeping the columns a right-aligned time kept."""
        def shown(found: re.Match) -> str:
            return (" " + DURATION).rjust(len(found[1]) + len(found[2]))

        return _DURATION.sub(shown, text)

    def _commit(self, found: re.Match) -> str:
        for real, shown in self._commits.items():
            if real.startswith(found[0]):
                return shown[:len(found[0])]
        return found[0]

    def _moment(self, found: re.Match) -> str:
        text = found[0].replace("Z", "+00:00")
        at = dt.datetime.fromisoformat(text).timestamp()
        if self.started - _SLACK_SECONDS <= at <= time.time() + _SLACK_SECONDS:
            return iso(MOMENT)
        return found[0]


def _to_minute(seconds: float) -> int:
    return 60 * round(seconds / 60)


def _tracking_codes() -> Iterator[str]:
    draw = random.Random(SEED)
    while True:
        groups = ("".join(draw.choices(CODE_ALPHABET, k=4)) for _ in range(4))
        yield "-".join(["SMR", *groups])
