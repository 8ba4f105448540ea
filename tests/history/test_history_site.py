"""The built site: permanent version pages, redlines, changelogs, feeds, in a real browser.

One site per test worker is built from a throwaway repository in which the test policy
has four versions, an editorial correction and a change to its details.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import subprocess
from pathlib import Path

import pytest

from site_builder import store
from site_builder.build import build_site
from site_builder.content import load_library
from site_builder.history import read_history
from site_builder.redline import compare_parts
from site_builder.versions import write_version_pages
from tests.conftest import CONTENT, axe_violations, html_errors
from tests.history.conftest import (
    POLICY,
    V3_BODY,
    Repo,
    StaticServer,
    build_without_warnings,
    policy_text,
    three_versions,
)

V3_FIXED = V3_BODY.replace("Replies name the department.", "Replies name the department")
V4_BODY = V3_BODY + "E. Errors are corrected within two business days.\n"
VERSIONS = "policies/social-media/versions"


def publish(repo: Repo) -> None:
    """Four versions, one correction, one change of details; in English and Spanish."""
    repo.with_spanish()
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    three_versions(repo)
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-04-01", reviewed="2026-03-12"))
    repo.commit("Annual review", "2026-03-12")
    repo.write(POLICY, policy_text(V3_BODY.replace("signed.", "signed by staff."),
                                   effective="2026-04-01", reviewed="2026-03-12"))
    repo.commit("Say who signs posts\n\nEditorial: true", "2026-03-14")
    repo.write(POLICY, policy_text(V4_BODY.replace("signed.", "signed by staff."),
                                   effective="2026-06-01", reviewed="2026-03-12"))
    repo.commit("Errors are corrected within two business days\n\n"
                "Published-by: Office of Communications", "2026-05-20")


def text_of(path: Path) -> str:
    """A built page's main content as plain text."""
    page = path.read_text(encoding="utf-8")
    main = page[page.index('<article'):page.index("</article>")]
    main = re.sub(r'<span class="rl-sr">.*?</span>', "", main)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    repo = Repo(tmp_path_factory.mktemp("history-site") / "repo")
    publish(repo)
    return repo


@pytest.fixture(scope="module")
def site(repo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("history-site-out") / "site"
    return build_without_warnings(repo.content, out)


@pytest.fixture(scope="module")
def server(site):
    server = StaticServer(site)
    yield server
    server.close()


def test_each_version_has_a_permanent_page_with_its_own_text(site):
    expected = {
        1: (["profane", "Identify changes to earlier posts"], ["secure", "obscene"]),
        2: (["current and secure", "profane"], ["obscene", "signed"]),
        3: (["signed by staff", "obscene", "Replies name the department"], ["business days"]),
        4: (["within two business days", "signed by staff"], ["profane"]),
    }
    for number, (present, absent) in expected.items():
        text = text_of(site / VERSIONS / str(number) / "index.html")
        assert f"This is version {number} of 4" in text
        for phrase in present:
            assert phrase in text, (number, phrase)
        for phrase in absent:
            assert phrase not in text, (number, phrase)
    assert not (site / VERSIONS / "5").exists()
    banner = text_of(site / VERSIONS / "2" / "index.html")
    assert "in effect from February 1, 2026 until April 1, 2026" in banner
    assert "See the current version" in banner
    # Anchors are the current page's: §B.a is #b-a on both.
    assert 'id="b-a"' in (site / VERSIONS / "1" / "index.html").read_text()
    assert 'id="b-a"' in (site / "policies/social-media/index.html").read_text()
    assert "Editorial corrections" in text_of(site / VERSIONS / "3" / "index.html")


# One page of each kind the site publishes, in a site where a policy has several versions.
PAGE_KINDS = {
    "home": "index.html",
    "policy index": "policies/index.html",
    "policy": "policies/social-media/index.html",
    "version list": f"{VERSIONS}/index.html",
    "version": f"{VERSIONS}/2/index.html",
    "redline": f"{VERSIONS}/3/changes/index.html",
    "compare": "policies/social-media/compare/index.html",
    "changelog": "policies/social-media/changelog/index.html",
    "what changed": "changes/index.html",
    "what changed in a year": "changes/2026/index.html",
    "accounts": "accounts/index.html",
    "platforms": "platforms/index.html",
    "compliance": "compliance/index.html",
    "reviews": "reviews/index.html",
    "comment guidelines": "comment-guidelines/index.html",
    "not found": "404.html",
}


def test_every_page_is_valid_html(site):
    """Every page, in both languages (each kind is checked to be there in Spanish too)."""
    pages = sorted(site.rglob("*.html"))
    missing = [kind for kind, rel in PAGE_KINDS.items() if site / rel not in pages]
    missing += [f"{kind} (es)" for kind, rel in PAGE_KINDS.items()
                if site / "es" / rel not in pages]
    assert missing == []
    without_icon = [p for p in pages if '<link rel="icon"' not in p.read_text()]
    assert without_icon == []
    errors = html_errors(pages, site)
    assert not errors, "\n".join(errors)


def test_redlines_mark_what_each_version_changed(site):
    page = (site / VERSIONS / "3" / "changes" / "index.html").read_text()
    ins = [" ".join(re.sub(r"<[^>]+>", " ", re.sub(r'<span class="rl-sr">.*?</span>', "", m))
                    .split()).strip("[] ") for m in re.findall(r"<ins>(.*?)</ins>", page)]
    dels = [" ".join(re.sub(r"<[^>]+>", " ", re.sub(r'<span class="rl-sr">.*?</span>', "", m))
                     .split()).strip("[] ") for m in re.findall(r"<del>(.*?)</del>", page)]
    assert "D. Replies name the department." in ins
    assert "obscene" in ins and "profane" in dels
    assert "b. Identify changes to earlier posts." in dels
    assert any("signed by staff" in x for x in ins)
    text = text_of(site / VERSIONS / "3" / "changes" / "index.html")
    assert "Sections that changed Rules (changed)" in text
    assert "Bracketed/Underscored Material" in text  # the Council's legend
    assert not (site / VERSIONS / "1" / "changes").exists()
    against_current = site / "policies/social-media/compare/1-4/index.html"
    assert "within two business days" in against_current.read_text()


def test_open_data_urls_lead_to_the_pages(site):
    data = json.loads((site / "data/policies.json").read_text())
    policy = next(p for p in data["policies"] if p["id"] == "social-media")
    assert [v["number"] for v in policy["versions"]] == [1, 2, 3, 4]
    for version in policy["versions"]:
        assert (site / version["url"].lstrip("/") / "index.html").is_file()
        if version["number"] == 1:
            assert version["diff_url"] is None
        else:
            assert (site / version["diff_url"].lstrip("/") / "index.html").is_file()
    index = json.loads((site / "data/versions/social-media.json").read_text())
    assert [(v["number"], v["from"], v["until"]) for v in index["versions"]] == [
        (1, "2025-07-01", "2026-02-01"), (2, "2026-02-01", "2026-04-01"),
        (3, "2026-04-01", "2026-06-01"), (4, "2026-06-01", None)]


def test_changelogs_list_versions_corrections_and_details_newest_first(site):
    text = text_of(site / "policies/social-media/changelog/index.html")
    order = [text.index(s) for s in ("Version 4", "Editorial correction to version 3",
                                     "Details updated (review)", "Version 3", "Version 2",
                                     "Version 1")]
    assert order == sorted(order)
    assert "Office of Communications" in text
    changes = (site / "changes/index.html").read_text()
    assert "../policies/social-media/versions/4/changes/" in changes
    site_text = text_of(site / "changes/index.html")
    assert site_text.index("Errors are corrected within") < site_text.index("Annual review")


def test_version_pages_are_out_of_the_nav_and_the_search_index(site):
    home = (site / "index.html").read_text()
    assert "versions/" not in home.split('<div class="md-content"')[0]
    index = json.loads((site / "search/search_index.json").read_text())
    locations = {doc["location"] for doc in index["docs"]}
    assert not any("/versions/" in loc or "/compare/" in loc or "changelog" in loc
                   for loc in locations)
    assert any(loc.startswith("policies/social-media/") for loc in locations)


def test_feeds_are_published(site):
    import xml.etree.ElementTree as ET

    for feed in ("feeds/changes.atom", "feeds/social-media.atom"):
        ET.fromstring((site / feed).read_bytes())
    assert (site / "feeds/reviews.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_uncommitted_edits_build_as_unpublished_changes(repo, tmp_path):
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(repo.top), str(work)], check=True)
    edited = work / "content" / POLICY
    edited.write_text(edited.read_text().replace("two business days", "one business day"))
    out = tmp_path / "site"
    lines: list[str] = []
    build_site(work / "content", out, log=lines.append)
    assert not (out / VERSIONS / "5").exists()
    assert "two business days" in text_of(out / VERSIONS / "4" / "index.html")
    assert "Unpublished changes" in text_of(out / VERSIONS / "index.html")
    current = text_of(out / "policies" / "social-media" / "index.html")
    assert "Unpublished changes" in current and "one business day" in current


def test_a_shallow_clone_warns_and_still_builds(repo, tmp_path):
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.top}", str(clone)],
                   check=True, capture_output=True)
    out = tmp_path / "site"
    lines: list[str] = []
    build_site(clone / "content", out, log=lines.append)
    assert any(line.startswith("warning: history:") and "shallow" in line for line in lines)
    assert "History not available in this build" in text_of(out / VERSIONS / "index.html")
    assert not (out / VERSIONS / "2").exists()


def test_published_version_pages_are_reused_from_the_cache(repo, tmp_path):
    library, _ = load_library(repo.content)
    histories, _ = read_history(repo.content, library)
    site = {"today": "2026-06-02", "generated": "2026-06-02T00:00:00Z"}
    with store.opened(tmp_path / "cache") as kept:
        first = write_version_pages(tmp_path / "first", library, histories, site)
        again = write_version_pages(tmp_path / "again", library, histories, site)
        assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
        # The second build took the rendered text from the cache: mark every cached body
        # (kept with its policy's other pieces, one entry per policy) and see the mark on
        # the pages of a third build.
        keys = [f.name for f in (tmp_path / "cache").rglob("*") if f.is_file()
                and len(f.name) == 64]
        entries = {key: kept.get_json(key) for key in keys}
        pieces = {key: value for key, value in entries.items() if isinstance(value, dict)
                  and value and all(len(k) == 64 for k in value)}
        bodies = 0
        for key, value in pieces.items():
            for piece, text in value.items():
                if isinstance(text, str):
                    value[piece] = text + "\nFROM THE CACHE\n"
                    bodies += 1
            kept.put_json(key, value)
        assert bodies
        # Each policy's files are cached whole too; without them, the bodies are used.
        for key, value in entries.items():
            if isinstance(value, dict) and "uses" in value:
                kept.drop(key)
        third = write_version_pages(tmp_path / "third", library, histories, site)
    version_2 = next(p for p in third if p.as_posix().endswith("versions/2/index.md"))
    assert "FROM THE CACHE" in version_2.read_text()


# ---------------------------------------------------------------------------------------
# In the browser


@pytest.mark.browser
def test_compare_version_1_with_version_3_marks_inserted_and_deleted_words(page, server):
    page.goto(server.url + "policies/social-media/compare/")
    page.select_option("#compare-from", "1")
    page.select_option("#compare-to", "3")
    page.click("button:has-text('Show the changes')")
    result = page.locator(".version-compare-result")
    result.locator("h2").wait_for()
    assert "Changes from version 1 to version 3" in result.locator("h2").inner_text()
    inserted = " ".join(result.locator("ins").all_text_contents())
    deleted = " ".join(result.locator("del").all_text_contents())
    assert "current and secure" not in deleted and "secure" in inserted
    assert "obscene" in inserted and "D. Replies name the department." in inserted
    assert "profane" in deleted and "Identify changes to earlier posts." in deleted
    assert "business days" not in inserted  # that is version 4
    # Underlined and struck through, not told apart by colour alone.
    ins_style = result.locator("ins").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine")
    del_style = result.locator("del").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine")
    assert (ins_style, del_style) == ("underline", "line-through")
    assert axe_violations(page) == []


@pytest.mark.browser
def test_the_browser_redline_is_the_same_as_the_built_one(page, server, site):
    data = json.loads((site / "data/versions/social-media.text.json").read_text())
    page.goto(server.url + "policies/social-media/compare/")

    def parts(number):
        from site_builder.redline import Part, Unit

        return tuple(Part(p[0], p[1], p[2], tuple(Unit(*u) for u in p[3]))
                     for p in data["versions"][str(number)])

    for old, new in [(1, 2), (1, 3), (2, 4), (1, 4), (4, 1)]:
        python = compare_parts(parts(old), parts(new))
        browser = page.evaluate(
            "([a, b]) => window.transparencyRedline.compareParts(a, b)",
            [data["versions"][str(old)], data["versions"][str(new)]],
        )
        assert browser["html"] == python.html, (old, new)
        assert (browser["inserted"], browser["deleted"]) == (python.inserted, python.deleted)
        assert [tuple(s) for s in browser["sections"]] == [
            (s.id, s.title, s.status) for s in python.sections]


@pytest.mark.browser
def test_prepared_comparisons_open_their_page(page, server):
    page.goto(server.url + "policies/social-media/compare/")
    page.select_option("#compare-from", "2")
    page.select_option("#compare-to", "4")
    page.click("button:has-text('Show the changes')")
    page.wait_for_url("**/policies/social-media/compare/2-4/")
    assert "Changes from version 2 to version 4" in page.locator("h1").inner_text()


@pytest.mark.browser
def test_a_date_opens_the_version_in_effect_then(page, server):
    page.goto(server.url + f"{VERSIONS}/")
    page.fill("#version-date", "2026-03-01")
    page.click("button:has-text('Show the version in effect')")
    page.wait_for_url(f"**/{VERSIONS}/2/")
    assert "version 2" in page.locator("h1").inner_text()
    page.goto(server.url + f"{VERSIONS}/")
    page.fill("#version-date", "2020-01-01")
    page.click("button:has-text('Show the version in effect')")
    status = page.locator(".version-picker-result")
    status.filter(has_text="No version").wait_for()
    assert "first version on record is from July 1, 2025" in status.inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("path", [
    prefix + path for prefix in ("", "es/")
    for path in (f"{VERSIONS}/2/", f"{VERSIONS}/3/changes/", f"{VERSIONS}/",
                 "policies/social-media/changelog/", "policies/social-media/compare/",
                 "changes/")])
def test_no_accessibility_violations_on_version_and_redline_pages(page, server, path):
    page.goto(server.url + path)
    assert axe_violations(page) == []


def test_home_page_says_what_kind_of_change_each_new_entry_is(site):
    home = text_of(site / "index.html")
    new = home[home.index("What is new"):]
    assert "version 4. Errors are corrected within two business days" in new
    assert "correction to version 3. Say who signs posts" in new
    assert "details updated. Annual review" in new
    assert "first published on this site. First published" not in new
