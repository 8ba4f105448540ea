"""`transparency check` refuses policy text that could act on the site: scripts, event
handlers, embedded pages, forms, `javascript:`/`data:`/`vbscript:` links however they are
spelled, and attribute lists; each at its `path:line`, saying how to fix it. The few plain
HTML elements a policy may use pass. Text that has active content anyway (an old version
in the history) is rendered as written, and then nothing in it acts."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest

from site_builder.active_content import inert, problems
from site_builder.cli import main
from tests.content.conftest import AI, check, edit, expect

# (id, text appended to AI 1-19, words the problem has); the problem is on the text's first
# line unless OFFSET says how many lines further.
HOSTILE = [
    ("script", "The end.<script>alert(1)</script>", ["<script>", "run code", "remove it"]),
    ("script-upper", '<SCRIPT SRC="https://x.example/a.js"></SCRIPT>', ["<script>"]),
    ("script-slash", "<script/src=//x.example/a.js></script>", ["<script>"]),
    ("img-onerror", "<img src=x onerror=alert(1)>", ["<img>", "Markdown"]),
    ("handler-on-allowed", '<b onclick="alert(1)">bold</b>', ["onclick", "event handler"]),
    ("handler-on-next-line", "<sup\nonmouseover=alert(1)>2</sup>", ["onmouseover"]),
    ("style-attribute", '<b style="background:url(x)">x</b>', ["style"]),
    ("style-element", "<style>body{display:none}</style>", ["<style>", "restyles"]),
    ("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
     ["<iframe>", "embeds"]),
    ("object", '<object data="https://x.example/x.swf"></object>', ["<object>"]),
    ("embed", '<embed src="https://x.example/x.swf">', ["<embed>"]),
    ("form", '<form action="https://x.example/"><input name="password"></form>',
     ["<form>", "send what readers type"]),
    ("button-formaction", '<button formaction="javascript:alert(1)">Go</button>',
     ["<button>", "form"]),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://x.example/">',
     ["<meta>"]),
    ("base", '<base href="https://x.example/">', ["<base>", "where every link"]),
    ("link", '<link rel="stylesheet" href="https://x.example/x.css">', ["<link>"]),
    ("svg", '<svg><script>alert(1)</script></svg>', ["<svg>", "SVG"]),
    ("svg-onload", "<svg onload=alert(1)>", ["<svg>"]),
    ("math", '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x'
             "</maction></math>", ["<math>"]),
    ("anchor", '<a href="javascript:alert(1)">x</a>', ["<a>", "[text](https://"]),
    ("comment", "<!-- a note --><script>alert(1)</script>", ["comment"]),
    ("unclosed-tag", "x<svg/onload=alert(1)", ["<svg"]),
    ("javascript-link", "[Click here](javascript:alert(1))", ["javascript:", "run code"]),
    ("javascript-mixed-case", "[Click here](JaVaScRiPt:alert(1))", ["javascript:"]),
    ("javascript-entity", "[Click here](jav&#x61;script:alert(1))", ["javascript:"]),
    ("javascript-decimal-entity", "[Click here](&#106;avascript:alert(1))", ["javascript:"]),
    ("javascript-named-colon", "[Click here](javascript&colon;alert(1))", ["javascript:"]),
    ("javascript-tab", "[Click here](<java\tscript:alert(1)>)", ["javascript:"]),
    ("javascript-tab-entity", "[Click here](java&Tab;script:alert(1))", ["javascript:"]),
    ("javascript-escaped-colon", "[Click here](javascript\\:alert(1))", ["javascript:"]),
    ("javascript-leading-space", "[Click here](   javascript:alert(1))", ["javascript:"]),
    ("javascript-title", '[Click here](javascript:alert(1) "A title")', ["javascript:"]),
    ("vbscript-reference", "See [the form][f].\n\n[f]: vbscript:msgbox(1)", ["vbscript:"]),
    ("reference-next-line", "See [the form][f].\n\n[f]:\n  javascript:alert(1)",
     ["javascript:"]),
    ("data-image", "![Seal](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
     ["data:"]),
    ("data-link", "[Open](data:text/html,<script>alert(1)</script>)", ["data:"]),
    ("autolink", "<javascript:alert(1)>", ["javascript:"]),
    ("autolink-with-attribute", "<http:x/onmouseover=alert(1)>", ["autolink", "[text]"]),
    ("other-scheme", "[Files](file:///etc/passwd)", ["file:", "http(s)"]),
    ("attribute-list", 'A paragraph.\n{: onclick="alert(1)" }', ["onclick", "attributes"]),
    ("attribute-list-on-link", "[City](https://www.cabq.gov){: onmouseover=alert(1) }",
     ["attributes"]),
    ("attribute-list-id", "Text {#__config}", ["attributes"]),
]
OFFSET = {"vbscript-reference": 2, "reference-next-line": 3, "attribute-list": 1}

ALLOWED = """\
The policy uses plain HTML for small things: line one<br>line two, 10<sup>th</sup>, H<sub>2</sub>O,
<abbr title="Department of Technology and Innovation">DTI</abbr>, <strong>strong</strong>,
<em>stressed</em>, <b>bold</b>, <i>italic</i>, <u>underlined</u>, <s>struck</s>,
<small>small</small> and <br/> or <br />.

Links: [the City](https://www.cabq.gov), [write](mailto:webmaster@cabq.gov), [call](tel:311),
[§K.c](#k-c), <https://www.cabq.gov/>, <webmaster@cabq.gov>.

Text that only looks like markup: 1 < 2 and 3 > 2, &lt;script&gt;, a \\{brace\\}, and
personal data: names and addresses.
"""


def append(root, text: str) -> int:
    """Append a paragraph to AI 1-19's body; return the file line it starts on."""
    path = root / AI
    body = path.read_text().rstrip("\n")
    path.write_text(f"{body}\n\n{text}\n")
    return body.count("\n") + 3


@pytest.mark.parametrize("name, text, words", HOSTILE, ids=[name for name, _, _ in HOSTILE])
def test_active_content_is_refused_at_its_line(content, capsys, name, text, words):
    line = append(content, text) + OFFSET.get(name, 0)
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, AI, line, *words)
    found = [x for x in lines if x.startswith(f"{AI}:")]
    assert found and all("; " in x for x in found), found  # what is wrong; how to fix it


def test_the_plain_html_and_links_policies_use_pass(content, capsys):
    append(content, ALLOWED)
    assert check(content, capsys) == (0, [])


def test_every_problem_in_the_text_is_reported_in_one_run(content, capsys):
    first = append(content, "<script>alert(1)</script>")
    second = append(content, "[x](javascript:alert(1))")
    third = append(content, "## Another section {#another}\n\nText {: .x }")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, AI, first, "<script>")
    expect(lines, AI, second, "javascript:")
    expect(lines, AI, third + 2, "attributes")


def test_active_content_in_a_heading_is_refused(content, capsys):
    line = append(content, "## Rules <img src=x onerror=alert(1)> {#more-rules}\n\nText.")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, AI, line, "<img>")


def test_the_build_refuses_it_too(content, tmp_path, capsys):
    line = append(content, "<script>alert(1)</script>")
    out = tmp_path / "site"
    code = main(["build", "--content", str(content), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    expect(captured.out.splitlines(), AI, line, "<script>")
    assert not out.exists()


# ---------------------------------------------------------------------------------------
# Text published anyway is shown as written


class Elements(HTMLParser):
    """The elements and attributes of rendered HTML, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def rendered(text: str) -> Elements:
    """Markdown as the site renders it (Python-Markdown with mkdocs.yml's extensions)."""
    html = markdown.markdown(text, extensions=["attr_list", "admonition", "tables", "toc"])
    parsed = Elements()
    parsed.feed(html)
    parsed.close()
    return parsed


@pytest.mark.parametrize("text", [t for _, t, _ in HOSTILE], ids=[n for n, _, _ in HOSTILE])
def test_text_with_active_content_renders_as_written_and_inert(text):
    shown = rendered(inert(text))
    assert {tag for tag, _ in shown.tags} <= {"p"}, shown.tags
    assert all(attrs == {} for _, attrs in shown.tags), shown.tags
    # A reader sees the characters that were written.
    assert " ".join(shown.text.split()) == " ".join(text.strip().split())
    assert problems(inert(text)) == []


def test_text_without_active_content_is_left_as_it_is():
    assert inert(ALLOWED) == ALLOWED
    assert problems(ALLOWED) == []


def test_markup_in_the_front_matter_is_refused_at_its_field(content, capsys):
    # A title or number also names the policy in the navigation and in citations.
    number = edit(content, AI, 'number: "AI 1-19"', 'number: "AI 1-19<img src=x onerror=alert(1)>"')
    title = edit(content, AI, "title: Social Media Policy",
                 "title: \"Policy](javascript:alert(1)) [x\"")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, AI, number, "number:", "<img>")
    expect(lines, AI, title, "title:", "javascript:")
