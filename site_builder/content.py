"""Load and validate `content/`: policies (Markdown + YAML front matter) and registries.

Every file is read and parsed once into plain data (`Policy`, `Library`); every problem is
collected as a `Problem` (`path:line: message`), never raised, so one run reports them all.
`parse_policy` works on text, so the history stage can parse old versions from git blobs.
"""

from __future__ import annotations

import difflib
import math
import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ValidationError

from . import citations, schema, secrets_scan
from .active_content import field_problems
from .active_content import problems as active_content
from .outline import Outline, parse_outline

MAX_FILE_BYTES = 1024 * 1024
POLICY_DIR = "policies"
REGISTRY_DIR = "registries"
REGISTRY_FILES = {
    "platforms.yaml": schema.PlatformRegistry,
    "accounts.yaml": schema.AccountRegistry,
}
# Registries a content folder may leave out: without withdrawn.yaml, nothing is withdrawn;
# the site builds without the feedback app's two (which it needs: feedback_api.catalog);
# without citations.yaml, the site cites AI 1-19 §K and §O.a (schema.SiteCitations).
OPTIONAL_REGISTRY_FILES = {
    "withdrawn.yaml": schema.WithdrawnRegistry,
    "report-categories.yaml": schema.ReportCategoryRegistry,
    "outcomes.yaml": schema.OutcomeRegistry,
    "citations.yaml": schema.SiteCitations,
}
WITHDRAWN = f"{REGISTRY_DIR}/withdrawn.yaml"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Policy:
    meta: schema.PolicyMeta
    path: str  # relative to the content folder, with '/' separators
    body: str
    body_line: int  # file line where the body starts
    outline: Outline
    front_matter: str  # the raw YAML, so a later stage can tell text from metadata changes

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass(frozen=True)
class Library:
    root: Path
    policies: dict[str, Policy] = field(default_factory=dict)
    platforms: schema.PlatformRegistry | None = None
    accounts: schema.AccountRegistry | None = None
    unloaded: frozenset[str] = frozenset()  # ids of policies whose problems kept them out
    withdrawals: tuple[schema.Withdrawal, ...] = ()  # registries/withdrawn.yaml
    withdrawal_lines: dict[tuple[str, int], int] = field(default_factory=dict)  # its lines
    report_categories: schema.ReportCategoryRegistry | None = None
    outcomes: schema.OutcomeRegistry | None = None
    citations: schema.SiteCitations = schema.SiteCitations()

    def policy_at(self, path: str) -> Policy | None:
        return next((p for p in self.policies.values() if p.path == path), None)

    def required_elements(self) -> list[tuple[Policy, schema.RequiredElement]]:
        return [
            (p, element)
            for p in self.policies.values()
            if p.meta.requires
            for element in p.meta.requires
        ]


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
class _Yaml:
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


def _yaml(text: str, path: str, first_line: int = 1) -> _Yaml:
    """Parse YAML; every problem is a Problem at its line, whatever the text holds."""
    problems: list[Problem] = []
    try:
        problems += _refused(text, path, first_line)
        if problems:
            return _Yaml(None, {}, {}, problems)
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
    return _Yaml(None, {}, {}, problems)


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


def _plain(loader, root: yaml.Node | None, path: str, first_line: int) -> _Yaml:
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
                    problems.append(Problem(path, line, f"duplicate field {_show(name)} (first "
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
    return _Yaml(data, lines, texts, problems)


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _show(value: Any, written: str | None = None) -> str:
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
                    str(x) if isinstance(x, int) else _show(str(x)) for x in loc)


def _line_for(lines: dict[tuple, int], loc: tuple, default: int) -> int:
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
    shown = _show(value, texts.get(loc))
    ctx = item.get("ctx") or {}
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else (
            "; see content/README.md for the fields")
        return f"unknown field {_show(str(loc[-1]))}{hint}", loc
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


def _validate(model: type[BaseModel], parsed: _Yaml, path: str, first_line: int, what: str):
    """Validate data against a schema model, translating errors into Problems."""
    data = parsed.data
    if not isinstance(data, dict):
        if data is None:
            found = f"{what} is empty"
        else:
            found = f"{what} is {_show(data, parsed.texts.get(()))}"
        return None, [Problem(path, first_line, f"{found}; write its fields as `field: value` "
                                                "lines, one per line (see content/README.md)")]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        known = sorted(_field_names(model))
        problems = []
        for item in error.errors():
            message, loc = _schema_message(item, parsed.texts, known, parsed.lines)
            problems.append(Problem(path, _line_for(parsed.lines, loc, first_line), message))
        return None, problems


# ---------------------------------------------------------------------------------------
# Credentials


def _secrets(data: Any, lines, path: str, first_line: int, at: tuple = ()) -> list[Problem]:
    problems = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = at + (key,)
            if secrets_scan.credential_name(str(key)):
                problems.append(Problem(
                    path, _line_for(lines, where, first_line),
                    f"field {key!r} looks like a credential; this content is public, so "
                    "logins and passwords (AI 1-19 §O.b) must never be stored here",
                ))
            problems += _secrets(value, lines, path, first_line, where)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            problems += _secrets(item, lines, path, first_line, at + (i,))
    elif isinstance(data, str):
        found = secrets_scan.scan(data, value=True)
        if found:
            problems.append(Problem(
                path, _line_for(lines, at, first_line),
                f"value looks like {found[0].what}; this content is public: remove it and "
                "rotate the credential",
            ))
    return problems


def _secrets_in_text(text: str, path: str, first_line: int) -> list[Problem]:
    return [Problem(path, first_line + found.line - 1,
                    f"text looks like it contains {found.what}; this content is public: "
                    "remove it and rotate the credential")
            for found in secrets_scan.scan(text)]


def _credentials(parsed: _Yaml, text: str, rel: str, first_line: int) -> list[Problem]:
    """Every credential in a file: its YAML's field names and values (as YAML reads
    them, escapes decoded; the YAML starts at `first_line`), then every other line of
    its text (comments, the body)."""
    problems = _secrets(parsed.data, parsed.lines, rel, first_line)
    seen = {problem.line for problem in problems}
    return problems + [p for p in _secrets_in_text(text, rel, 1) if p.line not in seen]


def policy_credentials(text: str, rel: str) -> tuple[dict[str, Any], list[Problem]]:
    """A policy file's front matter fields, read leniently (as `front_matter_data`), and
    every credential in the file, as `parse_policy` reports them.

    The one check the history stage puts every version of every policy through."""
    parts = split_front_matter(text)
    parsed = _yaml(parts[0], rel, first_line=2) if parts else _Yaml(None, {}, {}, [])
    data = parsed.data if isinstance(parsed.data, dict) else {}
    return data, _credentials(parsed, text, rel, 2)


# ---------------------------------------------------------------------------------------
# Files


def read_text(file: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read a content file as UTF-8 text, or say why it cannot be read.

    Only regular files are read: a named pipe would wait for a writer forever and a device
    such as /dev/zero never ends, so the file is opened without blocking and checked first.
    """
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        if file.is_symlink() and not file.exists():
            return None, [Problem(rel, 1, f"is a link to {os.readlink(file)}, which does not "
                                          "exist; put the file itself here")]
        return None, [Problem(rel, 1, f"cannot read the file ({error.strerror}); check its "
                                      "permissions")]
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, [Problem(rel, 1, f"is {_special_file(info.st_mode)}, not a file; put "
                                          "the file itself here")]
        if info.st_size > MAX_FILE_BYTES:
            return None, [Problem(rel, 1, f"file is {info.st_size:,} bytes, over the limit of "
                                          f"{MAX_FILE_BYTES:,}; split the policy or remove "
                                          "pasted material")]
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, [Problem(rel, 1, f"cannot read the file ({error.strerror}); check its "
                                      "permissions")]
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(rel, 1, f"file is over the limit of {MAX_FILE_BYTES:,} bytes; "
                                      "split the policy or remove pasted material")]
    return decode(data, rel)


def _special_file(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def decode(data: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Problem(rel, line, f"not valid UTF-8 (byte {data[error.start]:#04x}); "
                                         "save the file as UTF-8")]
    return text.removeprefix("\ufeff").replace("\r\n", "\n"), []


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front matter, body, body's first line) or None without front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return None


def parse_policy(text: str, rel: str) -> tuple[Policy | None, list[Problem]]:
    """Parse one policy file's text. Problems are reported against `rel`."""
    parts = split_front_matter(text)
    if parts is None:
        return None, [Problem(rel, 1, "no front matter; start the file with a '---' line, the "
                                      "YAML fields, and another '---' line")]
    front, body, body_line = parts
    parsed = _yaml(front, rel, first_line=2)
    if parsed.data is None and parsed.problems:
        return None, parsed.problems
    problems = parsed.problems + _credentials(parsed, text, rel, 2)
    meta, schema_problems = _validate(schema.PolicyMeta, parsed, rel, 2, "the front matter")
    problems += schema_problems
    outline = parse_outline(body, body_line)
    problems += [Problem(rel, line, message) for line, message in outline.problems]
    if meta is None:
        return None, problems
    return Policy(meta, rel, body, body_line, outline, front), problems


def active_content_problems(text: str, rel: str) -> list[Problem]:
    """What in a policy file could act on the site (`active_content.py`): in its body and
    in its front matter's values. Part of the check of the files as they are; versions in
    the history are read without it, and the render stage shows such text as written."""
    parts = split_front_matter(text)
    if parts is None:
        return []
    front, body, body_line = parts
    parsed = _yaml(front, rel, first_line=2)
    return ([Problem(rel, line, message) for line, message in active_content(body, body_line)]
            + [Problem(rel, _line_for(parsed.lines, where, 2), message)
               for where, message in field_problems(parsed.data)])


def parse_registry(text: str, rel: str, model: type[BaseModel]):
    parsed = _yaml(text, rel)
    if parsed.data is None and parsed.problems:
        return None, parsed.problems, parsed.lines
    problems = parsed.problems + _credentials(parsed, text, rel, 1)
    registry, schema_problems = _validate(model, parsed, rel, 1, "the registry")
    return registry, problems + schema_problems, parsed.lines


def load_library(root: Path) -> tuple[Library, list[Problem]]:
    """Read every content file once; return the library and every problem found.

    Whether the versions registries/withdrawn.yaml names exist is a question for the
    history (`withdrawals.history_problems`), which `check` and the build ask after this.
    """
    root = Path(root)
    problems: list[Problem] = []
    policies: dict[str, Policy] = {}
    unloaded: set[str | None] = set()
    policy_dir = root / POLICY_DIR
    if not policy_dir.is_dir():
        problems.append(Problem(f"{POLICY_DIR}/", 0, "folder missing; policies live in "
                                                     f"{root}/{POLICY_DIR}/*.md"))
    files = sorted(policy_dir.iterdir()) if policy_dir.is_dir() else []
    for file in files:
        rel = f"{POLICY_DIR}/{file.name}"
        if file.name.startswith("."):
            continue
        if file.suffix != ".md":
            problems.append(Problem(rel, 1, "only Markdown policies (*.md) belong in "
                                            f"{POLICY_DIR}/; move or remove this file"))
            continue
        text, read_problems = read_text(file, rel)
        problems += read_problems
        if text is None:
            continue
        policy, policy_problems = parse_policy(text, rel)
        problems += policy_problems
        problems += active_content_problems(text, rel)
        if policy is None:
            unloaded.add(_declared_id(text))
            continue
        if policy.id in policies:
            problems.append(Problem(rel, _front_line(policy, "id"),
                                    f"duplicate policy id {policy.id!r}; "
                                    f"{policies[policy.id].path} already uses it"))
            continue
        policies[policy.id] = policy

    registries: dict[str, Any] = {}
    registry_lines: dict[str, dict] = {}
    registry_dir = root / REGISTRY_DIR
    known = {**REGISTRY_FILES, **OPTIONAL_REGISTRY_FILES}
    for name, model in known.items():
        rel = f"{REGISTRY_DIR}/{name}"
        file = registry_dir / name
        if not file.exists() and not file.is_symlink():
            if name not in OPTIONAL_REGISTRY_FILES:
                problems.append(Problem(rel, 0, "registry missing; see content/README.md "
                                                "for its fields"))
            continue
        text, read_problems = read_text(file, rel)
        problems += read_problems
        if text is None:
            continue
        registry, registry_problems, lines = parse_registry(text, rel, model)
        problems += registry_problems
        registries[name] = registry
        registry_lines[name] = lines
    if registry_dir.is_dir():
        for file in sorted(registry_dir.iterdir()):
            if file.name not in known and not file.name.startswith("."):
                problems.append(Problem(f"{REGISTRY_DIR}/{file.name}", 1,
                                        "unknown registry; the registries are "
                                        f"{', '.join(known)}"))

    withdrawn = registries.get("withdrawn.yaml")
    withdrawal_lines = {
        (item.policy, item.version): _line_for(registry_lines["withdrawn.yaml"],
                                               ("withdrawals", i), 1)
        for i, item in enumerate(withdrawn.withdrawals if withdrawn else ())
    }
    library = Library(root, policies, registries.get("platforms.yaml"),
                      registries.get("accounts.yaml"), frozenset(unloaded - {None}),
                      tuple(withdrawn.withdrawals) if withdrawn else (), withdrawal_lines,
                      registries.get("report-categories.yaml"), registries.get("outcomes.yaml"),
                      registries.get("citations.yaml") or schema.SiteCitations())
    problems += check_library(library, registry_lines)
    return library, sorted(set(problems))


def _declared_id(text: str) -> str | None:
    """The id a policy file declares, read leniently from a file that failed to load."""
    parts = split_front_matter(text)
    if parts is None:
        return None
    data = front_matter_data(parts[0])
    if not data:  # YAML that cannot be read at all: its `id:` line, if it has a plain one
        found = re.search(r"^id:[ \t]*([a-z0-9-]+)[ \t]*$", parts[0], re.M)
        return found[1] if found else None
    value = data.get("id")
    return value if isinstance(value, str) else None


def front_matter_data(front: str) -> dict[str, Any]:
    """A front matter's fields as plain data, read leniently: {} when they cannot be read.

    For a file that is not reported on (an old version in the history, a policy that failed
    to load): the same reading as `parse_policy`, dates as written, never an exception.
    """
    data = _yaml(front, "", 2).data
    return data if isinstance(data, dict) else {}


def _front_line(policy: Policy, key: str) -> int:
    """The file line of a top-level front matter key (the first field's line if absent)."""
    for offset, line in enumerate(policy.front_matter.split("\n")):
        if line.startswith(f"{key}:"):
            return offset + 2
    return 2


# ---------------------------------------------------------------------------------------
# Checks across files


def check_library(library: Library, registry_lines: dict[str, dict]) -> list[Problem]:
    problems: list[Problem] = []
    policies = library.policies
    for policy in policies.values():
        meta = policy.meta
        if meta.parent and meta.parent not in policies and meta.parent not in library.unloaded:
            close = difflib.get_close_matches(meta.parent, list(policies), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(policy.path, _front_line(policy, "parent"),
                                    f"parent {meta.parent!r} is not a policy id{hint}"))
        if meta.parent == meta.id:
            problems.append(Problem(policy.path, _front_line(policy, "parent"),
                                    "a policy cannot be its own parent"))
        problems += _check_links(library, policy)

    required = library.required_elements()
    for policy in policies.values():
        if policy.meta.kind != "comprehensive-policy":
            continue
        satisfies = policy.meta.satisfies or {}
        line = _front_line(policy, "satisfies")
        for resolution, element in required:
            if element.id not in satisfies:
                problems.append(Problem(
                    policy.path, line,
                    f"required element {element.id!r} ({element.title}, "
                    f"{resolution.meta.title} "
                    f"{resolution.outline.label_of(element.clause) or element.clause}) is not "
                    "covered; add a "
                    f"section for it and `{element.id}: <section-id>` under satisfies",
                ))
        known = {e.id for _, e in required}
        for element_id, section_id in satisfies.items():
            if known and element_id not in known:
                close = difflib.get_close_matches(element_id, sorted(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(Problem(policy.path, line,
                                        f"satisfies: {element_id!r} is not an element any "
                                        f"resolution requires{hint}"))
            if section_id not in policy.outline.anchors:
                problems.append(Problem(policy.path, line,
                                        f"satisfies: {element_id} points at section "
                                        f"{section_id!r}, which is not in this policy"))
    for resolution, element in required:
        if element.clause not in resolution.outline.anchors:
            problems.append(Problem(resolution.path, _front_line(resolution, "requires"),
                                    f"requires: element {element.id!r} cites clause "
                                    f"{element.clause!r}, which is not in the text"))

    platforms = library.platforms
    if platforms is not None:
        problems += _duplicates([p.id for p in platforms.platforms], "platforms",
                                f"{REGISTRY_DIR}/platforms.yaml",
                                registry_lines.get("platforms.yaml", {}))
    accounts = library.accounts
    if accounts is not None:
        rel = f"{REGISTRY_DIR}/accounts.yaml"
        lines = registry_lines.get("accounts.yaml", {})
        problems += _duplicates([a.id for a in accounts.accounts], "accounts", rel, lines)
        by_id = {p.id: p for p in platforms.platforms} if platforms else {}
        for i, account in enumerate(accounts.accounts):
            platform = by_id.get(account.platform)
            if platforms is not None and platform is None:
                close = difflib.get_close_matches(account.platform, list(by_id), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else (
                    "; add it to platforms.yaml first")
                problems.append(Problem(rel, _line_for(lines, ("accounts", i, "platform"), 1),
                                        f"platform {account.platform!r} is not in "
                                        f"platforms.yaml{hint}"))
            elif platform is not None:
                host = (urlsplit(str(account.url)).hostname or "").lower()
                if not any(host == d or host.endswith("." + d) for d in platform.domains):
                    problems.append(Problem(
                        rel, _line_for(lines, ("accounts", i, "url"), 1),
                        f"url host {_show(host)} is not a {platform.name} address "
                        f"({', '.join(platform.domains)})",
                    ))
    problems += [Problem(*found) for found in citations.problems(library, registry_lines)]
    return problems + _check_withdrawals(library, registry_lines.get("withdrawn.yaml", {}))


def _check_withdrawals(library: Library, lines) -> list[Problem]:
    """Each withdrawal names a policy, once a version. (That the version exists is
    checked against the history: `withdrawals.withdrawal_problems`.)"""
    problems = []
    seen: dict[tuple[str, int], int] = {}
    for i, item in enumerate(library.withdrawals):
        line = _line_for(lines, ("withdrawals", i), 1)
        if item.policy not in library.policies and item.policy not in library.unloaded:
            close = difflib.get_close_matches(item.policy, list(library.policies), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(WITHDRAWN, _line_for(lines, ("withdrawals", i, "policy"),
                                                         line),
                                    f"policy {item.policy!r} is not a policy id{hint}"))
        key = (item.policy, item.version)
        if key in seen:
            problems.append(Problem(WITHDRAWN, line,
                                    f"version {item.version} of {item.policy} is withdrawn "
                                    f"twice (first on line {seen[key]}); keep one entry"))
        else:
            seen[key] = line
    return problems


def _duplicates(ids: list[str], key: str, rel: str, lines) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for i, item in enumerate(ids):
        line = _line_for(lines, (key, i, "id"), 1)
        if item in seen:
            problems.append(Problem(rel, line, f"duplicate id {item!r} (first on line "
                                               f"{seen[item]})"))
        else:
            seen[item] = line
    return problems


def _check_links(library: Library, policy: Policy) -> list[Problem]:
    problems = []
    base = posixpath.dirname(policy.path)
    for link in policy.outline.links:
        target = link.target
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("/"):
            continue
        path, anchor = parts.path, parts.fragment
        other = policy
        if path:
            rel = posixpath.normpath(posixpath.join(base, path))
            other = library.policy_at(rel)
            if other is None:
                if (library.root / rel).exists():
                    # Another file, or a policy whose own problems kept it out of the
                    # library: those are reported against it, not as broken links here.
                    continue
                problems.append(Problem(policy.path, link.line,
                                        f"broken link {target!r}: no policy file {rel}; link "
                                        "to another policy as `its-file.md#section`"))
                continue
        if anchor and anchor not in other.outline.anchors:
            close = difflib.get_close_matches(anchor, list(other.outline.anchors), n=1)
            hint = f"; did you mean #{close[0]}?" if close else ""
            problems.append(Problem(policy.path, link.line,
                                    f"broken link {target!r}: {other.path} has no section or "
                                    f"clause #{anchor}{hint}"))
    return problems
