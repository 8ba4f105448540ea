"""The render stage: a policy body becomes Markdown whose HTML carries every anchor."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest

from site_builder import addresses
from site_builder.addresses import feedback_url
from site_builder.content import load_library
from site_builder.render import render_policy_body
from tests.site.conftest import DEPARTMENT, make_content

EXTENSIONS = ["attr_list", "admonition", "tables", "toc"]


class Elements(HTMLParser):
    """Every element with an id: its tag, attributes and text; and every link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, dict] = {}
        self.id_counts: dict[str, int] = {}
        self.links: list[dict] = []
        self.open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        node = {"tag": tag, "attrs": attrs, "text": ""}
        if "id" in attrs:
            self.ids.setdefault(attrs["id"], node)
            self.id_counts[attrs["id"]] = self.id_counts.get(attrs["id"], 0) + 1
        if tag == "a":
            self.links.append(node)
        self.open.append(node)

    def handle_endtag(self, tag):
        while self.open:
            node = self.open.pop()
            if node["tag"] == tag:
                break

    def handle_data(self, data):
        for node in self.open:
            node["text"] += data


def html_of(policy, library=None) -> Elements:
    text = render_policy_body(policy, page=addresses.policy(policy.id), library=library)
    parser = Elements()
    parser.feed(markdown.markdown(text, extensions=EXTENSIONS))
    return parser


@pytest.fixture
def library(tmp_path):
    root = make_content(tmp_path / "content", policies={"parks.md": DEPARTMENT})
    library, problems = load_library(root)
    assert problems == []
    return library


def test_every_section_and_clause_has_its_anchor_once(library):
    policy = library.policies["ai-1-19"]
    html = html_of(policy, library)
    assert set(policy.outline.anchors) <= set(html.ids)
    assert all(html.id_counts[a] == 1 for a in policy.outline.anchors)


def test_clauses_show_their_markers_as_in_the_source(library):
    html = html_of(library.policies["ai-1-19"], library)
    assert html.ids["k"]["text"].startswith("K. Posts or comments")
    assert html.ids["k-b"]["text"].startswith("b. Profane language")
    assert html.ids["k-c-ii"]["text"].startswith("ii. phone numbers")
    assert html.ids["o-a"]["text"].startswith("a. DTI will maintain")


def test_clauses_nest_as_lists(library):
    text = render_policy_body(library.policies["ai-1-19"], page="policies/ai-1-19/index.md")
    out = markdown.markdown(text, extensions=EXTENSIONS)
    # K.c.ii sits in a list inside K.c's list item, inside K's.
    k = out.index('id="k"')
    kc = out.index('id="k-c"')
    kcii = out.index('id="k-c-ii"')
    assert k < kc < kcii
    assert out.count("<ul>", k, kcii) == 2


def test_each_clause_has_a_permalink_and_a_named_feedback_link(library):
    html = html_of(library.policies["ai-1-19"], library)
    by_label = {link["attrs"].get("aria-label"): link["attrs"]["href"] for link in html.links}
    assert by_label["Link to \u00a7K.b"] == "#k-b"
    assert by_label["Comment on \u00a7K.b"] == "/feedback/?policy=ai-1-19&section=k-b"
    assert by_label["Comment on section \u201cRules\u201d"] == \
        "/feedback/?policy=ai-1-19&section=rules"
    commented = {href.rsplit("=", 1)[1] for label, href in by_label.items()
                 if label and label.startswith("Comment on")}
    assert commented == set(library.policies["ai-1-19"].outline.anchors)


def test_links_to_other_policies_point_at_their_pages(library):
    html = html_of(library.policies["parks-social-media"], library)
    hrefs = [link["attrs"]["href"] for link in html.links]
    assert "../ai-1-19/index.md#k-b" in hrefs  # MkDocs checks it and serves it as
    assert "../ai-1-19/index.md#l" in hrefs  # ../ai-1-19/#l
    assert not any(h.startswith("ai-1-19.md") for h in hrefs)


def test_feedback_can_be_left_out_for_other_pages(library):
    text = render_policy_body(library.policies["ai-1-19"], page=addresses.version("ai-1-19", 1),
                              feedback=False)
    assert "/feedback/" not in text
    assert "{: #k-b .policy-clause }" in text


def test_a_backslash_line_break_becomes_a_line_break(library):
    html = markdown.markdown(render_policy_body(library.policies["ai-1-19"], page="index.md"),
                             extensions=EXTENSIONS)
    assert "The purpose of this policy.<br />" in html
    assert "policy.\\" not in html


def test_feedback_url_is_encoded():
    assert feedback_url("ai-1-19", "k-c") == "/feedback/?policy=ai-1-19&section=k-c"
    assert feedback_url("ai-1-19") == "/feedback/?policy=ai-1-19"
