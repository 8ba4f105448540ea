"""What a staff account's address and password must be, and why one will not do.

An address is checked as staff addresses are written (RFC 5321/5322, in lower case). A
password must have at least 12 characters besides spaces at either end, and not be easy to
guess: zxcvbn (Dropbox's estimator, with its lists of common passwords, names and words,
and the account's own address) must rate it at least 3 of 4. Each refusal is a StaffError
whose message says what to do instead; `staff` and the `flask users` commands raise it.
"""

from __future__ import annotations

import re
import unicodedata

from .models import normalise_email

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
# zxcvbn's score, 0 to 4: 3 is "safely unguessable", about 10^8 guesses or more.
PASSWORD_SCORE_MIN = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the start of a password is rated
# Words anyone guessing a password for this service would try first.
SERVICE_WORDS = ("albuquerque", "abq", "cabq", "city", "council", "transparency", "inbox",
                 "feedback", "report", "social", "media", "policy", "staff", "admin")
EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
# RFC 5321/5322, as staff addresses are written: dot-separated atoms of letters, digits and
# !#$%&'*+/=?^_`{|}~- before the @; dot-separated labels of letters, digits and hyphens
# (not at either end of a label) after it, at least two of them.
EMAIL_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
EMAIL_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


class StaffError(ValueError):
    """Something about an account that cannot be done; the message says why."""


def check_email(email: str) -> str:
    """The address in lower case, or StaffError saying what is wrong with it."""
    email = normalise_email(email)
    if not email:
        raise StaffError("Give an email address, like ana.garcia@cabq.gov")

    def wrong(why: str) -> StaffError:
        return StaffError(f"{email!r} is not an email address: {why}. Give one like "
                          "ana.garcia@cabq.gov")

    odd = [c for c in email if c.isspace() or unicodedata.category(c)[0] == "C"]
    if odd:
        what = "a space" if odd[0] == " " else f"the control character {_code_point(odd[0])}"
        raise wrong(f"it contains {what}")
    if len(email) > EMAIL_MAX:
        raise wrong(f"it is longer than {EMAIL_MAX} characters")
    if email.count("@") != 1:
        raise wrong("it needs exactly one @" if "@" not in email else "it has more than one @")
    local, domain = email.split("@")
    for part, name in ((local, "before"), (domain, "after")):
        if not part:
            raise wrong(f"there is nothing {name} the @")
    for character in "<>()[]\\,;:\"":
        if character in email:
            raise wrong(f"it contains {character!r}")
    if len(local) > EMAIL_LOCAL_MAX or not EMAIL_LOCAL.fullmatch(local):
        raise wrong("the part before the @ may have letters a to z, digits, dots (not two "
                    "together, nor at either end) and !#$%&'*+/=?^_`{|}~- only")
    labels = domain.split(".")
    if len(labels) < 2:
        raise wrong("the part after the @ needs a dot, as in cabq.gov")
    if not all(EMAIL_LABEL.fullmatch(label) for label in labels):
        raise wrong("the part after the @ may have letters a to z, digits, hyphens and dots "
                    "only (an international domain in its xn-- form)")
    return email


def _code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def check_password(password: str, email: str = "") -> str:
    """The password, or StaffError saying why it will not do and what to do instead."""
    stripped = password.strip()
    if not stripped:
        raise StaffError("The password is empty or only spaces; choose one of at least "
                         f"{PASSWORD_MIN} characters, for example four or five unrelated words")
    if len(stripped) < PASSWORD_MIN:
        raise StaffError(f"The password must be at least {PASSWORD_MIN} characters long, not "
                         "counting spaces at either end; a few unrelated words are easy to "
                         "remember and hard to guess")
    if len(password) > PASSWORD_MAX:
        raise StaffError(f"The password must be at most {PASSWORD_MAX} characters long")
    control = next((c for c in password if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        raise StaffError(f"The password contains the control character {_code_point(control)}, "
                         "which cannot be typed at sign-in; choose one without it")
    weakness = _weakness(password, email)
    if weakness is not None:
        raise StaffError(f"The password is too easy to guess{weakness}. Choose a longer one "
                         "that is not a common password, a name, a date or a keyboard "
                         "pattern, for example four or five unrelated words")
    return password


def _weakness(password: str, email: str) -> str | None:
    """None for a password zxcvbn rates strong enough, else what it found: " (reason)", or ""
    when it gives no reason."""
    from zxcvbn import zxcvbn  # loads its word lists: only when a password is set

    local, _, domain = normalise_email(email).partition("@")
    hints = [email, local, domain, *re.split(r"[^a-z0-9]+", f"{local} {domain}"),
             *SERVICE_WORDS]
    rated = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[h for h in hints if h])
    if rated["score"] >= PASSWORD_SCORE_MIN:
        return None
    warning = (rated.get("feedback") or {}).get("warning") or ""
    if warning:
        return f" ({warning.rstrip('.').lower()})"
    if any(match.get("dictionary_name") == "user_inputs" for match in rated["sequence"]):
        return " (it is made from the account's address or from words about this service)"
    return ""
