"""Small pieces of page source shared by the page modules: front matter, links, badges,
tables, dates and notices, each written once.

Everything here escapes what it is given; callers pass plain text, never HTML, except
where a parameter says it takes HTML (a table's cells).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from html import escape

from .labels import NOT_STATED, long_date

# Raw HTML in a page that Markdown must pass through untouched: the archive step sets
# these blocks aside before Markdown and puts them back after it (`engine/archive.py`).
HTML_START = "<!-- archive:html -->"
HTML_END = "<!-- /archive:html -->"


class FrontMatter(str):
    """A page's front matter as written, with the fields it was written from (`fields`)."""

    fields: dict

    def __new__(cls, text: str, fields: dict) -> FrontMatter:
        made = super().__new__(cls, text)
        made.fields = fields
        return made

    def __getnewargs__(self) -> tuple[str, dict]:  # sent between processes whole
        return (str(self), self.fields)


def front_matter(title: str, description: str | None = None, *, search: bool = True,
                 **fields) -> FrontMatter:
    """A page's YAML front matter. JSON strings are YAML, and much quicker to write than
    yaml.dump: an archive has thousands of pages. `search=False` keeps the page out of
    the search index; other fields (`hide`, `template`…) are written as JSON values."""
    meta: dict = {"title": title}
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    if description:
        meta["description"] = description
        lines.append(f"description: {json.dumps(description, ensure_ascii=False)}")
    for key, value in fields.items():
        if value is not None:
            meta[key] = value
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    if not search:
        meta["search"] = {"exclude": True}
        lines += ["search:", "  exclude: true"]
    lines += ["---", "", ""]
    return FrontMatter("\n".join(lines), meta)


@dataclass(frozen=True)
class PageSource:
    """What a page module makes of one page: its front matter and its Markdown body."""

    front: FrontMatter
    body: str

    @property
    def meta(self) -> dict:
        return self.front.fields

    @property
    def title(self) -> str:
        return self.front.fields["title"]

    @property
    def markdown(self) -> str:
        """The page's source as MkDocs reads it: front matter, then the body."""
        return f"{self.front}\n{self.body}"

    def as_json(self) -> dict:
        return {"front": str(self.front), "meta": self.meta, "body": self.body}

    @classmethod
    def from_json(cls, data: dict) -> PageSource:
        return cls(FrontMatter(data["front"], data["meta"]), data["body"])


def page_source(parts: list[str], tail: str = "") -> PageSource:
    """A page from the parts a page module wrote, its front matter first; `tail` ends the
    body without a line between."""
    return PageSource(parts[0], "\n".join(parts[1:]) + tail)


def a(href: str, text: str, **attrs: str) -> str:
    """A link; `class_` and `aria_label` become `class` and `aria-label`."""
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"'
                    for k, v in attrs.items())
    return f'<a href="{escape(href)}"{extra}>{escape(text)}</a>'


def badge(text: str, kind: str, sort: str | None = None) -> str:
    key = f' data-sort="{escape(sort)}"' if sort is not None else ""
    return f'<span class="badge badge--{escape(kind)}"{key}>{escape(text)}</span>'


def time_tag(value: dt.date | None, missing: str = NOT_STATED) -> str:
    """A date as `<time>`; `missing`, marked as such, when there is none."""
    if value is None:
        return f'<span class="not-stated">{escape(missing)}</span>'
    return f'<time datetime="{value.isoformat()}">{escape(long_date(value))}</time>'


def table(
    headers: list[str], rows: list[list[str]], *, caption: str, attrs: str = ""
) -> str:
    """An HTML table on one block (no blank lines, so Markdown keeps it whole). The first
    cell of each row is its header; cells are HTML."""
    out = [f"<table{attrs}>", f"<caption>{escape(caption)}</caption>", "<thead><tr>"]
    out += [f'<th scope="col">{escape(h)}</th>' for h in headers]
    out.append("</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = [f'<th scope="row">{row[0]}</th>'] + [f"<td>{cell}</td>" for cell in row[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def admonition(kind: str, title: str, text: str) -> str:
    """A Material admonition; the title's straight quotes become curly ones, since a
    straight quote would end it."""
    body = "\n".join(("    " + line) if line else "" for line in text.split("\n"))
    return f'!!! {kind} "{title.replace(chr(34), chr(8221))}"\n\n{body}\n'


def html_block(html: str) -> str:
    """Raw HTML for a page, marked so the archive step can set it into the page as is.

    Python-Markdown passes raw HTML through unchanged but parses all of it twice on the
    way (its own raw-HTML stash and MkDocs' anchor collector), which was most of the time
    spent on a redline page. The archive step takes the marked blocks out before
    Markdown and puts them back into the HTML after it; any other Markdown renderer sees
    plain raw HTML between two comments.
    """
    return f"{HTML_START}\n{html.rstrip()}\n{HTML_END}\n"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "other"
