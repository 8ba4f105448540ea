"""Redlines: the words marked are the words changed, in the policy's structure, escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from site_builder.content import parse_policy
from site_builder.redline import diff_words, redline
from tests.history.conftest import BODY_1, V3_BODY, body_with, policy_text


def policy(body: str):
    parsed, problems = parse_policy(policy_text(body), "policies/social-media.md")
    assert parsed is not None and not problems, problems
    return parsed


class Marks(HTMLParser):
    """The words inside <ins> and <del>, as a reader sees them (hidden helper text left out)."""

    def __init__(self, html: str):
        super().__init__()
        self.stack: list[str] = []
        self.hidden = 0
        self.runs: dict[str, list[str]] = {"ins": [], "del": []}
        self.ids: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag in ("ins", "del"):
            self.stack.append(tag)
            self.runs[tag].append("")
        if tag == "span":
            hidden = "rl-sr" in (attrs.get("class") or "") or attrs.get("aria-hidden")
            self.hidden += 1 if hidden else 0
            self.stack.append("hidden-span" if hidden else "span")

    def handle_endtag(self, tag):
        if tag == "span" and self.stack and self.stack[-1] in ("span", "hidden-span"):
            if self.stack.pop() == "hidden-span":
                self.hidden -= 1
        elif tag in ("ins", "del") and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self.hidden:
            return
        for tag in ("ins", "del"):
            if tag in self.stack:
                self.runs[tag][-1] += data

    def words(self, tag: str) -> list[str]:
        return [" ".join(run.split()) for run in self.runs[tag]]


def sides(html: str) -> tuple[str, str]:
    """The old text (without insertions) and the new (without deletions) a redline shows."""
    html = re.sub(r'<span class="rl-sr">.*?</span>|<span class="rl-bracket"[^>]*>.</span>',
                  "", html)
    old = re.sub(r"<ins>.*?</ins>", "", html)
    new = re.sub(r"<del>.*?</del>", "", html)
    strip = lambda t: " ".join(re.sub(r"<[^>]+>", " ", t).split())  # noqa: E731
    return strip(old).replace(" .", ".").replace(" ,", ","), strip(new).replace(
        " .", ".").replace(" ,", ",")


def test_word_level_insertions_and_deletions():
    old = "Posts must be accurate and respectful."
    new = "Posts must be accurate, respectful and signed."
    html, inserted, deleted = diff_words(old, new)
    assert sides(html) == (old, new)
    marks = Marks(html)
    assert "signed" in " ".join(marks.words("ins"))
    assert "Posts must be accurate" not in " ".join(marks.words("ins") + marks.words("del"))
    assert inserted >= 2 and deleted >= 1

    html, inserted, deleted = diff_words("Comments that are profane.",
                                         "Comments that are obscene.")
    assert (Marks(html).words("del"), Marks(html).words("ins")) == (["profane"], ["obscene"])
    assert (inserted, deleted) == (1, 1)


def test_clauses_matched_by_id_and_whole_clauses_inserted_or_deleted():
    result = redline(policy(BODY_1), policy(V3_BODY))
    marks = Marks(result.html)
    assert "and secure" in marks.words("ins")
    assert "b. Identify changes to earlier posts." in marks.words("del")
    assert "D. Replies name the department." in marks.words("ins")
    assert "profane" in marks.words("del") and "obscene" in marks.words("ins")
    # Unchanged text is not marked; clause anchors are the policy's own.
    assert not any("Correct errors" in w for w in marks.words("ins") + marks.words("del"))
    assert {"a", "b", "b-a", "b-b", "c", "d"} <= set(marks.ids)
    assert [(s.id, s.status) for s in result.sections] == [("rules", "changed")]


def test_sections_added_and_removed_are_marked_whole():
    old = policy(BODY_1 + "\n## Old notes {#old-notes}\n\nTo be removed.\n")
    new = policy(BODY_1 + "\n## Contacts {#contacts}\n\nWrite to the office.\n")
    result = redline(old, new)
    marks = Marks(result.html)
    assert "To be removed." in marks.words("del") and "Old notes" in marks.words("del")
    assert "Write to the office." in marks.words("ins") and "Contacts" in marks.words("ins")
    assert {(s.id, s.status) for s in result.sections} == {
        ("old-notes", "removed"), ("contacts", "added")}


def test_a_change_of_formatting_only_is_said_not_hidden():
    old = policy(body_with(("Correct errors promptly.", "Correct errors promptly.")))
    new = policy(body_with(("Correct errors promptly.", "Correct errors **promptly**.")))
    result = redline(old, new)
    assert "(formatting or link changed)" in result.html
    assert Marks(result.html).words("ins") == []


def test_text_is_escaped_never_raw_html():
    old = policy(body_with(("profane.", "profane.")))
    new = policy(body_with(("profane.", "profane <script>alert(1)</script> & <b>bold</b>.")))
    result = redline(old, new)
    assert "<script>" not in result.html and "<b>" not in result.html
    assert "&lt;script&gt;" in result.html and "&amp;" in result.html


def test_long_clauses_keep_common_words_autojunk_off():
    words = " ".join(f"the rule {i} applies to the City" for i in range(60))  # > 200 tokens
    old = policy(body_with(("Departments keep their accounts current.", words)))
    new = policy(body_with(("Departments keep their accounts current.",
                            words.replace("rule 30 applies", "rule 30 no longer applies"))))
    marks = Marks(redline(old, new).html)
    assert marks.words("ins") == ["no longer"] and marks.words("del") == []


def test_redlines_are_deterministic():
    first = redline(policy(BODY_1), policy(V3_BODY))
    again = redline(policy(BODY_1), policy(V3_BODY))
    assert first == again


def test_screen_readers_hear_inserted_and_deleted():
    html, _, _ = diff_words("a b c", "a x c")
    assert re.search(r'<del>.*<span class="rl-sr">deleted: </span>b', html)
    assert re.search(r'<ins>.*<span class="rl-sr">inserted: </span>x', html)
