"""Tracking codes: what a resident keeps to look up their submission.

`SMR-7K3Q-9XWD-2F4M-8HJN`: 16 random characters (80 bits from `secrets`). Their written
form, and how a code a person typed is read, are `site_builder.tracking_codes`', which the
site uses too (a revision's `Responds-to:` trailer). A code is never a row id.
"""

from __future__ import annotations

import secrets

from site_builder.tracking_codes import (  # noqa: F401 (the app's names for them)
    ALPHABET,
    EXAMPLE,
    LENGTH,
    format_code,
    normalise_tracking_code,
)


def new_tracking_code() -> str:
    bits = secrets.randbits(5 * LENGTH)  # one draw of 80 bits, five to a character
    return format_code("".join(ALPHABET[(bits >> shift) & 31]
                               for shift in range(0, 5 * LENGTH, 5)))
