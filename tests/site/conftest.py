"""Fixtures for the site: small content trees, the shipped site built once, a server.

The shipped content is built once per test worker (session fixture) and served on a free
loopback port the way `transparency serve` and nginx serve `site/`: with the site's
security headers, its Content-Security-Policy among them, so every browser test of the
site runs under that policy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from feedback_api.serve import site_app
from site_builder.build import BuildResult, build_site
from tests.conftest import CONTENT

PAGE_TYPES = {
    "home": "/",
    "policy index": "/policies/",
    "policy": "/policies/ai-1-19/",
    "department policy": "/policies/apd-social-media/",
    "resolution": "/policies/council-resolution-social-media-accounts/",
    "draft policy": "/policies/comprehensive-social-media-policy/",
    "compliance": "/compliance/",
    "accounts": "/accounts/",
    "platforms": "/platforms/",
    "comment guidelines": "/comment-guidelines/",
    "reviews": "/reviews/",
    "not found": "/404.html",
}

AI = """\
---
id: ai-1-19
title: Social Media Policy
number: "AI 1-19"
kind: administrative-instruction
status: active
department: Department of Technology and Innovation
owner: Department of Technology and Innovation
approved_by: Chief Administrative Officer
summary: The instruction used by the site tests.
review:
  interval_months: 12
  last_reviewed: {reviewed}
---

## Purpose {#purpose}

The purpose of this policy.\\
Signed on a second line.

## Rules {#rules}

K. Posts or comments containing any of the following content are prohibited:
    a. Posts not topically related to the site;
    b. Profane language or content;
    c. Personal matters, such as:
        i. addresses;
        ii. phone numbers.
L. The guidelines in subsection K shall be displayed to users.
O. Administration of City social media sites will be as follows:
    a. DTI will maintain a list of approved social media sites and review it annually.
"""

DEPARTMENT = """\
---
id: parks-social-media
title: Parks Social Media Policy
kind: department-policy
status: active
sample: true
department: Parks and Recreation Department
owner: Parks and Recreation Department Director
parent: ai-1-19
approved_by: Communications Director
summary: A sample department policy.
review:
  interval_months: 12
  last_reviewed: 2020-01-01
---

## Rules {#rules}

A. Comments follow [AI 1-19 §K.b](ai-1-19.md#k-b) and [the guidelines](ai-1-19.md#l).
"""

RESOLUTION = """\
---
id: resolution
title: Official City Social Media Accounts
kind: resolution
status: active
department: City Council
owner: City Council
summary: A resolution requiring two elements.
review:
  interval_months: 12
  last_reviewed: null
requires:
  - id: behavior
    clause: a-1
    title: Behavioral Expectations
  - id: review
    clause: a-2
    title: Policy Review
---

## Section 1 {#section-1}

A. The policy shall include:
    1. Behavioral Expectations.
    2. Policy Review.
B. Publish the policies with a way to give feedback and report violations.
"""

COMPREHENSIVE = """\
---
id: comprehensive
title: Comprehensive Policy
kind: comprehensive-policy
status: draft
department: Office of Communications
owner: Communications Director
summary: The draft that meets the resolution.
review:
  interval_months: 12
  last_reviewed: 2026-01-01
satisfies:
  behavior: how-to-behave
  review: reviews
---

## How to behave {#how-to-behave}

Be kind.

## Reviews {#reviews}

Every year.
"""

PLATFORMS = """\
owner: Department of Technology and Innovation
review:
  interval_months: 12
  last_reviewed: 2026-01-20
platforms:
  - id: x
    name: X
    domains: [x.com, twitter.com]
    status: approved
    approved_on: 2026-01-20
"""

ACCOUNTS = """\
owner: Office of Communications
review:
  interval_months: 6
  last_reviewed: 2026-09-01
accounts:
  - id: city-x
    platform: x
    handle: "@abq_test_city"
    url: https://x.com/abq_test_city
    department: Office of Communications
    purpose: City news.
    status: active
    approved_by: Communications Director
    approved_on: 2025-01-15
    last_verified: 2026-09-01
    sample: true
"""


def make_content(
    root: Path,
    *,
    policies: dict[str, str] | None = None,
    platforms: str = PLATFORMS,
    accounts: str = ACCOUNTS,
    reviewed: str = "2026-06-01",
) -> Path:
    """Write a small content tree: AI 1-19 (with §K) plus the given policies."""
    (root / "policies").mkdir(parents=True)
    (root / "registries").mkdir()
    files = {"ai-1-19.md": AI.replace("{reviewed}", reviewed)}
    files.update(policies or {})
    for name, text in files.items():
        (root / "policies" / name).write_text(text, encoding="utf-8")
    (root / "registries" / "platforms.yaml").write_text(platforms, encoding="utf-8")
    (root / "registries" / "accounts.yaml").write_text(accounts, encoding="utf-8")
    return root


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A valid content tree with one of each kind of policy."""
    return make_content(tmp_path / "content", policies={
        "parks-social-media.md": DEPARTMENT,
        "resolution.md": RESOLUTION,
        "comprehensive.md": COMPREHENSIVE,
    })


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory) -> BuildResult:
    """The shipped content/, built once per worker."""
    out = tmp_path_factory.mktemp("shipped") / "site"
    lines: list[str] = []
    result = build_site(CONTENT, out, log=lines.append)
    return result


def build_unchecked(content: Path, out: Path) -> list:
    """Build `content` into `out` through the build's own stages but past `transparency
    check`: what the site would publish if content the check refuses got through (from a
    library object rather than the command). Returns the problems the check found."""
    from site_builder import history
    from site_builder.content import load_library
    from site_builder.engine import render_site
    from site_builder.site import make_site
    from site_builder.stamp import site_stamp

    library, problems = load_library(content)
    stamp = site_stamp(content, None)
    histories, _ = history.read_history(content, library)
    out.parent.mkdir(parents=True, exist_ok=True)
    render_site(make_site(library, histories, stamp), out)
    return problems


@pytest.fixture(scope="session")
def built_site(shipped_build: BuildResult) -> Path:
    return shipped_build.out


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        pass


def serve_site(site: Path):
    """A started server for a built site alone (no feedback app), as `transparency serve`
    serves it; `server.server_port` is its port. Call `shutdown()` and `server_close()`."""
    server = make_server("127.0.0.1", 0, site_app(site), threaded=True,
                         request_handler=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site on a loopback port, with the site's security headers."""
    server = serve_site(built_site)
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def visit(page, site_url):
    def go(path: str):
        page.goto(site_url + path)
        return page
    return go
