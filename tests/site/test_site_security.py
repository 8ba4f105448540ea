"""The site under its Content-Security-Policy, and policy text that could act on it.

The site's pages share an origin with the feedback app and its staff inbox, so nothing in
a page may run but the site's own script files: every page the site serves carries
`feedback_api.SITE_POLICY` (no inline script, no plug-ins, no <base>, no framing), Material's
inline scripts are files in `theme/assets/transparency/`, and in Chromium no page type
raises a violation while search, the statistics and the version compare still work; a
script written into a page is blocked. Policy text with active content that reaches a build
anyway (a version in the git history) is shown as written, and the build log names it.
"""

from __future__ import annotations

import http.client
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from feedback_api import PAGE_POLICY, SITE_POLICY, catalog, serve
from site_builder.build import build_site
from tests.conftest import CONTENT, html_errors
from tests.history.conftest import POLICY, V3_BODY, Repo, policy_text, three_versions
from tests.site.conftest import (
    DEPARTMENT,
    PAGE_TYPES,
    build_unchecked,
    make_content,
    serve_site,
)

# Every page type, the archive's among them (rendered outside MkDocs' pass).
PAGES = {
    **PAGE_TYPES,
    "what changed": "/changes/",
    "versions": "/policies/ai-1-19/versions/",
    "version": "/policies/ai-1-19/versions/1/",
    "compare": "/policies/ai-1-19/compare/",
    "changelog": "/policies/ai-1-19/changelog/",
}

# Collects what the Content-Security-Policy refused, before any script of the page runs.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline")
                           + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


def request(url: str, method: str = "GET") -> tuple[int, list[tuple[str, str]]]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        response.read()
        return response.status, response.getheaders()
    finally:
        connection.close()


def values(headers, name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


def app_for(tmp_path: Path):
    return serve.prepare_app({
        "SECRET_KEY": "site-test-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}",
        "CATALOG": catalog.load_catalog(CONTENT),
        "RATELIMIT_STORAGE_URI": "memory://",
    })


@pytest.fixture(scope="module")
def served(built_site, tmp_path_factory):
    """The shipped site and the feedback app on one origin (`transparency serve`)."""
    app = app_for(tmp_path_factory.mktemp("served"))
    running = serve.start(built_site, app=app)
    yield running.url.rstrip("/")
    running.stop()
    app.extensions["db_engine"].dispose()


class Watched:
    """A page whose policy violations, script errors and console errors are collected."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(WATCH)
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on("console", lambda message: message.type == "error"
                and self.errors.append(f"console: {message.text}"))

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations")


# ---------------------------------------------------------------------------------------
# Headers


def test_every_answer_of_transparency_serve_has_the_sites_headers(served):
    for method, path, status in (("GET", "/", 200), ("GET", "/policies/ai-1-19/", 200),
                                 ("GET", "/assets/transparency/site.js", 200),
                                 ("GET", "/search/search_index.json", 200),
                                 ("GET", "/policies", 301), ("GET", "/no-such-page", 404),
                                 ("POST", "/", 405)):
        got, headers = request(served + path, method)
        assert got == status, path
        assert values(headers, "Content-Security-Policy") == [SITE_POLICY], path
        assert values(headers, "X-Frame-Options") == ["DENY"], path
        assert values(headers, "X-Content-Type-Options") == ["nosniff"], path
        assert values(headers, "Referrer-Policy") == ["same-origin"], path
    directives = SITE_POLICY.split("; ")
    for directive in ("script-src 'self'", "worker-src 'self'", "object-src 'none'",
                      "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in directives
    assert "unsafe" not in SITE_POLICY
    # The app's pages have the app's own policy, as strict about plug-ins and <base>.
    _, headers = request(served + "/report/")
    assert values(headers, "Content-Security-Policy") == [PAGE_POLICY]
    assert {"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
            "script-src 'self'"} <= set(PAGE_POLICY.split("; "))


class Scripts(HTMLParser):
    """Every script element and every attribute that runs or links to code."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and "src" not in a and a.get("type") != "application/json":
            self.found.append(f"inline <script{''.join(f' {k}' for k in a)}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            elif value and re.match(r"\s*(javascript|vbscript|data):", value, re.I) \
                    and not (tag == "img" and name == "src"):
                self.found.append(f"<{tag} {name}={value[:30]}…>")


def test_no_page_has_inline_script_or_event_handlers(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 20
    found = {}
    for path in pages:
        parser = Scripts()
        parser.feed(path.read_text())
        if parser.found:
            found[path.relative_to(built_site).as_posix()] = parser.found
    assert found == {}, ("a script the Content-Security-Policy will refuse; move it into a "
                         f"file as theme/partials/javascripts/base.html does: {found}")


# ---------------------------------------------------------------------------------------
# In Chromium


@pytest.mark.browser
@pytest.mark.parametrize("name", PAGES)
def test_every_page_type_runs_its_scripts_under_the_policy(page, served, name):
    watched = Watched(page)
    response = page.goto(served + PAGES[name])
    assert response.status == 200
    assert response.header_values("Content-Security-Policy") == [SITE_POLICY]
    page.wait_for_load_state("networkidle")
    assert watched.violations() == []
    assert watched.errors == []
    # Material's helpers (its inline script before, a file now), its bundle, and the
    # site's own scripts all ran.
    assert page.evaluate("typeof __md_get === 'function' && __md_scope instanceof URL")
    assert page.evaluate("typeof window.component$ === 'object'")  # Material's bundle
    assert page.evaluate("typeof window.transparencyRedline === 'object'")  # versions.js
    assert page.locator("html.js:not(.no-js)").count() == 1


@pytest.mark.browser
def test_search_and_the_statistics_work_under_the_policy(page, served):
    watched = Watched(page)
    page.goto(served + "/")
    # stats.js reads /api/v1/stats from the app on the same origin.
    page.locator('#intake-stats[data-state="loaded"]').wait_for()
    # Search runs in a Web Worker loaded from the site.
    page.locator(".md-search__input").click()
    page.keyboard.type("profane", delay=20)
    page.locator(".md-search-result__item a").first.wait_for(timeout=10_000)
    hrefs = page.locator(".md-search-result__item a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert any("policies/ai-1-19/" in href for href in hrefs), hrefs
    # Material's stored preferences (its helpers from material-base.js) still work.
    page.goto(served + "/policies/ai-1-19/")
    assert page.evaluate("__md_set('__probe', 7), __md_get('__probe')") == 7
    assert watched.violations() == [] and watched.errors == []


@pytest.mark.browser
def test_the_compare_page_redlines_in_the_browser_under_the_policy(page, tmp_path):
    # versions.js compares two versions no page was prepared for, from the versions' text.
    repo = history(tmp_path)
    three_versions(repo)
    repo.write(POLICY, policy_text(V3_BODY + "E. Errors are corrected within two days.\n"))
    repo.commit("A fourth version")
    out = tmp_path / "site"
    build_site(repo.content, out, log=lambda line: None)
    server = serve_site(out)
    try:
        watched = Watched(page)
        page.goto(f"http://127.0.0.1:{server.server_port}/policies/social-media/compare/")
        page.select_option("#compare-from", "1")
        page.select_option("#compare-to", "3")
        page.click("button:has-text('Show the changes')")
        result = page.locator(".version-compare-result")
        result.locator("h2").wait_for()
        assert "Changes from version 1 to version 3" in result.locator("h2").inner_text()
        assert "obscene" in " ".join(result.locator("ins").all_text_contents())
        assert watched.violations() == [] and watched.errors == []
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_a_script_written_into_a_page_does_not_run(browser, built_site, tmp_path):
    # As if something had slipped into a built page: the policy stops it in the browser.
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    target = site / "policies" / "ai-1-19" / "index.html"
    html = target.read_text()
    injected = ('<script>window.__ran = "inline"</script>'
                '<img alt="" src="data:," onerror="window.__ran = \'handler\'">'
                '<a id="injected" href="javascript:window.__ran = \'link\'">Injected</a>')
    target.write_text(html.replace("</article>", injected + "</article>", 1))
    app = app_for(tmp_path)
    running = serve.start(site, app=app)
    context = browser.new_context()
    try:
        page = context.new_page()
        watched = Watched(page)
        page.goto(running.url + "policies/ai-1-19/")
        page.wait_for_load_state("networkidle")
        page.locator("#injected").click()
        page.wait_for_timeout(200)
        assert page.evaluate("window.__ran") is None
        directives = {v.split(" ")[0] for v in watched.violations()}
        assert {"script-src-elem", "script-src-attr"} <= directives, watched.violations()
        # The page itself still works.
        assert page.evaluate("typeof __md_get === 'function'")
    finally:
        context.close()
        running.stop()
        app.extensions["db_engine"].dispose()


# ---------------------------------------------------------------------------------------
# Policy text that could act


def history(tmp_path: Path) -> Repo:
    """A git repository with the shipped policies, committed."""
    repo = Repo(tmp_path / "repo")
    for file in sorted((CONTENT / "policies").glob("*.md")):
        repo.write(f"policies/{file.name}", file.read_text())
    repo.commit("The shipped policies")
    return repo


def test_policy_text_past_the_check_is_published_inert(tmp_path):
    # The check refuses all of this; built past it, none of it acts: the body is shown as
    # written (render stage), the title is escaped wherever Material writes it (theme/).
    content = make_content(tmp_path / "content", policies={
        "parks-social-media.md": DEPARTMENT
        .replace("title: Parks Social Media Policy",
                 "title: '</title><script>window.__ran = 1</script> & more'")
        .replace("summary: A sample department policy.",
                 "summary: 'A summary\" onfocus=\"alert(1)\" <b>bold</b>'")
        + "\nAppended.<script>window.__ran = 2</script> <img src=x onerror=alert(3)>\n"
        + "\n[Click](javascript:alert(4)) and a paragraph with {: onclick=\"alert(5)\" }\n"})
    out = tmp_path / "site"
    problems = build_unchecked(content, out)
    assert {p.path for p in problems} == {"policies/parks-social-media.md"}
    found = {}
    for page in sorted(out.rglob("*.html")):
        parser = Scripts()
        parser.feed(page.read_text())
        if parser.found:
            found[page.relative_to(out).as_posix()] = parser.found
    assert found == {}
    html = (out / "policies" / "parks-social-media" / "index.html").read_text()
    head = html.split("</head>")[0]
    assert "<title>&lt;/title&gt;&lt;script&gt;window.__ran = 1&lt;/script&gt; &amp; more - " \
        in head
    assert '<meta name="description" content="A summary&#34; onfocus=&#34;alert(1)&#34; ' \
           '&lt;b&gt;bold&lt;/b&gt;">' in head
    assert "Appended.&lt;script&gt;window.__ran = 2&lt;/script&gt;" in html
    assert "[Click](javascript:alert(4))" in html
    # The navigation names the policy by its title on every page, escaped.
    home = (out / "index.html").read_text()
    assert "&lt;/title&gt;&lt;script&gt;window.__ran = 1" in home


def test_a_version_in_the_history_with_active_content_is_published_as_text(tmp_path):
    # Committed before the check existed (or past it): the build does not stop, since a
    # published version cannot be changed, but nothing in it acts; the log names it.
    repo = history(tmp_path)
    hostile = ("Posts must be accurate.<script>fetch('/inbox/')</script>\n\n"
               "See [the rules](javascript:alert(1)) and <b onclick=\"alert(2)\">this</b>.\n")
    body = "## Rules {#rules}\n\nA. Departments keep their accounts current.\n\n"
    repo.write("policies/social-media.md", policy_text(body + hostile))
    first = repo.commit("Add a policy")
    repo.write("policies/social-media.md", policy_text(body + "Posts must be accurate.\n"))
    repo.commit("Take out what was pasted by mistake")
    out = tmp_path / "site"
    log: list[str] = []
    build_site(repo.content, out, log=log.append)

    warnings = [line for line in log if f"at commit {first[:7]}" in line]
    assert len(warnings) == 1 and "<script>" in warnings[0], log
    assert "policies/social-media.md at commit" in warnings[0]
    page = out / "policies" / "social-media" / "versions" / "1" / "index.html"
    html = page.read_text()
    # Shown as written, as text; no element of it made it into the page.
    assert "Posts must be accurate.&lt;script&gt;fetch(&#x27;/inbox/&#x27;)&lt;/script&gt;" \
        in html or "Posts must be accurate.&lt;script&gt;fetch('/inbox/')&lt;/script&gt;" in html
    assert "See [the rules](javascript:alert(1)) and &lt;b onclick=" in html
    parser = Scripts()
    parser.feed(html)
    assert parser.found == []
    assert "Departments keep their accounts current." in html  # the rest is as usual
    assert html_errors([page], out) == []
