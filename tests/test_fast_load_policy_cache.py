"""The load stage's store: each policy file's own checks (`content.checked_policy`) are kept
by the file's text, its path and the code, so that a rebuild parses only the files that
changed, and reports the same problems at the same lines; the checks across files run
every time."""

from __future__ import annotations

import gc
import pickle
import shutil
from pathlib import Path

import pytest

from site_builder import content as content_module
from site_builder import store
from site_builder.content import load_library
from site_builder.store import Store
from tests.conftest import CONTENT
from tests.history.conftest import policy_text

AI = "policies/ai-1-19.md"
EXTRA = "policies/extra.md"


@pytest.fixture
def root(tmp_path) -> Path:
    """A copy of the shipped content."""
    shutil.copytree(CONTENT, tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The files `parse_policy` is asked to parse, in order."""
    calls: list[str] = []
    real = content_module.parse_policy

    def counting(text: str, rel: str):
        calls.append(rel)
        return real(text, rel)

    monkeypatch.setattr(content_module, "parse_policy", counting)
    return calls


def load(root: Path, cache: Path | None):
    with store.opened(cache):
        return load_library(root)


def policy_files(root: Path) -> list[str]:
    return sorted(f"policies/{p.name}" for p in (root / "policies").glob("*.md"))


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.glob("??/*") if not p.name.endswith(".tmp"))


def test_a_second_load_parses_nothing_and_gives_the_same_library(root, tmp_path, parsed):
    cache = tmp_path / "cache"
    first, first_problems = load(root, cache)
    assert parsed == policy_files(root)
    assert len(entries(cache)) == len(parsed)
    parsed.clear()
    second, second_problems = load(root, cache)
    assert parsed == []
    assert second == first and second_problems == first_problems == []
    assert load(root, None) == (second, [])  # as without a store


def test_only_a_changed_or_moved_file_is_parsed_again(root, tmp_path, parsed):
    cache = tmp_path / "cache"
    load(root, cache)
    path = root / AI
    path.write_text(path.read_text().replace("The purpose of this policy",
                                             "The aim of this policy"))
    parsed.clear()
    library, problems = load(root, cache)
    assert parsed == [AI]
    assert "The aim of this policy" in library.policies["ai-1-19"].body
    assert (library, problems) == load(root, None)

    # The same text at another path: its problems would name that path.
    path.rename(root / "policies" / "ai-1-19-moved.md")
    parsed.clear()
    library, _ = load(root, cache)
    assert parsed == ["policies/ai-1-19-moved.md"]
    assert library.policies["ai-1-19"].path == "policies/ai-1-19-moved.md"


def test_other_code_does_not_take_the_entries(root, tmp_path, parsed, monkeypatch):
    cache = tmp_path / "cache"
    load(root, cache)
    monkeypatch.setattr(content_module, "_checking_code", lambda: "other code")
    parsed.clear()
    load(root, cache)
    assert parsed == policy_files(root)


@pytest.mark.parametrize("damage", ["cut short", "not a pickle", "another value"])
def test_a_damaged_entry_is_read_as_a_miss(root, tmp_path, parsed, damage):
    cache = tmp_path / "cache"
    first = load(root, cache)
    kept = Store(cache)
    for entry in entries(cache):
        if damage == "cut short":
            entry.write_bytes(entry.read_bytes()[:100])
        elif damage == "not a pickle":
            kept.put(entry.name, b"not a pickle")
        else:
            kept.put(entry.name, pickle.dumps(("a policy", [], None)))
    parsed.clear()
    assert load(root, cache) == first
    assert parsed == policy_files(root)
    parsed.clear()
    assert load(root, cache) == first  # and kept again
    assert parsed == []


def test_the_same_problems_at_the_same_lines_from_the_store(root, tmp_path, parsed):
    """Problems of the file itself (YAML, schema, credentials, active content), a file
    that does not load, and problems across files, first parsed and then from the store."""
    text = (root / AI).read_text()
    signature = text.split("\n").index("## Signature {#signature}") + 1
    (root / AI).write_text(text.replace(
        "## Signature {#signature}\n",
        "## Signature {#signature}\n\nShared login password: Spring2024!\n\n"
        "<script>alert(1)</script>\n\nSee [the plan](no-such-policy.md).\n"))
    fields = policy_text(id="fields").replace("review:\n", "reviewer: nobody\nreview:\n")
    (root / "policies" / "fields.md").write_text(fields)
    review = fields.split("\n").index("review:")
    broken = root / "policies" / "broken.md"
    broken.write_text(policy_text(id="broken-policy").replace("status: active",
                                                              "status: enacted"))
    (root / "policies" / "links.md").write_text(policy_text(
        "## Rules {#rules}\n\nSee [the broken one](broken.md#rules).\n", id="links"))

    cache = tmp_path / "cache"
    library, problems = load(root, cache)
    assert parsed == policy_files(root)
    shown = [str(problem) for problem in problems]
    assert any(x.startswith(f"policies/fields.md:{review}: unknown field 'reviewer'")
               for x in shown), shown
    assert any(x.startswith(f"{AI}:{signature + 2}: text looks like it contains a password")
               for x in shown), shown
    assert any(x.startswith(f"{AI}:{signature + 4}:") and "script" in x for x in shown), shown
    assert any(x.startswith(f"{AI}:{signature + 6}: broken link 'no-such-policy.md'")
               for x in shown), shown
    assert any(x.startswith("policies/broken.md:") and "'enacted'" in x for x in shown)
    assert not any(x.startswith("policies/links.md") for x in shown)  # not its problem
    assert {"broken-policy", "fields"} <= library.unloaded and "ai-1-19" in library.policies

    parsed.clear()
    assert load(root, cache) == (library, problems)
    assert parsed == []
    assert load(root, None) == (library, problems)


def test_the_checks_across_files_run_on_what_the_store_gave(root, tmp_path, parsed):
    (root / EXTRA).write_text(policy_text("## Here {#here}\n\nText.\n", id="extra"))
    path = root / AI
    path.write_text(path.read_text().replace(
        "## Signature {#signature}\n", "## Signature {#signature}\n\nSee [it](extra.md#here).\n"))
    cache = tmp_path / "cache"
    assert load(root, cache)[1] == []
    (root / EXTRA).write_text(policy_text("## There {#there}\n\nText.\n", id="extra"))
    parsed.clear()
    _, problems = load(root, cache)
    assert parsed == [EXTRA]  # the policy with the link came from the store…
    assert [p.path for p in problems] == [AI]  # …and its link is still checked
    assert "broken link 'extra.md#here'" in problems[0].message
    assert "did you mean #there?" in problems[0].message


@pytest.mark.parametrize("collecting", [True, False])
def test_loading_leaves_the_collector_as_it_was(root, collecting):
    was = gc.isenabled()
    try:
        gc.enable() if collecting else gc.disable()
        load_library(root)
        assert gc.isenabled() is collecting
    finally:
        gc.enable() if was else gc.disable()


def test_transparency_check_uses_the_store_and_says_the_same(root, tmp_path, parsed,
                                                             monkeypatch, capsys):
    """`transparency check` loads through the build's store as the build does: a second
    check parses no policy file and prints the same problems; one edited file is parsed
    again."""
    from site_builder.cli import main

    (root / AI).write_text((root / AI).read_text() + "\n<script>alert(1)</script>\n")
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    assert main(["check", "--content", str(root)]) == 1
    first = capsys.readouterr().out
    assert parsed == policy_files(root) and f"{AI}:" in first and "script" in first

    parsed.clear()
    assert main(["check", "--content", str(root)]) == 1
    assert parsed == [] and capsys.readouterr().out == first

    (root / AI).write_text((root / AI).read_text().replace("<script>alert(1)</script>", ""))
    assert main(["check", "--content", str(root)]) == 0
    assert parsed == [AI]
