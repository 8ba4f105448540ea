"""Feedback that led to a revision: the app learns it from the published open data
(`data/policies.json`, `responds_to`), never from git, and tells the resident on the
status page and in `GET /api/v1/status/{code}`."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from tests.api.conftest import FEEDBACK, REPORT


def publish(site: Path, *versions: dict) -> None:
    """Write the site's open data with these versions of AI 1-19, as a build would
    (a new file put in place of the old one)."""
    data = {"site_version": "test", "generated": "2026-12-01T00:00:00Z", "policies": [{
        "id": "ai-1-19", "title": "Social Media Policy", "versions": list(versions)}]}
    target = site / "data" / "policies.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_suffix(".new")
    fresh.write_text(json.dumps(data))
    os.replace(fresh, target)


def version(number: int, *codes: str, withdrawn: bool = False) -> dict:
    return {"number": number, "url": f"/policies/ai-1-19/versions/{number}/",
            "diff_url": f"/policies/ai-1-19/versions/{number}/changes/" if number > 1 else None,
            "withdrawn": {"date": "2026-05-01", "reason": "x"} if withdrawn else None,
            "responds_to": list(codes)}


@pytest.fixture
def site(tmp_path) -> Path:
    return tmp_path / "site"


@pytest.fixture
def client(make_app, site):
    return make_app(SITE_DIR=str(site)).test_client()


def send(client, body: dict, path: str = "/api/v1/feedback") -> str:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["tracking_code"]


def test_feedback_a_published_revision_responds_to_says_so(client, site):
    code = send(client, {**FEEDBACK, "email": "ana@example.org", "wants_reply": True})
    other = send(client, {**FEEDBACK, "message": "Another thought on §K.c."})
    publish(site, version(1), version(2))
    before = client.get(f"/api/v1/status/{code}").get_json()
    assert before["led_to"] == [] and before["state_label"] != "Led to a revision"

    publish(site, version(1), version(2, code.lower().replace("-", " ")), version(3, code))
    found = client.get(f"/api/v1/status/{code}").get_json()
    assert found["state_label"] == "Led to a revision"
    assert found["state"] == "new"  # the inbox's own state is not changed by it
    assert found["led_to"] == [
        {"policy_id": "ai-1-19", "version": 2, "url": "/policies/ai-1-19/versions/2/",
         "diff_url": "/policies/ai-1-19/versions/2/changes/"},
        {"policy_id": "ai-1-19", "version": 3, "url": "/policies/ai-1-19/versions/3/",
         "diff_url": "/policies/ai-1-19/versions/3/changes/"},
    ]
    assert client.get(f"/api/v1/status/{other}").get_json()["led_to"] == []

    page = client.get(f"/feedback/status/{code}").get_data(as_text=True)
    assert "Led to a revision" in page
    assert 'href="/policies/ai-1-19/versions/2/"' in page
    assert 'href="/policies/ai-1-19/versions/3/changes/"' in page
    assert "AI 1-19: Social Media Policy, version 3" in page
    assert "ana@example.org" not in page


def test_a_withdrawn_version_leads_nowhere(client, site):
    code = send(client, FEEDBACK)
    publish(site, version(1), version(2, code, withdrawn=True), version(3))
    assert client.get(f"/api/v1/status/{code}").get_json()["led_to"] == []


def test_a_report_never_leads_to_a_revision(client, site):
    code = send(client, REPORT, "/api/v1/reports")
    publish(site, version(1), version(2, code))
    found = client.get(f"/api/v1/status/{code}").get_json()
    assert found["led_to"] == [] and found["state_label"] != "Led to a revision"


@pytest.mark.parametrize("written", [None, "{not json", "[1, 2]", json.dumps(
    {"policies": [{"id": "ai-1-19", "versions": [{"number": "two", "responds_to": ["x"]},
                                                  "junk", {"responds_to": 5}]}]})])
def test_open_data_missing_or_broken_is_no_revision_and_no_error(client, site, caplog, written):
    code = send(client, FEEDBACK)
    if written is not None:
        (site / "data").mkdir(parents=True)
        (site / "data" / "policies.json").write_text(written)
    with caplog.at_level(logging.WARNING, logger="feedback_api.published"):
        response = client.get(f"/api/v1/status/{code}")
        assert client.get(f"/feedback/status/{code}").status_code == 200
    assert response.status_code == 200
    assert response.get_json()["led_to"] == []
    if written in (None, "{not json", "[1, 2]"):
        assert "could not be read" in caplog.text


def test_the_inbox_item_shows_the_revision_it_led_to(make_app, site, database_url):
    from tests.inbox.conftest import add_staff, sign_in

    app = make_app(SITE_DIR=str(site), TESTING=True)
    add_staff(app, "viewer")
    staff = app.test_client()
    assert sign_in(staff, "vera.viewer@cabq.gov").status_code == 303
    code = send(staff, FEEDBACK)
    publish(site, version(1), version(2, code))
    from tests.inbox.conftest import item_id

    page = staff.get(f"/inbox/items/{item_id(database_url, code)}").get_data(as_text=True)
    assert "Led to" in page and 'href="/policies/ai-1-19/versions/2/"' in page
    assert 'href="/policies/ai-1-19/versions/2/changes/"' in page
