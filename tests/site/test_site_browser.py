"""The built site in Chromium: what a resident does on it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from feedback_api import catalog, serve
from tests.conftest import CONTENT
from tests.site.conftest import PAGE_TYPES

pytestmark = pytest.mark.browser


def test_reach_ai_1_19_section_k_c_from_the_home_page(visit, site_url):
    page = visit("/")
    page.get_by_role("link", name="Read the policies").click()
    page.wait_for_url(site_url + "/policies/")
    page.get_by_role("table").get_by_role("link", name="AI 1-19: Social Media Policy").click()
    page.wait_for_url(site_url + "/policies/ai-1-19/")
    page.get_by_role("link", name="Link to \u00a7K.c", exact=True).click()
    assert page.url == site_url + "/policies/ai-1-19/#k-c"
    clause = page.locator("#k-c")
    assert clause.inner_text().startswith("c. Profane language or content;")
    assert clause.is_visible()
    box = clause.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"]


@pytest.mark.parametrize("path, anchor", [
    ("/policies/ai-1-19/", "k-c"),
    ("/policies/ai-1-19/", "t-b-ii"),
    ("/policies/council-resolution-social-media-accounts/", "a-1"),
])
def test_clauses_show_the_source_marker_and_no_bullet(visit, path, anchor):
    page = visit(path)
    item = page.locator(f"li:has(> #{anchor}), li#{anchor}").first
    assert item.evaluate("li => getComputedStyle(li).listStyleType") == "none"
    marker = anchor.rsplit("-", 1)[-1]
    marker = marker.upper() if "-" not in anchor else marker
    assert page.locator(f"#{anchor}").inner_text().startswith(f"{marker}. ")


def test_a_section_feedback_link_opens_the_form_for_that_section(visit, site_url):
    page = visit("/policies/ai-1-19/")
    link = page.get_by_role("link", name="Comment on \u00a7K.c", exact=True)
    assert link.count() == 1
    with page.expect_request(lambda r: "/feedback/" in r.url) as request:
        link.click()
    parts = urlsplit(request.value.url)
    assert f"{parts.path}?{parts.query}" == "/feedback/?policy=ai-1-19&section=k-c"


def test_feedback_form_opens_prefilled_through_transparency_serve(page, built_site, tmp_path):
    app = serve.prepare_app({
        "SECRET_KEY": "site-test-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}",
        "CATALOG": catalog.load_catalog(CONTENT),
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    running = serve.start(built_site, app=app)
    try:
        page.goto(running.url + "policies/ai-1-19/")
        page.get_by_role("link", name="Comment on \u00a7K.c", exact=True).click()
        page.wait_for_url(re.compile(r".*/feedback/\?policy=ai-1-19&section=k-c$"))
        assert page.locator("#policy_id").input_value() == "ai-1-19"
        assert page.locator("#section").get_attribute("value") == "k-c"
        assert page.locator("#section").is_checked()
    finally:
        running.stop()
        app.extensions["db_engine"].dispose()


def test_search_finds_profane(visit, site_url):
    page = visit("/")
    page.locator(".md-search__input").click()
    page.keyboard.type("profane", delay=20)
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=10_000)
    hrefs = page.locator(".md-search-result__item a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert any("policies/ai-1-19/" in href for href in hrefs), hrefs


def test_no_request_leaves_the_site(browser, site_url):
    context = browser.new_context()
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        for path in PAGE_TYPES.values():
            page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        page.goto(site_url + "/accounts/")
        page.get_by_label("Account address or name").fill("https://x.com/abq_city_sample")
        page.get_by_role("button", name="Check").click()
        page.get_by_text("Yes.").wait_for()
    finally:
        context.close()
    outside = [url for url in requested if not url.startswith(site_url + "/")]
    assert outside == []
    assert any(url.endswith("/data/accounts.json") for url in requested)


def test_footer_shows_the_site_version(visit):
    # Every page has it (test_site_links); here: it is visible where a reader looks.
    for path in ["/", "/policies/ai-1-19/", "/accounts/"]:
        page = visit(path)
        footer = page.locator(".md-footer .site-version")
        assert footer.is_visible(), path
        assert re.search(r"Content version:? \w+.*\. Built \d{4}-\d\d-\d\d \d\d:\d\d UTC",
                         footer.inner_text()), path


def test_is_this_account_official(visit):
    page = visit("/accounts/")
    query = page.get_by_label("Account address or name")
    result = page.locator(".account-check__result")

    query.fill("https://www.facebook.com/abq-police-sample/posts/123")
    page.get_by_role("button", name="Check").click()
    result.get_by_text("Yes.").wait_for()
    assert "@abq-police-sample on Facebook is an official City account" in result.inner_text()
    assert "sample record" in result.inner_text()

    query.fill("@abq_animals_sample")
    page.get_by_role("button", name="Check").click()
    page.wait_for_function("document.querySelector('.account-check__result')"
                           ".textContent.includes('archived')")

    query.fill("https://x.com/abq_city_fake")
    page.get_by_role("button", name="Check").click()
    result.get_by_text("No.").wait_for()
    assert result.get_by_role("link", name="Report it").get_attribute("href") == "/report/"

    query.fill("https://evil.example/abq_city_sample")
    page.get_by_role("button", name="Check").click()
    page.wait_for_function("document.querySelector('.account-check__result')"
                           ".textContent.includes('evil.example is not a platform')")


def test_account_filter_box_narrows_the_table(visit):
    page = visit("/accounts/")
    rows = page.locator("#accounts-table tbody tr")
    total = rows.count()
    page.get_by_label("Filter accounts").fill("animal")
    visible = page.locator("#accounts-table tbody tr:visible")
    assert visible.count() == 2 < total
    assert "Showing 2 of" in page.locator(".table-filter__count").inner_text()


def test_without_javascript_the_accounts_are_listed_by_platform(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "/accounts/")
        assert page.locator("form.account-check").is_hidden()
        assert page.get_by_text("Without JavaScript, find the platform").is_visible()
        assert page.locator("#platform-facebook").is_visible()
        assert page.locator("#accounts-table tbody tr").count() == 9
    finally:
        context.close()


def test_policy_index_sorts_with_javascript(visit):
    page = visit("/policies/")
    table = page.get_by_role("table", name=re.compile("All social media policies"))
    first = table.locator("tbody tr th a").first
    before = first.inner_text()
    department = table.get_by_role("button", name="Department")
    department.click()
    header = table.locator("thead th").nth(2)
    assert header.get_attribute("aria-sort") == "ascending"
    departments = table.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert departments == sorted(departments)
    department.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert table.locator("tbody tr td:nth-child(3)").all_inner_texts() == \
        sorted(departments, reverse=True)
    assert before  # the table had rows to sort


def test_policy_index_filters_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "/policies/")
        page.get_by_role("link", name="department policies", exact=True).click()
        assert page.url.endswith("#kind-department-policy")
        section = page.locator("#kind-department-policy + ul")
        assert section.get_by_role("link").count() == 2
    finally:
        context.close()


def test_a_policy_page_prints_cleanly(visit):
    page = visit("/policies/apd-social-media/")
    page.emulate_media(media="print")
    for hidden in [".md-header", ".md-sidebar--primary", ".md-sidebar--secondary",
                   "a.policy-comment >> nth=0", ".policy-actions"]:
        assert page.locator(hidden).is_hidden(), hidden
    assert page.locator(".policy-details").is_visible()
    assert page.locator(".md-footer .site-version").is_visible()
    after = page.locator(".md-content p a[href*='ai-1-19']").first.evaluate(
        "a => getComputedStyle(a, '::after').content")
    assert "/policies/ai-1-19/" in after and "http" in after
