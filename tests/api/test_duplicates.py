"""Repeats: the same submission sent twice from one client within the window is recorded
once; two people behind one address (a household, a carrier's NAT) who send the same text
with their own contact details are two submissions, and neither's details are lost."""

from __future__ import annotations

from tests.api.conftest import FEEDBACK, REPORT, rows, send_form


def test_a_second_resident_at_the_same_address_keeps_their_contact_details(client,
                                                                          database_url):
    first = client.post("/api/v1/reports", json={**REPORT, "email": "ana@example.org"})
    second = client.post("/api/v1/reports", json={**REPORT, "email": "ben@example.org",
                                                  "name": "Ben Neighbour", "wants_reply": True})
    assert first.status_code == second.status_code == 201
    assert second.get_json()["duplicate"] is False
    assert second.get_json()["tracking_code"] != first.get_json()["tracking_code"]
    stored = {row["tracking_code"]: row for row in rows(database_url)}
    ben = stored[second.get_json()["tracking_code"]]
    assert (ben["name"], ben["email"], ben["wants_reply"]) == \
        ("Ben Neighbour", "ben@example.org", True)
    assert stored[first.get_json()["tracking_code"]]["email"] == "ana@example.org"


def test_asking_for_a_reply_on_a_second_try_is_not_lost(client, database_url):
    anonymous = client.post("/api/v1/feedback", json=FEEDBACK).get_json()
    with_reply = client.post("/api/v1/feedback", json={**FEEDBACK, "email": "ana@example.org",
                                                       "wants_reply": True}).get_json()
    assert with_reply["duplicate"] is False
    assert with_reply["tracking_code"] != anonymous["tracking_code"]
    assert [(r["email"], r["wants_reply"]) for r in rows(database_url)] == \
        [(None, False), ("ana@example.org", True)]


def test_the_same_submission_with_the_same_contact_details_is_still_recorded_once(
        client, database_url):
    contact = {"name": "Ana Resident", "email": "ana@example.org", "wants_reply": True}
    first = client.post("/api/v1/reports", json={**REPORT, **contact}).get_json()
    again = client.post("/api/v1/reports", json={
        **REPORT, "name": " ana  RESIDENT ", "email": "Ana@Example.org", "wants_reply": True,
        "description": REPORT["description"].upper()})
    assert again.status_code == 201
    assert again.get_json()["duplicate"] is True
    assert again.get_json()["tracking_code"] == first["tracking_code"]
    anonymous = client.post("/api/v1/feedback", json=FEEDBACK).get_json()
    anonymous_again = client.post("/api/v1/feedback", json=FEEDBACK).get_json()
    assert anonymous_again["duplicate"] is True
    assert anonymous_again["tracking_code"] == anonymous["tracking_code"]
    assert len(rows(database_url)) == 2


def test_two_residents_sending_the_same_form_from_one_address_are_both_recorded(
        client, database_url):
    for email in ("ana@example.org", "ben@example.org"):
        response = send_form(client, "/feedback/?policy=ai-1-19&section=k-c",
                             message=FEEDBACK["message"], email=email, wants_reply="y")
        assert response.status_code == 303, response.get_data(as_text=True)
    assert sorted((r["email"], r["wants_reply"]) for r in rows(database_url)) == \
        [("ana@example.org", True), ("ben@example.org", True)]
