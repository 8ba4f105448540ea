"""The Zensical canary: the site built with the pinned Zensical is the site MkDocs builds.

The shipped content and a repository whose test policy has four versions (English and
Spanish) are built on MkDocs and on Zensical, each in a process of its own
(`engine_run.py`: an engine is chosen once per process). On Zensical every page must be at
the address it has on MkDocs, with the same anchors in its article; no internal link or
anchor may lead nowhere; axe must find nothing on each page type and the Nu HTML Checker
no error on any page; and what the theme's overrides give must still work: the current
page is marked in the navigation, search finds a policy, every navigation landmark has a
name of its own, and an archive page's footer names its policy's last change.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import CONTENT, axe_violations, html_errors
from tests.history.conftest import Repo
from tests.history.test_history_site import VERSIONS, publish
from tests.site.conftest import PAGE_TYPES, serve_site
from tests.site.test_engine_seam import NOW, build_on
from tests.site.test_site_links import broken_links, parse_site

ENGINES = ("mkdocs", "zensical")
# The files each engine writes for its own theme and search, which the other lacks
ENGINE_FILES = re.compile(r"^(?:es/)?(?:assets/|search/|search\.json$|sitemap\.xml\.gz$)")
ARTICLE = re.compile(r"<article\b.*?</article>", re.S)
ID = re.compile(r'\bid="([^"]+)"')
# The archive pages of the repository's test policy, one of each kind, with the others
ARCHIVE_TYPES = {
    "version": f"/{VERSIONS}/2/",
    "redline": f"/{VERSIONS}/3/changes/",
    "versions": f"/{VERSIONS}/",
    "comparison": "/policies/social-media/compare/1-4/",
    "changelog": "/policies/social-media/changelog/",
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """{"shipped"|"versions": {engine: built site}}, and how long each build took."""
    top = tmp_path_factory.mktemp("canary")
    repo = Repo(top / "repo")
    publish(repo)
    sources = {"shipped": CONTENT, "versions": repo.content}
    built: dict[str, dict[str, Path]] = {name: {} for name in sources}
    for engine in ENGINES:
        jobs = []
        for name, content in sources.items():
            built[name][engine] = top / engine / name
            jobs.append({"content": content, "out": built[name][engine], "now": NOW})
        start = time.perf_counter()
        results = build_on(engine, *jobs)
        print(f"{engine}: both sites built in {time.perf_counter() - start:.1f} s")
        for result in results:
            assert result["built"], result
    return built


def files_of(site: Path) -> set[str]:
    return {path.relative_to(site).as_posix() for path in site.rglob("*")
            if path.is_file() and not ENGINE_FILES.match(path.relative_to(site).as_posix())}


def article_ids(page: Path) -> list[str]:
    """The ids of a page's article, but the theme's own (`__skip`, Zensical's skip link's
    target, which MkDocs' Material puts on the first heading instead)."""
    article = ARTICLE.search(page.read_text(encoding="utf-8"))
    found = ID.findall(article.group(0)) if article else []
    return [name for name in found if not name.startswith("__")]


@pytest.mark.parametrize("name", ["shipped", "versions"])
def test_every_page_and_file_is_at_the_address_it_has_on_mkdocs(sites, name):
    mkdocs, zensical = sites[name]["mkdocs"], sites[name]["zensical"]
    expected = files_of(mkdocs)
    assert "es/index.html" in expected and "policies/ai-1-19/index.html" in expected
    assert sorted(expected - files_of(zensical)) == []
    assert sorted(files_of(zensical) - expected) == []


@pytest.mark.parametrize("name", ["shipped", "versions"])
def test_every_article_has_the_anchors_it_has_on_mkdocs(sites, name):
    mkdocs, zensical = sites[name]["mkdocs"], sites[name]["zensical"]
    differ = []
    for page in sorted(mkdocs.rglob("*.html")):
        rel = page.relative_to(mkdocs)
        if article_ids(page) != article_ids(zensical / rel):
            differ.append(rel.as_posix())
    assert differ == []
    clauses = article_ids(sites["shipped"]["zensical"] / "policies/ai-1-19/index.html")
    assert {"k", "k-c", "k-d"} <= set(clauses)


@pytest.mark.parametrize("name", ["shipped", "versions"])
def test_no_internal_link_or_anchor_leads_nowhere(sites, name):
    site = sites[name]["zensical"]
    broken, checked = broken_links(site, parse_site(site))
    assert broken == []
    assert checked > 500


def test_the_nu_html_checker_finds_no_error(sites):
    for name in sites:
        site = sites[name]["zensical"]
        errors = html_errors(site.rglob("*.html"), site)
        assert not errors, "\n".join(errors)


@pytest.fixture(scope="module")
def urls(sites):
    """Each Zensical site on a loopback port, as `transparency serve` serves it (with the
    site's Content-Security-Policy)."""
    servers = {name: serve_site(sites[name]["zensical"]) for name in sites}
    try:
        yield {name: f"http://127.0.0.1:{server.server_port}"
               for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()


REFUSED = """document.addEventListener("securitypolicyviolation", event =>
  (window.refused = window.refused || []).push(
    `${event.violatedDirective} ${event.sourceFile}:${event.lineNumber}`))"""


def visit(page, url: str) -> list[str]:
    """Open `url`; the script errors of the page and what its Content-Security-Policy
    refused, as a list the caller checks once the page has been used."""
    errors: list[str] = []
    page.add_init_script(REFUSED)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("load")
    return errors


def refused(page) -> list[str]:
    return page.evaluate("window.refused || []")


@pytest.mark.browser
@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("kind", [*PAGE_TYPES, *ARCHIVE_TYPES])
def test_axe_finds_nothing_and_nothing_is_refused(page, urls, kind, prefix):
    """Each page type, in English and Spanish, with no script error and nothing the
    Content-Security-Policy refuses."""
    site, path = ("shipped", PAGE_TYPES[kind]) if kind in PAGE_TYPES \
        else ("versions", ARCHIVE_TYPES[kind])
    errors = visit(page, urls[site] + prefix + path)
    assert page.locator("html").get_attribute("lang") == (prefix.strip("/") or "en")
    assert axe_violations(page) == []
    assert errors == [] and refused(page) == []


@pytest.mark.browser
def test_the_current_page_is_marked_in_the_navigation(page, urls):
    for path, title in [("/accounts/", "Accounts"), ("/reviews/", "Review schedule"),
                        ("/policies/ai-1-19/", "AI 1-19")]:
        visit(page, urls["shipped"] + path)
        active = page.locator(".md-sidebar--primary a.md-nav__link--active")
        assert active.count() >= 1, path
        assert {link.evaluate("a => a.href") for link in active.all()} \
            == {urls["shipped"] + path}
        assert title in active.first.inner_text()


@pytest.mark.browser
def test_every_navigation_landmark_has_a_name_of_its_own(page, urls):
    visit(page, urls["shipped"] + "/policies/ai-1-19/")
    names = page.locator("nav").evaluate_all(
        "navs => navs.map(n => n.getAttribute('aria-label') || '')")
    assert all(names), names
    sections = page.locator(".md-nav--primary nav.md-nav[data-md-level]")
    titles = [name.strip() for name in sections.evaluate_all(
        "navs => navs.map(n => n.getAttribute('aria-label'))")]
    assert {"Policies", "Accounts", "Oversight"} <= set(titles), titles
    assert len(titles) == len(set(titles)), titles


@pytest.mark.browser
def test_search_finds_a_policy(page, urls):
    errors = visit(page, urls["shipped"] + "/")
    page.get_by_role("button", name="Search").first.click()
    page.keyboard.type("prohibited")
    results = page.get_by_role("dialog", name="Search").locator("ol[role=listbox] a")
    results.first.wait_for(timeout=10_000)
    found: list = []
    deadline = time.monotonic() + 10
    while ("/policies/ai-1-19/", "rules") not in found and time.monotonic() < deadline:
        # the results are read in one go: the list is redrawn while the search settles
        found = [(url.path, url.fragment) for url in map(
            urlsplit, results.evaluate_all("links => links.map(a => a.href)"))]
        page.wait_for_timeout(100)
    assert ("/policies/ai-1-19/", "rules") in found, found
    assert errors == [] and refused(page) == []


def test_an_archive_page_names_its_policys_last_change(sites):
    for prefix, words in [("", "the last change to this policy"),
                          ("es/", "el último cambio a esta política")]:
        page = sites["versions"]["zensical"] / prefix / VERSIONS.strip("/") / "2/index.html"
        footer = re.search(r'<p class="site-version">(.*?)</p>', page.read_text(), re.S)
        assert footer and words in " ".join(footer.group(1).split())
