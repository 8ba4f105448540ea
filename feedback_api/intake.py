"""Intake: the fields of a submission and the rules each is checked against.

The forms and the JSON API share everything here. A check takes the raw fields (strings from
a form, any JSON value from the API) and returns either clean values or, for each field at
fault, a message saying how to fix it. The field specs below also feed the OpenAPI document:
its limits, enums and patterns are built from the same specs and character classes the
checks use, so the document says what is enforced. A report's category is one of the
catalog's (`report_fields`). Checked values are stored by `recording`; `status` looks them
up for the public.

Empty values: for every optional field, `null`, an empty string (or one of only spaces and
line breaks) and leaving the field out all mean the same thing, "not given". The forms send
empty strings for blank fields; JSON clients may send any of the three.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote

import idna
from flask import has_request_context

from site_builder.languages import N_, whole_number

from . import i18n
from .catalog import Catalog
from .i18n import _

MESSAGE_MAX = 5000
NAME_MAX = 200
EMAIL_MAX = 254
URL_MAX = 2000
ID_MAX = 80
SEEN_AT_MAX = 32


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # how the form asks for it, used in messages (marked with N_)
    type: str = "string"  # "string" or "boolean"
    max_length: int | None = None  # in characters (code points) as sent
    required: bool = False
    multiline: bool = False
    format: str | None = None  # "email", "url", "date-or-date-time"
    choices: tuple[str, ...] = ()  # exact values, as listed
    description: str = ""
    missing: str = ""  # the message when a required field is not given (marked with N_)


# Optional contact details, the same on feedback and reports.
CONTACT_FIELDS = (
    Field("name", N_("your name"), max_length=NAME_MAX, description="Optional."),
    Field("email", N_("your email address"), max_length=EMAIL_MAX, format="email",
          description="Optional; needed when `wants_reply` is true."),
    Field("wants_reply", N_("whether you want a reply"), type="boolean",
          description="True to ask for a reply by email."),
)

FEEDBACK_FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("policy_id", N_("the policy"), max_length=ID_MAX, required=True,
          missing=N_("Enter the policy"),
          description="Id of the policy, as in the site's address (case does not matter), "
                      "for example `ai-1-19`."),
    Field("section", N_("the section"), max_length=ID_MAX,
          description="Anchor of a section or clause in that policy, for example `k-c` for "
                      "AI 1-19 §K.c."),
    Field("message", N_("your comment"), max_length=MESSAGE_MAX, required=True,
          multiline=True, missing=N_("Enter your comment"), description="The comment."),
    *CONTACT_FIELDS,
)}

REPORT_FIELDS: dict[str, Field] = {f.name: f for f in (
    # Its choices are the catalog's categories: `report_fields` fills them in.
    Field("category", N_("what kind of problem it is"), max_length=40, required=True,
          missing=N_("Choose what kind of problem it is"),
          description="One of the ids from `GET /api/v1/report-categories`."),
    Field("description", N_("what happened"), max_length=MESSAGE_MAX, required=True,
          multiline=True, missing=N_("Enter what happened"), description="What happened."),
    Field("account_id", N_("the account"), max_length=ID_MAX,
          description="Id of the account in the official accounts directory."),
    Field("account_url", N_("the address of the account"), max_length=URL_MAX, format="url",
          description="Address of the account, when it is not in the directory."),
    Field("post_url", N_("the link to the post"), max_length=URL_MAX, format="url",
          description="Address of the post or comment."),
    Field("seen_at", N_("when you saw it"), max_length=SEEN_AT_MAX, format="date-or-date-time",
          description="When it was seen: `2026-03-27` or `2026-03-27T14:30`."),
    *CONTACT_FIELDS,
)}

# A report names the account or the post with at least one of these.
ACCOUNT_OR_POST = ("account_id", "account_url", "post_url")


@functools.lru_cache(maxsize=8)
def report_fields(categories: tuple[str, ...]) -> dict[str, Field]:
    """The report's fields with the category ids to choose from (`Catalog.category_ids`)."""
    return {**REPORT_FIELDS,
            "category": dataclasses.replace(REPORT_FIELDS["category"], choices=categories)}

# Character classes (the inside of a regular expression's [...]), written with escapes that
# Python, ECMA-262 (JSON Schema's `pattern`) and Rust's regex read alike. The checks below
# and the patterns in the OpenAPI document are both built from them.
#
# Never accepted in any text field: C0 control characters other than tab, line feed and
# carriage return, and DEL.
CONTROL_CHARS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
# Line breaks and tabs: part of the text in a multi-line field (message, description);
# in any other field only at either end, where they are trimmed.
BREAK_CHARS = r"\t\n\r\x85\u2028\u2029"
# Spaces: trimmed from both ends of every text field, with the line breaks and tabs.
SPACE_CHARS = r" \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
TRIM_CHARS = SPACE_CHARS + BREAK_CHARS
# Invisible formatting characters, never accepted in a web address: bidirectional controls
# (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, U+061C), which can make an address read as
# another (`https://x.com/` followed by a right-to-left override and a reversed host), and
# zero-width and other invisible characters (soft hyphen, U+180E, U+200B-U+200D,
# U+2060-U+2064, U+206A-U+206F, U+FEFF).
INVISIBLE_CHARS = r"\xad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"

_TRIM = f"[{TRIM_CHARS}]"
# What each format looks like once trimmed. The checks hold a value to these with
# re.fullmatch (the whole value, as `pattern` with ^...$ in ECMA-262).
FORMAT_CORES = {
    "email": (f"[^@{CONTROL_CHARS}{TRIM_CHARS}]+@[^@{CONTROL_CHARS}{TRIM_CHARS}]+"
              f"\\.[^@.{CONTROL_CHARS}{TRIM_CHARS}]+"),
    # A host with no user name before it (`https://name@host` opens `host`, whatever `name`
    # says), no backslash (browsers read it as a slash) and no percent-encoding.
    "url": (f"[hH][tT][tT][pP][sS]?://"
            f"[^/?#@:\\[\\]\\\\%{CONTROL_CHARS}{TRIM_CHARS}{INVISIBLE_CHARS}]+"
            f"(?::[0-9]*)?(?:[/?#][^{CONTROL_CHARS}{TRIM_CHARS}{INVISIBLE_CHARS}]*)?"),
    "date-or-date-time": ("[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}"
                          "(?::[0-9]{2}(?:\\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?"),
}
# The messages are marked for the catalogue here and translated when a check runs, in the
# request's language (`%(label)s`: the field's label, translated too).
FORMAT_MESSAGES = {
    "email": N_("Enter an email address in the correct format, like name@example.com, or "
                "leave it empty"),
    "url": N_("Enter %(label)s as a full web address starting with https://, like "
              "https://www.facebook.com/example"),
    "date-or-date-time": N_("Enter when you saw it as a date like 2026-03-27, optionally with "
                            "a time like 2026-03-27T14:30"),
}
FORMAT_HINTS = {
    "email": "An email address: something, `@`, and a domain with a dot, like "
             "`name@example.com`.",
    "url": "A web address starting with `http://` or `https://` and a host name, with no "
           "spaces inside, no user name before the host (`https://name@host`), no `\\` or "
           "`%` in the host, and no invisible formatting characters (right-to-left and "
           "other direction marks, "
           "U+200E, U+200F, U+202A-U+202E, U+2066-U+2069; zero-width characters).",
    "date-or-date-time": "A date, `2026-03-27`, optionally with a time, `2026-03-27T14:30` "
                         "(UTC unless an offset such as `-06:00` or `Z` follows), from 2000 "
                         "to today.",
}
CONTROL = re.compile(f"[{CONTROL_CHARS}]")
BREAKS = re.compile(f"[{BREAK_CHARS}]")
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
# The part of a web address before its path: user name (refused), host and port.
AUTHORITY = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#\\]*)")
URL_MESSAGES = {
    "invisible": N_("%(label)s contains invisible formatting characters (such as "
                    "right-to-left marks), which can make an address look like another; type "
                    "or paste it again without them"),
    "userinfo": N_("%(label)s has a name and @ before the site's address (like "
                   "https://name@example.com), which hides where the link really goes; give "
                   "the address as your browser shows it, like "
                   "https://www.facebook.com/example"),
}
_FORMATS = {name: re.compile(core) for name, core in FORMAT_CORES.items()}


def _characters(cls: str) -> str:
    """The characters of a class above, as a string for str.strip."""
    found = re.compile(f"[{cls}]")
    return "".join(c for c in map(chr, range(0x3001)) if found.fullmatch(c))


TRIMMED = _characters(TRIM_CHARS)


def pattern(spec: Field) -> str | None:
    """The ECMA-262 pattern a value of this text field matches, as sent (before trimming):
    the checks accept a value only if it matches, and the OpenAPI document publishes it."""
    if spec.type != "string" or spec.choices:
        return None
    core = FORMAT_CORES.get(spec.format or "")
    if core is not None:
        return f"^{_TRIM}*(?:{core}){'' if spec.required else '?'}{_TRIM}*$"
    if spec.multiline:
        if spec.required:  # something other than spaces and line breaks
            return f"^{_TRIM}*[^{CONTROL_CHARS}{TRIM_CHARS}][^{CONTROL_CHARS}]*$"
        return f"^[^{CONTROL_CHARS}]*$"
    if spec.required:
        return (f"^{_TRIM}*[^{CONTROL_CHARS}{TRIM_CHARS}][^{CONTROL_CHARS}{BREAK_CHARS}]*"
                f"{_TRIM}*$")
    return f"^{_TRIM}*[^{CONTROL_CHARS}{BREAK_CHARS}]*{_TRIM}*$"


# Given: the pattern of a value that is not empty (something other than spaces and line
# breaks), for the OpenAPI document's rules that need a field given.
GIVEN = f"[^{TRIM_CHARS}]"


@dataclass
class Checked:
    """The outcome of a check: clean values, or a message for each field at fault."""

    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------
# Checking


def _text(spec: Field, raw, checked: Checked):
    """Clean one field: returns the value, None when not given, or records an error."""
    if spec.type == "boolean":
        return _boolean(spec, raw, checked)
    if raw is None:  # null or left out: not given
        if spec.required:
            checked.errors[spec.name] = _missing(spec)
        return None
    if not isinstance(raw, str):
        checked.errors[spec.name] = _("%(label)s must be text (a JSON string)",
                                      label=_label(spec, capital=True))
        return None
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        checked.errors[spec.name] = _("%(label)s contains characters that are not valid "
                                      "Unicode text; remove them and try again",
                                      label=_label(spec, capital=True))
        return None
    if spec.max_length and len(raw) > spec.max_length:
        checked.errors[spec.name] = _("%(label)s must be %(limit)s characters or fewer (it is "
                                      "%(length)s); shorten it and try again",
                                      label=_label(spec, capital=True),
                                      limit=_number(spec.max_length), length=_number(len(raw)))
        return None
    if spec.choices:
        return _choice(spec, raw, checked)
    value = raw.strip(TRIMMED)
    if CONTROL.search(raw) or (not spec.multiline and BREAKS.search(value)):
        if spec.multiline:
            message = _("%(label)s contains control characters; remove them and try again",
                        label=_label(spec, capital=True))
        else:
            message = _("%(label)s contains control characters or line breaks; remove them "
                        "and try again", label=_label(spec, capital=True))
        checked.errors[spec.name] = message
        return None
    if not value:  # empty, or only spaces and line breaks: not given
        if spec.required:
            checked.errors[spec.name] = _missing(spec)
        return None
    if spec.format and not _FORMATS[spec.format].fullmatch(value):
        checked.errors[spec.name] = _format_message(spec, value)
        return None
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))


def _format_message(spec: Field, value: str) -> str:
    """How to fix a value not in its field's format: for a web address, what is wrong with
    it when it is one of the tricks that disguise where a link goes."""
    if spec.format == "url":
        authority = AUTHORITY.match(value)
        if INVISIBLE.search(value):
            message = URL_MESSAGES["invisible"]
        elif authority and "@" in authority.group(1):
            message = URL_MESSAGES["userinfo"]
        else:
            return _(FORMAT_MESSAGES[spec.format], label=_label(spec))
        return _(message, label=_label(spec, capital=True))
    return _(FORMAT_MESSAGES[spec.format])


def url_host(url: str | None) -> str | None:
    """The host a browser opens for this web address, as ASCII (an internationalised name in
    its xn-- form, as IDNA's UTS 46 processing, which browsers use, gives it): shown to staff
    beside every link a resident gave, so `https://аpple.com` (a Cyrillic а) reads as
    `xn--pple-43d.com`. None when it is not a web address."""
    if not url:
        return None
    authority = AUTHORITY.match(url.strip())
    if authority is None:
        return None
    host = authority.group(1).rsplit("@", 1)[-1]
    if host.startswith("["):  # an IPv6 address, as it is
        return host[:host.find("]") + 1] or host
    host = host.split(":", 1)[0]  # the port
    host = unquote(host)
    if not host:
        return None
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        # Not a valid internationalised name (an underscore, say): as written, in ASCII.
        return host.lower().encode("ascii", "backslashreplace").decode("ascii")


def _choice(spec: Field, raw: str, checked: Checked) -> str | None:
    """One of a field's listed values, exactly as listed (an empty string: not given)."""
    if raw in spec.choices:
        return raw
    if raw == "" and not spec.required:
        return None
    checked.errors[spec.name] = (_missing(spec) if raw == "" else
                                 _("Choose %(label)s from the list (%(choices)s)",
                                   label=_label(spec), choices=", ".join(spec.choices)))
    return None


def _missing(spec: Field) -> str:
    if spec.missing:
        return _(spec.missing)
    if spec.choices:
        return _("Choose %(label)s", label=_label(spec))
    return _("Enter %(label)s", label=_label(spec))


def _boolean(spec: Field, raw, checked: Checked) -> bool:
    """true or false; null, an empty string or leaving it out: not given (false)."""
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    checked.errors[spec.name] = _("%(label)s must be true or false (a JSON boolean, not in "
                                  "quotes)", label=_label(spec, capital=True))
    return False


def _label(spec: Field, capital: bool = False) -> str:
    """The field's label in the request's language, with a capital to begin a message."""
    text = _(spec.label)
    return text[:1].upper() + text[1:] if capital else text


def _number(value: int) -> str:
    """A count in a message, as the request's language writes it (`5,000`)."""
    return whole_number(value, i18n.language().code if has_request_context() else None)


def _fields(specs: dict[str, Field], data, checked: Checked) -> dict:
    if not isinstance(data, dict):
        checked.errors["body"] = _("Send a JSON object with the submission's fields")
        return {}
    values = {}
    for name, spec in specs.items():
        values[name] = _text(spec, data.get(name), checked)
    values["wants_reply"] = bool(values.get("wants_reply"))
    if values["wants_reply"] and not values.get("email") and "email" not in checked.errors:
        checked.errors["email"] = _("Enter your email address so we can reply, or untick "
                                    "‘I would like a reply’")
    return values


def from_form(raw: dict) -> dict:
    """A form's values as the checks take them. A browser sends each line break in a text
    area as CR LF; it is one line break, as the browser counted it, so it is turned back
    into one before the checks count characters. (The API takes text as it is sent.)"""
    return {name: value.replace("\r\n", "\n") if isinstance(value, str) else value
            for name, value in raw.items()}


def unknown_fields(specs: dict[str, Field], data: dict) -> dict[str, str]:
    """API only: a misspelt field name must not silently drop a value."""
    return {
        str(name)[:100]: _("Unknown field; the fields are %(fields)s",
                           fields=", ".join(specs))
        for name in data if name not in specs
    }


def check_feedback(data, catalog: Catalog) -> Checked:
    checked = Checked()
    values = _fields(FEEDBACK_FIELDS, data, checked)
    policy = None
    if values.get("policy_id") is not None:
        policy = catalog.policy(values["policy_id"])
        if policy is None:
            checked.errors["policy_id"] = _("Choose a policy from the list; there is no "
                                            "policy with the id %(id)s",
                                            id=repr(values["policy_id"][:80]))
        else:
            values["policy_id"] = policy.id
    section = values.get("section")
    if section is not None and policy is not None:
        anchor = section.lower()
        if anchor in policy.sections:
            values["section"] = anchor
        else:
            checked.errors["section"] = _("%(policy)s has no section %(section)s; choose ‘The "
                                          "whole policy’ or the policy the section belongs to",
                                          policy=policy.short_name, section=repr(section[:80]))
    checked.values = values
    return checked


def check_report(data, catalog: Catalog) -> Checked:
    checked = Checked()
    values = _fields(report_fields(catalog.category_ids), data, checked)
    if values.get("account_id") is not None:
        account = catalog.account(values["account_id"])
        if account is None:
            checked.errors["account_id"] = _("Choose an account from the official directory, "
                                             "or give the account's address instead")
        else:
            values["account_id"] = account.id
    if values.get("account_id") is None and values.get("account_url") and \
            "account_url" not in checked.errors:
        listed = catalog.account_at(values["account_url"])
        if listed is not None:
            values["account_id"] = listed.id
    if not any(values.get(name) for name in ACCOUNT_OR_POST) and not \
            any(name in checked.errors for name in ACCOUNT_OR_POST):
        checked.errors["account_id"] = _("Choose the account from the list, give its "
                                         "address, or give the link to the post")
    seen_at = values.get("seen_at")
    if seen_at is not None:
        parsed = _when(seen_at)
        if parsed is None:
            checked.errors["seen_at"] = _format_message(REPORT_FIELDS["seen_at"], seen_at)
        elif parsed > dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
            checked.errors["seen_at"] = _("The date you saw it must be today or in the past")
        elif parsed.year < 2000:
            checked.errors["seen_at"] = _("The date you saw it must be in 2000 or later")
    checked.values = values
    return checked


def _when(text: str) -> dt.datetime | None:
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
