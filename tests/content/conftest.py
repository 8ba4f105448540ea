"""A copy of the shipped content to break, and the hostile values every command must report."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.conftest import CONTENT

AI = "policies/ai-1-19.md"
DRAFT = "policies/comprehensive-social-media-policy.md"
PLATFORMS = "registries/platforms.yaml"
ACCOUNTS = "registries/accounts.yaml"

# One reported problem: `path:line: message`, on one line.
PROBLEM = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+): (?P<message>\S.*)$")
# The last line a failed command writes to stderr: `N problem(s) in DIR/…`.
SUMMARY = re.compile(r"(?P<count>\d+) problems? in |(?P<revise>\d+) problem\(s\) in ")


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of the shipped content to break."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> int:
    """Replace text in a content file; return the 1-based line of the first change."""
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count))
    return line


def check(root: Path, capsys) -> tuple[int, list[str]]:
    code = main(["check", "--content", str(root)])
    out = capsys.readouterr().out
    return code, out.splitlines()


def expect(lines: list[str], rel: str, line: int, *words: str) -> None:
    """Some line reports `rel:line:` and contains every word."""
    prefix = f"{rel}:{line}: "
    hits = [x for x in lines if x.startswith(prefix) and all(w in x for w in words)]
    assert hits, f"no {prefix}… with {words} in:\n" + "\n".join(lines)


@dataclass(frozen=True)
class Hostile:
    """A value YAML reads but the content must refuse: `old` in `rel` becomes `new`.

    The problem is reported `below` lines after the edit's first line and says `words`.
    `old=None` writes `new` as the whole file.
    """

    id: str
    rel: str
    old: str | None
    new: str
    words: tuple[str, ...]
    below: int = 0

    def apply(self, root: Path) -> int:
        """Break the content; return the line the problem is reported at."""
        if self.old is None:
            (root / self.rel).write_text(self.new)
            return 2 + self.below if self.rel.startswith("policies/") else 1 + self.below
        return edit(root, self.rel, self.old, self.new) + self.below


NESTED = "[" * 100_000 + "]" * 100_000
BODY = "\n## Purpose {#purpose}\n\nA policy.\n"
FIELDS = """\
id: hostile
title: A hostile policy
kind: administrative-instruction
status: draft
department: City Council
owner: City Council
summary: A policy to break.
review: {interval_months: 12, last_reviewed: null}
"""
NOT_TEXT = "is not text; write text (quote it if it looks like a number or true/false)"
NOT_A_NUMBER = "is not a whole number; write a number such as 12, without quotes"

HOSTILE = [
    # Dates that do not exist, and dates with a time.
    Hostile("impossible-day", AI, "effective: null", "effective: 2026-02-30",
            ("effective: '2026-02-30' is not a date: there is no such day", "YYYY-MM-DD")),
    Hostile("impossible-month", PLATFORMS, "approved_on: 2026-01-20", "approved_on: 2022-13-45",
            ("platforms.0.approved_on: '2022-13-45' is not a date", "no such day")),
    Hostile("impossible-review-date", AI, "last_reviewed: null", "last_reviewed: 2023-02-29",
            ("review.last_reviewed: '2023-02-29'", "no such day")),
    Hostile("datetime", AI, "issued: null", "issued: 2026-01-20 10:00:00",
            ("issued: '2026-01-20 10:00:00' is a date and time", "write the date alone")),
    Hostile("datetime-utc", ACCOUNTS, "last_verified: 2026-09-01",
            "last_verified: 2026-09-01T10:00:00Z",
            ("accounts.0.last_verified", "is a date and time")),
    Hostile("unix-time", AI, "approved_on: null", "approved_on: 1767225600",
            ("approved_on: 1767225600 is not a date", "YYYY-MM-DD")),
    # Numbers and true/false where text belongs, and text where they belong.
    Hostile("number-title", AI, "title: Social Media Policy", "title: 12",
            (f"title: 12 {NOT_TEXT}",)),
    Hostile("float-summary", AI, "summary: Administrative", "summary: 3.5 # Administrative",
            (f"summary: 3.5 {NOT_TEXT}",)),
    Hostile("octal-number", AI, 'number: "AI 1-19"', "number: 012", (f"number: 012 {NOT_TEXT}",)),
    Hostile("clock-handle", ACCOUNTS, 'handle: "@abq-city-sample"', "handle: 12:30",
            (f"accounts.0.handle: 12:30 {NOT_TEXT}",)),
    Hostile("boolean-owner", AI, "owner: Department", "owner: yes # Department",
            (f"owner: yes {NOT_TEXT}",)),
    Hostile("quoted-number", AI, "interval_months: 12", 'interval_months: "12"',
            (f"review.interval_months: '12' {NOT_A_NUMBER}",)),
    Hostile("float-months", AI, "interval_months: 12", "interval_months: 12.0",
            (f"review.interval_months: 12.0 {NOT_A_NUMBER}",)),
    Hostile("months-out-of-range", PLATFORMS, "interval_months: 12", "interval_months: 61",
            ("review.interval_months: 61 is too large; use at most 60",)),
    Hostile("quoted-boolean", AI, "sample: false", 'sample: "no"',
            ("sample: 'no' is not true or false; write true or false, without quotes",)),
    Hostile("number-boolean", PLATFORMS, "sample: true", "sample: 1",
            ("sample: 1 is not true or false",)),
    Hostile("number-status", AI, "status: active", "status: 1",
            ("status: 1 is not allowed; use one of", "'active'")),
    Hostile("number-url", ACCOUNTS, "url: https://www.facebook.com/abq-city-sample", "url: 12",
            ("accounts.0.url: 12 is not a web address", "https://")),
    Hostile("empty-title", AI, "title: Social Media Policy", "title:",
            ("title is empty; write its value",)),
    # Lists where mappings belong, and mappings where lists or text belong.
    Hostile("list-review", AI, "review:\n  interval_months: 12\n  last_reviewed: null\n",
            "review: [1, 2]\n", ("review: a list is not a mapping", "`field: value`")),
    Hostile("list-source", "policies/hostile.md", None, f"---\n{FIELDS}source: [a]\n---\n{BODY}",
            ("source: a list is not a mapping",), below=8),
    Hostile("list-of-numbers", PLATFORMS, "  - id: facebook\n", "  - 1\n  - id: facebook\n",
            ("platforms.0: 1 is not a mapping",)),
    Hostile("mapping-domains", PLATFORMS, "domains: [facebook.com]",
            "domains: {facebook.com: 1}",
            ("platforms.0.domains: a mapping is not a list", "`- item`")),
    Hostile("mapping-title", AI, "title: Social Media Policy", "title: {a: 1}",
            ("title: a mapping is not text", "on the same line")),
    Hostile("list-summary", AI, "summary: Administrative", "summary: [a, b] # Administrative",
            ("summary: a list is not text",)),
    Hostile("text-domains", PLATFORMS, "domains: [facebook.com]", "domains: facebook.com",
            ("platforms.0.domains: 'facebook.com' is not a list",)),
    # Huge values.
    Hostile("huge-integer-title", AI, "title: Social Media Policy", "title: " + "9" * 5000,
            ("title: 99999", "(5,000 characters) " + NOT_TEXT)),
    Hostile("huge-integer-months", ACCOUNTS, "interval_months: 6",
            "interval_months: -" + "7" * 6000,
            ("review.interval_months: -7777", "(6,001 characters) " + NOT_A_NUMBER)),
    Hostile("huge-float", AI, "interval_months: 12", "interval_months: 1.5e+300",
            (f"review.interval_months: 1.5e+300 {NOT_A_NUMBER}",)),
    Hostile("infinity", AI, "interval_months: 12", "interval_months: .inf",
            (f"review.interval_months: .inf {NOT_A_NUMBER}",)),
    Hostile("not-a-number", PLATFORMS, "interval_months: 12", "interval_months: .nan",
            (f"review.interval_months: .nan {NOT_A_NUMBER}",)),
    Hostile("long-title", AI, "title: Social Media Policy", "title: " + "x" * 100_000,
            ("title: 100,000 characters is too long", "at most 200 characters")),
    Hostile("long-status", ACCOUNTS, "status: active", "status: " + "y" * 50_000,
            ("accounts.0.status: 'yyyy", "(50,000 characters) is not allowed")),
    Hostile("deep-nesting", AI, "effective: null", "effective: " + NESTED,
            ("values are nested more than 20 levels deep",)),
    Hostile("deep-mapping", ACCOUNTS, "review:\n", "extra: " + "{a: " * 30 + "1" + "}" * 30
            + "\nreview:\n", ("values are nested more than 20 levels deep",)),
    # Tags.
    Hostile("tag", AI, "title: Social Media Policy", "title: !foo Social Media Policy",
            ("YAML tag !foo is not allowed", "without it")),
    Hostile("python-tag", AI, "title: Social Media Policy",
            "title: !!python/object:os.system Social Media Policy",
            ("YAML tag !!python/object:os.system is not allowed",)),
    Hostile("binary-tag", ACCOUNTS, 'handle: "@abq-city-sample"', "handle: !!binary aGk=",
            ("YAML tag !!binary is not allowed",)),
    Hostile("set-tag", "policies/hostile.md", None,
            f"---\n{FIELDS}source: !!set {{a, b}}\n---\n{BODY}",
            ("YAML tag !!set is not allowed",), below=8),
    Hostile("omap-tag", PLATFORMS, "  - id: facebook\n", "  - !!omap [a: 1]\n  - id: facebook\n",
            ("YAML tag !!omap is not allowed",)),
    Hostile("timestamp-tag", AI, "effective: null", "effective: !!timestamp bogus",
            ("YAML tag !!timestamp is not allowed",)),
    # Duplicate fields.
    Hostile("duplicate-field", AI, 'number: "AI 1-19"\n', 'number: "AI 1-19"\ntitle: Again\n',
            ("duplicate field 'title' (first on line 3); keep one",), below=1),
    Hostile("duplicate-nested-field", ACCOUNTS, "    platform: facebook\n",
            "    platform: facebook\n    platform: x\n",
            ("duplicate field 'platform' (first on line 15); keep one",), below=1),
    # Field names that are not names, and front matter that is not fields.
    Hostile("number-key", AI, "review:\n", "1: x\nreview:\n", ("unknown field '1'",)),
    Hostile("null-key", AI, "review:\n", "null: x\nreview:\n", ("unknown field 'null'",)),
    Hostile("list-key", AI, "review:\n", "[a]: b\nreview:\n", ("a field name is a list",)),
    Hostile("mapping-key", PLATFORMS, "sample: true\n", "? {a: 1}\n: b\nsample: true\n",
            ("a field name is a mapping",)),
    Hostile("list-front-matter", "policies/listed.md", None, "---\n- id: x\n---\n" + BODY,
            ("the front matter is a list; write its fields as `field: value` lines",)),
    Hostile("scalar-front-matter", "policies/scalar.md", None, "---\nhello\n---\n" + BODY,
            ("the front matter is 'hello'",)),
    Hostile("empty-front-matter", "policies/empty.md", None, "---\n---\n" + BODY,
            ("the front matter is empty",)),
    Hostile("list-registry", ACCOUNTS, None, "- a\n- b\n", ("the registry is a list",)),
    Hostile("empty-registry", PLATFORMS, None, "# nothing yet\n", ("the registry is empty",)),
]
