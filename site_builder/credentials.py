"""Credentials in content files, as `Problem`s at their lines.

Content is public, so `secrets_scan` looks at every file the check reads: the field names
and values of its YAML (as YAML reads them) and every other line of its text. The load
stage asks it of the files as they are; the history stage asks `policy_credentials` of
every version of every policy.
"""

from __future__ import annotations

from typing import Any

from . import secrets_scan
from .problem import Problem
from .yaml_fields import ParsedYaml, line_for, read_yaml, split_front_matter


def _secrets(data: Any, lines, path: str, first_line: int, at: tuple = ()) -> list[Problem]:
    problems = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = at + (key,)
            if secrets_scan.credential_name(str(key)):
                problems.append(Problem(
                    path, line_for(lines, where, first_line),
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
                path, line_for(lines, at, first_line),
                f"value looks like {found[0].what}; this content is public: remove it and "
                "rotate the credential",
            ))
    return problems


def _secrets_in_text(text: str, path: str, first_line: int) -> list[Problem]:
    return [Problem(path, first_line + found.line - 1,
                    f"text looks like it contains {found.what}; this content is public: "
                    "remove it and rotate the credential")
            for found in secrets_scan.scan(text)]


def file_credentials(parsed: ParsedYaml, text: str, rel: str, first_line: int) -> list[Problem]:
    """Every credential in a file: its YAML's field names and values (as YAML reads
    them, escapes decoded; the YAML starts at `first_line`), then every other line of
    its text (comments, the body)."""
    problems = _secrets(parsed.data, parsed.lines, rel, first_line)
    seen = {problem.line for problem in problems}
    return problems + [p for p in _secrets_in_text(text, rel, 1) if p.line not in seen]


def policy_credentials(text: str, rel: str) -> tuple[dict[str, Any], list[Problem]]:
    """A policy file's front matter fields, read leniently (as
    `yaml_fields.front_matter_data`), and every credential in the file, as
    `content.parse_policy` reports them.

    The one check the history stage puts every version of every policy through."""
    parts = split_front_matter(text)
    parsed = read_yaml(parts[0], rel, first_line=2) if parts else ParsedYaml(None, {}, {}, [])
    data = parsed.data if isinstance(parsed.data, dict) else {}
    return data, file_credentials(parsed, text, rel, 2)
