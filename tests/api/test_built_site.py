"""The built site and the feedback app together: every "Comment" link the site builder
writes opens a form prefilled with that policy and section, and a resident can follow one
from a policy page to a tracking code."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from feedback_api.serve import start
from tests.api.conftest import read_form, rows
from tests.conftest import ROOT

TRANSPARENCY = Path(sys.executable).with_name("transparency")
FORM_LINK = re.compile(r'href="(/(?:feedback|report)/[^"]*)"')


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "site"
    result = subprocess.run([str(TRANSPARENCY), "build", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def form_links(site: Path) -> set[str]:
    links = set()
    for page in site.rglob("*.html"):
        links |= {html.unescape(link) for link in FORM_LINK.findall(page.read_text())}
    return links


def test_every_form_link_in_the_built_site_opens_a_prefilled_form(built_site, client):
    links = form_links(built_site)
    sections = [link for link in links if "section=" in link]
    assert len(sections) > 50  # every section and clause of every policy has one
    for link in sorted(links):
        response = client.get(link)
        assert response.status_code == 200, link
        query = parse_qs(urlsplit(link).query)
        values = read_form(response.get_data(as_text=True)).values
        if "policy" in query:
            assert values["policy_id"] == query["policy"][0], link
        if "section" in query:
            assert values.get("section") == query["section"][0], link


@pytest.mark.browser
def test_from_a_policy_page_to_a_tracking_code(page, built_site, make_sqlite_app,
                                               sqlite_database):
    running = start(built_site, make_sqlite_app())
    try:
        page.goto(running.url + "policies/ai-1-19/")
        page.get_by_role("link", name="Comment on §K.c").click()
        page.wait_for_url(re.compile(r"/feedback/\?policy=ai-1-19&section=k-c$"))
        assert page.get_by_label("AI 1-19 §K.c").is_checked()
        page.get_by_label("Your comment").fill("Who decides what counts as harassment?")
        page.get_by_role("button", name="Send feedback").click()
        page.wait_for_url(re.compile(r"/feedback/sent/SMR-"))
        code = page.locator(".tracking-code").inner_text()
        page.get_by_role("link", name=f"See the status of {code}").click()
        assert "Received" in page.locator("main").inner_text()
        page.get_by_role("link", name="Policies", exact=True).first.click()
        page.wait_for_url(re.compile(r"/policies/$"))
    finally:
        running.stop()
    [row] = rows(sqlite_database)
    assert (row["tracking_code"], row["policy_id"], row["section"]) == (code, "ai-1-19", "k-c")
