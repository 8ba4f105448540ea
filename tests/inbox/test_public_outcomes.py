"""What a decided item's resident sees happened: the public outcome, where it was referred,
and the restorative actions that are public; never what was done about an employee."""

from __future__ import annotations

import json

import pytest
import yaml

from feedback_api import triage
from site_builder import schema
from tests.conftest import CONTENT
from tests.inbox.conftest import item, item_id, page_text, post, send_report


def test_a_substantiated_report_shows_public_actions_and_never_disciplinary_ones(
        signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    url = f"/inbox/items/{item_id(database_url, code)}"
    base = {"reason": "violation-confirmed", "clauses": ["ai-1-19#m-a"],
            "incident_date": "2026-03-27", "public_note": "The reply was taken down.",
            "outcomes": ["reprimand", "post-removed", "public-correction"]}
    refused = post(triager, f"{url}/resolve", base)
    assert refused.status_code == 422
    assert "Give the address of the public correction or apology" in page_text(refused)
    refused = post(triager, f"{url}/resolve", {**base, "action_link": "the facebook post"})
    assert "starting with https://" in page_text(refused)
    done = post(triager, f"{url}/resolve", {
        **base, "action_link": "https://www.facebook.com/cityofalbuquerque/posts/123"})
    assert done.status_code == 303, page_text(done)

    status = triager.get(f"/api/v1/status/{code}").get_json()
    assert status["outcome"] == {
        "id": "substantiated", "label": "Substantiated",
        "description": "The post broke the policy, and action was taken.",
        "referred_to": None, "url": None,
        "actions": [
            {"id": "post-removed", "label": "Post removed or corrected", "url": None},
            {"id": "public-correction", "label": "Public correction or apology",
             "url": "https://www.facebook.com/cityofalbuquerque/posts/123"}]}
    page = triager.get(f"/report/status/{code}").get_data(as_text=True)
    assert "Substantiated" in page
    assert 'href="https://www.facebook.com/cityofalbuquerque/posts/123"' in page
    for private in ("reprimand", "Reprimand", "tom.triager"):
        assert private not in page and private not in json.dumps(status)

    assert post(triager, f"{url}/reopen").status_code == 303
    row = item(database_url, code)
    assert (row["action_link"], row["referred_to"]) == (None, None)
    assert triager.get(f"/api/v1/status/{code}").get_json()["outcome"] is None


def test_a_referred_report_says_where(signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    url = f"/inbox/items/{item_id(database_url, code)}"
    refused = post(triager, f"{url}/dismiss", {"reason": "referred"})
    assert refused.status_code == 422
    assert "Say where it was referred" in page_text(refused)
    done = post(triager, f"{url}/dismiss", {
        "reason": "referred", "referred_to": "New Mexico Department of Transportation"})
    assert done.status_code == 303
    outcome = triager.get(f"/api/v1/status/{code}").get_json()["outcome"]
    assert (outcome["id"], outcome["referred_to"]) == (
        "referred-elsewhere", "New Mexico Department of Transportation")
    assert "referred to New Mexico Department of Transportation" in page_text(
        triager.get(f"/report/status/{code}"))


def test_not_a_city_account_links_the_directory(signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    url = f"/inbox/items/{item_id(database_url, code)}"
    assert post(triager, f"{url}/dismiss", {"reason": "not-a-city-account"}).status_code == 303
    outcome = triager.get(f"/api/v1/status/{code}").get_json()["outcome"]
    assert outcome["id"] == "not-a-city-account"
    assert outcome["url"] == "/accounts/#all-accounts"
    page = triager.get(f"/report/status/{code}").get_data(as_text=True)
    assert 'href="/accounts/#all-accounts"' in page


def test_an_open_item_has_no_outcome(signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    assert triager.get(f"/api/v1/status/{code}").get_json()["outcome"] is None


def registry(edit) -> dict:
    data = yaml.safe_load((CONTENT / "registries" / "outcomes.yaml").read_text())
    edit(data)
    return data


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["disciplinary_actions"]["actions"][0].update(public=True),
     "what is done about an employee is never public"),
    (lambda d: d["resolve_reasons"][0].update(outcome="vindicated"),
     "gives the outcome 'vindicated', which is not in public_outcomes"),
    (lambda d: d["restorative_actions"]["actions"][0].update(link=True, public=False),
     "add `public: true`"),
])
def test_the_registry_keeps_disciplinary_actions_private_and_outcomes_known(edit, message):
    with pytest.raises(ValueError) as refused:
        schema.OutcomeRegistry.model_validate(registry(edit))
    assert message in str(refused.value)


def test_the_workflow_rules_are_plain_functions(catalog):
    offered = catalog.outcomes
    change = triage.dismiss("new", "referred", None, None, offered, referred_to=" NMDOT ")
    assert change["referred_to"] == "NMDOT"
    change = triage.dismiss("new", "not-a-violation", None, None, offered,
                            referred_to="ignored")
    assert change["referred_to"] is None
    with pytest.raises(triage.TriageError) as refused:
        triage.resolve("new", "violation-confirmed", "Done.", None, ["retraining"], offered,
                       action_link="https://example.org/correction")
    assert refused.value.field == "action_link"


def test_a_registry_written_before_public_outcomes_still_loads():
    """A City's outcomes.yaml from before public outcomes: the standard reasons get the
    shipped outcomes; a reason of its own must say which outcome it gives."""
    old = registry(lambda d: [d.pop("public_outcomes")] + [
        r.pop("outcome") for key in ("resolve_reasons", "dismiss_reasons") for r in d[key]])
    loaded = schema.OutcomeRegistry.model_validate(old)
    assert {r.id: r.outcome for r in loaded.dismiss_reasons}["not-a-violation"] == \
        "not-substantiated"
    assert [o.id for o in loaded.public_outcomes][:2] == ["substantiated", "not-substantiated"]
    old["dismiss_reasons"].append({"id": "withdrawn", "label": "Withdrawn", "hint": "Asked.",
                                   "public_note": "Closed at your request."})
    with pytest.raises(ValueError) as refused:
        schema.OutcomeRegistry.model_validate(old)
    assert "'withdrawn' needs `outcome`" in str(refused.value)


def test_the_default_outcomes_are_the_shipped_ones():
    shipped = schema.OutcomeRegistry.model_validate(registry(lambda d: None))
    assert schema.standard_public_outcomes() == shipped.public_outcomes
    assert {r.id: r.outcome for r in shipped.resolve_reasons + shipped.dismiss_reasons} == \
        schema.STANDARD_OUTCOMES
