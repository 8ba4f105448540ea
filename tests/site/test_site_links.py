"""The whole built site: well-formed HTML, no broken internal link or anchor, nothing
loaded from another site."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from feedback_api.serve import for_the_app  # served by the feedback app

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
                "tbody", "tfoot", "colgroup", "caption", "rt", "rp", "html", "head", "body"}
CLOSES_P = {"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
            "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
            "header", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "ul"}
# Elements whose URL attribute the browser fetches by itself: never another site.
FETCHED = {("script", "src"), ("link", "href"), ("img", "src"), ("source", "src"),
           ("iframe", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
           ("object", "data")}


@dataclass
class Page:
    path: Path
    url: str
    ids: dict[str, int] = field(default_factory=dict)
    links: list[tuple[str, str, str, int]] = field(default_factory=list)  # tag, attr, url, line
    errors: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, int]] = []
        self.doctype = False

    def error(self, message: str) -> None:
        self.page.errors.append(f"{self.page.url} line {self.getpos()[0]}: {message}")

    def handle_decl(self, decl):
        if decl.lower() == "doctype html":
            self.doctype = True

    def handle_starttag(self, tag, attrs):
        self._attributes(tag, attrs)
        if tag in CLOSES_P and self.stack and self.stack[-1][0] == "p":
            self.stack.pop()
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        self._attributes(tag, attrs)
        if tag not in VOID and tag not in ("path", "svg", "circle", "rect", "use", "g"):
            self.error(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag):
        if tag in VOID:
            self.error(f"end tag </{tag}> for a void element")
            return
        names = [name for name, _ in self.stack]
        if tag not in names:
            self.error(f"stray end tag </{tag}>")
            return
        while self.stack:
            name, line = self.stack.pop()
            if name == tag:
                break
            if name not in OPTIONAL_END:
                self.error(f"<{name}> from line {line} is not closed before </{tag}>")

    def close(self):
        super().close()
        for name, line in self.stack:
            if name not in OPTIONAL_END:
                self.error(f"<{name}> from line {line} is never closed")
        if not self.doctype:
            self.error("no <!doctype html>")

    def _attributes(self, tag, attrs):
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.error(f"<{tag}> repeats an attribute: {names}")
        values = dict(attrs)
        line = self.getpos()[0]
        if values.get("id") is not None:
            anchor = values["id"]
            if anchor in self.page.ids:
                self.error(f"id {anchor!r} is used twice (first on line {self.page.ids[anchor]})")
            else:
                self.page.ids[anchor] = line
        if tag == "a" and values.get("name"):
            self.page.ids.setdefault(values["name"], line)
        for attr in ("href", "src", "data", "action"):
            if values.get(attr) is not None:
                self.page.links.append((tag, attr, values[attr], line))


def page_url(site: Path, path: Path) -> str:
    rel = path.relative_to(site).as_posix()
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def parse_site(site: Path) -> dict[str, Page]:
    """Every HTML page of a built site, parsed, by its URL."""
    parsed = {}
    for path in sorted(site.rglob("*.html")):
        page = Page(path, page_url(site, path))
        parser = PageParser(page)
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        parsed[page.url] = page
    return parsed


@pytest.fixture(scope="module")
def pages(built_site: Path) -> dict[str, Page]:
    return parse_site(built_site)


def resolve(site: Path, path: str) -> Path | None:
    target = site / unquote(path).lstrip("/")
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def test_every_page_type_was_built(pages):
    for url in ["/", "/policies/", "/policies/ai-1-19/", "/compliance/", "/accounts/",
                "/platforms/", "/comment-guidelines/", "/reviews/", "/404.html",
                "/policies/council-resolution-social-media-accounts/"]:
        assert url in pages, url


def test_html_is_well_formed(pages):
    errors = [error for page in pages.values() for error in page.errors]
    assert errors == []


def broken_links(site: Path, pages: dict[str, Page]) -> tuple[list[str], int]:
    """Each internal link or anchor of the site that leads nowhere, and how many internal
    links were looked at."""
    broken = []
    checked = 0
    for page in pages.values():
        for tag, attr, value, line in page.links:
            target = urljoin(f"http://site.test{page.url}", value)
            parts = urlsplit(target)
            if parts.scheme in ("mailto", "tel"):
                continue
            if parts.netloc != "site.test":
                continue  # another site: see test_nothing_is_loaded_from_another_site
            checked += 1
            if for_the_app(parts.path):
                continue  # served by the feedback app
            file = resolve(site, parts.path)
            if file is None:
                broken.append(f"{page.url} line {line}: <{tag} {attr}={value!r}>: no file")
                continue
            if parts.fragment and file.suffix == ".html":
                target_page = pages[page_url(site, file)]
                if unquote(parts.fragment) not in target_page.ids:
                    broken.append(f"{page.url} line {line}: {value!r}: no id "
                                  f"{parts.fragment!r} on {target_page.url}")
    return broken, checked


def test_no_broken_internal_links_or_anchors(built_site, pages):
    broken, checked = broken_links(built_site, pages)
    assert broken == []
    assert checked > 500  # the walk really looked at the site's links


def test_app_links_use_the_expected_prefixes(pages):
    app_links = {value for page in pages.values() for _, _, value, _ in page.links
                 if value.startswith(("/feedback", "/report", "/api", "/inbox"))}
    assert app_links, "no links to the feedback and report forms"
    assert all(link.startswith(("/feedback/", "/report/")) or link == "/api/v1/stats"
               for link in app_links), app_links
    assert "/feedback/?policy=ai-1-19&section=k-c" in app_links
    assert "/report/" in app_links


def test_the_spanish_pages_link_to_the_spanish_forms(pages):
    """A page in Spanish sends the resident to the forms in Spanish (`/es/report/`)."""
    spanish = {value for page in pages.values() if page.url.startswith("/es/")
               for _, _, value, _ in page.links if for_the_app(value)}
    assert "/es/feedback/?policy=ai-1-19&section=k-c" in spanish
    assert "/es/report/" in spanish
    assert {link for link in spanish if not link.startswith("/es/")} <= {"/api/v1/stats"}


def test_nothing_is_loaded_from_another_site(pages):
    remote = [
        f"{page.url} line {line}: <{tag} {attr}={value!r}>"
        for page in pages.values()
        for tag, attr, value, line in page.links
        if (tag, attr) in FETCHED and urlsplit(value).netloc
    ]
    assert remote == []


ENGLISH_VERSION = (
    r"Content version \w{7,}, the last change to this policy \(\d{4}-\d\d-\d\d\)\.$",
    r"Content version:? \w+.*Built \d{4}-\d\d-\d\d \d\d:\d\d UTC")
SPANISH_VERSION = (
    r"Versión del contenido \w{7,}, el último cambio a esta política \(\d{4}-\d\d-\d\d\)\.$",
    r"Versión del contenido:? \w+.*Generado el \d{4}-\d\d-\d\d \d\d:\d\d UTC")


def test_every_page_shows_the_site_version(built_site):
    """The build's version on every page; on a policy's archive pages (versions,
    redlines, comparisons, changelog), the content version of the policy's last change."""
    missing = []
    archive = re.compile(r"^(?:es/)?policies/[^/]+/(versions|compare|changelog)/")
    for path in sorted(built_site.rglob("*.html")):
        rel = path.relative_to(built_site).as_posix()
        text = path.read_text(encoding="utf-8")
        match = re.search(r'<p class="site-version">(.*?)</p>', text, re.S)
        words = SPANISH_VERSION if rel.startswith("es/") else ENGLISH_VERSION
        wanted = words[0] if archive.match(rel) else words[1]
        if not match or not re.search(wanted, " ".join(match.group(1).split())):
            missing.append(rel)
    assert missing == []


def test_every_policy_anchor_is_on_its_page(pages, shipped_build):
    from site_builder.content import load_library
    from tests.conftest import CONTENT

    library, _ = load_library(CONTENT)
    for pid, policy in library.policies.items():
        ids = pages[f"/policies/{pid}/"].ids
        missing = sorted(set(policy.outline.anchors) - set(ids))
        assert missing == [], pid
