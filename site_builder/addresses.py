"""Every address of the site, and every link from one page to another.

The one module that knows where things are, as MkDocs' `File` is for MkDocs: a page is
named by its source path in the docs folder (`policies/ai-1-19/versions/2/index.md`),
served with directory URLs (`/policies/ai-1-19/versions/2/`), and linked to from other
pages relatively, so that the site works from any folder of a web server. Nobody else
formats a policy's path; a test keeps it so.

Three kinds of link, each for where it is written:

- `md_link`: a Markdown link between two source files, which MkDocs checks (anchor
  included) and turns into a URL;
- `href`: a relative URL for raw HTML, which MkDocs leaves as written;
- `url`: the site-relative URL, for open data, feeds and the feedback app.

The addresses are public and permanent: other sites, the open data and the feeds link to
them. Change none without a redirect.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlencode

INDEX = "index.md"

# -- pages of the site -------------------------------------------------------------------

HOME = "index.md"
POLICY_INDEX = "policies/index.md"
COMPLIANCE = "compliance/index.md"
ACCOUNTS = "accounts/index.md"
PLATFORMS = "platforms/index.md"
GUIDELINES = "comment-guidelines/index.md"
REVIEWS = "reviews/index.md"
SITE_CHANGES = "changes/index.md"  # "What changed": the latest changes of every policy

# -- data and feeds ----------------------------------------------------------------------

POLICIES_DATA = "data/policies.json"
ACCOUNTS_DATA = "data/accounts.json"
SITE_FEED = "feeds/changes.atom"
REVIEWS_CALENDAR = "feeds/reviews.ics"

# -- the feedback app, on the same origin ------------------------------------------------

FEEDBACK_FORM = "/feedback/"
REPORT_FORM = "/report/"
DECISIONS = "/decisions/"  # the public register of decisions

_POLICIES = "policies"
_ARCHIVE = re.compile(r"^policies/([^/]+)/(?:versions|compare|changelog)/")
_ARCHIVE_DATA = re.compile(r"^data/versions/([^/]+?)(?:\.text)?\.json$")


def changes_year(year: int) -> str:
    """Every change of one year."""
    return f"changes/{year}/{INDEX}"


# -- one policy's pages ------------------------------------------------------------------

# Anchors the policy page uses for itself; no section of a policy may take one
# (`content.check_library`).
POLICY_PAGE_IDS = ("policy-title", "policy-details", "policy-departments", "policy-versions")


def policy(pid: str) -> str:
    """A policy's current page."""
    return f"{_POLICIES}/{pid}/{INDEX}"


def versions(pid: str) -> str:
    """Every version of a policy: dates, notes, links."""
    return f"{_POLICIES}/{pid}/versions/{INDEX}"


def version(pid: str, number: int) -> str:
    """The text as of one version (permanent)."""
    return f"{_POLICIES}/{pid}/versions/{number}/{INDEX}"


def changes(pid: str, number: int) -> str:
    """The redline of a version against the one before."""
    return f"{_POLICIES}/{pid}/versions/{number}/changes/{INDEX}"


def compare(pid: str) -> str:
    """Choose any two versions to compare."""
    return f"{_POLICIES}/{pid}/compare/{INDEX}"


def pair(pid: str, old: int, new: int) -> str:
    """The redline of an older version against a later one."""
    return f"{_POLICIES}/{pid}/compare/{old}-{new}/{INDEX}"


def changelog(pid: str) -> str:
    """Versions, corrections and changes to a policy's details."""
    return f"{_POLICIES}/{pid}/changelog/{INDEX}"


def versions_data(pid: str) -> str:
    """Versions and dates, for "in effect on a date"."""
    return f"data/versions/{pid}.json"


def versions_text(pid: str) -> str:
    """Each version's text as units, for comparing two versions in the browser."""
    return f"data/versions/{pid}.text.json"


def policy_feed(pid: str) -> str:
    return f"feeds/{pid}.atom"


def policy_source(pid: str) -> str:
    """Where a policy's Markdown source sits in the content folder, by convention."""
    return f"{_POLICIES}/{pid}.md"


def archive_policy(path: str) -> str | None:
    """The policy an archive page or archive data file belongs to; None for the others.

    A policy's archive (its version, redline, comparison and changelog pages, and the
    data files about its versions) never changes once published: the build renders it
    apart and may take it over whole from the published site."""
    match = _ARCHIVE.match(path) or _ARCHIVE_DATA.match(path)
    return match[1] if match else None


def is_archive_page(path: str) -> bool:
    return _ARCHIVE.match(path) is not None


# -- URLs and links ----------------------------------------------------------------------


def _served(page: str) -> str:
    """The site path a source is served at: `a/index.md` → `a/`, `a/b.md` → `a/b/`, a
    data file as it is."""
    if page == INDEX or page.endswith("/" + INDEX):
        return page[: -len(INDEX)]
    if page.endswith(".md"):
        return page[:-3] + "/"
    return page


def url(page: str, anchor: str | None = None) -> str:
    """The site-relative URL of a page or file: `/policies/ai-1-19/#k-c`."""
    return "/" + _served(page) + (f"#{anchor}" if anchor else "")


def policy_url(pid: str, anchor: str | None = None) -> str:
    return url(policy(pid), anchor)


def version_url(pid: str, number: int, anchor: str | None = None) -> str:
    return url(version(pid, number), anchor)


def diff_url(pid: str, number: int) -> str | None:
    """The redline of a version against the one before; version 1 has none."""
    return url(changes(pid, number)) if number > 1 else None


@functools.lru_cache(maxsize=65536)
def feedback_url(pid: str, section: str | None = None) -> str:
    """The feedback form, prefilled with a policy and a section. Kept once made: every
    version of a text asks again for each of its sections, and `urlencode` is slow."""
    params = {"policy": pid}
    if section:
        params["section"] = section
    return f"{FEEDBACK_FORM}?{urlencode(params)}"


@functools.lru_cache(maxsize=65536)
def decisions_url(pid: str | None = None, clause: str | None = None) -> str:
    """The register of decisions, filtered to a policy and a clause: how it was applied
    (kept once made, as `feedback_url`)."""
    params = {key: value for key, value in (("policy", pid), ("clause", clause)) if value}
    return DECISIONS + (f"?{urlencode(params)}" if params else "")


def status_url(kind: str, code: str) -> str:
    """A submission's public status page in the feedback app, by its tracking code."""
    return f"{REPORT_FORM if kind == 'report' else FEEDBACK_FORM}status/{code}"


def _relative(from_dir: str, to_path: str) -> str:
    """posixpath.relpath for site paths, without touching the file system."""
    a = [x for x in from_dir.split("/") if x]
    b = [x for x in to_path.split("/") if x]
    common = 0
    for x, y in zip(a, b, strict=False):  # up to the shorter one
        if x != y:
            break
        common += 1
    return "/".join([".."] * (len(a) - common) + b[common:]) or "."


def md_link(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """A Markdown link from one source file to another, which MkDocs checks. (The folder
    is cut off with `rpartition`: `posixpath.dirname` differs only by trailing slashes,
    which `_relative` ignores, and costs more at tens of thousands of links a build.)"""
    return _relative(from_page.rpartition("/")[0], to_page) + (f"#{anchor}" if anchor else "")


def href(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """A relative URL from a page to a page or file as served, for raw HTML."""
    target = _served(to_page)
    rel = _relative(_served(from_page), target)
    if target.endswith("/") or not target:
        rel = "./" if rel == "." else rel + "/"
    return rel + (f"#{anchor}" if anchor else "")


def root(from_page: str) -> str:
    """The relative URL of the site's root from a page: `../../`, or `./` at the top."""
    return "../" * _served(from_page).count("/") or "./"


def in_default_language(page: str, prefix: str) -> str:
    """The relative URL, from `page` as served under a language's `prefix` (`/es`), of
    the same page in the default language, at the site's root."""
    return root(page) + "../" * prefix.count("/") + _served(page)


def absolute(site_url: str | None, from_file: str, page: str) -> str:
    """A link written in a file that may be read away from the site (a feed): absolute
    when the site's address is known, else relative to that file."""
    target = _served(page)
    if site_url:
        return site_url + target
    return "../" * from_file.count("/") + target
