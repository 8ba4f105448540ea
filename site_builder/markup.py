"""Small pieces of page source shared by the page modules: front matter, links, badges,
tables, dates and notices, each written once.

Everything here escapes what it is given; callers pass plain text, never HTML, except
where a parameter says it takes HTML (a table's cells).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html import escape

from .labels import NOT_STATED, long_date

# Raw HTML in a page that Markdown must pass through untouched: the archive step sets
# these blocks aside before Markdown and puts them back after it (`engine/archive.py`).
HTML_START = "<!-- archive:html -->"
HTML_END = "<!-- /archive:html -->"


def front_matter(title: str, description: str | None = None, *, search: bool = True,
                 **fields) -> str:
    """A page's YAML front matter. JSON strings are YAML, and much quicker to write than
    yaml.dump: an archive has thousands of pages. `search=False` keeps the page out of
    the search index; other fields (`hide`, `template`…) are written as JSON values."""
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    if description:
        lines.append(f"description: {json.dumps(description, ensure_ascii=False)}")
    for key, value in fields.items():
        if value is not None:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    if not search:
        lines += ["search:", "  exclude: true"]
    lines += ["---", "", ""]
    return "\n".join(lines)


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
