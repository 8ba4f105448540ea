"""A script in a policy page cannot act for the member of staff who reads it.

The site's pages and the staff inbox are served together (`transparency serve`, as nginx
does by default), so a script on a policy page would run with the inbox's privileges: it
could fetch /inbox/, read the CSRF token and POST /inbox/export, the export with residents'
personal data, the moment an admin opened the page. In real Chromium, with an admin signed
in through the sign-in form:

- a script appended to a policy and built past `transparency check` (which refuses it) is
  published as text, and does not run;
- a script written into a built page is refused by the site's Content-Security-Policy;
- with the inbox on an origin of its own (INBOX_ORIGIN), even a script that does run on a
  site page cannot read the inbox, and so cannot export from it.

In none of them is /inbox/export requested from the page.
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import urlsplit

import pytest

from feedback_api import create_app
from feedback_api.serve import start
from tests.conftest import free_port
from tests.inbox.conftest import (
    EMAILS,
    PASSWORD,
    add_staff,
    empty_inbox,
    inbox_config,
    send_report,
)
from tests.site.conftest import (
    AI,
    build_unchecked,
    built_site,  # noqa: F401  (a fixture)
    make_content,
    shipped_build,  # noqa: F401  (a fixture)
)

pytestmark = pytest.mark.browser

# What a script pasted into a policy would do with an admin's session.
ATTACK = """\
<script>
fetch("/inbox/", {credentials: "same-origin"})
  .then(function (response) { return response.text(); })
  .then(function (html) {
    var token = html.match(/name="csrf_token" value="([^"]+)"/)[1];
    var body = new URLSearchParams({csrf_token: token, format: "json"});
    return fetch("/inbox/export", {method: "POST", body: body, credentials: "same-origin"});
  })
  .then(function (response) { return response.text(); })
  .then(function (text) { window.__exported = text; });
</script>
"""

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective);
});
"""


@pytest.fixture(scope="module")
def site_with_script(tmp_path_factory):
    """A small site whose AI 1-19 has ATTACK appended, built past the check."""
    root = tmp_path_factory.mktemp("policy-with-script")
    content = make_content(root / "content", policies={
        "ai-1-19.md": AI.replace("{reviewed}", "2026-06-01") + "\n" + ATTACK})
    out = root / "site"
    problems = build_unchecked(content, out)
    assert any("<script>" in p.message for p in problems)  # the check refuses it
    return out


def serving(site, sqlite_database, catalog, port: int = 0, **config):
    empty_inbox(sqlite_database)
    app = create_app(inbox_config(sqlite_database, catalog, **config))
    add_staff(app, "admin")
    # Something to export: a report with the resident's name and email address.
    send_report(app.test_client(), name="Ana Resident", email="ana@example.org")
    return app, start(site, app, port=port)


def sign_in(page, url: str) -> None:
    """Sign in as the admin through the inbox's own form, as staff do."""
    page.goto(f"{url}/inbox/")
    page.wait_for_url(re.compile(r"/inbox/login\?next="))
    page.get_by_label("Email address").fill(EMAILS["admin"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/inbox/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Inbox"


def requests_of(page) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    page.on("request", lambda request: seen.append((request.method,
                                                   urlsplit(request.url).path)))
    return seen


def open_policy_and_assert_the_inbox_untouched(page, url: str) -> None:
    """Open AI 1-19's page as the signed-in admin: nothing under /inbox/ is requested and
    the page's script recorded no export."""
    seen = requests_of(page)
    page.goto(f"{url}/policies/ai-1-19/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert ("POST", "/inbox/export") not in seen
    assert [path for _, path in seen if path.startswith("/inbox")] == []
    assert page.evaluate("window.__exported") is None


def test_a_script_appended_to_a_policy_does_not_run_for_an_admin(
        page, site_with_script, sqlite_database, catalog):
    app, running = serving(site_with_script, sqlite_database, catalog)
    url = running.url.rstrip("/")
    try:
        sign_in(page, url)
        open_policy_and_assert_the_inbox_untouched(page, url)
        # The reader sees what was pasted, as text.
        assert 'fetch("/inbox/", {credentials: "same-origin"})' in \
            page.locator("article").inner_text()
    finally:
        running.stop()
        app.extensions["db_engine"].dispose()


def test_a_script_written_into_a_built_page_is_refused_for_an_admin(
        page, built_site, tmp_path, sqlite_database, catalog):  # noqa: F811
    # The layer under the check and the render stage: the Content-Security-Policy.
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    target = site / "policies" / "ai-1-19" / "index.html"
    target.write_text(target.read_text().replace("</article>", ATTACK + "</article>", 1))
    app, running = serving(site, sqlite_database, catalog)
    url = running.url.rstrip("/")
    try:
        sign_in(page, url)
        page.add_init_script(WATCH)
        open_policy_and_assert_the_inbox_untouched(page, url)
        assert "script-src-elem" in page.evaluate("window.__violations")
    finally:
        running.stop()
        app.extensions["db_engine"].dispose()


def test_with_the_inbox_on_its_own_origin_a_site_page_cannot_read_it(
        browser, built_site, sqlite_database, catalog):  # noqa: F811
    # Staff open the inbox from the site's address and are sent to its own origin (here
    # localhost, while the site is 127.0.0.1: same server, another origin). A script that
    # runs on a site page anyway gets nothing: the browser here even ignores the site's
    # Content-Security-Policy, as if every other layer had failed.
    port = free_port()
    inbox = f"http://localhost:{port}"
    app, running = serving(built_site, sqlite_database, catalog, port=port,
                           INBOX_ORIGIN=inbox)
    site = running.url.rstrip("/")
    assert site == f"http://127.0.0.1:{port}"
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, site)
        assert page.url == f"{inbox}/inbox/"
        responses: list[tuple[str, int]] = []
        page.on("response", lambda r: responses.append((urlsplit(r.url).path, r.status)))
        page.goto(f"{site}/policies/ai-1-19/")
        got = page.evaluate("""async (inbox) => {
          const tried = {};
          for (const target of ["/inbox/", inbox + "/inbox/"]) {
            try {
              const response = await fetch(target, {credentials: "include"});
              const html = await response.text();
              tried[target] = /name="csrf_token" value="([^"]+)"/.test(html)
                && html.includes("/inbox/export") ? "read the inbox" : "no inbox";
            } catch (error) {
              tried[target] = "refused";
            }
          }
          for (const target of ["/inbox/export", inbox + "/inbox/export"]) {
            try {
              const response = await fetch(target, {method: "POST", credentials: "include",
                mode: "no-cors", body: new URLSearchParams({format: "json"})});
              tried[target] = response.type === "opaque" ? "opaque" : await response.text();
            } catch (error) {
              tried[target] = "refused";
            }
          }
          return tried;
        }""", inbox)
        assert got["/inbox/"] == "refused"  # sent to the inbox's origin, which the page
        assert got[f"{inbox}/inbox/"] == "refused"  # may not read (no CORS)
        assert got["/inbox/export"] != "" and "Ana Resident" not in got["/inbox/export"]
        assert got[f"{inbox}/inbox/export"] == "opaque"
        # Without the token the app did not export: nothing answered 200.
        exports = [status for path, status in responses if path == "/inbox/export"]
        assert exports and 200 not in exports, responses
        # The admin's own inbox still works on its origin.
        page.goto(f"{inbox}/inbox/")
        assert page.get_by_role("heading", level=1).inner_text() == "Inbox"
    finally:
        context.close()
        running.stop()
        app.extensions["db_engine"].dispose()
