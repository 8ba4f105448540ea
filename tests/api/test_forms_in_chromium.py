"""The forms in a real Chromium, served with a stand-in site on one origin: prefilled from a
section link, sent, confirmed, looked up; errors shown and input kept; axe finds nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from feedback_api.serve import start
from tests.api.conftest import rows
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser
CODE = re.compile(r"SMR(-[0-9A-HJKMNP-TV-Z]{4}){4}")


@pytest.fixture
def live(make_sqlite_app, tiny_site):
    running = start(tiny_site, make_sqlite_app())
    yield running.url.rstrip("/")
    running.stop()


def assert_accessible(page, what: str):
    violations = axe_violations(page)
    assert violations == [], f"{what}: {violations}"


def test_feedback_from_a_section_link_to_its_status(page, live, sqlite_database):
    page.goto(f"{live}/feedback/?policy=ai-1-19&section=k-c")
    assert page.locator("#policy_id").input_value() == "ai-1-19"
    section = page.get_by_label("AI 1-19 §K.c")
    assert section.is_checked()
    assert_accessible(page, "feedback form")

    page.get_by_label("Your comment").fill("Please say how long removed comments are kept.")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(re.compile(r"/feedback/sent/SMR-"))
    assert page.get_by_role("heading", level=1).inner_text() == "Feedback sent"
    code = CODE.search(page.locator(".tracking-code").inner_text()).group(0)
    assert_accessible(page, "confirmation page")

    page.get_by_role("link", name=f"See the status of {code}").click()
    page.wait_for_url(f"**/feedback/status/{code}")
    assert code in page.get_by_role("heading", level=1).inner_text()
    assert "Received" in page.locator("main").inner_text()
    assert "removed comments" not in page.content()
    assert_accessible(page, "status page")

    [row] = rows(sqlite_database)
    assert (row["tracking_code"], row["section"]) == (code, "k-c")


def test_an_invalid_form_shows_the_summary_and_keeps_the_input(page, live, sqlite_database):
    page.goto(f"{live}/feedback/?policy=ai-1-19&section=k-c")
    page.get_by_label("Your name (optional)").fill("Ana Resident")
    page.get_by_label("Email address (optional)").fill("ana-at-example")
    page.get_by_role("button", name="Send feedback").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    # The browser moves focus to an autofocus element once the page has loaded.
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("Error:")
    assert page.get_by_label("Your name (optional)").input_value() == "Ana Resident"
    assert page.get_by_label("AI 1-19 §K.c").is_checked()
    assert_accessible(page, "feedback form with errors")

    summary.get_by_role("link", name="Enter your comment").click()
    expect(page.locator("#message")).to_be_focused()
    assert rows(sqlite_database) == []


def test_the_report_form_and_its_errors_are_accessible(page, live):
    page.goto(f"{live}/report/")
    assert_accessible(page, "report form")
    page.get_by_role("button", name="Send report").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page, "report form with errors")
    page.get_by_label("Which account posted it?").select_option("city-x-sample")
    page.get_by_label("Political campaigning").check()
    page.get_by_label("What happened?").fill("Endorsed a candidate.")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_url(re.compile(r"/report/sent/SMR-"))
    assert page.get_by_role("heading", level=1).inner_text() == "Report sent"


def test_the_status_look_up_is_accessible(page, live):
    page.goto(f"{live}/report/status")
    assert_accessible(page, "status look-up")
    page.get_by_label("Tracking code").fill("not a code")
    page.get_by_role("button", name="Check status").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page, "status look-up with an error")


def test_the_forms_work_without_javascript(browser, live, sqlite_database):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live}/report/?account=city-x-sample")
        page.get_by_label("Something else").check()
        page.get_by_label("What happened?").fill("Sent without JavaScript.")
        page.get_by_role("button", name="Send report").click()
        page.wait_for_url(re.compile(r"/report/sent/SMR-"))
    finally:
        context.close()
    [row] = rows(sqlite_database)
    assert row["message"] == "Sent without JavaScript." and row["account_id"] == "city-x-sample"
