"""Every address of the site has one owner (`site_builder/addresses.py`)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from site_builder import addresses as at

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    at.HOME, at.POLICY_INDEX, at.policy("ai-1-19"), at.versions("ai-1-19"),
    at.version("ai-1-19", 2), at.changes("ai-1-19", 2), at.pair("ai-1-19", 1, 3),
    at.compare("ai-1-19"), at.changelog("ai-1-19"), at.changes_year(2026), at.ACCOUNTS,
]


def test_each_page_is_served_at_its_folder():
    assert at.url(at.HOME) == "/"
    assert at.policy_url("ai-1-19", "k-c") == "/policies/ai-1-19/#k-c"
    assert at.version_url("ai-1-19", 2) == "/policies/ai-1-19/versions/2/"
    assert at.url(at.pair("ai-1-19", 1, 3)) == "/policies/ai-1-19/compare/1-3/"
    assert at.url("about.md") == "/about/"  # a page that is not an index
    assert at.url(at.POLICIES_DATA) == "/data/policies.json"
    assert at.diff_url("ai-1-19", 1) is None
    assert at.diff_url("ai-1-19", 2) == "/policies/ai-1-19/versions/2/changes/"


@pytest.mark.parametrize("here", PAGES + ["about.md"])
@pytest.mark.parametrize("there", PAGES + [at.POLICIES_DATA, "about.md"])
def test_a_relative_link_leads_where_the_site_url_does(here, there):
    """Resolved against the page's own URL as a browser does, `href` reaches `url`."""
    base = at.url(here)
    link = at.href(here, there, "x")
    path, _, fragment = link.partition("#")
    parts = [p for p in base.split("/")[:-1]]
    for piece in path.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    resolved = "/".join(parts) + ("/" if path.endswith("/") or path in (".", "./") else "")
    assert (resolved or "/") == at.url(there) and fragment == "x"
    assert at.url(here).count("/") - 1 == at.root(here).count("../")


def test_markdown_links_are_between_source_files():
    assert at.md_link(at.policy("a"), at.policy("b"), "k-c") == "../b/index.md#k-c"
    assert at.md_link(at.version("a", 2), at.policy("a")) == "../../index.md"
    assert at.md_link(at.HOME, at.SITE_FEED) == "feeds/changes.atom"
    assert at.md_link(at.HOME, at.ACCOUNTS, "check") == "accounts/index.md#check"


def test_feeds_link_absolutely_when_the_site_address_is_known():
    assert (at.absolute("https://example.gov/", at.SITE_FEED, at.version("a", 1))
            == "https://example.gov/policies/a/versions/1/")
    assert at.absolute(None, at.policy_feed("a"), at.versions("a")) == "../policies/a/versions/"


def test_the_archive_is_told_apart_from_the_current_pages():
    for page in (at.versions("p"), at.version("p", 3), at.changes("p", 3), at.compare("p"),
                 at.pair("p", 1, 2), at.changelog("p"), at.versions_data("p"),
                 at.versions_text("p")):
        assert at.archive_policy(page) == "p", page
    for page in (at.policy("p"), at.HOME, at.POLICIES_DATA, at.SITE_CHANGES,
                 at.policy_feed("p")):
        assert at.archive_policy(page) is None, page
    assert at.is_archive_page(at.version("p", 1)) and not at.is_archive_page(at.versions_data("p"))


def test_the_feedback_form_is_prefilled_with_policy_and_section():
    assert at.feedback_url("ai-1-19", "k-c") == "/feedback/?policy=ai-1-19&section=k-c"
    assert at.feedback_url("a b") == "/feedback/?policy=a+b"


# A path of a policy's pages written with a value in it: `f"policies/{pid}/..."`.
FORMATTED = re.compile(r"""policies/\{|/versions/\{|data/versions/\{|feeds/\{""")


def _strings(path: Path) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.STRING]


def test_no_module_but_addresses_formats_a_policys_path():
    found = []
    for folder in ("site_builder", "feedback_api"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "addresses.py":
                continue
            for line, text in _strings(path):
                if text.lstrip("rbuRBU").startswith("f") and FORMATTED.search(text):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {text[:70]}")
    assert not found, "use site_builder.addresses:\n" + "\n".join(found)


def test_no_template_of_the_app_formats_a_policys_path():
    found = []
    for path in sorted((ROOT / "feedback_api" / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"policies/\{\{|/accounts/#|href=\"/policies/", line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert not found, "use policy_address / site_address (feedback_api/web.py):\n" + "\n".join(
        found)
