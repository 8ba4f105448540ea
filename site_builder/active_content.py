"""Active content in policy text: what `transparency check` refuses, and how text that has
some is published anyway when it must be (an old version in the history).

The site's pages share an origin with the feedback app, so a script in a policy would run
with the privileges of whoever opens the page, staff included. Policy text is Markdown,
rendered by Python-Markdown with `attr_list`, which passes raw HTML through unchanged and
lets `{: name=value }` set any attribute. The rules below are deliberately simpler than
any Markdown parser, so that no difference between this check and the renderer (or the
browser) lets something through:

- Raw HTML: wherever the text has a "<" followed by a letter, "/", "!" or "?" (where an
  HTML parser starts a tag, a comment or a declaration), it must be one of a few plain
  phrase elements written exactly as `ALLOWED_ELEMENTS` shows, without attributes (only
  `<abbr title="…">` has one), or an autolink to an allowed address. Code spans and
  comments get no exception.
- Link addresses: after "](", "]:" (a reference definition) or "<" (an autolink), with
  entities and backslash escapes decoded and control characters removed as a browser
  does, an address that names a scheme must use http, https, mailto or tel. So
  `jav&#x61;script:`, `java<tab>script:` and `JavaScript&colon;` are all found.
- Attribute lists: `{…}` after text (Python-Markdown's attr_list) sets HTML attributes,
  event handlers included; only a heading's `{#id}` is allowed.

`problems(body, first_line)` lists them as (line, message); `inert(text)` gives text in
which they are shown as written instead of acting (the render stage uses it for every
block of text, so a version in the history that predates the check publishes its
markup as text).
"""

from __future__ import annotations

import functools
import html
import re
import string

from .outline import HEADING

# Phrase elements a policy may use, without attributes. Write them as shown.
ALLOWED_ELEMENTS = ("abbr", "b", "br", "em", "i", "s", "small", "strong", "sub", "sup", "u")
ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")

_NAMES = "|".join(ALLOWED_ELEMENTS)
_ALLOWED_TAG = re.compile(
    rf"<(?:(?:{_NAMES})[ \t]*/?|/(?:{_NAMES})[ \t]*|abbr[ \t]+title[ \t]*=[ \t]*"
    r"(?:\"[^\"<>\n]*\"|'[^'<>\n]*')[ \t]*)>",
    re.IGNORECASE,
)
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_TAG_NAME = re.compile(r"</?[ \t]*([A-Za-z][^\s/>]*)")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
# Autolinks, without "=" or quotes: even read as a tag, they could carry no attribute value.
_URL_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}):[^\s<>=\"'`]*>")
_EMAIL_AUTOLINK = re.compile(r"<(?:mailto:)?[^\s<>@!=\"'`]+@[^\s<>@=\"'`]+>")
_LOOSE_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*>|<[^\s<>@!]+@[^\s<>@]+>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{0,31};?)")
# Where a link address starts: after "](" or "]:" (Markdown allows no space between) or
# "<"; then what may decode to a scheme (entities, escapes, control characters a browser
# drops), and the scheme it decodes to.
_OPENER = re.compile(r"\][\x00-\x20]*[(:]|<")
_SCHEME_RUN = re.compile(r"[\x00-\x20\x7f-\x9f<A-Za-z0-9+.\-&#;\\]{0,400}")
_NOTHING_TO_DECODE = re.compile(r"[^&\\\x00-\x1f\x7f-\x9f]*")
_SCHEME = re.compile(r"[ ]*(?:<[ ]*)?(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):")
_ATTR_LIST = re.compile(r"\{:?[ \t]*[^}\s][^}\n]*\}")

_REASONS = {
    "script": "it would run code on the site",
    "style": "it restyles the whole site",
    "iframe": "it embeds another page",
    "frame": "it embeds another page",
    "frameset": "it embeds other pages",
    "object": "it embeds a plug-in or another page",
    "embed": "it embeds a plug-in",
    "applet": "it embeds a plug-in",
    "portal": "it embeds another page",
    "form": "it makes a form, which could send what readers type elsewhere",
    "meta": "it changes how the page loads",
    "base": "it changes where every link on the page goes",
    "link": "it loads other files into the page",
    "svg": "SVG can carry script",
    "math": "MathML can carry script",
    "a": "write links in Markdown: [text](https://…) or [text](other-policy.md#section)",
    "img": "write images in Markdown, if at all: ![description](address)",
}
_FORM_CONTROLS = ("input", "button", "select", "textarea", "option", "optgroup", "fieldset",
                  "output", "datalist", "keygen", "isindex", "label", "legend")
_DANGEROUS_SCHEMES = {
    "javascript": "it would run code when clicked",
    "vbscript": "it would run code when clicked",
    "data": "its content is written into the address, where the check cannot see it",
}


def problems(text: str, first_line: int = 1) -> list[tuple[int, str]]:
    """Every piece of active content in policy text, as (file line, message)."""
    found: dict[tuple[int, str], None] = {}

    def add(offset: int, message: str) -> None:
        found.setdefault((first_line + text.count("\n", 0, offset), message), None)

    for offset, message in _raw_html(text):
        add(offset, message)
    for offset, message in _addresses(text):
        add(offset, message)
    for offset, message in _attribute_lists(text):
        add(offset, message)
    return sorted(found)


@functools.lru_cache(maxsize=65536)
def inert(text: str) -> str:
    """The Markdown text as it is when it has no active content; otherwise Markdown that
    shows it as written, every character literal: raw HTML, links and attribute lists
    are text, and so are headings, lists and emphasis within it. (Remembered by text: a
    policy's versions share most of their clauses, and each version's pages ask again.)"""
    if not problems(text):
        return text
    return "\n".join("".join(_LITERAL.get(char, char) for char in line.strip())
                     for line in text.split("\n"))


# Python-Markdown's escapable characters (with the tables extension's "|"), and the three
# that HTML reads as markup.
_LITERAL = {char: "\\" + char for char in "\\`*_{}[]()>#+-.!|"}
_LITERAL.update({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


# ---------------------------------------------------------------------------------------
# Raw HTML


def _raw_html(text: str):
    for start in _TAG_START.finditer(text):
        offset = start.start()
        if _ALLOWED_TAG.match(text, offset):
            continue
        if _URL_AUTOLINK.match(text, offset) or _EMAIL_AUTOLINK.match(text, offset):
            continue  # an autolink; its address is checked with the other link addresses
        if _LOOSE_AUTOLINK.match(text, offset):
            yield offset, ("an autolink <…> with \"=\" or quotes in it is not allowed in a "
                           "policy (a browser could read it as an HTML tag with attributes); "
                           "write it as [text](address)")
            continue
        yield offset, _tag_message(text, offset)


def _tag_message(text: str, offset: int) -> str:
    allowed = ", ".join(f"<{name}>" for name in ALLOWED_ELEMENTS if name != "abbr")
    fix = (f"only {allowed} and <abbr title=\"…\"> are allowed, without other attributes; "
           "to show a \"<\" as text, write &lt;")
    second = text[offset + 1]
    if second in "!?":
        shown = text[offset:offset + 4].split("\n")[0]
        return (f"raw HTML markup {shown!r} (a comment or declaration) is not allowed in a "
                "policy: it is published in the page's source; remove it, or write &lt; to "
                "show a \"<\" as text")
    name_match = _TAG_NAME.match(text, offset)
    if name_match is None:
        return f"a \"</\" that is not a closing tag is not allowed in a policy; {fix}"
    name = name_match.group(1).lower()
    end = _tag_end(text, name_match.end())
    if end == len(text):
        return (f"a \"<\" right before a letter starts an HTML tag (here <{name}), which is "
                "not allowed in a policy; to show a \"<\" as text, write &lt; or put a space "
                "after it")
    if name in ALLOWED_ELEMENTS:
        inside = text[name_match.end():end]
        names = [m.group(1).lower() for m in _ATTRIBUTE.finditer(inside)]
        handlers = [n for n in names if n.startswith("on")]
        if handlers:
            what = (f"the event handler {handlers[0]}=… on <{name}> runs code when the reader "
                    "does something")
        elif names:
            shown = ", ".join(dict.fromkeys(names))
            what = f"<{name}> with the attribute{'s' if len(names) > 1 else ''} {shown}"
        else:
            what = f"this <{name}> tag is not written in a plain form"
        return f"raw HTML: {what}; this is not allowed in a policy: {fix}"
    reason = _REASONS.get(name)
    if reason is None and name in _FORM_CONTROLS:
        reason = "it is part of a form, which could send what readers type elsewhere"
    because = f" ({reason})" if reason else ""
    return f"raw HTML <{name}> is not allowed in a policy{because}; remove it: {fix}"


def _tag_end(text: str, start: int) -> int:
    """Where a tag that starts before `start` ends: its ">" outside quotes (or the end)."""
    quote = None
    for i in range(start, len(text)):
        char = text[i]
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == ">":
            return i
    return len(text)


# ---------------------------------------------------------------------------------------
# Link addresses


def _decoded(text: str) -> tuple[str, list[int]]:
    """The text as a link address reaches the browser's URL parser: entities and backslash
    escapes decoded, control characters (tabs and line breaks among them) removed; with
    each character's offset in `text`."""
    chars: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            entity = _ENTITY.match(text, i)
            if entity:
                chars += [(decoded, i) for decoded in html.unescape(entity.group())]
                i = entity.end()
                continue
        elif char == "\\" and i + 1 < len(text) and text[i + 1] in string.punctuation:
            chars.append((text[i + 1], i + 1))
            i += 2
            continue
        chars.append((char, i))
        i += 1
    kept = [c for c in chars if not (ord(c[0]) < 0x20 or 0x7F <= ord(c[0]) < 0xA0)]
    return "".join(c for c, _ in kept), [w for _, w in kept]


def _addresses(text: str):
    for opener in _OPENER.finditer(text):
        if _escaped(text, opener.start()):
            continue  # \] is a literal bracket
        start = opener.end()
        end = _SCHEME_RUN.match(text, start).end()
        chunk = text[start:end + 1]  # what may decode to a scheme, and the ":" after it
        if _NOTHING_TO_DECODE.fullmatch(chunk):
            decoded, where = chunk, range(start, start + len(chunk))
        else:
            decoded, offsets = _decoded(chunk)
            where = [start + offset for offset in offsets]
        found = _SCHEME.match(decoded)
        if found is None:
            continue
        scheme = found.group("scheme").lower()
        if scheme in ALLOWED_SCHEMES:
            continue
        reason = _DANGEROUS_SCHEMES.get(scheme)
        because = f" ({reason})" if reason else ""
        yield where[found.start("scheme")], (
            f"a link to a {scheme}: address is not allowed in a policy{because}; link to an "
            "http(s), mailto or tel address, or to a policy as [text](its-file.md#section)")


# ---------------------------------------------------------------------------------------
# Attribute lists


def _attribute_lists(text: str):
    if "{" not in text:
        return
    for found in _ATTR_LIST.finditer(text):
        start = found.start()
        if _escaped(text, start):
            continue  # \{ is a literal brace
        first = text.rfind("\n", 0, start) + 1
        last = text.find("\n", start)
        line = text[first:last if last >= 0 else len(text)]
        if line.lstrip().startswith("#") and start - first == line.rfind("{#"):
            heading = HEADING.match(line.expandtabs(4).rstrip())
            if heading and heading.group(3) is not None:
                continue  # the heading's own {#id}, which the outline reads
        shown = found.group()
        if len(shown) > 40:
            shown = shown[:37] + "…}"
        yield start, (
            f"{shown!r} would set HTML attributes (ids, classes, event handlers) on the "
            "text, which is not allowed in a policy; remove it, or write \\{ to show a "
            "brace (a section's id goes in its heading: ## Title {#id})")


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` follows an odd number of backslashes."""
    escapes = 0
    while at > escapes and text[at - escapes - 1] == "\\":
        escapes += 1
    return escapes % 2 == 1


# ---------------------------------------------------------------------------------------
# Versions in the history


def history_warnings(body: str, first_line: int, where: str) -> list[str]:
    """The build log's word on a published version whose text has active content (it was
    committed before this check, or past it): `where` names the file and the commit. The
    render stage shows each block of text that has some as written (`inert`)."""
    found = problems(body, first_line)
    if not found:
        return []
    line, message = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return [f"{where}, line {line}: {message.split('; ')[0]}{more}; that version is "
            "published with the text around it shown as written, as plain text, so that "
            "nothing in it acts"]


# ---------------------------------------------------------------------------------------
# Front matter


def field_problems(data, at: tuple = ()) -> list[tuple[tuple, str]]:
    """Active content in the text values of a front matter, as (key path, message).

    The fields are text, and the site escapes them; but a title or a number also goes
    into generated Markdown (a citation such as "AI 1-19 §K") and into the navigation,
    so they are held to the body's rules."""
    found: list[tuple[tuple, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += field_problems(value, at + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            found += field_problems(item, at + (i,))
    elif isinstance(data, str):
        name = ".".join(str(part) for part in at) or "value"
        found += [(at, f"{name}: {message}") for _, message in problems(data)]
    return found
