"""Whatever a front matter or a registry holds, `check` and `build` report it and never crash.

Each hostile value (a date that does not exist, a number where text belongs, a list where a
mapping belongs, a huge number, an unknown YAML tag, a duplicate field, …) is reported as
`path:line: message` next to every other problem in the tree, with exit status 1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import shutil
import tempfile
import types
import typing
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, HttpUrl

from site_builder import schema
from site_builder.cli import main
from site_builder.content import POLICY_DIR, split_front_matter
from tests.conftest import CONTENT
from tests.content.conftest import (
    ACCOUNTS,
    DRAFT,
    HOSTILE,
    PLATFORMS,
    PROBLEM,
    Hostile,
    edit,
    expect,
)

LONGEST_LINE = 400  # a message names a value; it never prints a huge one


def run(*argv: str) -> tuple[int, list[str], list[str]]:
    """The `transparency` command as staff run it: exit status, stdout and stderr lines."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def assert_reported(code: int, out: list[str], err: list[str], summary: str) -> None:
    """Exit 1; one `path:line: message` per problem; the count in the last stderr line."""
    assert code == 1, (out, err)
    assert out, err
    for line in out:
        assert PROBLEM.match(line), line[:LONGEST_LINE]
        assert len(line) <= LONGEST_LINE, line[:LONGEST_LINE]
        assert "Input should" not in line and "String should" not in line, line
    assert not any("Traceback" in line for line in out + err), err
    assert err[-1].startswith(summary.format(count=len(out))), err


def break_another_file(root: Path, case: Hostile) -> tuple[str, int, str]:
    """A second, ordinary problem elsewhere in the tree: it must be reported as well."""
    if case.rel.startswith("registries/"):
        return DRAFT, edit(root, DRAFT, "last_reviewed: 2026-11-22", "last_reviewed: soon"), (
            "review.last_reviewed: 'soon' is not a date")
    return ACCOUNTS, edit(root, ACCOUNTS, "platform: facebook", "platform: facebok"), (
        "did you mean 'facebook'")


@pytest.mark.parametrize("case", HOSTILE, ids=[case.id for case in HOSTILE])
def test_check_and_build_report_a_hostile_value_next_to_the_other_problems(
    content, tmp_path, case
):
    line = case.apply(content)
    other, other_line, other_words = break_another_file(content, case)

    code, out, err = run("check", "--content", str(content))
    assert_reported(code, out, err, "{count} problem")
    expect(out, case.rel, line, *case.words)
    expect(out, other, other_line, other_words)
    assert {PROBLEM.match(x)["path"] for x in out} == {case.rel, other}

    site = tmp_path / "site"
    code, built, err = run("build", "--content", str(content), "--out", str(site))
    assert_reported(code, built, err, "build stopped: {count} problem")
    assert built == out
    assert not site.exists()


# ---------------------------------------------------------------------------------------
# Every field of the schema, with values generated to be wrong for it


def _kind(annotation) -> tuple[str, type | None]:
    """What a field holds: text, int, bool, date, url, choice, list, mapping or model."""
    while True:
        origin = typing.get_origin(annotation)
        if _nullable(annotation):
            (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        elif origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        else:
            break
    if origin is list:
        return "list", typing.get_args(annotation)[0]
    if origin is dict:
        return "mapping", None
    if origin is typing.Literal:
        return "choice", None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    kinds = {bool: "bool", int: "int", dt.date: "date", HttpUrl: "url", str: "text"}
    assert annotation in kinds, f"a field of a new type, {annotation}: teach this test it"
    return kinds[annotation], None


def _nullable(annotation) -> bool:
    return (typing.get_origin(annotation) in (typing.Union, types.UnionType)
            and type(None) in typing.get_args(annotation))


def fields_of(model: type[BaseModel], at: tuple = ()):
    """(path, kind, nullable) of every field of a model and of the models and lists in it."""
    for name, info in model.model_fields.items():
        path = at + (name,)
        kind, inner = _kind(info.annotation)
        yield path, kind, _nullable(info.annotation)
        if kind == "model":
            yield from fields_of(inner, path)
        elif kind == "list":
            item, item_model = _kind(inner)
            yield path + (0,), item, _nullable(inner)
            if item_model is not None:
                yield from fields_of(item_model, path + (0,))


def shipped() -> dict[str, tuple[dict, str]]:
    """Each content file as data, and the body that follows a policy's front matter."""
    files = {}
    for file in sorted((CONTENT / POLICY_DIR).glob("*.md")):
        front, body, _ = split_front_matter(file.read_text())
        files[f"{POLICY_DIR}/{file.name}"] = (yaml.safe_load(front), body)
    for rel in (PLATFORMS, ACCOUNTS):
        files[rel] = (yaml.safe_load((CONTENT / rel).read_text()), "")
    return files


SHIPPED = shipped()
SCHEMAS = {PLATFORMS: schema.PlatformRegistry, ACCOUNTS: schema.AccountRegistry}


def _at(data, path: tuple):
    """What is at a path in the data, or None."""
    for step in path:
        if isinstance(step, int) and isinstance(data, list) and step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict) and step in data:
            data = data[step]
        else:
            return None
    return data


# (file, path, kind, nullable): every field, in each file that has what holds it.
TARGETS = [
    (rel, path, kind, nullable)
    for rel in SHIPPED
    for path, kind, nullable in fields_of(SCHEMAS.get(rel, schema.PolicyMeta))
    if isinstance(_at(SHIPPED[rel][0], path[:-1]), list if isinstance(path[-1], int) else dict)
]
# Every mapping a field name can be added to: the file itself, review, source, an entry, …
MAPPINGS = sorted({(rel, path[:-1]) for rel, path, _, _ in TARGETS
                   if isinstance(_at(SHIPPED[rel][0], path[:-1]), dict)}, key=repr)


def test_every_field_of_the_schema_is_a_target():
    covered = {path for _, path, _, _ in TARGETS}
    for model in (schema.PolicyMeta, *SCHEMAS.values()):
        for path, _, _ in fields_of(model):
            assert path in covered, path


def _not_a_date(day: tuple[int, int, int]) -> bool:
    try:
        dt.date(*day)
    except ValueError:
        return True
    return False


# YAML source, one line each, that no field of its kind accepts.
tags = st.sampled_from([
    "!foo x", "!!python/object:os.system x", "!!python/object/apply:os.system [ls]",
    "!!binary aGk=", "!!set {a, b}", "!!omap [a: 1]", "!!timestamp bogus", "!!str x",
    "!!int 3", "!!null ''", "! x", "!x {a: 1}", "!!map {a: 1}", "!!seq [1]",
]) | st.from_regex(r"![a-z]{1,8}", fullmatch=True).map(lambda tag: f"{tag} value")
huge_integers = st.integers(4301, 7000).map(lambda n: "-" * (n % 2) + "9" * n)
floats = st.sampled_from([".inf", "-.inf", ".nan", ".NaN", "1.5e+300", "-2.0e-300"]) | st.floats(
    allow_nan=False, allow_infinity=False).map(lambda x: f"{x:.6e}")
long_text = st.tuples(st.text(min_size=1, max_size=10), st.integers(2001, 50_000)).map(
    lambda t: json.dumps((t[0] * t[1])[: t[1]], ensure_ascii=False))
nested_lists = st.integers(1, 19).map(lambda n: "[" * n + "1" + "]" * n)
deep = st.integers(21, 20_000).map(lambda n: "[" * n + "]" * n) | st.integers(21, 3000).map(
    lambda n: "{a: " * n + "1" + "}" * n)
mappings = st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
                           st.integers(), min_size=1, max_size=3).map(
    lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}")
ANYWHERE = tags | huge_integers | floats | long_text | nested_lists | deep | mappings

integers = st.integers().map(str) | st.sampled_from(
    ["0x1F", "017", "0b101", "1_000", "12:30", "190:20:30", "+5", "-0"])
booleans = st.sampled_from(["true", "false", "yes", "no", "on", "off", "True", "NO"])
nulls = st.sampled_from(["null", "~", "", "Null"])
words = st.from_regex(r"[a-z][a-z ]{0,20}[a-z]", fullmatch=True).filter(
    lambda w: w not in ("null", "true", "false", "yes", "no", "on", "off"))
impossible_dates = st.tuples(st.integers(1000, 9999), st.integers(0, 99),
                             st.integers(0, 99)).filter(_not_a_date).map(
    lambda d: f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d}")
datetimes = st.datetimes(min_value=dt.datetime(1900, 1, 1)).map(
    lambda d: d.replace(microsecond=0).isoformat(sep=" "))
quoted = (integers | booleans | impossible_dates).map(json.dumps)

WRONG = {
    "text": integers | booleans,
    "url": integers | booleans | words,
    "choice": integers | booleans | words.filter(
        lambda w: w not in (*schema.POLICY_KINDS, *schema.POLICY_STATUSES,
                            *schema.PLATFORM_STATUSES, *schema.ACCOUNT_STATUSES)),
    "int": booleans | quoted | impossible_dates | datetimes
           | (st.integers(max_value=0) | st.integers(min_value=61)).map(str),
    "bool": integers | quoted | words | nulls,
    "date": integers | booleans | impossible_dates | datetimes | words | quoted,
    "list": integers | booleans | words,
    "mapping": integers | booleans | words,
    "model": integers | booleans | words,
}
# Field names that no mapping here takes (and a field written twice is drawn separately).
ODD_KEYS = st.sampled_from(["1", "null", "~", "true", "[a]", "{a: 1}", "<<", "2026-02-30",
                            "'1'", '""', "-1", ".inf", "[[a]]", '"a\\nb: c"', "k" * 5000])
DOCUMENTS = st.sampled_from(["[a, b]", "hello", "", "12", "~", "true", "!foo {a: 1}",
                             "- a", "'quoted'", "[" * 50 + "]" * 50, "{a: 1}", "2026-02-30"])


class Broken:
    """A content file's new text, and what was done to it (all a failure report shows)."""

    def __init__(self, rel: str, what: str, text: str):
        self.rel, self.what, self.text = rel, what, text

    def __repr__(self) -> str:
        return f"<{self.rel}: {self.what}>"


@st.composite
def breakage(draw, rel: str) -> Broken:
    """One file broken in one way."""
    data, body = SHIPPED[rel]
    data = json.loads(json.dumps(data, default=str))  # a copy; dates as their text
    how = draw(st.sampled_from(["value", "value", "value", "field name", "document"]))
    if how == "document":
        yaml_text = draw(DOCUMENTS) + "\n"
        what = f"the whole {'front matter' if body else 'file'} is {yaml_text!r}"
    else:
        if how == "value":
            _, path, kind, nullable = draw(st.sampled_from(
                [t for t in TARGETS if t[0] == rel]))
            wrong = ANYWHERE | WRONG[kind] | (st.nothing() if nullable else nulls)
            snippet = draw(wrong)
            container, last = _parent(data, path), path[-1]
        else:
            _, at = draw(st.sampled_from([m for m in MAPPINGS if m[0] == rel]))
            container = _parent(data, at + ("",))
            siblings = sorted(container)
            snippet = draw(ODD_KEYS | st.sampled_from(siblings)) if siblings else draw(ODD_KEYS)
            path, last = at, "HOSTILE_KEY"
        placeholder = "HOSTILE_VALUE" if how == "value" else "HOSTILE_KEY"
        if isinstance(container, list):
            container[last] = placeholder
        else:
            container[last] = placeholder if how == "value" else "x"
        yaml_text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**9)
        assert yaml_text.count(placeholder) == 1, yaml_text
        yaml_text = yaml_text.replace(placeholder, snippet)
        what = f"{how} at {path!r} is {snippet[:80]!r}"
    return Broken(rel, what, f"---\n{yaml_text}---\n{body}" if body else yaml_text)


def _parent(data, path: tuple):
    for step in path[:-1]:
        data = data[step]
    return data


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_wrong_value_in_any_field_is_reported_never_a_crash(data):
    rels = data.draw(st.lists(st.sampled_from(sorted(SHIPPED)), min_size=1, max_size=3,
                              unique=True), label="files")
    command = data.draw(st.sampled_from(["check", "build"]), label="command")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "content"
        shutil.copytree(CONTENT, root)
        for rel in rels:
            broken = data.draw(breakage(rel))
            (root / rel).write_text(broken.text)
        argv = [command, "--content", str(root)]
        if command == "build":
            argv += ["--out", str(Path(folder) / "site")]
        code, out, err = run(*argv)
        summary = "{count} problem" if command == "check" else "build stopped: {count} problem"
        assert_reported(code, out, err, summary)
        reported = {PROBLEM.match(line)["path"] for line in out}
        assert set(rels) <= reported, (rels, out)
        assert not (Path(folder) / "site").exists()
