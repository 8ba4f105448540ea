"""Every page of the staff inbox is valid HTML (the W3C Nu HTML Checker).

Sign-in (blank and refused), the list (empty, full, with filters it could not use, after a
bulk action), an item of each kind (read, with a refused change, resolved, dismissed as a
duplicate), and the inbox's own problem pages, each as a signed-in admin sees it, checked
in one run of the checker. The markup does not depend on the database: SQLite only.
"""

from __future__ import annotations

import pytest

from tests.conftest import assert_valid_app_pages
from tests.inbox.conftest import (
    EMAILS,
    add_staff,
    empty_inbox,
    item_id,
    post,
    send_feedback,
    send_report,
    sign_in,
)


@pytest.fixture
def database_url(sqlite_database) -> str:
    empty_inbox(sqlite_database)
    return sqlite_database


def test_every_inbox_page_is_valid_html(app, database_url, tmp_path):
    pages: dict[str, tuple[int, str]] = {}

    def keep(name: str, response) -> None:
        pages[name] = (response.status_code, response.get_data(as_text=True))

    anonymous = app.test_client()
    keep("sign-in", anonymous.get("/inbox/login"))
    add_staff(app, "admin")
    keep("sign-in refused", sign_in(anonymous, EMAILS["admin"], password="wrong password"))
    keep("signed out, sending a change (401)", anonymous.post("/inbox/export"))

    admin = app.test_client()
    assert sign_in(admin, EMAILS["admin"]).status_code == 303
    keep("empty list", admin.get("/inbox/"))
    report = send_report(admin)
    feedback = send_feedback(admin)
    original = send_report(admin, description="The first of two reports of one post.")
    copy = send_report(admin, description="The second of two reports of one post.")
    keep("list", admin.get("/inbox/?state=all&spam=include"))
    keep("list with filters it could not use",
         admin.get("/inbox/?from=2026-13-45&category=nonsense&page=x"))

    report_url = f"/inbox/items/{item_id(database_url, report)}"
    feedback_url = f"/inbox/items/{item_id(database_url, feedback)}"
    copy_url = f"/inbox/items/{item_id(database_url, copy)}"
    keep("report", admin.get(report_url))
    keep("feedback", admin.get(feedback_url))
    keep("a refused change", post(admin, f"{report_url}/resolve", {
        "reason": "violation-confirmed", "public_note": "We dealt with it."}))
    keep("an empty note refused", post(admin, f"{feedback_url}/notes", {"note": ""}))
    post(admin, f"{feedback_url}/notes", {"note": "Asked the department for the post."})
    post(admin, f"{report_url}/move", {"to": "investigating"})
    post(admin, f"{report_url}/resolve", {
        "reason": "violation-confirmed", "outcomes": ["retraining"],
        "clauses": ["ai-1-19#m-a", "ai-1-19#k-c"], "incident_date": "2026-03-27",
        "public_note": "The department corrected the post."})
    keep("resolved report", admin.get(report_url))
    post(admin, f"{copy_url}/dismiss", {"reason": "duplicate", "duplicate_of": original})
    keep("duplicate", admin.get(copy_url))
    post(admin, "/inbox/bulk", {"action": "spam"})
    keep("list after a bulk action", admin.get("/inbox/"))
    keep("expired form (400)", admin.post(f"{report_url}/notes", data={"note": "x"}))
    keep("missing item (404)", admin.get("/inbox/items/999999"))
    keep("sign-in pauses", admin.get("/inbox/sign-in-pauses"))

    statuses = {name: status for name, (status, _) in pages.items()}
    assert statuses == {
        "sign-in": 200, "sign-in refused": 401, "signed out, sending a change (401)": 401,
        "empty list": 200, "list": 200, "list with filters it could not use": 400,
        "report": 200, "feedback": 200, "a refused change": 422,
        "an empty note refused": 422, "resolved report": 200, "duplicate": 200,
        "list after a bulk action": 200, "expired form (400)": 400,
        "missing item (404)": 404, "sign-in pauses": 200,
    }
    assert "Some filters could not be used" in pages["list with filters it could not use"][1]
    assert 'href="/inbox/sign-in-pauses"' in pages["list"][1]  # in an admin's menu
    assert_valid_app_pages({name: html for name, (_, html) in pages.items()}, tmp_path)
