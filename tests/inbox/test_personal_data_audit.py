"""Every page and file that shows a resident's name or email address leaves a line in the
audit log: the item page however it was reached (opened, or shown again after an action
was refused for what was sent), and a staff export for each item in it."""

from __future__ import annotations

import csv
import io

import pytest

from tests.inbox.conftest import EMAILS, item_id, page_text, post, send_report

NAME, EMAIL = "Ana Resident", "ana@example.org"

# An action refused for what was sent: the page comes back (422) with the reason, and with
# the item's contact details.
REFUSED = {
    "a move to a state that does not exist": ("move", {"to": "nowhere"}),
    "a move the workflow does not allow": ("move", {"to": "resolved"}),
    "an assignee who cannot work items": ("assign", {"assignee": "987654"}),
    "an empty note": ("notes", {"note": "   "}),
    "a resolve without its public note": ("resolve", {"reason": "addressed"}),
    "a dismissal as a duplicate of nothing": (
        "dismiss", {"reason": "duplicate", "duplicate_of": "SMR-0000-0000-0000-0000"}),
    "reopening an item that is open": ("reopen", {}),
}


def viewed(events: list[dict]) -> list[tuple]:
    return [(e["actor"], e["tracking_code"]) for e in events
            if e["action"] == "viewed-personal-data"]


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_action_shows_contact_details_only_with_an_audit_record(
        case, signed_in, database_url, audit_mark):
    action, data = REFUSED[case]
    triager = signed_in("triager")
    code = send_report(triager, name=NAME, email=EMAIL)
    url = f"/inbox/items/{item_id(database_url, code)}"
    response = post(triager, f"{url}/{action}", data)  # the form's token from the list
    events = audit_mark()
    assert response.status_code == 422, page_text(response)[:300]
    text = page_text(response)
    assert NAME in text and EMAIL in text  # what the audit record is for
    assert viewed(events) == [(EMAILS["triager"], code)]
    assert [e["action"] for e in events if e["action"] not in (
        "signed-in", "staff-created", "viewed-personal-data")] == []  # nothing else happened


def test_a_refused_action_on_an_anonymous_item_writes_no_view(signed_in, database_url,
                                                              audit_mark):
    triager = signed_in("triager")
    code = send_report(triager)
    url = f"/inbox/items/{item_id(database_url, code)}"
    assert post(triager, f"{url}/move", {"to": "nowhere"}).status_code == 422
    assert viewed(audit_mark()) == []


def test_a_staff_export_records_each_item_whose_contact_details_it_holds(
        signed_in, database_url, audit_mark):
    admin = signed_in("admin")
    ana = send_report(admin, name=NAME, email=EMAIL)
    ben = send_report(admin, description="Another one.", email="ben@example.org")
    nobody = send_report(admin, description="No contact details.")
    response = post(admin, "/inbox/export", {"state": "all", "format": "csv"})
    assert response.status_code == 200
    exported = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {row["tracking_code"] for row in exported} == {ana, ben, nobody}
    events = [(e["action"], e["tracking_code"]) for e in audit_mark()
              if e["action"].startswith("exported")]
    assert sorted(events[:-1]) == sorted([("exported-personal-data", ana),
                                          ("exported-personal-data", ben)])
    assert events[-1] == ("exported", None)
    history = page_text(admin.get(f"/inbox/items/{item_id(database_url, ana)}"))
    assert "Exported the item with its contact details" in history[history.index("History"):]


def test_an_export_for_public_release_holds_no_contact_details_and_records_none(
        signed_in, audit_mark):
    admin = signed_in("admin")
    send_report(admin, name=NAME, email=EMAIL)
    response = post(admin, "/inbox/export", {"state": "all", "format": "json",
                                             "public": "on"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert NAME not in body and EMAIL not in body
    assert [e["action"] for e in audit_mark() if e["action"].startswith("exported")] == \
        ["exported"]
