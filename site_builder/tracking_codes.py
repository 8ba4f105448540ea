"""Tracking codes: what a resident keeps to look up a submission, and what a revision
cites in its `Responds-to:` trailer.

`SMR-7K3Q-9XWD-2F4M-8HJN`: 16 characters in Crockford's base32, which leaves out I, L, O
and U so a code survives being read over the phone. Look-ups ignore case, spaces and
dashes, and read I and L as 1 and O as 0. The feedback app draws new codes
(`feedback_api.tracking`); this module owns their written form, for the app and the site.
"""

from __future__ import annotations

import re

PREFIX = "SMR"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
EXAMPLE = "SMR-7K3Q-9XWD-2F4M-8HJN"
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
_LIST = re.compile(r"[,;]|\s+(?=SMR)", re.I)  # between the codes of one trailer


def normalise_tracking_code(text: str) -> str | None:
    """The canonical form of a code as a person typed it, or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    chars = _SEPARATORS.sub("", text).upper()
    if len(chars) == LENGTH + len(PREFIX) and chars.startswith(PREFIX):
        chars = chars[len(PREFIX):]
    chars = chars.translate(_READ_AS)
    if len(chars) != LENGTH or any(c not in ALPHABET for c in chars):
        return None
    return format_code(chars)


def format_code(chars: str) -> str:
    """16 characters of the alphabet as a code is written: SMR- and four groups of four."""
    groups = [chars[i:i + GROUP] for i in range(0, LENGTH, GROUP)]
    return "-".join([PREFIX, *groups])


def split_codes(value: str) -> list[str]:
    """The codes one trailer names, as written: separated by commas, semicolons or spaces
    (`SMR-… , SMR-…`), each item stripped; empty items are dropped."""
    return [item.strip() for item in _LIST.split(value or "") if item.strip()]
