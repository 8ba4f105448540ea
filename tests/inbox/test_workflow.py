"""The triage workflow: moves between states, required reasons and notes, outcomes, what
the resident sees, bulk actions, notes, assignment, legal hold, the item page, and the
audit log after a sequence of actions."""

from __future__ import annotations

import json
import shutil

import pytest

from feedback_api import triage
from feedback_api.catalog import load_catalog
from feedback_api.triage import TriageError
from tests.conftest import CONTENT
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

# ---------------------------------------------------------------------------------------
# The rules, as plain functions


@pytest.mark.parametrize("state,to", [("new", "triaged"), ("new", "investigating"),
                                      ("triaged", "investigating"),
                                      ("investigating", "triaged")])
def test_open_items_move_between_open_states(state, to):
    assert triage.move(state, to)["state"] == to


@pytest.mark.parametrize("state,to", [("new", "new"), ("new", "resolved"),
                                      ("resolved", "triaged"), ("dismissed", "investigating"),
                                      ("triaged", "new"), ("new", "anything")])
def test_other_moves_are_refused(state, to):
    with pytest.raises(TriageError) as refused:
        triage.move(state, to)
    assert refused.value.field == "state"


def test_resolving_needs_a_reason_and_a_public_note(catalog):
    offered = catalog.outcomes
    with pytest.raises(TriageError) as refused:
        triage.resolve("new", None, "Done.", None, [], offered)
    assert refused.value.field == "reason"
    with pytest.raises(TriageError) as refused:
        triage.resolve("new", "addressed", "   ", None, [], offered)
    assert refused.value.field == "public_note"
    change = triage.resolve("investigating", "addressed", " The post was corrected. ",
                            "Spoke to the department.", [], offered)
    assert change["state"] == "resolved" and change["state_reason"] == "addressed"
    assert change["public_note"] == "The post was corrected."
    assert change["internal_note"] == "Spoke to the department."
    assert change["closed_at"] is not None


def test_a_confirmed_violation_records_its_outcomes(catalog):
    offered = catalog.outcomes
    with pytest.raises(TriageError) as refused:
        triage.resolve("triaged", "violation-confirmed", "Action was taken.", None, [], offered)
    assert refused.value.field == "outcomes"
    change = triage.resolve("triaged", "violation-confirmed", "Action was taken.", None,
                            ["retraining", "post-removed", "retraining"], offered)
    assert change["outcomes"] == "retraining,post-removed"
    assert triage.outcome_labels(change["outcomes"], offered) == ["Retraining",
                                                                  "Post removed or corrected"]
    with pytest.raises(TriageError):
        triage.resolve("triaged", "violation-confirmed", "x", None, ["flogging"], offered)
    with pytest.raises(TriageError):  # outcomes belong to a confirmed violation only
        triage.resolve("triaged", "addressed", "x", None, ["reprimand"], offered)


def test_the_outcomes_are_the_policys_disciplinary_and_restorative_actions(catalog):
    offered = catalog.outcomes
    assert [c.id for c in offered.disciplinary.choices] == [
        "retraining", "reprimand", "suspension", "termination"]
    assert {"post-removed", "public-correction", "access-revoked"} <= {
        c.id for c in offered.restorative.choices}
    # Each list cites the section of the comprehensive policy that provides it.
    policy = catalog.policy(offered.disciplinary.policy_id)
    assert policy.id == "comprehensive-social-media-policy"
    assert offered.disciplinary.section == "disciplinary-actions" in policy.sections
    assert offered.restorative.section == "restorative-actions" in policy.sections


def test_dismissing_needs_a_reason_and_a_duplicate_its_original(catalog):
    offered = catalog.outcomes
    with pytest.raises(TriageError) as refused:
        triage.dismiss("new", "", None, None, offered)
    assert refused.value.field == "reason"
    with pytest.raises(TriageError) as refused:
        triage.dismiss("new", "duplicate", None, None, offered, None)
    assert refused.value.field == "duplicate_of"
    change = triage.dismiss("new", "duplicate", None, None, offered, "SMR-AAAA-AAAA-AAAA-AAAA")
    assert change["duplicate_of"] == "SMR-AAAA-AAAA-AAAA-AAAA"
    assert change["public_note"] == offered.default_public_notes["duplicate"]
    assert change["public_note"] == ("This is the same as an earlier submission, which is "
                                     "being handled there.")
    assert "SMR-" not in change["public_note"]  # another resident's code stays internal
    spam = triage.dismiss("triaged", "spam", None, None, offered)
    assert spam["is_spam"] is True and spam["state"] == "dismissed"


def test_a_reason_no_longer_listed_is_shown_by_its_id(catalog):
    offered = catalog.outcomes
    assert triage.reason_label("not-a-violation", offered) == "Not a violation"
    assert triage.reason_label("withdrawn-by-resident", offered) == "withdrawn-by-resident"
    assert triage.reason_label(None, offered) is None
    assert triage.outcome_labels("reprimand,gone", offered) == ["Written reprimand", "gone"]


def test_closed_items_can_only_be_reopened(catalog):
    for closed in ("resolved", "dismissed"):
        with pytest.raises(TriageError):
            triage.resolve(closed, "addressed", "x", None, [], catalog.outcomes)
        with pytest.raises(TriageError):
            triage.dismiss(closed, "spam", None, None, catalog.outcomes)
        change = triage.reopen(closed, is_spam=False, spam_reason=None)
        assert change["state"] == "triaged" and change["closed_at"] is None
    assert triage.reopen("dismissed", True, "staff")["is_spam"] is False
    with pytest.raises(TriageError):
        triage.reopen("new", False, None)


# ---------------------------------------------------------------------------------------
# Through the inbox


def item_url(database_url: str, code: str) -> str:
    return f"/inbox/items/{item_id(database_url, code)}"


def test_the_reasons_and_their_notes_are_the_contents(make_app, database_url, tmp_path):
    """A reason staff add to registries/outcomes.yaml, and a label they change, reach the
    inbox and the status page without a change to the code."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    outcomes = content / "registries" / "outcomes.yaml"
    text = outcomes.read_text().replace("label: Not a violation", "label: No breach found")
    outcomes.write_text(text.replace("disciplinary_actions:", """\
  - id: withdrawn
    label: Withdrawn by the resident
    hint: The resident asked us to stop.
    public_note: Closed at your request.
    outcome: closed
disciplinary_actions:"""))
    app = make_app(CATALOG=load_catalog(content))
    add_staff(app, "triager")
    triager = app.test_client()
    assert sign_in(triager, EMAILS["triager"]).status_code == 303
    first, second = send_report(triager), send_report(triager, description="Another one.")

    page = triager.get(item_url(database_url, first)).get_data(as_text=True)
    assert 'value="withdrawn"' in page and "Withdrawn by the resident" in page
    assert "The resident asked us to stop." in page and "No breach found" in page
    assert post(triager, f"{item_url(database_url, first)}/dismiss",
                {"reason": "withdrawn"}).status_code == 303
    assert post(triager, f"{item_url(database_url, second)}/dismiss",
                {"reason": "not-a-violation"}).status_code == 303
    status = triager.get(f"/api/v1/status/{first}").get_json()
    assert status["state"] == "dismissed" and status["public_note"] == "Closed at your request."
    assert "Dismissed</strong>: No breach found" in triager.get(
        item_url(database_url, second)).get_data(as_text=True)


def test_resolving_shows_the_public_note_to_the_resident(signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    url = item_url(database_url, code)
    assert post(triager, f"{url}/move", {"to": "investigating"}).status_code == 303
    response = post(triager, f"{url}/resolve", {
        "reason": "violation-confirmed", "outcomes": ["retraining", "public-correction"],
        "clauses": ["ai-1-19#m-a"], "incident_date": "2026-03-27",
        "action_link": "https://x.com/abq_city_sample/status/2",
        "public_note": "The department corrected the post and apologised.",
        "internal_note": "Employee X to retrain by Friday."})
    assert response.status_code == 303
    assert "Resolved." in page_text(triager.get(url))

    status = triager.get(f"/api/v1/status/{code}").get_json()
    assert status["state"] == "resolved"
    assert status["public_note"] == "The department corrected the post and apologised."
    page = page_text(triager.get(f"/report/status/{code}"))
    assert "The department corrected the post and apologised." in page
    assert "Employee X" not in page and "Employee X" not in json.dumps(status)
    row = item(database_url, code)
    assert row["outcomes"] == "retraining,public-correction"
    assert row["internal_note"] == "Employee X to retrain by Friday."


def test_a_refused_change_keeps_what_was_typed_and_says_why(signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    url = item_url(database_url, code)
    response = post(triager, f"{url}/resolve", {
        "reason": "violation-confirmed", "public_note": "We dealt with it.",
        "internal_note": "Call the director."})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "A confirmed violation needs at least one disciplinary or restorative action" in html
    assert 'href="#resolve-outcomes"' in html and 'id="resolve-outcomes"' in html
    assert "We dealt with it.</textarea>" in html and "Call the director.</textarea>" in html
    assert item(database_url, code)["state"] == "new"

    response = post(triager, f"{url}/dismiss", {"reason": "duplicate",
                                                 "duplicate_of": "SMR-0000-0000-0000-0000"})
    assert response.status_code == 422
    assert "No item has the tracking code SMR-0000-0000-0000-0000" in page_text(response)
    response = post(triager, f"{url}/dismiss", {"reason": "duplicate", "duplicate_of": code})
    assert "cannot be a duplicate of itself" in page_text(response)
    assert item(database_url, code)["state"] == "new"


def test_a_duplicate_points_to_its_original_and_reopening_clears_it(signed_in, database_url):
    triager = signed_in("triager")
    original = send_report(triager)
    copy = send_report(triager, description="The same again, reported twice.")
    url = item_url(database_url, copy)
    typed = original.lower().replace("-", " ")
    assert post(triager, f"{url}/dismiss", {"reason": "duplicate",
                                            "duplicate_of": typed}).status_code == 303
    row = item(database_url, copy)
    assert (row["state"], row["state_reason"], row["duplicate_of"]) == \
        ("dismissed", "duplicate", original)
    assert original in page_text(triager.get(url))
    assert original not in triager.get(f"/api/v1/status/{copy}").get_data(as_text=True)

    assert post(triager, f"{url}/reopen").status_code == 303
    row = item(database_url, copy)
    assert (row["state"], row["state_reason"], row["duplicate_of"], row["closed_at"]) == \
        ("triaged", None, None, None)


def test_bulk_actions_dismiss_the_selected_items(signed_in, database_url):
    triager = signed_in("triager")
    original = send_report(triager)
    spam = [send_report(triager, description=f"Buy cheap followers now {n}") for n in range(3)]
    copies = [send_report(triager, description=f"Same report, copy {n}") for n in range(2)]
    untouched = send_report(triager, description="A real, different report.")

    response = post(triager, "/inbox/bulk", {
        "action": "spam", "item": [item_id(database_url, c) for c in spam],
        "back": "?state=all"})
    assert response.status_code == 303 and response.headers["Location"] == "/inbox/?state=all"
    assert "Dismissed 3 items as spam." in page_text(triager.get("/inbox/?state=all"))
    for code in spam:
        row = item(database_url, code)
        assert (row["state"], row["state_reason"], row["is_spam"]) == ("dismissed", "spam", True)

    ids = [item_id(database_url, c) for c in [*copies, original]]
    response = post(triager, "/inbox/bulk", {"action": "duplicate", "item": ids,
                                             "duplicate_of": original})
    assert response.status_code == 303
    message = page_text(triager.get("/inbox/"))
    assert f"Dismissed 2 items as duplicates of {original}." in message
    assert "Left 1 alone" in message
    for code in copies:
        assert item(database_url, code)["duplicate_of"] == original
    assert item(database_url, original)["state"] == "new"
    assert item(database_url, untouched)["state"] == "new"

    response = post(triager, "/inbox/bulk", {"action": "duplicate", "item": ids,
                                             "duplicate_of": "SMR-0000-0000-0000-0000"})
    assert "No item has the tracking code" in page_text(triager.get("/inbox/"))
    response = post(triager, "/inbox/bulk", {"action": "spam"})
    assert "Select at least one item first." in page_text(triager.get("/inbox/"))


def test_notes_and_assignment(signed_in, database_url, app):
    admin = signed_in("admin")
    triager = signed_in("triager")
    code = send_report(triager)
    url = item_url(database_url, code)
    assert post(triager, f"{url}/notes", {"note": "Called the department <b>today</b>."}
                ).status_code == 303
    assert post(triager, f"{url}/notes", {"note": "   "}).status_code == 422
    assert post(triager, f"{url}/assign", {"assignee": "me"}).status_code == 303
    html = admin.get(url).get_data(as_text=True)
    assert "Called the department &lt;b&gt;today&lt;/b&gt;." in html
    row = item(database_url, code)
    assert row["assignee_id"] is not None
    mine = triager.get("/inbox/?assignee=me").get_data(as_text=True)
    assert code in mine
    assert code not in admin.get("/inbox/?assignee=me").get_data(as_text=True)
    assert post(triager, f"{url}/assign", {"assignee": "99999"}).status_code == 422
    assert post(triager, f"{url}/assign", {"assignee": ""}).status_code == 303
    assert item(database_url, code)["assignee_id"] is None


def test_the_item_page_shows_hostile_text_as_text(signed_in, database_url):
    viewer = signed_in("viewer")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
    code = send_report(viewer, description=hostile, name="<b>Mallory</b>",
                       post_url="https://x.com/a/status/1?q=<x>")
    html = viewer.get(item_url(database_url, code)).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Mallory" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html
    listing = viewer.get("/inbox/").get_data(as_text=True)
    assert "<script>alert" not in listing and "&lt;script&gt;" in listing


def test_the_item_page_links_to_the_site_and_earlier_items(signed_in, database_url):
    viewer = signed_in("viewer")
    first = send_report(viewer, description="First report about this account.")
    second = send_report(viewer, description="Second report about this account.")
    other = send_report(viewer, account_id="city-facebook-sample", description="Elsewhere.")
    html = viewer.get(item_url(database_url, second)).get_data(as_text=True)
    assert 'href="/accounts/#all-accounts"' in html
    assert 'href="/policies/ai-1-19/#m-a"' in html  # the category's rule
    earlier = html[html.index("Earlier items"):html.index("History")]
    assert first in earlier and other not in earlier and second not in earlier

    feedback = send_feedback(viewer)
    again = send_feedback(viewer, message="More on the same clause.")
    html = viewer.get(item_url(database_url, again)).get_data(as_text=True)
    assert 'href="/policies/ai-1-19/#k-c"' in html and "AI 1-19 §K.c" in html
    assert feedback in html[html.index("Earlier items"):]


def test_viewers_read_but_see_no_forms_to_change_things(signed_in, database_url):
    viewer = signed_in("viewer")
    code = send_report(viewer)
    html = viewer.get(item_url(database_url, code)).get_data(as_text=True)
    assert "/resolve" not in html and "/notes" not in html and "/legal-hold" not in html
    assert "a triager or an admin works them" in html
    listing = viewer.get("/inbox/").get_data(as_text=True)
    assert "/inbox/bulk" not in listing and "/inbox/export" not in listing


def test_the_audit_log_after_a_sequence_of_actions(signed_in, database_url, audit_mark):
    triager = signed_in("triager")
    admin = signed_in("admin")
    code = send_report(triager, name="Ana Resident", email="ana@example.org")
    anonymous = send_report(triager, description="No contact details here.")
    url = item_url(database_url, code)
    triager.get(url)  # personal data: recorded
    triager.get(item_url(database_url, anonymous))  # none: not recorded
    post(triager, f"{url}/move", {"to": "triaged"})
    post(triager, f"{url}/assign", {"assignee": "me"})
    post(triager, f"{url}/notes", {"note": "Asked the department for the post."})
    post(admin, f"{url}/legal-hold", {"hold": "on"})
    post(triager, f"{url}/resolve", {"reason": "addressed", "public_note": "Answered."})
    post(admin, "/inbox/export", {"state": "all", "format": "csv"})

    events = [(e["actor"], e["action"], e["tracking_code"]) for e in audit_mark()
              if e["action"] not in ("signed-in", "staff-created")]
    t, a = EMAILS["triager"], EMAILS["admin"]
    assert events == [
        (t, "viewed-personal-data", code),
        (t, "state-changed", code),
        (t, "assigned", code),
        (t, "note-added", code),
        (a, "legal-hold", code),
        (t, "state-changed", code),
        (a, "exported-personal-data", code),  # the export holds its name and email
        (a, "exported", None),
    ]
    for event in audit_mark():
        detail = event["detail"] or ""
        assert "Ana Resident" not in detail and "ana@example.org" not in detail
        assert "Asked the department" not in detail
    exported = json.loads(audit_mark()[-1]["detail"])
    assert exported == {"filters": {"state": "all"}, "format": "csv", "items": 2,
                        "public_release": False}

    history = page_text(admin.get(url))
    history = history[history.index("History"):]
    for line in ("Received", "Viewed the item with its contact details", "Changed the state",
                 "from: new; to: triaged", "Changed the assignment", "Added an internal note",
                 "Changed the legal hold", "hold: True", "reason: addressed",
                 "Exported the item with its contact details"):
        assert line in history, line


def test_a_legal_hold_is_set_and_lifted_by_an_admin(signed_in, database_url):
    admin = signed_in("admin")
    code = send_report(admin)
    url = item_url(database_url, code)
    assert post(admin, f"{url}/legal-hold", {"hold": "on"}).status_code == 303
    assert item(database_url, code)["legal_hold"] is True
    assert "retention will not touch it" in page_text(admin.get(url))
    assert post(admin, f"{url}/legal-hold", {"hold": "off"}).status_code == 303
    assert item(database_url, code)["legal_hold"] is False


def test_a_missing_item_is_a_404_for_staff(signed_in):
    viewer = signed_in("viewer")
    assert viewer.get("/inbox/items/987654").status_code == 404
