"""Render a policy body (its outline) as portable Markdown with explicit anchors.

Sections become headings with `{#id}`; lettered clauses become nested lists whose first
paragraph carries the clause id through `attr_list` (`{: #k-c }`), so `…/#k-c` points at
AI 1-19 §K.c on every version of the page. The markers are shown as the source writes
them ("K.", "c.", "ii."). Every section and clause gets a permalink (`<a href="#k-c">`)
and a "Comment on §K.c" link to the feedback form.

The output needs only Python-Markdown with `attr_list`, `admonition`, `tables` and `toc`:
no MkDocs-only syntax, so another builder that reads `mkdocs.yml` can build it.

`render_policy_body` is the public entry point; the version pages render old versions of
a policy with it too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from . import addresses
from .active_content import inert
from .addresses import md_link
from .content import Library, Policy
from .labels import ENGLISH, Wording
from .outline import Block, Clause, Section, may_link

INDENT = "    "

_markdown = MarkdownIt("commonmark")
_HARD_BREAK = re.compile(r"(?<!\\)\\$", re.MULTILINE)


def attr_value(text: str) -> str:
    """Text safe inside a double-quoted attr_list value."""
    return text.replace("\\", "").replace('"', "\u201d").replace("}", ")").replace("{", "(")


def escape_md(text: str) -> str:
    """Inline text that Markdown must show as written (titles, registry values). `<` is
    written as `&lt;`: Python-Markdown has no backslash escape for it, so `\\<` showed
    its backslash."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([`*_\[\]>#|])", r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;")


# ---------------------------------------------------------------------------------------
# Links inside policy text


def link_rewriter(
    library: Library | None, policy: Policy, page: str
) -> Callable[[str], str | None]:
    """Map a link target written in a policy to the address it has on the site.

    `other.md#anchor` becomes a link from `page` to the other policy's page (a `.md`
    link, which MkDocs checks, anchor included); a bare `#anchor` stays on the page.
    Returns None for targets left as they are.
    """
    base = posixpath.dirname(policy.path)

    def rewrite(target: str) -> str | None:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith(("/", "#")) or not parts.path:
            return None
        if library is None:
            return None
        rel = posixpath.normpath(posixpath.join(base, parts.path))
        other = library.policy_at(rel)
        if other is None:
            return None
        return md_link(page, addresses.policy(other.id), parts.fragment or None)

    return rewrite


def rewrite_links(text: str, rewrite: Callable[[str], str | None]) -> str:
    """Rewrite the targets of inline links and link definitions in Markdown text."""
    if not may_link(text):
        return text
    targets: set[str] = set()
    for token in _markdown.parse(text):
        for child in token.children or ():
            if child.type == "link_open":
                targets.add(str(child.attrs.get("href", "")))
    for target in sorted(targets, key=len, reverse=True):
        new = rewrite(target)
        if new is None:
            continue
        for written in {target, target.replace("%20", " ")}:
            text = text.replace(f"]({written})", f"]({new})")
            text = text.replace(f"]({written} ", f"]({new} ")
            text = text.replace(f"]: {written}", f"]: {new}")
    return text


def portable_prose(text: str) -> str:
    """CommonMark's backslash line break as the two spaces every Markdown reads."""
    return _HARD_BREAK.sub("  ", text)


# ---------------------------------------------------------------------------------------
# The body


def section_tools(policy_id: str, anchor: str, name: str, *, feedback: bool = True,
                  clause: bool = False, words: Wording = ENGLISH) -> str:
    """The permalink and "Comment on …" links of one section or clause, and for a clause
    "How applied": the decisions that cite it (the feedback app's register), in the
    language of `words`."""
    _ = words._
    link, comment, applied = _("Link"), _("Comment"), _("How applied")
    label = attr_value(_("Link to %(name)s", name=name))
    tools = [f'[{link}](#{anchor}){{: .policy-permalink aria-label="{label}" }}']
    if feedback:
        label = attr_value(_("Comment on %(name)s", name=name))
        tools.append(f"[{comment}]({words.app(addresses.feedback_url(policy_id, anchor))})"
                     f'{{: .policy-comment aria-label="{label}" }}')
        if clause:
            label = attr_value(_("How %(name)s has been applied", name=name))
            tools.append(
                f"[{applied}]({words.app(addresses.decisions_url(policy_id, anchor))})"
                f'{{: .policy-applied aria-label="{label}" }}')
    return " ".join(tools)


# What may stand in a tool's label or link text for its HTML to be written here
# (`section_tools_html`) rather than converted: nothing Markdown or HTML reads specially.
_PLAIN_LABEL = re.compile(r"[^\\`*_{}\[\]<>&\"'#|!~^=\n]*")


def section_tools_html(policy_id: str, anchor: str, name: str, *, feedback: bool = True,
                       clause: bool = False, words: Wording = ENGLISH) -> str | None:
    """The HTML Python-Markdown makes of `section_tools(…)`, written here: its links with
    their attributes in the order it writes them (sorted) and `&` escaped in addresses.
    None when a label or a link's text holds a character Markdown or HTML could read
    otherwise; the caller then converts the Markdown."""
    _ = words._
    links = [(_("Link"), _("Link to %(name)s", name=name), "policy-permalink", f"#{anchor}")]
    if feedback:
        links.append((_("Comment"), _("Comment on %(name)s", name=name), "policy-comment",
                      words.app(addresses.feedback_url(policy_id, anchor))))
        if clause:
            links.append((_("How applied"), _("How %(name)s has been applied", name=name),
                          "policy-applied", words.app(addresses.decisions_url(policy_id,
                                                                              anchor))))
    out = []
    for text, label, kind, href in links:
        if not (_PLAIN_LABEL.fullmatch(text) and _PLAIN_LABEL.fullmatch(label)) \
                or text != text.strip() or not text or any(c in href for c in '"<> ;'):
            return None
        href = href.replace("&", "&amp;")
        out.append(f'<a aria-label="{label}" class="{kind}" href="{href}">{text}</a>')
    return " ".join(out)


def section_name(section: Section, words: Wording = ENGLISH) -> str:
    """How a section's tools name it: section “Title”."""
    return words._("section \u201c%(title)s\u201d", title=_plain(section.title))


def render_policy_body(
    policy: Policy,
    *,
    page: str,
    library: Library | None = None,
    feedback: bool = True,
    heading_offset: int = 0,
    words: Wording = ENGLISH,
) -> str:
    """The policy's text as Markdown, every section and clause with its anchor.

    page: the page being written (`addresses`); links to other policies are written
    relative to it as `.md` links, which MkDocs checks and turns into page URLs.
    library: needed to resolve links to other policies (`other.md#anchor`).
    feedback: add "Comment on …" links to the feedback form.
    heading_offset: added to every section heading level (at most level 6).
    words: the language of the links and labels around the text (not of the text).
    """
    rewrite = link_rewriter(library, policy, page)
    out: list[str] = []
    outline = policy.outline
    for block in outline.preamble:
        out.append(block_markdown(policy, block, rewrite, feedback, words))
    for section in outline.sections:
        out.append(section_markdown(policy, section, rewrite, feedback, heading_offset, words))
    return "\n\n".join(part for part in out if part.strip()) + "\n"


def comment_links(policy: Policy) -> int:
    """How many "Comment on …" links `render_policy_body` writes with `feedback`: one
    under each section's heading and one after each clause, at every depth."""
    outline = policy.outline
    return len(outline.sections) + sum(1 for _ in outline.clauses())


def linked_policies(policy: Policy, library: Library | None) -> list[str]:
    """What the links of `policy` to other policies point at, as `link_rewriter` resolves
    them: each relative target with the id and the anchors of the policy it names ("" when
    none), for a key of everything a rendered text depends on."""
    base = posixpath.dirname(policy.path)
    found = []
    for target in sorted({link.target for link in policy.outline.links}):
        parts = urlsplit(target)
        if (library is None or parts.scheme or parts.netloc
                or target.startswith(("/", "#")) or not parts.path):
            continue
        other = library.policy_at(posixpath.normpath(posixpath.join(base, parts.path)))
        found.append(f"{target}>{other.id if other else ''}:"
                     + (",".join(sorted(other.outline.anchors)) if other else ""))
    return found


def section_markdown(policy, section: Section, rewrite, feedback: bool, offset: int,
             words: Wording) -> str:
    parts = [section_heading(section, offset),
             section_links(policy, section, feedback, words)]
    for block in section.blocks:
        parts.append(block_markdown(policy, block, rewrite, feedback, words))
    return "\n\n".join(p for p in parts if p.strip())


def section_heading(section: Section, offset: int = 0) -> str:
    """A section's heading, with its anchor."""
    level = min(6, section.level + offset)
    title = inert(section.title).replace("{", "(").replace("}", ")")
    return f"{'#' * level} {title} {{#{section.id}}}"


def section_links(policy, section: Section, feedback: bool, words: Wording) -> str:
    """The paragraph of links under a section's heading."""
    tools = section_tools(policy.id, section.id, section_name(section, words),
                          feedback=feedback, words=words)
    return f"{tools}\n{{: .policy-tools }}"


def block_markdown(policy, block: Block, rewrite, feedback: bool, words: Wording) -> str:
    if block.prose:
        return prose_text(block, rewrite)
    items = [clause_markdown(clause_text(policy, clause, rewrite, feedback, words))
             for clause in block.clauses]
    return "\n\n".join(items)


def prose_text(block: Block, rewrite) -> str:
    """A run of prose as the page has it: links rewritten, active content made inert."""
    return portable_prose(rewrite_links(inert(block.prose), rewrite)).strip("\n")


@dataclass(frozen=True)
class ClauseText:
    """A clause as the page has it: its first paragraph's Markdown with the marker first
    and its links last ("**c.** … [Link](#k-c){…}"), its other paragraphs, its children.
    Lines are as written, without the list's indentation. `tools` is the Markdown of its
    links, which `first` ends with after a space, and `tools_html` their HTML when
    `section_tools_html` can write it."""

    id: str
    first: str
    more: tuple[str, ...]
    children: tuple[ClauseText, ...]
    tools: str = ""
    tools_html: str | None = None


def clause_text(policy, clause: Clause, rewrite, feedback: bool, words: Wording,
                html: bool = False) -> ClauseText:
    """`ClauseText` of a clause and its children; with `html`, their tools' HTML too."""
    marker = clause.label.rsplit(".", 1)[-1] + "."
    text = portable_prose(rewrite_links(inert(clause.text), rewrite))
    paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    first = paragraphs[0].split("\n") if paragraphs else [""]
    name = f"\u00a7{clause.label}"
    tools = section_tools(policy.id, clause.id, name, feedback=feedback, clause=True,
                          words=words)
    lines = [f"**{marker}** {first[0].strip()}", *(line.strip() for line in first[1:])]
    lines[-1] += f" {tools}"
    return ClauseText(
        clause.id, "\n".join(lines),
        tuple("\n".join(line.strip() for line in p.split("\n")) for p in paragraphs[1:]),
        tuple(clause_text(policy, child, rewrite, feedback, words, html)
              for child in clause.children),
        tools, section_tools_html(policy.id, clause.id, name, feedback=feedback, clause=True,
                                  words=words) if html else None)


def clause_markdown(clause: ClauseText, depth: int = 0) -> str:
    """A clause as an item of a (loose) Markdown list, its id on its first paragraph."""
    pad = INDENT * depth
    first = clause.first.split("\n")
    lines = [f"{pad}-   {first[0]}", *(f"{pad}{INDENT}{line}" for line in first[1:])]
    lines.append(f"{pad}{INDENT}{{: #{clause.id} .policy-clause }}")
    for paragraph in clause.more:
        lines.append("")
        lines += [f"{pad}{INDENT}{line}" for line in paragraph.split("\n")]
    for child in clause.children:
        lines.append("")
        lines.append(clause_markdown(child, depth + 1))
    return "\n".join(lines)


def _plain(markdown_text: str) -> str:
    """Inline Markdown as plain text, for labels."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_text)
    return re.sub(r"[*_`]", "", text).strip()


def section_label(policy: Policy, anchor: str) -> str:
    """How a reader cites an anchor: "§K.c" for a clause, the title for a section."""
    label = policy.outline.label_of(anchor)
    return _plain(label) if label else anchor
