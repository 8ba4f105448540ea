"""The inbox in a real Chromium, on one origin with a stand-in site: a triager signs in,
filters, assigns, resolves with a public note, and the resident's status page shows it.
axe finds nothing on the sign-in page, the list or an item."""

from __future__ import annotations

import re

import pytest

from feedback_api import create_app
from feedback_api.serve import start
from tests.conftest import axe_violations
from tests.inbox.conftest import EMAILS, PASSWORD, add_staff, empty_inbox, inbox_config

pytestmark = pytest.mark.browser


@pytest.fixture
def live(sqlite_database, catalog, tiny_site):
    empty_inbox(sqlite_database)
    app = create_app(inbox_config(sqlite_database, catalog))
    running = start(tiny_site, app)
    yield app, running.url.rstrip("/")
    running.stop()
    app.extensions["db_engine"].dispose()


def assert_accessible(page, what: str):
    violations = axe_violations(page)
    assert violations == [], f"{what}: {violations}"


def test_a_triager_resolves_a_report_and_the_resident_sees_it(page, live):
    app, url = live
    add_staff(app, "triager")
    resident = app.test_client()
    codes = {}
    for category, text in (("arguing-with-the-public", "The account argued with me."),
                           ("political-campaigning", "The account endorsed a candidate.")):
        response = resident.post("/api/v1/reports", json={
            "category": category, "description": text, "account_id": "city-x-sample",
            "name": "Ana <b>Resident</b>", "email": "ana@example.org"})
        codes[category] = response.get_json()["tracking_code"]
    code = codes["arguing-with-the-public"]

    page.goto(f"{url}/inbox/")
    page.wait_for_url(re.compile(r"/inbox/login\?next="))
    assert_accessible(page, "sign-in page")
    page.get_by_label("Email address").fill(EMAILS["triager"])
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page, "sign-in page with an error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/inbox/")
    assert page.get_by_role("heading", level=1).inner_text() == "Inbox"
    assert_accessible(page, "list")

    page.get_by_text("Filter and search").click()
    page.get_by_label("Category (reports)").select_option("arguing-with-the-public")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"category=arguing-with-the-public"))
    table = page.locator("table.inbox-table")
    assert code in table.inner_text()
    assert codes["political-campaigning"] not in table.inner_text()

    page.get_by_role("link", name=code).click()
    page.wait_for_url(re.compile(r"/inbox/items/\d+$"))
    assert "Ana <b>Resident</b>" in page.locator("main").inner_text()  # shown as text
    assert_accessible(page, "item")

    page.get_by_label("Assigned to").select_option(label=f"{EMAILS['triager']} (me)")
    page.get_by_role("button", name="Assign").click()
    assert f"Assigned to {EMAILS['triager']}." in page.get_by_role("status").inner_text()

    page.locator("summary", has_text="Resolve").click()
    page.get_by_role("button", name="Resolve").click()  # no reason yet: refused, kept
    assert "Choose why the item is resolved" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "item with errors")
    page.get_by_label("Addressed, no violation").check()
    page.get_by_label("Public note", exact=True).fill(
        "The department replied to you and corrected the post.")
    page.get_by_label("Internal note (optional)").first.fill("Parks agreed on the phone.")
    page.get_by_role("button", name="Resolve").click()
    assert "Resolved." in page.get_by_role("status").inner_text()

    page.goto(f"{url}/report/status/{code}")
    main = page.locator("main").inner_text()
    assert "The department replied to you and corrected the post." in main
    assert "Resolved" in main and "Parks agreed" not in main
