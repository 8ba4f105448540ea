"""Outline: a policy body as sections, prose and lettered clauses, each with a stable anchor.

CommonMark has no lettered lists ("K. a. i." parse as one paragraph), so clauses are read
here, by indentation, into a tree whose ids are the markers joined by "-" (AI 1-19 §K.c is
`k-c`). Headings carry explicit `{#id}` anchors; prose and clause text stay Markdown, and
markdown-it-py finds the links in them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from .packing import Packed

HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+\{#([^}]*)\})?[ \t]*#*[ \t]*$")
CLAUSE = re.compile(
    r"^(?P<indent>[ ]*)(?P<marker>[A-Za-z]|[ivxlc]{1,6}|[IVXLC]{1,6}|\d{1,3})\.[ \t]+"
    r"(?P<text>\S.*)$"
)
FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
ANCHOR = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_markdown = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Clause:
    id: str
    label: str  # "K.c", as a reader cites it
    text: str  # Markdown
    line: int
    children: tuple[Clause, ...] = ()


@dataclass(frozen=True)
class Block:
    """Either a run of prose (Markdown) or a list of top-level clauses."""

    line: int
    prose: str = ""
    clauses: tuple[Clause, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    level: int
    line: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Link:
    target: str
    line: int


@dataclass(frozen=True)
class Outline(Packed):
    preamble: tuple[Block, ...]
    sections: tuple[Section, ...]
    anchors: dict[str, int]  # id -> line
    links: tuple[Link, ...]
    problems: tuple[tuple[int, str], ...] = ()

    def clauses(self):
        """Every clause, depth first, in document order."""
        for blocks in [self.preamble, *(s.blocks for s in self.sections)]:
            for block in blocks:
                yield from _walk(block.clauses)

    def section_of(self, anchor: str) -> Section | None:
        """The section an anchor (section or clause id) lies in."""
        for section in self.sections:
            if section.id == anchor:
                return section
            for block in section.blocks:
                if any(c.id == anchor for c in _walk(block.clauses)):
                    return section
        return None

    def label_of(self, anchor: str) -> str | None:
        """How a reader cites an anchor: "§K.c" for a clause, the title for a section."""
        for clause in self.clauses():
            if clause.id == anchor:
                return f"§{clause.label}"
        for section in self.sections:
            if section.id == anchor:
                return section.title
        return None


def _walk(clauses):
    for clause in clauses:
        yield clause
        yield from _walk(clause.children)


def slugify(text: str) -> str:
    """A stable anchor from heading text: ASCII, lowercase, words joined by '-'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[*_`\[\]()]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


@dataclass
class _OpenClause:
    indent: int
    id: str
    label: str
    lines: list[str]
    line: int
    children: list[_OpenClause] = field(default_factory=list)

    def freeze(self) -> Clause:
        return Clause(
            id=self.id,
            label=self.label,
            text="\n".join(self.lines).strip(),
            line=self.line,
            children=tuple(c.freeze() for c in self.children),
        )


def parse_outline(body: str, first_line: int = 1) -> Outline:
    """Split a policy body into sections, prose and clauses. Lines are file lines."""
    problems: list[tuple[int, str]] = []
    anchors: dict[str, int] = {}
    sections: list[Section] = []
    preamble: list[Block] = []

    current_title: tuple[str, str, int, int] | None = None  # id, title, level, line
    blocks: list[Block] = []
    prose: list[str] = []
    prose_line = 0
    roots: list[_OpenClause] = []
    stack: list[_OpenClause] = []
    block_line = 0
    in_fence: str | None = None
    after_blank = False

    def claim(anchor: str, line: int, what: str) -> None:
        if not ANCHOR.match(anchor):
            problems.append(
                (line, f"{what} id {anchor!r} is not a valid anchor; use lowercase letters, "
                       "digits and '-' (for example {#review-schedule})")
            )
        elif anchor in anchors:
            problems.append(
                (line, f"{what} id {anchor!r} is used twice (first on line {anchors[anchor]}); "
                       "ids must be unique within a policy")
            )
        else:
            anchors[anchor] = line

    def flush_prose() -> None:
        nonlocal prose
        text = "\n".join(prose).strip("\n")
        if text.strip():
            blocks.append(Block(line=prose_line, prose=text))
        prose = []

    def flush_clauses() -> None:
        nonlocal roots, stack
        if roots:
            blocks.append(Block(line=block_line, clauses=tuple(c.freeze() for c in roots)))
        roots, stack = [], []

    def close_section() -> None:
        nonlocal blocks
        flush_prose()
        flush_clauses()
        if current_title is None:
            preamble.extend(blocks)
        else:
            sid, title, level, line = current_title
            sections.append(Section(sid, title, level, line, tuple(blocks)))
        blocks = []

    for offset, raw in enumerate(body.split("\n")):
        line_no = first_line + offset
        text = raw.expandtabs(4).rstrip()
        fence = FENCE.match(text)
        if in_fence or fence:
            if fence and in_fence is None:
                in_fence = fence.group(1)[0]
            elif fence and fence.group(1)[0] == in_fence:
                in_fence = None
            flush_clauses()
            if not prose:
                prose_line = line_no
            prose.append(raw)
            continue
        heading = HEADING.match(text)
        if heading:
            level = len(heading.group(1))
            title = heading.group(2).strip()
            if level == 1:
                problems.append(
                    (line_no, "a '#' heading in the body; the title comes from the front "
                              "matter, so start sections at '##'")
                )
                continue
            close_section()
            anchor = heading.group(3) if heading.group(3) is not None else slugify(title)
            claim(anchor, line_no, "section")
            current_title = (anchor, title, level, line_no)
            after_blank = False
            continue
        clause = CLAUSE.match(text)
        if clause:
            flush_prose()
            indent = len(clause.group("indent"))
            marker = clause.group("marker")
            popped = False
            while stack and stack[-1].indent > indent:
                stack.pop()
                popped = True
            if stack and stack[-1].indent == indent:
                stack.pop()
            elif popped and stack:
                problems.append(
                    (line_no, f"clause {marker}. is indented {indent} spaces, which matches no "
                              "enclosing level; indent each nested level 4 spaces more than "
                              "its parent")
                )
            parent = stack[-1] if stack else None
            cid = f"{parent.id}-{marker.lower()}" if parent else marker.lower()
            label = f"{parent.label}.{marker}" if parent else marker
            node = _OpenClause(indent, cid, label, [clause.group("text")], line_no)
            claim(cid, line_no, "clause")
            if parent:
                parent.children.append(node)
            else:
                if not roots:
                    block_line = line_no
                roots.append(node)
            stack.append(node)
            after_blank = False
            continue
        if not text.strip():
            if stack:
                after_blank = True
            else:
                prose.append("")
            continue
        if stack and (not after_blank or text.startswith(" ")):
            # A continuation: the same paragraph of the open clause, or an indented
            # paragraph of the innermost clause whose marker is not right of it.
            if after_blank:
                indent = len(text) - len(text.lstrip(" "))
                while len(stack) > 1 and stack[-1].indent > indent:
                    stack.pop()
            stack[-1].lines.append(("\n" if after_blank else "") + text.strip())
            after_blank = False
            continue
        flush_clauses()
        after_blank = False
        if not prose or not "".join(prose).strip():
            prose_line = line_no
        prose.append(raw)
    close_section()
    if in_fence:
        problems.append((first_line, "a code fence (``` or ~~~) is opened and never closed"))

    outline = Outline(tuple(preamble), tuple(sections), anchors, (), tuple(problems))
    return Outline(
        outline.preamble, outline.sections, anchors, tuple(_links(outline)), tuple(problems)
    )


def may_link(text: str) -> bool:
    """Whether Markdown text can hold a link at all: inline and reference links need a
    "[", autolinks a "<". Most clauses have neither and need no Markdown parse."""
    return "[" in text or "<" in text


def _links(outline: Outline):
    texts: list[tuple[str, int]] = []
    for blocks in [outline.preamble, *(s.blocks for s in outline.sections)]:
        for block in blocks:
            if block.prose:
                texts.append((block.prose, block.line))
            texts.extend((c.text, c.line) for c in _walk(block.clauses))
    for text, line in texts:
        if not may_link(text):
            continue
        for token in _markdown.parse(text):
            for child in token.children or ():
                if child.type == "link_open":
                    start = token.map[0] if token.map else 0
                    yield Link(str(child.attrs.get("href", "")), line + start)
