"""The faster helpers of the site-value stages write what the plain versions they replaced
wrote: each is checked against that plain version (kept here) on many inputs."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import random
from pathlib import Path

import pytest

from site_builder import addresses, feeds, labels, languages, opendata
from site_builder.content import load_library
from site_builder.pages.common import Context
from site_builder.stamp import SiteStamp

ROOT = Path(__file__).resolve().parent.parent
SEGMENTS = ["policies", "ai-1-19", "versions", "2", "changes", "index.md", "data", "x.md",
            "compare", "1-3", "a"]


def old_relative(from_dir: str, to_path: str) -> str:
    a = [x for x in from_dir.split("/") if x]
    b = [x for x in to_path.split("/") if x]
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return "/".join([".."] * (len(a) - common) + b[common:]) or "."


def some_path(rng: random.Random) -> str:
    path = "/".join(rng.choice(SEGMENTS) for _ in range(rng.randint(0, 6)))
    return rng.choice(["", "/"]) + path + rng.choice(["", "", "/", "//x"])


def test_a_markdown_link_is_the_relative_path_it_was():
    rng = random.Random(7)
    for _ in range(5000):
        here, there = some_path(rng), some_path(rng)
        anchor = rng.choice([None, "", "k-c"])
        expected = old_relative(posixpath.dirname(here), there) + (f"#{anchor}" if anchor
                                                                   else "")
        assert addresses.md_link(here, there, anchor) == expected, (here, there)
        assert addresses._relative(here, there) == old_relative(here, there)
    assert addresses.md_link("policies/a/index.md", "policies/a/versions/2/index.md") == \
        "versions/2/index.md"
    assert addresses.md_link("changes/2024/index.md", "policies/a/index.md", "k") == \
        "../../policies/a/index.md#k"


def test_the_app_addresses_are_as_urlencode_writes_them():
    for pid, section in [("ai-1-19", None), ("ai-1-19", "k-c"), ("a b", "ü&=?"), ("x", "")]:
        query = {"policy": pid, **({"section": section} if section else {})}
        from urllib.parse import urlencode
        assert addresses.feedback_url(pid, section) == "/feedback/?" + urlencode(query)
        assert addresses.feedback_url(pid, section) == addresses.feedback_url(pid, section)
    assert addresses.decisions_url() == "/decisions/"
    assert addresses.decisions_url("a b", "k-c") == "/decisions/?policy=a+b&clause=k-c"
    assert addresses.decisions_url(clause="k") == "/decisions/?clause=k"


def old_fold(line: str) -> str:
    out: list[str] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b" "
            limit = 75
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


@pytest.mark.parametrize("alphabet", ["abc ;,\\", "abcé€ 😀", "é"])
def test_a_calendar_line_is_folded_as_it_was(alphabet):
    rng = random.Random(alphabet)
    for length in [*range(160), 223, 224, 225, 298, 299, 1000]:
        line = "".join(rng.choice(alphabet) for _ in range(length))
        assert feeds.fold(line) == old_fold(line), line
    assert feeds.fold("x" * 76) == "x" * 75 + "\r\n x"


def some_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice(["", "plain", "é\n\"\\ \u2028 <&>", "日本", "\x00\x1f"])
    if kind == 1:
        return rng.choice([None, True, False])
    if kind == 2:
        return rng.choice([0, -3, 2**70, 7])
    if kind == 3:
        return rng.choice([1.5, -0.0, 1e300, float("inf")])
    if kind == 4:
        return dt.date(2026, 3, 1).isoformat()
    if kind == 5:
        return rng.choice([[], {}, ()])
    if kind == 6:
        return [some_value(rng, depth + 1) for _ in range(rng.randint(1, 4))]
    if kind == 7:
        return tuple(some_value(rng, depth + 1) for _ in range(rng.randint(1, 3)))
    keys = ["id", "é", "", "a b", 3, None, True] if rng.random() < 0.2 else ["id", "é", "x"]
    return {rng.choice(keys): some_value(rng, depth + 1) for _ in range(rng.randint(1, 4))}


def test_the_open_data_is_written_as_json_writes_it():
    rng = random.Random(3)
    for _ in range(3000):
        data = {"policies": [some_value(rng) for _ in range(3)], "n": some_value(rng)}
        assert opendata._json(data) == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    with pytest.raises(TypeError):
        opendata._json({"when": dt.date(2026, 1, 1)})  # as json.dumps refuses it


def test_english_words_are_as_written_and_spanish_ones_from_the_catalogue():
    text = "Version %(number)s"
    assert languages.gettext("en", text, number=3) == "Version 3"
    assert languages.gettext(None, "Draft") == "Draft"
    assert languages.gettext("en", "") == ""
    assert languages.ngettext("en", "%(num)d change", "%(num)d changes", 1) == "1 change"
    assert languages.ngettext(None, "%(num)d change", "%(num)d changes", 2) == "2 changes"
    catalogue = languages.translations("es")
    assert languages.gettext("es", "Draft") == catalogue.ugettext("Draft") != "Draft"
    assert languages.gettext("es", text, number=3) == catalogue.ugettext(text) % {"number": 3}
    assert languages.ngettext("es", "%(num)d overdue", "%(num)d overdue", 2) == \
        catalogue.ungettext("%(num)d overdue", "%(num)d overdue", 2) % {"num": 2}


def test_a_catalogue_is_read_again_when_it_changes(tmp_path):
    po = tmp_path / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    entry = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' \
            'msgid "Draft"\nmsgstr "{}"\n'
    po.write_text(entry.format("Borrador"))
    assert languages.translations("xx", tmp_path).ugettext("Draft") == "Borrador"
    po.write_text(entry.format("Proyecto de texto"))
    assert languages.translations("xx", tmp_path).ugettext("Draft") == "Proyecto de texto"


def test_dates_are_written_as_strftime_and_babel_write_them():
    day = dt.date(2025, 1, 1)
    for _ in range(800):
        assert labels.long_date(day) == f"{day:%B} {day.day}, {day.year}"
        assert languages.long_date(day, "es") == languages.long_date.__wrapped__(day, "es")
        day += dt.timedelta(days=1)
    assert labels.long_date(dt.datetime(2026, 3, 1, 12)) == "March 1, 2026"
    assert labels.long_date(None) == labels.NOT_STATED
    assert languages.long_date(dt.date(2026, 3, 1), "es") == "1 de marzo de 2026"


def test_the_children_of_a_policy_are_in_reading_order():
    library, problems = load_library(ROOT / "content")
    assert not problems
    ctx = Context(library, {}, SiteStamp(None, False, dt.datetime.now(dt.UTC)))
    ordered = ctx.ordered()
    found = 0
    for policy in ordered:
        children = ctx.children(policy)
        assert children == [p for p in ordered if p.meta.parent == policy.id]
        found += len(children)
        children.clear()  # the caller's list: the next call gives them again
        assert ctx.children(policy) == [p for p in ordered if p.meta.parent == policy.id]
    assert found >= 2  # the shipped content has department policies under AI 1-19
