"""Decisions cite the rule as it stood: staff pick clauses and confirm the incident date;
the decision records the version in effect that day and the clause's permanent address in
it, and the status page and JSON show them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from feedback_api import judging
from feedback_api.published import PublishedSite
from feedback_api.triage import TriageError
from site_builder.build import build_site
from tests.conftest import CONTENT
from tests.history.conftest import Repo
from tests.inbox.conftest import (
    EMAILS,
    add_staff,
    item,
    item_id,
    page_text,
    post,
    send_feedback,
    send_report,
    sign_in,
)
from tools.docs_commands import add_to_clause


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory) -> Path:
    """A built site where AI 1-19 has two versions: the import, in effect from 2026-01-05,
    and a revision adding a sentence to §K.c and a clause §M.d, in effect from 2026-06-01."""
    top = tmp_path_factory.mktemp("judged")
    repo = Repo(top / "repo")
    for folder in ("policies", "registries"):
        for file in (CONTENT / folder).iterdir():
            repo.write(f"{folder}/{file.name}", file.read_text())
    repo.commit("Import the policies", "2026-01-05")
    policy = repo.content / "policies" / "ai-1-19.md"
    text = add_to_clause(policy.read_text(), "K", "c", "Slurs are removed at once.")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("    c. ") and i > next(
        j for j, x in enumerate(lines) if x.startswith("M. ")))
    lines.insert(at + 1, "    d. Replies never share a resident's personal details.")
    text = "\n".join(lines).replace("effective: null", "effective: 2026-06-01", 1)
    policy.write_text(text)
    repo.commit("§K.c: slurs; §M.d: personal details", "2026-05-20")
    site = top / "site"
    build_site(repo.content, site, log=lambda _: None)
    return site


def test_a_clause_is_cited_in_the_version_in_effect_that_day(two_versions, catalog):
    published = PublishedSite(two_versions)
    before, = judging.judge(["ai-1-19#k-c"], dt.date(2026, 4, 10), catalog, published)
    after, = judging.judge(["ai-1-19#k-c"], dt.date(2026, 6, 1), catalog, published)
    assert (before.version, before.url) == (1, "/policies/ai-1-19/versions/1/#k-c")
    assert before.in_effect_from == dt.date(2026, 1, 5)
    assert before.in_effect_until == dt.date(2026, 6, 1)
    assert "Slurs" not in before.text and "Slurs are removed at once." in after.text
    assert (after.version, after.url) == (2, "/policies/ai-1-19/versions/2/#k-c")
    for citation in (before, after):  # the address resolves in the built site
        page = two_versions / citation.url.split("#")[0].strip("/") / "index.html"
        assert f'id="{citation.clause}"' in page.read_text()


def test_a_clause_added_later_cannot_be_cited_for_an_earlier_day(two_versions, catalog):
    published = PublishedSite(two_versions)
    with pytest.raises(TriageError) as refused:
        judging.judge(["ai-1-19#m-d"], dt.date(2026, 4, 10), catalog, published)
    assert refused.value.field == "clauses"
    assert "AI 1-19 §M.d was not in version 1, in effect on April 10, 2026" in str(refused.value)
    cited, = judging.judge(["ai-1-19#m-d"], dt.date(2026, 7, 1), catalog, published)
    assert cited.version == 2


def test_a_day_before_the_policy_cites_no_later_text(two_versions, catalog):
    published = PublishedSite(two_versions)
    cited, = judging.judge(["ai-1-19#k-c"], dt.date(2025, 12, 1), catalog, published)
    assert (cited.version, cited.url, cited.text) == (None, None, None)
    said = judging.describe(cited, catalog, dt.date(2025, 12, 1))
    assert said == ("AI 1-19 §K.c: AI 1-19 was not yet in effect on December 1, 2025, so no "
                    "version of it applies")


@pytest.mark.parametrize("picks, day, field, message", [
    (["ai-1-19#k-c"], None, "incident_date", "Give the date of the incident"),
    (["no-such-policy#k-c"], dt.date(2026, 4, 1), "clauses", "Choose clauses from the list"),
    (["ai-1-19"], dt.date(2026, 4, 1), "clauses", "Choose clauses from the list"),
    (["ai-1-19#zz-9"], dt.date(2026, 4, 1), "clauses", "§ZZ.9 was not in version 1"),
])
def test_bad_picks_name_the_field(two_versions, catalog, picks, day, field, message):
    with pytest.raises(TriageError) as refused:
        judging.judge(picks, day, catalog, PublishedSite(two_versions))
    assert refused.value.field == field and message in str(refused.value)


def test_without_the_sites_open_data_the_version_cannot_be_known(tmp_path, catalog):
    with pytest.raises(TriageError) as refused:
        judging.judge(["ai-1-19#k-c"], dt.date(2026, 4, 1), catalog, PublishedSite(tmp_path))
    assert "open data for AI 1-19 cannot be read" in str(refused.value)


@pytest.mark.parametrize("typed, message", [
    ("27/03/2026", "YYYY-MM-DD"), ("2026-02-30", "YYYY-MM-DD"), ("2999-01-01", "future")])
def test_the_incident_date_is_a_real_past_day(typed, message):
    with pytest.raises(TriageError) as refused:
        judging.incident_date(typed, dt.date(2026, 12, 7))
    assert refused.value.field == "incident_date" and message in str(refused.value)


def on_site(make_app, site, role: str):
    """A client signed in with `role` to an app reading the open data of `site`."""
    app = make_app(SITE_DIR=str(site))
    add_staff(app, role)
    client = app.test_client()
    assert sign_in(client, EMAILS[role]).status_code == 303
    return client


def test_resolving_a_report_cites_clauses_and_the_resident_sees_them(database_url, make_app,
                                                                      two_versions):
    triager = on_site(make_app, two_versions, "triager")
    code = send_report(triager, seen_at="2026-04-10")
    url = f"/inbox/items/{item_id(database_url, code)}"
    form = triager.get(url).get_data(as_text=True)
    assert 'value="2026-04-10"' in form  # the resident's date, to confirm
    assert '<option value="ai-1-19#k-c">' in form and '<option value="ai-1-19#m-d">' in form

    refused = post(triager, f"{url}/resolve", {
        "reason": "violation-confirmed", "outcomes": ["post-removed"],
        "public_note": "The reply was removed.", "incident_date": "2026-04-10"})
    assert refused.status_code == 422
    assert "A confirmed violation cites the clause or clauses it broke" in page_text(refused)
    assert item(database_url, code)["state"] == "new"

    done = post(triager, f"{url}/resolve", {
        "reason": "violation-confirmed", "outcomes": ["post-removed"],
        "clauses": ["ai-1-19#k-c", "ai-1-19#m-a"], "incident_date": "2026-04-10",
        "public_note": "The reply was removed."})
    assert done.status_code == 303, page_text(done)
    staff_page = page_text(triager.get(url))
    assert "Decided under" in staff_page and "AI 1-19 §K.c, version 1" in staff_page
    assert "Profane language or content;" in staff_page  # its text as of version 1

    status = triager.get(f"/api/v1/status/{code}").get_json()
    assert status["incident_date"] == "2026-04-10"
    assert status["judged_against"] == [
        {"policy_id": "ai-1-19", "clause": "k-c", "version": 1, "in_effect_from": "2026-01-05",
         "url": "/policies/ai-1-19/versions/1/#k-c"},
        {"policy_id": "ai-1-19", "clause": "m-a", "version": 1, "in_effect_from": "2026-01-05",
         "url": "/policies/ai-1-19/versions/1/#m-a"}]
    page = triager.get(f"/report/status/{code}").get_data(as_text=True)
    assert ('<a href="/policies/ai-1-19/versions/1/#k-c">AI 1-19 §K.c, version 1, in effect '
            'from January 5, 2026</a>') in page

    events = [json.loads(e["detail"]) for e in _audit(database_url, code)
              if e["action"] == "state-changed"]
    assert events[-1]["judged_against"][0]["url"] == "/policies/ai-1-19/versions/1/#k-c"

    assert post(triager, f"{url}/reopen").status_code == 303
    again = triager.get(f"/api/v1/status/{code}").get_json()
    assert again["judged_against"] == [] and again["incident_date"] is None


def test_feedback_may_be_resolved_without_clauses(signed_in, database_url):
    triager = signed_in("triager")
    code = send_feedback(triager)
    url = f"/inbox/items/{item_id(database_url, code)}"
    done = post(triager, f"{url}/resolve", {"reason": "feedback-noted",
                                            "public_note": "Thank you."})
    assert done.status_code == 303
    assert triager.get(f"/api/v1/status/{code}").get_json()["judged_against"] == []


def _audit(url: str, code: str) -> list[dict]:
    from sqlalchemy import create_engine, select

    from feedback_api.models import AuditEvent

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [dict(r) for r in connection.execute(
                select(AuditEvent.__table__).where(AuditEvent.tracking_code == code)
                .order_by(AuditEvent.id)).mappings()]
    finally:
        engine.dispose()


def test_exports_carry_the_citations(database_url, make_app, two_versions):
    admin = on_site(make_app, two_versions, "admin")
    code = send_report(admin, seen_at="2026-04-10")
    url = f"/inbox/items/{item_id(database_url, code)}"
    assert post(admin, f"{url}/resolve", {
        "reason": "violation-confirmed", "outcomes": ["post-removed"],
        "clauses": ["ai-1-19#k-c"], "incident_date": "2026-04-10",
        "public_note": "Removed."}).status_code == 303
    for public in ("on", ""):
        exported = post(admin, "/inbox/export", {"format": "json", "public": public,
                                                 "state": "all"})
        rows = json.loads(exported.get_data(as_text=True))["items"]
        assert rows[0]["incident_date"] == "2026-04-10"
        assert rows[0]["judged_against"] == ["/policies/ai-1-19/versions/1/#k-c"]


def test_a_dismissal_may_cite_the_rules_a_report_was_checked_against(signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager, seen_at="2026-03-27")
    url = f"/inbox/items/{item_id(database_url, code)}"
    form = triager.get(url).get_data(as_text=True)
    assert 'id="dismiss-clauses"' in form and 'id="dismiss-incident_date"' in form
    done = post(triager, f"{url}/dismiss", {"reason": "not-a-violation",
                                            "clauses": ["ai-1-19#k-c"],
                                            "incident_date": "2026-03-27"})
    assert done.status_code == 303, page_text(done)
    status = triager.get(f"/api/v1/status/{code}").get_json()
    assert status["outcome"]["id"] == "not-substantiated"
    assert [c["clause"] for c in status["judged_against"]] == ["k-c"]
    assert status["judged_against"][0]["url"] == "/policies/ai-1-19/versions/1/#k-c"
    refused = post(triager, f"{url}/reopen")
    assert refused.status_code == 303
    bad = post(triager, f"{url}/dismiss", {"reason": "not-a-violation",
                                           "clauses": ["ai-1-19#k-c"]})
    assert bad.status_code == 422 and "Give the date of the incident" in page_text(bad)
