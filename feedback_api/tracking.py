"""Tracking codes: what a resident keeps to look up their submission.

`SMR-7K3Q-9XWD-2F4M-8HJN`: 16 random characters (80 bits from `secrets`) in Crockford's
base32, which leaves out I, L, O and U so a code survives being read over the phone. Look-ups
ignore case, spaces and dashes, and read I and L as 1 and O as 0. A code is never a row id.
"""

from __future__ import annotations

import re
import secrets

PREFIX = "SMR"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
EXAMPLE = "SMR-7K3Q-9XWD-2F4M-8HJN"
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_tracking_code() -> str:
    bits = secrets.randbits(5 * LENGTH)  # one draw of 80 bits, five to a character
    return _format("".join(ALPHABET[(bits >> shift) & 31] for shift in range(0, 5 * LENGTH, 5)))


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
    return _format(chars)


def _format(chars: str) -> str:
    groups = [chars[i:i + GROUP] for i in range(0, LENGTH, GROUP)]
    return "-".join([PREFIX, *groups])
