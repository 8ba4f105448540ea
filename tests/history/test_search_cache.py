"""Rebuilds: each page's search entries come from the cache while the page is unchanged."""

from __future__ import annotations

import datetime as dt
import json

import material.plugins.search.plugin as search
import pytest

from site_builder import store
from site_builder.build import build_site
from tests.history.conftest import POLICY, V3_BODY, Repo, policy_text

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
WORD = "Zanzibarite"


@pytest.fixture
def parsed(monkeypatch) -> list[int]:
    """How many pages the search plugin parsed, one count per build."""
    counts: list[int] = []
    add = search.SearchIndex.add_entry_from_context

    def counting(self, page):
        counts[-1] += 1
        return add(self, page)

    monkeypatch.setattr(search.SearchIndex, "add_entry_from_context", counting)
    return counts


def index_of(site) -> bytes:
    return (site / "search" / "search_index.json").read_bytes()


def build(repo: Repo, site, parsed: list[int]) -> bytes:
    parsed.append(0)
    build_site(repo.content, site, log=lambda _: None, now=NOW)
    return index_of(site)


def test_the_search_index_is_the_same_from_the_cache(published, tmp_path, monkeypatch,
                                                     parsed):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(cache))
    cold = build(published, tmp_path / "site", parsed)
    warm = build(published, tmp_path / "site", parsed)
    assert parsed == [parsed[0], 0]  # every page's entries from the cache
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    off = build(published, tmp_path / "off", parsed)
    assert cold == warm == off
    assert WORD not in off.decode()

    # The pages a revision changes are indexed again, and only those.
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(cache))
    published.write(POLICY, policy_text(V3_BODY + f"E. {WORD} records are kept.\n",
                                        effective="2026-06-01"))
    published.commit("Keep records\n\nPublished-by: Office of Communications", "2026-05-20")
    revised = build(published, tmp_path / "site", parsed)
    assert f"{WORD} records are kept." in revised.decode()
    assert 0 < parsed[-1] < parsed[0]
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    assert build(published, tmp_path / "off", parsed) == revised

    # The old page's entries were pruned: every kept entry is in the last index.
    docs = json.loads(revised)["docs"]
    with store.opened(cache) as opened:
        kept = [opened.get_json(path.name) for path in cache.glob("??/*")
                if opened.get(path.name) is not None and opened.get(path.name)[:1] in b"[{"]
    entries = [entry for value in kept if isinstance(value, list) for entry in value]
    assert entries and all(entry in docs for entry in entries)
    assert any(WORD in entry["text"] for entry in entries)


def test_the_other_process_makes_entries_ahead_and_the_index_is_the_same(
        published, tmp_path, monkeypatch, parsed):
    """With a store and a second process, the pages that process reads ahead of MkDocs'
    pass (`prewarm.Prewarm`) have their search entries made there, and this process
    takes them from the store: fewer pages are parsed here, and the index is the one a
    build without a store makes."""
    for i in range(30):  # enough pages for a second process to read some of them
        published.write(f"policies/extra-{i:02d}.md",
                        policy_text(id=f"extra-{i:02d}", title=f"Extra policy {i:02d}"))
    published.commit("More policies\n\nPublished-by: Office of Communications", "2026-05-21")
    monkeypatch.setenv("TRANSPARENCY_JOBS", "2")
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    alone = build(published, tmp_path / "off", parsed)
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    shared = build(published, tmp_path / "site", parsed)
    assert shared == alone
    assert 0 < parsed[1] < parsed[0]
