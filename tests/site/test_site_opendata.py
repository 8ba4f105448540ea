"""Open data of the shipped site: data/policies.json and data/accounts.json match content/."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from site_builder.content import load_library
from site_builder.history import read_history
from site_builder.review import review_status
from tests.conftest import CONTENT

POLICY_KEYS = {"id", "title", "kind", "status", "department", "url", "effective", "review",
               "versions"}
VERSION_KEYS = {"number", "date", "effective", "summary", "url", "diff_url"}
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def library():
    library, problems = load_library(CONTENT)
    assert problems == []
    return library


@pytest.fixture(scope="module")
def policies_json(built_site):
    return json.loads((built_site / "data" / "policies.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def accounts_json(built_site):
    return json.loads((built_site / "data" / "accounts.json").read_text(encoding="utf-8"))


def test_policies_json_matches_the_content(policies_json, library, built_site):
    assert set(policies_json) >= {"site_version", "generated", "policies"}
    generated = dt.datetime.fromisoformat(policies_json["generated"])
    assert generated.tzinfo is not None
    by_id = {p["id"]: p for p in policies_json["policies"]}
    assert set(by_id) == set(library.policies)
    histories, _ = read_history(CONTENT, library)
    for pid, policy in library.policies.items():
        entry = by_id[pid]
        meta = policy.meta
        assert set(entry) >= POLICY_KEYS
        assert (entry["title"], entry["kind"], entry["status"], entry["department"]) == \
            (meta.title, meta.kind, meta.status, meta.department)
        assert entry["sample"] is meta.sample
        assert entry["effective"] == (meta.effective.isoformat() if meta.effective else None)
        assert entry["url"] == f"/policies/{pid}/"
        assert (built_site / "policies" / pid / "index.html").is_file()
        status = review_status(meta.review, generated.date())
        assert entry["review"] == {
            "interval_months": meta.review.interval_months,
            "last_reviewed": status.last_reviewed and status.last_reviewed.isoformat(),
            "next_due": status.next_due and status.next_due.isoformat(),
            "state": status.state,
        }
        versions = entry["versions"]
        assert [v["number"] for v in versions] == \
            [v.number for v in histories[pid].versions]
        for version in versions:
            n = version["number"]
            assert set(version) >= VERSION_KEYS
            assert version["url"] == f"/policies/{pid}/versions/{n}/"
            assert version["diff_url"] == (
                None if n == 1 else f"/policies/{pid}/versions/{n}/changes/")


def test_the_resolution_and_its_sections_are_in_the_data(policies_json):
    by_id = {p["id"]: p for p in policies_json["policies"]}
    resolution = by_id["council-resolution-social-media-accounts"]
    assert resolution["kind"] == "resolution"
    assert {"id": "section-1", "title": "Section 1",
            "url": "/policies/council-resolution-social-media-accounts/#section-1"} \
        in resolution["sections"]


def test_accounts_json_matches_the_registry(accounts_json, library):
    registry = library.accounts
    assert accounts_json["site_version"]
    assert [a["id"] for a in accounts_json["accounts"]] == [a.id for a in registry.accounts]
    for entry, account in zip(accounts_json["accounts"], registry.accounts, strict=True):
        assert entry["handle"] == account.handle
        assert entry["url"] == str(account.url)
        assert entry["status"] == account.status
        assert entry["sample"] is account.sample
    platforms = {p["id"]: p for p in accounts_json["platforms"]}
    assert platforms["x"]["domains"] == ["x.com", "twitter.com"]


def test_no_personal_data_or_credentials_anywhere_on_the_site(built_site):
    found = []
    for path in built_site.rglob("*"):
        if path.suffix not in (".html", ".json", ".xml"):
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(built_site)}: {m.group(0)}" for m in EMAIL.finditer(text)]
        if re.search(r"password\s*[:=]", text, re.I):
            found.append(f"{path.relative_to(built_site)}: a password field")
    assert found == []


def test_each_policy_lists_its_translations(policies_json, built_site):
    """`translations`: each policy in Spanish, with the page there (which exists), the
    version translated and who made it; the resolution is translated in summary only."""
    by_id = {p["id"]: p for p in policies_json["policies"]}
    ai = by_id["ai-1-19"]["translations"]
    assert [(t["lang"], t["url"], t["translates_version"], t["kind"], t["text"])
            for t in ai] == [("es", "/es/policies/ai-1-19/", 1, "courtesy", True)]
    assert ai[0]["title"] == "Política de redes sociales"
    resolution = by_id["council-resolution-social-media-accounts"]["translations"]
    assert [t["text"] for t in resolution] == [False]
    samples = {pid for pid, p in by_id.items() for t in p["translations"] if t["sample"]}
    assert samples == {pid for pid, p in by_id.items() if p["sample"]}
    for policy in by_id.values():
        for translation in policy["translations"]:
            page = built_site / translation["url"].strip("/") / "index.html"
            assert page.is_file(), translation["url"]
    assert (built_site / "es" / "data" / "policies.json").read_text(encoding="utf-8") == \
        (built_site / "data" / "policies.json").read_text(encoding="utf-8")
