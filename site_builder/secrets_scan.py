"""Credentials in content: the one scan every published text goes through.

Content is public, so a value or a line that looks like a credential stops the check and
the build: in the working tree (front matter, registry values, policy text) and in every
version the history holds (`history.py`). `scan` is the entry point for all of them.

The formats come from detect-secrets (Yelp's maintained scanner: its token and key
detectors, URLs with a password, private keys, JSON Web Tokens, `password: …` style
assignments and random-looking quoted strings, each with its own false-positive filters).
Next to them are the forms it does not know and policy text uses: a password, PIN or
passcode written as a Markdown label (`**Password**: …`), a column of a Markdown table
headed like a credential, and a few token formats (Facebook, Google API, fine-grained
GitHub tokens, Slack tokens with any layout).

Before scanning, each line is read as a reader would see it: HTML character references
decoded, Unicode compatibility forms folded (NFKC: full-width `ｐａｓｓｗｏｒｄ` is
`password`) and invisible format characters removed (zero-width spaces and joiners,
soft hyphens), so that a credential cannot hide behind its spelling. HTML comments are
scanned like any other text: they stay in the page source.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from detect_secrets.__version__ import VERSION as _DETECT_SECRETS_VERSION
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.filters import heuristic
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
)
from detect_secrets.plugins.keyword import (
    CONFIG_DENYLIST_REGEX_TO_GROUP,
    QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
)

# Part of every cache key that holds a verdict of this scan (history.py): a new scanner
# version or a change to these rules scans every version again.
SCANNER = f"detect-secrets {_DETECT_SECRETS_VERSION}"

# detect-secrets' detectors that do not find credentials.
_NOT_CREDENTIALS = {"Public IP (ipv4)"}
_NAMES = {
    "AWS Access Key": "an AWS access key",
    "Basic Auth Credentials": "a URL with a password",
    "GitHub Token": "a GitHub token",
    "GitLab Token": "a GitLab token",
    "JSON Web Token": "a JSON Web Token",
    "Private Key": "a private key",
    "Secret Keyword": "a password or secret",
    "Slack Token": "a Slack token or webhook",
    "Stripe Access Key": "a Stripe key",
    "Base64 High Entropy String": "a random-looking key or token",
    "Hex High Entropy String": "a random-looking key or token",
}

# Field names that say a credential is kept in them.
_CREDENTIAL_NAME = re.compile(
    r"pass(word|wd|phrase|code)?|pwd|\bpins?\b|secret|token|api[_-]?key|credential|login"
    r"|private[_-]?key|access[_-]?key",
    re.IGNORECASE,
)

# A table column headed like this holds credentials.
_CREDENTIAL_HEADER = re.compile(
    r"\b(pass[ -]?(word|wd|phrase|code)s?|pwd|pins?|pin[ -]?(code|number)s?|secrets?|tokens?"
    r"|api[ _-]?keys?|credentials?|logins?|private[ _-]?keys?)\b",
    re.IGNORECASE,
)
# Forms detect-secrets does not know, on one line lowered (gated by the words they need).
# Markup a label may carry: **bold**, _em_, `code`, a backslash escape.
_MARK = r"[*_`~\\\s]*"
_PASSWORD = re.compile(r"(?<![a-z0-9])(?:pass[ -]?(?:word|wd|phrase|code)s?|pwd)" + _MARK
                       + r"[:=][ \t*_`~\"']*[^\s*_`~\"'|]")
_PIN = re.compile(r"(?<![a-z0-9])(?:pin|pin[ -]?(?:code|number)|passcode)" + _MARK
                  + r"(?:[:=#]|\bis\b)[ \t*_`~\"']*\d{4,12}(?!\d)")
_PIN_WRITTEN = re.compile(r"(?<![A-Za-z0-9])PIN[ \t]+\d{4,12}(?!\d)")  # "PIN 4821"
# Token formats detect-secrets does not know (or knows in one layout only).
_TOKENS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"EAA[A-Za-z0-9]{30,}"), "a Facebook access token"),
    (re.compile(r"AIza[0-9A-Za-z_-]{35}"), "a Google API key"),
    (re.compile(r"github_pat_[A-Za-z0-9_]{22,}"), "a GitHub token"),
    (re.compile(r"gh[pousr]_[A-Za-z0-9]{30,}"), "a GitHub token"),
    (re.compile(r"xox[abposre]-[A-Za-z0-9-]{10,}"), "a Slack token or webhook"),
    (re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/]{16,}"),
     "a Slack token or webhook"),
    (re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY"), "a private key"),
    (re.compile(r"://[^/\s:@]+:[^/\s@]+@"), "a URL with a password"),
)
# Every token format is a run of at least 16 token characters (a real one; some detectors
# would take a shorter string), except a private key's header, a URL with a password and a
# short Slack token, which are looked for wherever their literal part is (`_findings`).
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/="
_RUN_TABLE = bytes(ord("a") if chr(b) in _TOKEN_CHARS else (b if b == 10 else 32)
                   for b in range(256))
_RUN = b"a" * 16
# The words detect-secrets' keyword rules need (its DENYLIST: api_key, password, pwd, …).
_KEYWORD_STEMS = ("key", "pass", "pwd", "secret", "contrase")
# Words that start like a keyword and are not one ("Secretary: the City Clerk").
_ORDINARY_WORDS = re.compile(r"secretar(y|ies|iat)", re.IGNORECASE)
# Table cells that say there is nothing: "", "—", "n/a", "none".
_EMPTY_CELL = re.compile(r"^[\s\-–—]*$|^(n/?a|none|not applicable|withheld)$", re.IGNORECASE)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_INVISIBLE_FILLERS = {"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0"}


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based line in the scanned text
    what: str  # what it looks like: "a password", "a Slack token or webhook", …


def scan(text: str, *, value: bool = False) -> list[Finding]:
    """Every line of `text` that looks like it holds a credential, one finding a line.

    The entry point for policy text, whole files, front matter and registry values.
    With `value`, `text` is one field's value: it is also judged whole, as detect-secrets
    judges a quoted string (a value is written without quotes in YAML).
    """
    lines = [_readable(line) for line in text.split("\n")]
    found: dict[int, str] = {}
    for line, what in _findings(lines):
        found.setdefault(line, what)
    if value and 1 not in found and len(lines) == 1 and _random_looking(lines[0].strip()):
        found[1] = _NAMES["Base64 High Entropy String"]
    return [Finding(line, what) for line, what in sorted(found.items())]


def credential_name(name: str) -> bool:
    """Whether a field's name says it holds a credential (`password`, `api_key`, …)."""
    return bool(_CREDENTIAL_NAME.search(_readable(name)))


# ---------------------------------------------------------------------------------------
# Reading a line as a reader sees it


def _readable(line: str) -> str:
    if "&" in line:
        line = html.unescape(line).replace("\n", " ")
    if line.isascii():
        return line
    line = unicodedata.normalize("NFKC", line)
    hidden = {c for c in _NON_ASCII.findall(line)
              if unicodedata.category(c) == "Cf" or c in _INVISIBLE_FILLERS}
    if hidden:
        line = "".join(c for c in line if c not in hidden)
    return line.replace("\n", " ")


# ---------------------------------------------------------------------------------------
# The rules


@lru_cache(maxsize=1)
def _detectors() -> tuple[tuple[re.Pattern, str], ...]:
    """detect-secrets' format detectors: (pattern, what it finds)."""
    found = []
    for secret_type, plugin in sorted(get_mapping_from_secret_type_to_class().items()):
        if secret_type in _NOT_CREDENTIALS or not issubclass(plugin, RegexBasedDetector):
            continue
        for pattern in plugin.denylist:
            found.append((pattern, _name(secret_type)))
    return tuple(found)


@lru_cache(maxsize=1)
def _entropy_plugins() -> tuple:
    return Base64HighEntropyString(), HexHighEntropyString()


def _name(secret_type: str) -> str:
    if secret_type in _NAMES:
        return _NAMES[secret_type]
    article = "an" if secret_type[:1].upper() in "AEIOU" else "a"
    return f"{article} {secret_type}"


def _findings(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(line, what) for each line that holds a credential; the first rule found a line.

    Each rule runs only on the lines that have what it needs (a long run of token
    characters, a keyword, a quote, a table), so that a version without any costs little:
    every version in the history goes through here.
    """
    text = "\n".join(lines)
    runs = text.encode("utf-8", "surrogateescape").translate(_RUN_TABLE).split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        what = None
        if (_RUN in runs[number - 1]
                or "://" in line or "BEGIN" in line or "PuTTY" in line or "xox" in line):
            what = _token(line)
        low = line.lower()
        if what is None and ("pass" in low or "pwd" in low) and _PASSWORD.search(low):
            what = "a password"
        if what is None and "pin" in low and (_PIN.search(low) or _PIN_WRITTEN.search(line)):
            what = "a PIN"
        if (what is None and ("=" in line or ":" in line or ";" in line)
                and any(stem in low for stem in _KEYWORD_STEMS) and _keyword(line)):
            what = _NAMES["Secret Keyword"]
        if what is None and ('"' in line or "'" in line) and _quoted_random(line):
            what = _NAMES["Base64 High Entropy String"]
        if what is not None:
            yield number, what
    if "|" in text:
        yield from _table_cells(lines)


def _token(line: str) -> str | None:
    """What token format a line holds: ours, then every detect-secrets detector."""
    for pattern, what in _TOKENS:
        if pattern.search(line):
            return what
    for pattern, what in _detectors():
        for match in pattern.finditer(line):
            secret = next((g for g in match.groups() if g), match.group(0))
            if not (heuristic.is_templated_secret(secret)
                    or heuristic.is_prefixed_with_dollar_sign(secret)):
                return what
    return None


def _keyword(line: str) -> bool:
    """detect-secrets' keyword rules (`api_key: …`, `password = "…"`), with its filters."""
    for rules in (CONFIG_DENYLIST_REGEX_TO_GROUP, QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP):
        for pattern, group in rules.items():
            match = pattern.search(line)
            if match is None:
                continue
            secret = match.group(group)
            word = re.match(r"\w*", line[match.start():])
            if word and _ORDINARY_WORDS.fullmatch(word.group(0)):
                continue
            if not (heuristic.is_templated_secret(secret)
                    or heuristic.is_prefixed_with_dollar_sign(secret)
                    or heuristic.is_indirect_reference(line)
                    or heuristic.is_not_alphanumeric_string(secret)):
                return True
    return False


def _quoted_random(line: str) -> bool:
    """detect-secrets' high-entropy rule: a random-looking string in quotes."""
    for plugin in _entropy_plugins():
        for match in plugin.regex.finditer(line):
            if _entropic(plugin, match.group(2), line):
                return True
    return False


def _random_looking(value: str) -> bool:
    """The high-entropy rule for a whole value, as if it were quoted."""
    for plugin in _entropy_plugins():
        match = plugin.regex.fullmatch(f'"{value}"')
        if match and _entropic(plugin, value, value):
            return True
    return False


def _entropic(plugin, secret: str, line: str) -> bool:
    # Entropy is at most log2(distinct characters): most strings need no calculation.
    return (len(set(secret)) > 2 ** plugin.entropy_limit
            and plugin.calculate_shannon_entropy(secret) > plugin.entropy_limit
            and not heuristic.is_sequential_string(secret)
            and not heuristic.is_potential_uuid(secret)
            and not heuristic.is_likely_id_string(secret, line, plugin)
            and not heuristic.is_templated_secret(secret))


def _table_cells(lines: list[str]) -> Iterator[tuple[int, str]]:
    """A Markdown table column headed like a credential ("Password", "PIN") with a value."""
    for i in range(1, len(lines)):
        if not _TABLE_RULE.match(lines[i]) or "|" not in lines[i - 1]:
            continue
        header = _cells(lines[i - 1])
        columns = [k for k, cell in enumerate(header) if _CREDENTIAL_HEADER.search(cell)]
        if not columns:
            continue
        for number in range(i + 2, len(lines) + 1):
            row = lines[number - 1]
            if "|" not in row:
                break
            cells = _cells(row)
            if any(k < len(cells) and not _EMPTY_CELL.match(cells[k].strip("*_`~ "))
                   for k in columns):
                yield number, "a password (in a table column headed like a credential)"


def _cells(row: str) -> list[str]:
    row = row.strip()
    row = row.removeprefix("|").removesuffix("|")
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)]
