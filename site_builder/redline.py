"""Redlines: what changed between two versions of a policy, in the Council's convention.

New words are underlined and bracketed, deleted words struck through and bracketed (the
resolution's legend: "[Bracketed/Underscored Material] - New", "[Bracketed/Strikethrough
Material] - Deletion"), and each change says "inserted:" or "deleted:" to a screen reader,
since neither colour nor a line is announced.

The comparison follows the policy's structure: sections are matched by id, clauses by id
(an added or removed clause is inserted or deleted whole), prose paragraphs by position
within what changed. Inside a matched clause or paragraph, words are compared with
`difflib.SequenceMatcher(autojunk=False)`, which is deterministic and has no time-out.
Text is compared as a reader sees it (Markdown formatting removed), then escaped; a change
only to formatting or a link address is noted as such.

`theme/assets/javascripts/versions.js` carries a line-for-line port of `diff_words`,
`align` and the HTML below, so the compare page can redline any two versions in the
browser; a browser test holds the two to the same output.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape

from markdown_it import MarkdownIt

from .content import Policy
from .labels import ENGLISH, Wording
from .languages import N_
from .outline import Block, Clause

RENDERER_VERSION = "redline-1"
COUNCIL_LEGEND = ("[Bracketed/Underscored Material] - New, "
                  "[Bracketed/Strikethrough Material] - Deletion")  # quoted as written
LEGEND_TEXT = N_("Underlined text in brackets is new; struck-through text in brackets is "
                 "deleted (the Council's legend: %(legend)s).")
LEGEND = LEGEND_TEXT % {"legend": COUNCIL_LEGEND}
PREAMBLE_ID = "opening-text"

# Word characters and spaces spelled out, so the browser's port matches exactly.
_W = r"\w"
_S = r" \t\n\r\f\v\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TOKEN = re.compile(rf"(?:[{_W}]+(?:['\u2019-][{_W}]+)*|[^{_W}{_S}])[{_S}]*")
_SPACE = re.compile(rf"[{_S}]+")
_WORD_START = re.compile(rf"[{_W}]")
_MARKUP = re.compile(r"[*_`\[\]<>&\\!]")
_markdown = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Unit:
    """A clause or a paragraph: the smallest thing a redline matches."""

    key: str  # clause id, or "" for prose
    kind: str  # "clause" | "para" | "item" | "code"
    marker: str  # "c." for a clause, "" otherwise
    depth: int
    text: str  # plain text, as a reader sees it
    source: str  # a short hash of the Markdown, to notice formatting-only changes

    def as_json(self) -> list:
        return [self.key, self.kind, self.marker, self.depth, self.text, self.source]


@dataclass(frozen=True)
class Part:
    """A section (or the text before the first section) as a list of units."""

    id: str  # section id, or PREAMBLE_ID
    title: str
    level: int
    units: tuple[Unit, ...]

    def as_json(self) -> list:
        return [self.id, self.title, self.level, [u.as_json() for u in self.units]]


@dataclass(frozen=True)
class SectionChange:
    id: str
    title: str
    status: str  # "changed" | "added" | "removed"


@dataclass(frozen=True)
class Redline:
    html: str
    sections: tuple[SectionChange, ...]  # the sections that changed, in page order
    inserted: int  # words inserted
    deleted: int  # words deleted


# ---------------------------------------------------------------------------------------
# A policy as units


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees: formatting and link addresses removed."""
    if not _MARKUP.search(markdown):
        paragraphs = re.split(r"\n[ \t]*\n", markdown.strip())
        return "\n\n".join(_SPACE.sub(" ", p).strip() for p in paragraphs if p.strip())
    paragraphs = []
    for token in _markdown.parse(markdown):
        if token.type == "inline":
            paragraphs.append(_inline_text(token.children or []))
        elif token.type in ("fence", "code_block", "html_block"):
            paragraphs.append(token.content.strip())
    return "\n\n".join(p for p in paragraphs if p)


def _inline_text(children) -> str:
    out = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")
        elif child.type == "hardbreak":
            out.append("\n")
        elif child.type == "image":
            out.append(_inline_text(child.children or []))
    return re.sub(rf"[{_S.replace(chr(10), '')}]+", " ", "".join(out)).strip()


def _prose_units(prose: str) -> list[Unit]:
    units: list[Unit] = []
    depth = 0
    kinds: list[str] = []
    for token in _markdown.parse(prose):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open":
            kinds.append("item")
        elif token.type == "list_item_close":
            kinds.pop()
        elif token.type == "inline":
            source = prose[_span(prose, token)] if token.map else token.content
            kind = "item" if kinds else "para"
            units.append(Unit("", kind, "", max(depth - 1, 0),
                              _inline_text(token.children or []), _hash(source)))
        elif token.type in ("fence", "code_block", "html_block"):
            units.append(Unit("", "code", "", 0, token.content.rstrip("\n"),
                              _hash(token.content)))
    return units


def _span(text: str, token) -> slice:
    lines = text.split("\n")
    start = sum(len(x) + 1 for x in lines[: token.map[0]])
    end = sum(len(x) + 1 for x in lines[: token.map[1]])
    return slice(start, end)


def _clause_units(clause: Clause, depth: int) -> list[Unit]:
    marker = clause.label.rsplit(".", 1)[-1] + "."
    units = [Unit(clause.id, "clause", marker, depth, plain_text(clause.text),
                  _hash(clause.text))]
    for child in clause.children:
        units += _clause_units(child, depth + 1)
    return units


def _block_units(blocks: tuple[Block, ...]) -> tuple[Unit, ...]:
    units: list[Unit] = []
    for block in blocks:
        if block.prose:
            units += _prose_units(block.prose)
        for clause in block.clauses:
            units += _clause_units(clause, 0)
    return tuple(units)


_parts_cache: dict[str, tuple[Part, ...]] = {}


def parts(policy: Policy) -> tuple[Part, ...]:
    """The policy's text as parts and units (remembered by text for the run)."""
    key = policy.body
    cached = _parts_cache.get(key)
    if cached is not None:
        return cached
    outline = policy.outline
    result: list[Part] = []
    if outline.preamble:
        result.append(Part(PREAMBLE_ID, "", 0, _block_units(outline.preamble)))
    for section in outline.sections:
        result.append(Part(section.id, plain_text(section.title), section.level,
                           _block_units(section.blocks)))
    if len(_parts_cache) > 4096:
        _parts_cache.clear()
    _parts_cache[key] = tuple(result)
    return _parts_cache[key]


# ---------------------------------------------------------------------------------------
# Words


def tokens(text: str) -> list[str]:
    """Words and punctuation marks, each with the spaces after it."""
    return TOKEN.findall(text.strip())


def diff_words(old: str, new: str) -> tuple[str, int, int]:
    """Word-level redline of two texts as HTML; and the words inserted and deleted."""
    a, b = tokens(old), tokens(new)
    ka, kb = [_SPACE.sub("", t) for t in a], [_SPACE.sub("", t) for t in b]
    out: list[str] = []
    inserted = deleted = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(_text("".join(b[j1:j2])))
            continue
        first = a[i1] if i2 > i1 else b[j1]
        if out and _WORD_START.match(out[-1][-1:]) and _WORD_START.match(first):
            out.append(" ")  # "current[and secure]" reads as "current [and secure]"
        if tag in ("delete", "replace"):
            struck = _mark("del", "".join(a[i1:i2]))
            out.append(struck.rstrip() + " " if tag == "replace" else struck)
            deleted += i2 - i1
        if tag in ("insert", "replace"):
            out.append(_mark("ins", "".join(b[j1:j2])))
            inserted += j2 - j1
    return "".join(out), inserted, deleted


def _text(text: str) -> str:
    """Escaped text; a blank line inside a clause becomes a line break."""
    return re.sub(r"\n[ \t]*\n[\s]*", "<br><br>", escape(text))


_SR = {"ins": ("inserted: ", "end of insertion"), "del": ("deleted: ", "end of deletion")}
SCREEN_READER = {  # what a screen reader says around a change, as the pages translate it
    "ins": (N_("inserted"), N_("end of insertion")),
    "del": (N_("deleted"), N_("end of deletion")),
}


def _mark(tag: str, text: str) -> str:
    """One inserted or deleted run: brackets and words marked, spoken as what it is."""
    body = text.rstrip()
    trail = text[len(body):]
    if not body:
        return _text(text)
    start, end = _SR[tag]
    return (
        f'<{tag}><span class="rl-bracket" aria-hidden="true">[</span>'
        f'<span class="rl-sr">{start}</span>{_text(body)}'
        f'<span class="rl-sr"> ({end})</span>'
        f'<span class="rl-bracket" aria-hidden="true">]</span></{tag}>'
        + (" " if trail else "")
    )


# ---------------------------------------------------------------------------------------
# Structure


def align(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Pair items of two lists in reading order.

    Keys that start with "#" are ids: matched wherever they are (a moved clause is shown
    at its new place). Other keys are matched in sequence; within a run that changed,
    they pair up in order. Unpaired old items come before the new ones they gave way to.
    """
    old_ids = {k: i for i, k in enumerate(old) if k.startswith("#")}
    new_ids = {k: j for j, k in enumerate(new) if k.startswith("#")}
    pairs: list[tuple[int | None, int | None]] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(i1 + k, j1 + k) for k in range(i2 - i1)]
            continue
        spare = [i for i in range(i1, i2) if not old[i].startswith("#")]
        gone = [i for i in range(i1, i2) if old[i].startswith("#") and old[i] not in new_ids]
        news: list[tuple[int | None, int | None]] = []
        for j in range(j1, j2):
            key = new[j]
            if key.startswith("#"):
                news.append((old_ids.get(key), j))
            elif spare:
                news.append((spare.pop(0), j))
            else:
                news.append((None, j))
        removed = sorted(gone + spare)
        pairs += [(i, None) for i in removed]
        pairs += news
    return pairs


def _unit_key(unit: Unit) -> str:
    return f"#{unit.key}" if unit.key else f"\u00b6{unit.text}"


def _unit_html(unit: Unit, inner: str, state: str) -> str:
    classes = f"rl-unit rl-{unit.kind} rl-depth-{min(unit.depth, 5)}"
    if state != "same":
        classes += f" rl-{state}"
    anchor = f' id="{escape(unit.key)}"' if unit.key else ""
    marker = f"<strong>{escape(unit.marker)}</strong> " if unit.marker else ""
    if unit.kind == "code":
        return f'<div class="{classes}"{anchor}><pre><code>{inner}</code></pre></div>'
    return f'<div class="{classes}"{anchor}><p>{marker}{inner}</p></div>'


def _whole(tag: str, unit: Unit) -> str:
    """A unit inserted or deleted whole: its marker and words inside one mark."""
    marker = f"{unit.marker} " if unit.marker else ""
    text = _mark(tag, marker + unit.text).rstrip()
    state = "added" if tag == "ins" else "removed"
    classes = f"rl-unit rl-{unit.kind} rl-depth-{min(unit.depth, 5)} rl-{state}"
    anchor = f' id="{escape(unit.key)}"' if unit.key else ""
    if unit.kind == "code":
        return f'<div class="{classes}"{anchor}><pre><code>{text}</code></pre></div>'
    return f'<div class="{classes}"{anchor}><p>{text}</p></div>'


_FORMAT_NOTE = '<span class="rl-note">(formatting or link changed)</span>'


@functools.lru_cache(maxsize=65536)
def _same_unit(unit: Unit) -> str:
    """A unit that did not change, as HTML (the same in every redline it is in)."""
    return _unit_html(unit, _text(unit.text), "same")


@functools.lru_cache(maxsize=65536)
def _compare_units(a: Unit, b: Unit) -> tuple[str, bool, int, int]:
    """HTML for a matched pair; whether it changed; words inserted and deleted.
    (Remembered: the redlines from each old version to the current one compare the
    same pairs of clauses again and again.)"""
    if a.text == b.text:
        if a.source == b.source and a.marker == b.marker:
            return _same_unit(b), False, 0, 0
        return _unit_html(b, _text(b.text) + " " + _FORMAT_NOTE, "changed"), True, 0, 0
    inner, ins, dels = diff_words(a.text, b.text)
    return _unit_html(b, inner, "changed"), True, ins, dels


def _heading(part: Part, inner: str, state: str) -> str:
    if part.id == PREAMBLE_ID:
        return ""
    level = min(max(part.level, 2), 6)
    cls = f' class="rl-heading rl-{state}"' if state != "same" else ' class="rl-heading"'
    return f'<h{level} id="{escape(part.id)}"{cls}>{inner}</h{level}>'


@functools.lru_cache(maxsize=4096)
def _same_part(part: Part) -> tuple[str, str, int, int]:
    """A section that did not change (the same in every redline it is in)."""
    return _part_html(part, part, memo=False)


def _part_html(old: Part | None, new: Part | None,
               memo: bool = True) -> tuple[str, str, int, int]:
    """HTML of one section; its status ("same", "changed", "added", "removed")."""
    if memo and old is not None and old == new:
        return _same_part(new)
    if old is None or new is None:
        part = new or old
        assert part is not None
        tag = "ins" if new is not None else "del"
        status = "added" if new is not None else "removed"
        words = sum(len(tokens(u.text)) for u in part.units)
        body = [_heading(part, _mark(tag, part.title).rstrip(), status)]
        body += [_whole(tag, u) for u in part.units]
        html = _section_wrap(part, status, body)
        return html, status, (words if tag == "ins" else 0), (words if tag == "del" else 0)
    changed = False
    inserted = deleted = 0
    if old.title == new.title:
        title = _text(new.title)
    else:
        title, ins, dels = diff_words(old.title, new.title)
        inserted, deleted, changed = inserted + ins, deleted + dels, True
    body = [_heading(new, title, "changed" if old.title != new.title else "same")]
    pairs = align([_unit_key(u) for u in old.units], [_unit_key(u) for u in new.units])
    for i, j in pairs:
        if i is None:
            unit = new.units[j]
            body.append(_whole("ins", unit))
            inserted += len(tokens(unit.text))
            changed = True
        elif j is None:
            unit = old.units[i]
            body.append(_whole("del", unit))
            deleted += len(tokens(unit.text))
            changed = True
        else:
            html, unit_changed, ins, dels = _compare_units(old.units[i], new.units[j])
            body.append(html)
            changed = changed or unit_changed
            inserted, deleted = inserted + ins, deleted + dels
    status = "changed" if changed else "same"
    return _section_wrap(new, status, body), status, inserted, deleted


def _section_wrap(part: Part, status: str, body: list[str]) -> str:
    cls = "rl-section" + (f" rl-section-{status}" if status != "same" else "")
    anchor = f' id="{PREAMBLE_ID}"' if part.id == PREAMBLE_ID else ""
    return f'<div class="{cls}"{anchor}>' + "".join(x for x in body if x) + "</div>"


def compare_parts(old: tuple[Part, ...], new: tuple[Part, ...]) -> Redline:
    pairs = align([f"#{p.id}" for p in old], [f"#{p.id}" for p in new])
    html: list[str] = []
    sections: list[SectionChange] = []
    inserted = deleted = 0
    for i, j in pairs:
        a = old[i] if i is not None else None
        b = new[j] if j is not None else None
        part_html, status, ins, dels = _part_html(a, b)
        html.append(part_html)
        inserted, deleted = inserted + ins, deleted + dels
        if status != "same":
            part = b or a
            assert part is not None
            title = part.title or "Opening text"
            sections.append(SectionChange(part.id, title, status))
    return Redline('<div class="redline">' + "\n".join(html) + "</div>", tuple(sections),
                   inserted, deleted)


def redline(old: Policy, new: Policy) -> Redline:
    """The redline from one version of a policy to another."""
    return compare_parts(parts(old), parts(new))


def screen_reader_words(words: Wording = ENGLISH) -> dict[str, str]:
    """What a screen reader says around a change and after a change of formatting, in
    the language of `words` (for `in_language`, and for the compare page's script)."""
    (inserted, end_inserted), (deleted, end_deleted) = SCREEN_READER.values()
    return {"inserted": words._(inserted), "end_inserted": words._(end_inserted),
            "deleted": words._(deleted), "end_deleted": words._(end_deleted),
            "format": words._("formatting or link changed")}


def in_language(html: str, words: Wording = ENGLISH, *, translated: bool = False) -> str:
    """A redline's HTML (`Redline.html`) on a page in the language of `words`: what a
    screen reader says around each change, and the note on a change of formatting, in
    that language (and marked so); the compared text, which is English, marked as such,
    unless it is `translated` (a redline of two translations, in the page's language).
    The same as it is in English. `versions.js` (`inLanguage`) does the same in the
    browser."""
    if words.english:
        return html
    said = screen_reader_words(words)
    lang = f' lang="{escape(words.lang)}"'
    for tag, start, end in (("ins", "inserted", "end_inserted"),
                            ("del", "deleted", "end_deleted")):
        english_start, english_end = _SR[tag]
        html = html.replace(f'<span class="rl-sr">{english_start}</span>',
                            f'<span class="rl-sr"{lang}>{escape(said[start])}: </span>')
        html = html.replace(f'<span class="rl-sr"> ({english_end})</span>',
                            f'<span class="rl-sr"{lang}> ({escape(said[end])})</span>')
    html = html.replace(_FORMAT_NOTE,
                        f'<span class="rl-note"{lang}>({escape(said["format"])})</span>')
    if translated:
        return html
    return html.replace('<div class="redline">', '<div class="redline" lang="en">', 1)
