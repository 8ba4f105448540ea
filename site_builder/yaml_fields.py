"""The YAML fields of content files: a policy's front matter and the registries.

YAML is read safely into plain data, with the file line of every field, and without what
YAML allows and the content never uses (anchors, aliases, tags, deep nesting); a schema
model's validation errors become `Problem`s at those lines, in words that say how to fix
them. Every problem is collected, never raised.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import schema
from .problem import Problem

# ---------------------------------------------------------------------------------------
# YAML with line numbers


# libyaml's parser when PyYAML was built with it (the wheels are): the same documents,
# marks and errors, several times quicker than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The fields go four levels deep at most (accounts, an account, its domains); libyaml's
# composer recurses in C, so a deeply nested file would end the process, not raise.
MAX_DEPTH = 20
_CORE = "tag:yaml.org,2002:"
_NUMBERS = {f"{_CORE}int", f"{_CORE}float"}


@dataclass(frozen=True)
class ParsedYaml:
    """A YAML text read as plain data: mappings, lists, text, numbers, true/false, null.

    Dates stay the text they were written as, so the schema reads (and reports) them;
    mapping keys are their text. `lines` maps a key path to its file line, `texts` the key
    path of every scalar that is not text to how it was written (`012`, `yes`, `.inf`).
    `data` is None when the YAML could not be read at all.
    """

    data: Any
    lines: dict[tuple, int]
    texts: dict[tuple, str]
    problems: list[Problem]


def read_yaml(text: str, path: str, first_line: int = 1) -> ParsedYaml:
    """Parse YAML; every problem is a Problem at its line, whatever the text holds."""
    problems: list[Problem] = []
    try:
        problems += _refused(text, path, first_line)
        if problems:
            return ParsedYaml(None, {}, {}, problems)
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            return _plain(loader, node, path, first_line)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        if isinstance(error, yaml.composer.ComposerError):
            message = "a second YAML document (after a '---' line) is not allowed; keep one"
        else:
            message = (f"invalid YAML: {error.problem or 'not readable'}; check the "
                       "indentation and quote values that contain ':' or start with '@', '*' "
                       "or '&'")
        problems.append(Problem(path, line, message))
    except yaml.reader.ReaderError as error:
        code = error.character
        character = chr(code) if isinstance(code, int) and 0 <= code < 0x110000 else ""
        offset = text.find(character) if character else -1
        line = first_line + (text.count("\n", 0, offset) if offset >= 0 else 0)
        problems.append(Problem(path, line, f"invalid YAML: the character {character!r} is "
                                            "not allowed; remove it (it is often pasted in "
                                            "by accident)"))
    except yaml.YAMLError as error:
        problems.append(Problem(path, first_line, f"invalid YAML: {_cut(str(error))}"))
    return ParsedYaml(None, {}, {}, problems)


def _refused(text: str, path: str, first_line: int) -> list[Problem]:
    """What YAML allows and the content never uses: anchors, aliases, tags, deep nesting."""
    problems = []
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        line = first_line + event.start_mark.line
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            problems.append(Problem(path, line, "YAML anchors and aliases (&name, *name) are "
                                                "not allowed; write the value out"))
        tag = getattr(event, "tag", None)
        if tag:
            shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
            problems.append(Problem(path, line, f"YAML tag {_cut(shown)} is not allowed; write "
                                                "the value without it (quote text that looks "
                                                "like a number or true/false)"))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                problems.append(Problem(path, line, f"values are nested more than {MAX_DEPTH} "
                                                    "levels deep; no field goes deeper than "
                                                    "four (see content/README.md)"))
                break
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return problems


def _plain(loader, root: yaml.Node | None, path: str, first_line: int) -> ParsedYaml:
    """The data a node tree holds, its lines, and duplicate or unusable field names."""
    lines: dict[tuple, int] = {}
    texts: dict[tuple, str] = {}
    problems: list[Problem] = []

    def build(node: yaml.Node, at: tuple) -> Any:
        lines.setdefault(at, first_line + node.start_mark.line)
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, Any] = {}
            for key, value in node.value:
                line = first_line + key.start_mark.line
                if not isinstance(key, yaml.ScalarNode):
                    what = "a list" if isinstance(key, yaml.SequenceNode) else "a mapping"
                    problems.append(Problem(path, line, f"a field name is {what}; write a name "
                                                        "such as `title`, then ':' and the "
                                                        "value"))
                    continue
                name = key.value
                if name in mapping:
                    problems.append(Problem(path, line, f"duplicate field {show(name)} (first "
                                                        f"on line {lines[at + (name,)]}); keep "
                                                        "one"))
                    continue
                lines[at + (name,)] = line
                mapping[name] = build(value, at + (name,))
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [build(item, at + (i,)) for i, item in enumerate(node.value)]
        tag = node.tag
        if tag == f"{_CORE}str":
            return node.value
        texts[at] = node.value
        if tag == f"{_CORE}null":
            return None
        if tag == f"{_CORE}bool":
            return loader.construct_yaml_bool(node)
        if tag in _NUMBERS:
            try:
                if tag == f"{_CORE}int":
                    return loader.construct_yaml_int(node)
                return loader.construct_yaml_float(node)
            except ValueError:  # more digits than Python reads, or no digits at all ('0x_')
                return -math.inf if node.value.startswith("-") else math.inf
        return node.value  # dates (and '<<', '='): as written

    data = build(root, ()) if root is not None else None
    return ParsedYaml(data, lines, texts, problems)


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def show(value: Any, written: str | None = None) -> str:
    """A value as a message shows it: text quoted, anything else as written; cut short."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = repr(value[:100])
        if len(value) <= 60 and len(shown) <= 62:
            return shown
        return f"{shown[:60]}… ({len(value):,} characters)"
    if written is None:
        written = {True: "true", False: "false", None: "null"}.get(value, str(value)) \
            if isinstance(value, bool | None) else str(value)
    return _cut(written)


def _name(loc: tuple) -> str:
    """A field's path as messages name it: `review.last_reviewed`, `accounts.0.url`."""
    return ".".join(x if isinstance(x, str) and re.fullmatch(r"[\w-]{1,40}", x) else
                    str(x) if isinstance(x, int) else show(str(x)) for x in loc)


def line_for(lines: dict[tuple, int], loc: tuple, default: int) -> int:
    for end in range(len(loc), -1, -1):
        if tuple(loc[:end]) in lines:
            return lines[tuple(loc[:end])]
    return default


def _field_names(model: type[BaseModel]) -> set[str]:
    names = set(model.model_fields)
    for info in model.model_fields.values():
        for arg in _types_in(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                names |= _field_names(arg)
    return names


def _types_in(annotation):
    yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _types_in(arg)


# What a value of the wrong type is not, and how to write it instead.
_EXPECTED = {
    "string_type": ("text", "write text (quote it if it looks like a number or true/false)"),
    "int_type": ("a whole number", "write a number such as 12, without quotes"),
    "bool_type": ("true or false", "write true or false, without quotes"),
    "url_type": ("a web address", "write the full address, starting with https://"),
    "url_parsing": ("a web address", "write the full address, starting with https://"),
    "url_scheme": ("a web address", "write the full address, starting with https://"),
    "url_syntax_violation": ("a web address", "write the full address, starting with "
                                              "https://"),
    "model_type": ("a mapping", "write its fields below it, indented, one `field: value` "
                                "per line (see content/README.md)"),
    "model_attributes_type": ("a mapping", "write its fields below it, indented, one "
                                           "`field: value` per line (see content/README.md)"),
    "dict_type": ("a mapping", "write one `key: value` per line below it, indented"),
    "list_type": ("a list", "write one `- item` line per entry below it, indented"),
}


def _schema_message(item: dict, texts: dict[tuple, str], known: list[str],
                    lines: dict[tuple, int]) -> tuple[str, tuple]:
    """A pydantic error as the content guide speaks: the field, the value, how to fix it."""
    loc = tuple(item["loc"])
    if loc and loc[-1] == "[key]":  # a mapping key that is not a valid id
        loc = loc[:-1]
        name = _name(loc[:-1])
    else:
        name = _name(loc)
    kind = item["type"]
    value = item.get("input")
    shown = show(value, texts.get(loc))
    ctx = item.get("ctx") or {}
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else (
            "; see content/README.md for the fields")
        return f"unknown field {show(str(loc[-1]))}{hint}", loc
    if kind == "missing":
        return (f"missing required field {name!r}; add `{loc[-1]}: …` (see "
                "content/README.md)"), loc
    if kind == "date_impossible":
        return (f"{name}: {shown} is not a date: there is no such day; write a real date as "
                "YYYY-MM-DD, or null when unknown"), loc
    if kind.startswith("date"):
        if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}[Tt ]", value):
            return (f"{name}: {shown} is a date and time; write the date alone, as "
                    "YYYY-MM-DD (for example 2026-01-20)"), loc
        return (f"{name}: {shown} is not a date; write dates as YYYY-MM-DD (for example "
                "2026-01-20), or null when unknown"), loc
    if kind == "literal_error":
        return f"{name}: {shown} is not allowed; use one of {ctx['expected']}", loc
    if kind == "value_error":
        message = str(ctx["error"])
        field_name = message.split(":", 1)[0]
        return message, loc + (field_name,) if (field_name,) in lines else loc
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == schema.HOST_PATTERN:
            return (f"{name}: {shown} is not a host name; write it as in the address bar, "
                    "for example facebook.com"), loc
        return (f"{name}: {shown} is not a valid id; use lowercase letters, digits and '-' "
                "(for example ai-1-19)"), loc
    if kind == "too_short":
        return f"{name}: the list is empty; add at least one entry", loc
    if kind == "string_too_short" or (value is None and kind in _EXPECTED):
        return f"{name} is empty; write its value (see content/README.md)", loc
    if kind in ("string_too_long", "url_too_long"):
        limit = ctx.get("max_length")
        most = f" of at most {limit:,} characters" if isinstance(limit, int) else ""
        size = f"{len(value):,} characters" if isinstance(value, str) else shown
        return f"{name}: {size} is too long; write a shorter value{most}", loc
    if kind in ("greater_than_equal", "greater_than"):
        return f"{name}: {shown} is too small; use at least {ctx.get('ge', ctx.get('gt'))}", loc
    if kind in ("less_than_equal", "less_than"):
        return f"{name}: {shown} is too large; use at most {ctx.get('le', ctx.get('lt'))}", loc
    if kind in _EXPECTED:
        what, fix = _EXPECTED[kind]
        if kind == "string_type" and isinstance(value, dict | list):
            fix = "write the text on the same line as the field name"
        return f"{name}: {shown} is not {what}; {fix}", loc
    return f"{name}: {_cut(item['msg'], 200)}", loc


def validate(model: type[BaseModel], parsed: ParsedYaml, path: str, first_line: int, what: str):
    """Validate data against a schema model, translating errors into Problems."""
    data = parsed.data
    if not isinstance(data, dict):
        if data is None:
            found = f"{what} is empty"
        else:
            found = f"{what} is {show(data, parsed.texts.get(()))}"
        return None, [Problem(path, first_line, f"{found}; write its fields as `field: value` "
                                                "lines, one per line (see content/README.md)")]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        known = sorted(_field_names(model))
        problems = []
        for item in error.errors():
            message, loc = _schema_message(item, parsed.texts, known, parsed.lines)
            problems.append(Problem(path, line_for(parsed.lines, loc, first_line), message))
        return None, problems


# ---------------------------------------------------------------------------------------
# Front matter


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front matter, body, body's first line) or None without front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return None


def front_matter_data(front: str) -> dict[str, Any]:
    """A front matter's fields as plain data, read leniently: {} when they cannot be read.

    For a file that is not reported on (an old version in the history, a policy that failed
    to load): the same reading as `content.parse_policy`, dates as written, never an exception.
    """
    data = read_yaml(front, "", 2).data
    return data if isinstance(data, dict) else {}


def declared_id(text: str) -> str | None:
    """The id a policy file declares, read leniently from a file that failed to load (so
    that what refers to it is not also reported as broken)."""
    parts = split_front_matter(text)
    if parts is None:
        return None
    data = front_matter_data(parts[0])
    if not data:  # YAML that cannot be read at all: its `id:` line, if it has a plain one
        found = re.search(r"^id:[ \t]*([a-z0-9-]+)[ \t]*$", parts[0], re.M)
        return found[1] if found else None
    value = data.get("id")
    return value if isinstance(value, str) else None


def front_line(front: str, key: str) -> int:
    """The file line of a top-level key of a front matter (the first field's line if it
    is absent), for problems found after the YAML was read."""
    for offset, line in enumerate(front.split("\n")):
        if line.startswith(f"{key}:"):
            return offset + 2
    return 2
