"""The public statistics on the built site, in Chromium: with the feedback service on the
same origin the home and compliance pages show a chart and tables; served by a plain
static server, the placeholder keeps its text and link."""

from __future__ import annotations

import datetime as dt

import pytest

from feedback_api import create_app
from feedback_api.models import utcnow
from feedback_api.serve import start
from tests.conftest import axe_violations
from tests.inbox.conftest import empty_inbox, inbox_config, seed
from tests.site.conftest import built_site, shipped_build, site_url  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def site_with_service(built_site, sqlite_database, catalog):  # noqa: F811
    empty_inbox(sqlite_database)
    now = utcnow()
    months_ago = [now.replace(day=15) - dt.timedelta(days=30 * n) for n in range(3)]
    seed(sqlite_database, [{"category": "personal-attack", "created_at": now}] * 7
         + [{"category": "other", "created_at": months_ago[1]}] * 2
         + [{"category": "other", "created_at": months_ago[2]}] * 6
         + [{"kind": "feedback", "category": None, "policy_id": "ai-1-19",
             "created_at": now}] * 6)
    app = create_app(inbox_config(sqlite_database, catalog))
    running = start(built_site, app)
    yield running.url.rstrip("/")
    running.stop()
    app.extensions["db_engine"].dispose()


def test_the_home_and_compliance_pages_show_the_statistics(page, site_with_service):
    for path in ("/", "/compliance/"):
        page.goto(site_with_service + path)
        box = page.locator('#intake-stats[data-state="loaded"]')
        box.wait_for()
        text = box.inner_text()
        assert "Received in all: 21 (spam left out)" in text
        chart = box.locator("svg[role=img]")
        assert chart.count() == 1 and "Bar chart" in chart.locator("title").text_content()
        month = box.locator("table").first
        rows = month.locator("tbody tr")
        assert rows.count() == 12
        assert rows.last.locator("td").inner_text() == "13"
        # 2 last month is too few to publish, and so the 6 of the month before, or
        # anyone could take the others from the total of 21 and find the 2.
        assert rows.nth(10).locator("td").inner_text() == "not published"
        assert rows.nth(9).locator("td").inner_text() == "not published"
        assert rows.nth(8).locator("td").inner_text() == "0"
        by_type = box.locator("table", has_text="By type").inner_text()
        assert "Report of a possible violation" in by_type and "Feedback on a policy" in by_type
        violations = [v for v in axe_violations(page)
                      if any("intake-stats" in str(node) for node in v["nodes"])]
        assert violations == [], violations


def test_without_the_service_the_placeholder_stays(page, site_url):  # noqa: F811
    page.goto(site_url + "/")
    box = page.locator('#intake-stats[data-state="unavailable"]')
    box.wait_for()
    assert "counts below five are not published" in box.inner_text()
    assert box.locator("a").get_attribute("href") == "/api/v1/stats"
