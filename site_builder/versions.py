"""Version pages: each published version at its own address, redlines, changelogs, feeds.

Called by the build after the current pages are written; returns the files it wrote:

    policies/<id>/versions/                 every version: dates, notes, links
    policies/<id>/versions/<n>/             the text as of version n (permanent)
    policies/<id>/versions/<n>/changes/     redline of version n against n-1
    policies/<id>/compare/                  choose any two versions
    policies/<id>/compare/<a>-<b>/          redline of an older version against the current
    policies/<id>/changelog/                versions, corrections and detail changes
    changes/                                "What changed": the latest changes
    changes/<year>/                         every change of one year
    data/versions/<id>.json                 versions and dates, for "in effect on a date"
    data/versions/<id>.text.json            each version's text as units, for compare
    feeds/changes.atom, feeds/<id>.atom     new versions
    feeds/reviews.ics                       review due dates

Version and redline pages are kept out of the navigation (mkdocs.yml `not_in_nav`) and out
of the search index (front matter `search: exclude: true`).

A published version's text never changes, so its rendered body and its redline are kept
in the build's store (`store.py`), keyed by the text and the code, and reused by the next
build. The policies are
shared between processes (`parallel.py`), one per core.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from . import addresses, feeds, store
from .addresses import href, md_link, root
from .content import Library, Policy
from .history import PolicyHistory, Span, Version, spans
from .opendata import withdrawal_data
from .outline import parse_outline
from .parallel import in_processes, workers
from .redline import LEGEND, RENDERER_VERSION, Redline, SectionChange, parts, redline
from .render import escape_md, render_policy_body, rewrite_links
from .stamp import SiteStamp
from .store import Store, source_hash

PAGE_VERSION = "versions-1"  # bump when the page layout changes, to refresh the cache
PARALLEL_MIN = 8  # policies: fewer are not worth a second process
RECENT_CHANGES = 100  # changes listed on "What changed"; every one is on its year's page
# The archive pages: rendered by the archive step (archive.py), outside MkDocs' pass.
# Each policy's data for the date picker and the compare page, which goes with its archive.
HTML_START = "<!-- archive:html -->"
HTML_END = "<!-- /archive:html -->"
KIND_LABELS = {
    "administrative-instruction": "administrative instruction",
    "resolution": "resolution",
    "comprehensive-policy": "policy",
    "department-policy": "department policy",
}
_MKDOCS_YML = Path(__file__).resolve().parent.parent / "mkdocs.yml"


# ---------------------------------------------------------------------------------------
# Words and dates


def fmt_date(value: dt.date | None) -> str:
    if value is None:
        return "not recorded"
    return f"{value:%B} {value.day}, {value.year}"


def _time(value: dt.date | None, missing: str = "not recorded") -> str:
    if value is None:
        return escape(missing)
    return f'<time datetime="{value.isoformat()}">{escape(fmt_date(value))}</time>'


def _published(version: Version) -> dt.date | None:
    return version.published.date() if version.published else None


def title_of(policy: Policy) -> str:
    meta = policy.meta
    return f"{meta.number}: {meta.title}" if meta.number else meta.title


def _front(title: str, description: str | None = None) -> str:
    """Front matter; JSON strings are YAML, and much quicker to write than yaml.dump."""
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    if description:
        lines.append(f"description: {json.dumps(description, ensure_ascii=False)}")
    lines += ["search:", "  exclude: true", "---", "", ""]
    return "\n".join(lines)


def html_block(html: str) -> str:
    """Raw HTML for a page, marked so the archive step can set it into the page as is.

    Python-Markdown passes raw HTML through unchanged but parses all of it twice on the
    way (its own raw-HTML stash and MkDocs' anchor collector), which was most of the time
    spent on a redline page. The archive step (`archive.py`) takes the marked blocks out
    before Markdown and puts them back into the HTML after it; any other Markdown
    renderer sees plain raw HTML between two comments.
    """
    return f"{HTML_START}\n{html.rstrip()}\n{HTML_END}\n"


def _admonition(kind: str, title: str, text: str) -> str:
    body = "\n".join(("    " + line) if line else "" for line in text.split("\n"))
    return f'!!! {kind} "{title.replace(chr(34), chr(8221))}"\n\n{body}\n'


def span_text(span: Span, *, draft: bool, today: dt.date | None = None) -> str:
    """ "in effect from March 1, 2026 until June 1, 2026"."""
    if span.start is None:
        return "in effect on a date not recorded"
    if draft:
        return f"published as a draft on {fmt_date(span.start)}"
    today = today or dt.date.today()
    verb = "takes effect" if span.start > today else "in effect from"
    text = f"{verb} {'on ' if verb == 'takes effect' else ''}{fmt_date(span.start)}"
    if span.end is not None:
        text += f" until {fmt_date(span.end)}"
    return text


def _date_kind(span: Span) -> str:
    if span.start_kind == "effective":
        return "effective date stated in the policy"
    if span.start_kind == "published":
        return "no effective date is stated, so this is the date it was published"
    return "no date is on record"


# ---------------------------------------------------------------------------------------
# Cache


def _key(*parts: str) -> str:
    return Store.key(PAGE_VERSION, RENDERER_VERSION, *parts)


def site_url(site: dict) -> str | None:
    """The site's public address, if configured (site["site_url"] or mkdocs.yml)."""
    value = site.get("site_url")
    if value is None and _MKDOCS_YML.is_file():
        match = re.search(r"^site_url:\s*['\"]?([^'\"\s#]+)", _MKDOCS_YML.read_text(), re.M)
        value = match.group(1) if match else None
    if not value:
        return None
    return value.rstrip("/") + "/"


# ---------------------------------------------------------------------------------------
# Rendering a version's text


def _safe_links(policy: Policy, library: Library) -> Policy:
    """Links in an old text that would no longer resolve point where they still can.

    A link to a section that is gone from the other policy's current text goes to that
    policy's page; one to a policy that is gone goes to the list of policies. So an old
    version never breaks the build's link check, and a reader never meets a dead link.
    """
    anchors = policy.outline.anchors
    base = posixpath.dirname(policy.path)
    if not policy.outline.links:
        return policy

    def rewrite(target: str) -> str | None:
        parts_ = urlsplit(target)
        if parts_.scheme or parts_.netloc or target.startswith("/"):
            return None
        if not parts_.path:
            return None if parts_.fragment in anchors else addresses.policy_url(policy.id)
        rel = posixpath.normpath(posixpath.join(base, parts_.path))
        if not rel.endswith(".md"):
            return None
        other = library.policy_at(rel)
        if other is None:
            return addresses.url(addresses.POLICY_INDEX)
        if parts_.fragment and parts_.fragment not in other.outline.anchors:
            return addresses.policy_url(other.id)
        return None

    if all(rewrite(link.target) is None for link in policy.outline.links):
        return policy
    body = rewrite_links(policy.body, rewrite)
    if body == policy.body:
        return policy
    return replace(policy, body=body, outline=parse_outline(body, policy.body_line))


def _body(policy: Policy, library: Library, page: str, touched: set[str]) -> str:
    targets = sorted(link.target for link in policy.outline.links)
    resolved = []
    for target in targets:
        path = urlsplit(target).path
        if path.endswith(".md"):
            other = library.policy_at(posixpath.normpath(posixpath.join("policies", path)))
            resolved.append(f"{target}>{other.id if other else ''}:"
                            + (",".join(sorted(other.outline.anchors)) if other else ""))
    key = _key("body", source_hash("render.py", "active_content.py"), policy.id, page,
               policy.body, *resolved)
    touched.add(key)
    text = store.current().get_text(key)
    if text is None:
        safe = _safe_links(policy, library)
        text = render_policy_body(safe, page=page, library=library, feedback=False)
        store.current().put_text(key, text)
    return text


@dataclass(frozen=True)
class _Context:
    library: Library
    site: dict
    today: dt.date
    touched: set[str]  # the store's entries the pages were made from


def _redline(old: Version, new: Version, touched: set[str]) -> Redline | None:
    if old.withheld or new.withheld or old.withdrawn or new.withdrawn:
        return None
    key = _key("redline", old.policy.body, new.policy.body)
    touched.add(key)
    data = store.current().get_json(key)
    if data is not None:
        return Redline(data["html"], tuple(SectionChange(*s) for s in data["sections"]),
                       data["inserted"], data["deleted"])
    result = redline(old.policy, new.policy)
    store.current().put_json(key, {
        "html": result.html,
        "sections": [[s.id, s.title, s.status] for s in result.sections],
        "inserted": result.inserted,
        "deleted": result.deleted,
    })
    return result


# ---------------------------------------------------------------------------------------
# Pages


def _nav_links(here: str, pid: str, *, history: PolicyHistory, skip: str = "") -> str:
    links = [
        ("current", "Current version", addresses.policy(pid)),
        ("list", "All versions", addresses.versions(pid)),
        ("compare", "Compare versions", addresses.compare(pid)),
        ("changelog", "Changelog", addresses.changelog(pid)),
    ]
    items = [f"[{label}]({md_link(here, page)})" for key, label, page in links if key != skip]
    return " · ".join(items) + "\n"


def _history_notices(history: PolicyHistory) -> str:
    out = []
    if not history.complete:
        out.append(_admonition(
            "warning", "History not available in this build",
            "This build could not read the policy's publication history, so only one "
            "version is shown. Earlier versions are not listed here.",
        ))
    if history.unpublished:
        out.append(_admonition(
            "warning", "Unpublished changes",
            "This is a local preview: the policy file has changes that are not published "
            "yet. They are shown on the current page, not as a version.",
        ))
    return "\n".join(out)


def version_list_md(ctx: _Context, policy: Policy, history: PolicyHistory) -> str:
    pid = policy.id
    here = addresses.versions(pid)
    draft = policy.meta.status == "draft"
    out = [_front(f"Versions of {title_of(policy)}",
                  f"Every published version of {title_of(policy)}")]
    out.append(f"# Versions of {escape_md(title_of(policy))} {{#versions--title}}\n")
    out.append(_nav_links(here, pid, history=history, skip="list"))
    out.append(_history_notices(history))
    out.append(
        "Each version is the text as it was published. **In effect from** is the effective "
        "date the policy states for that version; where it states none, it is the date the "
        "version was published. **Published** is the date the version was published on "
        "this site.\n"
    )
    out.append(_date_picker(here, pid, history, draft=draft))
    rows = []
    for span in reversed(spans(history)):
        v = span.version
        text_link = f'<a href="{href(here, addresses.version(pid, v.number))}">Text</a>'
        changes = (f'<a href="{href(here, addresses.changes(pid, v.number))}">What changed</a>'
                   if v.number > 1 else "First version")
        if v.withdrawn:
            text_link = f'<a href="{href(here, addresses.version(pid, v.number))}">Withdrawn</a>'
            changes = "—"
        current = " (current)" if v.number == history.current.number else ""
        start = _time(span.start)
        if span.start_kind == "published":
            start += " (published date)"
        until = _time(span.end, "—") if span.end else ("—" if current else "")
        note = escape(v.note) if v.note else "No note"
        if v.withdrawn:
            note = escape(withdrawn_text(v))
        if v.corrections:
            note += "<br>" + "<br>".join(
                f"Corrected {_time(c.published.date())}: {escape(c.note or 'editorial')}"
                for c in v.corrections
            )
        rows.append(
            f'<tr><th scope="row">Version {v.number}{current}</th><td>{start}</td>'
            f"<td>{until}</td><td>{_time(_published(v))}</td><td>{note}</td>"
            f"<td>{escape(v.author_role)}</td><td>{text_link}</td><td>{changes}</td></tr>"
        )
    headers = ["Version", "In effect from", "Until", "Published", "Change note",
               "Published by", "Text", "Changes"]
    caption = f"Versions of {title_of(policy)}, newest first"
    out.append(html_block(
        '<table>'
        f"<caption>{escape(caption)}</caption><thead><tr>"
        + "".join(f'<th scope="col">{h}</th>' for h in headers)
        + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    ))
    out.append(
        f"Follow new versions: [Atom feed]({md_link(here, addresses.policy_feed(pid))}).\n"
    )
    return "\n".join(x for x in out if x)


def _date_picker(here: str, pid: str, history: PolicyHistory, *, draft: bool) -> str:
    if draft or not any(s.start for s in spans(history)):
        return ""
    first = min(s.start for s in spans(history) if s.start)
    return html_block(
        f'<form class="version-picker" data-index="{href(here, addresses.versions_data(pid))}"'
        f' data-root="{root(here)}" hidden>'
        '<h2 id="versions--on-date">In effect on a date</h2>'
        '<p><label for="version-date">Date</label> '
        '<span class="version-hint" id="version-date-hint">For example, 2026-03-01. '
        f"Versions are on record from {escape(fmt_date(first))}.</span></p>"
        '<p><input type="date" id="version-date" name="date" required '
        'aria-describedby="version-date-hint"> '
        '<button type="submit" class="md-button">Show the version in effect</button></p>'
        '<p class="version-picker-result" role="status" aria-live="polite"></p>'
        "</form>"
    )


def withdrawn_text(version: Version) -> str:
    """ "Version 4 was withdrawn on March 2, 2026: <reason>" """
    assert version.withdrawn is not None
    return (f"Version {version.number} was withdrawn on "
            f"{fmt_date(version.withdrawn.withdrawn)}: {version.withdrawn.reason}")


def tombstone_md(policy: Policy, history: PolicyHistory, version: Version, here: str,
                 title: str, anchor: str) -> str:
    """What stays at a withdrawn version's addresses (its page, its redline, its
    comparison with the current version): when and why it was withdrawn, no text."""
    pid = policy.id
    n = version.number
    out = [_front(f"{title} — {title_of(policy)}",
                  f"Version {n} of {title_of(policy)} was withdrawn")]
    out.append(f"# {title} of {escape_md(title_of(policy))} {{#{anchor}}}\n")
    lines = [escape_md(withdrawn_text(version))]
    published = (f" It was published on {fmt_date(_published(version))}." if version.published
                 else "")
    lines.append(f"Its text is no longer published.{published} The other versions keep their "
                 "numbers and addresses, and redlines compare the versions around it.")
    links = [f"[See the current version]({md_link(here, addresses.policy(pid))})"]
    if n > 1:
        links.append(f"[Version {n - 1}]({md_link(here, addresses.version(pid, n - 1))})")
    if n < len(history.versions):
        links.append(f"[Version {n + 1}]({md_link(here, addresses.version(pid, n + 1))})")
    links.append(f"[All versions]({md_link(here, addresses.versions(pid))})")
    lines.append(" · ".join(links))
    out.append(_admonition("warning", f"Version {n} withdrawn", "\n\n".join(lines)))
    return "\n".join(out)


def version_md(ctx: _Context, policy: Policy, history: PolicyHistory, span: Span) -> str:
    version = span.version
    pid = policy.id
    n = version.number
    here = addresses.version(pid, n)
    if version.withdrawn:
        return tombstone_md(policy, history, version, here, f"Version {n}", "version--title")
    shown = version.policy
    draft = shown.meta.status == "draft"
    title = f"{title_of(policy)}, version {n}"
    out = [_front(title, f"The text of {title_of(policy)} as of version {n}")]
    out.append(f"# {escape_md(title_of(shown))} — version {n} {{#version--title}}\n")
    is_current = n == history.current.number
    lines = [f"This is **version {n}** of {len(history.versions)}, "
             f"{span_text(span, draft=draft, today=ctx.today)} ({_date_kind(span)})."]
    if version.published:
        lines.append(f"Published on this site on {fmt_date(_published(version))} by "
                     f"{escape_md(version.author_role)}.")
    if version.note:
        lines.append(f"Change note: {escape_md(version.note)}")
    links = []
    if is_current:
        lines.append("This is the current version.")
    links.append(f"[See the current version]({md_link(here, addresses.policy(pid))})")
    if n > 1:
        links.append(f"[What changed in version {n}]({md_link(here, addresses.changes(pid, n))})")
    if n > 1:
        links.append(f"[Version {n - 1}]({md_link(here, addresses.version(pid, n - 1))})")
    if not is_current:
        links.append(f"[Version {n + 1}]({md_link(here, addresses.version(pid, n + 1))})")
    links.append(f"[All versions]({md_link(here, addresses.versions(pid))})")
    lines.append(" · ".join(links))
    kind = "warning" if not is_current else "info"
    heading = f"Version {n}" + (" (current)" if is_current else " (not the current version)")
    out.append(_admonition(kind, heading, "\n\n".join(lines)))
    if version.corrections:
        items = "\n".join(
            f"- {fmt_date(c.published.date())}: {escape_md(c.note or 'editorial correction')}"
            f" ({escape_md(c.author_role)})"
            for c in version.corrections
        )
        out.append(_admonition(
            "note", "Editorial corrections",
            "These corrections were made to this version without changing its meaning; the "
            f"text below includes them.\n\n{items}",
        ))
    if not history.complete or history.unpublished:
        out.append(_history_notices(history))
    if version.withheld:
        out.append(_admonition("warning", "Text withheld", escape_md(version.withheld)))
    else:
        out.append(_body(shown, ctx.library, here, ctx.touched))
    return "\n".join(x for x in out if x)


def _legend() -> str:
    return (
        '<div class="rl-legend" role="note" aria-labelledby="changes--legend">'
        '<h2 id="changes--legend">How changes are marked</h2>'
        "<p><ins><span class=\"rl-bracket\" aria-hidden=\"true\">[</span>"
        "<span class=\"rl-sr\">inserted: </span>Underlined text in brackets"
        "<span class=\"rl-bracket\" aria-hidden=\"true\">]</span></ins> is new. "
        "<del><span class=\"rl-bracket\" aria-hidden=\"true\">[</span>"
        "<span class=\"rl-sr\">deleted: </span>Struck-through text in brackets"
        "<span class=\"rl-bracket\" aria-hidden=\"true\">]</span></del> is deleted. "
        "Screen readers announce each change as inserted or deleted.</p>"
        f"<p>{escape(LEGEND)}</p></div>\n"
    )


def redline_md(
    ctx: _Context, policy: Policy, history: PolicyHistory, old: Version, new: Version,
    here: str, *, kind: str,
) -> str:
    pid = policy.id
    result = _redline(old, new, ctx.touched)
    span = {s.version.number: s for s in spans(history)}[new.number]
    draft = new.policy.meta.status == "draft"
    if kind == "consecutive":
        title = f"What changed in version {new.number}"
    else:
        title = f"Changes from version {old.number} to version {new.number}"
    out = [_front(f"{title} — {title_of(policy)}",
                  f"{title} of {title_of(policy)}, marked as the Council marks amendments")]
    out.append(f"# {title} of {escape_md(title_of(policy))} {{#changes--title}}\n")
    lines = [
        f"Version {new.number} compared with version {old.number}. Version {new.number} is "
        f"{span_text(span, draft=draft, today=ctx.today)} ({_date_kind(span)})"
        + (f", published on {fmt_date(_published(new))}." if new.published else "."),
    ]
    skipped = [v.number for v in history.versions[old.number:new.number - 1] if v.withdrawn]
    if skipped:
        lines.append(", ".join(f"Version {n}" for n in skipped)
                     + (" was" if len(skipped) == 1 else " were")
                     + " withdrawn, so the text is compared with the version before it.")
    if new.note and kind == "consecutive":
        lines.append(f"Change note: {escape_md(new.note)}")
    lines.append(" · ".join([
        f"[Text of version {new.number}]({md_link(here, addresses.version(pid, new.number))})",
        f"[Text of version {old.number}]({md_link(here, addresses.version(pid, old.number))})",
        f"[Current version]({md_link(here, addresses.policy(pid))})",
        f"[All versions]({md_link(here, addresses.versions(pid))})",
        f"[Compare other versions]({md_link(here, addresses.compare(pid))})",
    ]))
    out.append(_admonition("info", f"Version {old.number} → version {new.number}",
                           "\n\n".join(lines)))
    if result is None:
        out.append(_admonition("warning", "Not available",
                               "One of these versions' text is withheld, so no redline is "
                               "shown."))
        return "\n".join(out)
    out.append(html_block(_legend()))
    out.append("## Sections that changed {#changes--sections}\n")
    if result.sections:
        items = []
        for section in result.sections:
            status = {"changed": "changed", "added": "added", "removed": "removed"}[section.status]
            items.append(f"- [{escape_md(section.title)}](#{section.id}) ({status})")
        out.append("\n".join(items) + "\n")
        out.append(f"{result.inserted} words inserted, {result.deleted} deleted.\n")
    else:
        out.append("The words are the same; only details outside the text changed.\n")
    out.append("## The text with changes marked {#changes--text}\n")
    out.append(html_block(_offset_headings(result.html)))
    return "\n".join(out)


def _offset_headings(html: str) -> str:
    """Redline section headings one level below the page's own headings."""
    def bump(match: re.Match) -> str:
        level = min(int(match.group(2)) + 1, 6)
        return f"<{match.group(1)}h{level}"

    return re.sub(r"<(/?)h([1-6])", bump, html)


def _pairs(history: PolicyHistory) -> list[Version]:
    """The older versions compared with the current one on a page of their own (the one
    just before it is its redline); withdrawn versions are not compared."""
    before = history.shown_before(history.current.number)
    return [v for v in history.versions[:-2] if v.withdrawn is None and v is not before]


def _no_earlier_md(policy: Policy, history: PolicyHistory, version: Version, here: str) -> str:
    """A redline's address when every earlier version was withdrawn."""
    pid = policy.id
    n = version.number
    title = f"What changed in version {n}"
    out = [_front(f"{title} — {title_of(policy)}")]
    out.append(f"# {title} of {escape_md(title_of(policy))} {{#changes--title}}\n")
    lines = [" ".join(escape_md(withdrawn_text(v)) for v in history.versions[:n - 1]),
             "There is no earlier version to compare it with.",
             f"[Text of version {n}]({md_link(here, addresses.version(pid, n))}) · "
             f"[All versions]({md_link(here, addresses.versions(pid))})"]
    out.append(_admonition("info", f"Version {n}", "\n\n".join(lines)))
    return "\n".join(out)


def compare_md(ctx: _Context, policy: Policy, history: PolicyHistory) -> str:
    pid = policy.id
    here = addresses.compare(pid)
    current = history.current.number
    out = [_front(f"Compare versions of {title_of(policy)}")]
    out.append(f"# Compare versions of {escape_md(title_of(policy))} {{#compare--title}}\n")
    out.append(_nav_links(here, pid, history=history, skip="compare"))
    shown = [v for v in history.versions if v.withdrawn is None]
    if len(shown) < 2:
        out.append("This policy has one version so far, so there is nothing to compare.\n")
        return "\n".join(out)
    consecutive = [(history.shown_before(v.number), v) for v in shown]
    consecutive = [(old, v) for old, v in consecutive if old is not None]
    pairs = _pairs(history)
    prepared = {}
    for old, v in consecutive:
        prepared[f"{old.number}-{v.number}"] = href(here, addresses.changes(pid, v.number))
    for v in pairs:
        prepared[f"{v.number}-{current}"] = href(here, addresses.pair(pid, v.number, current))
    out.append("Choose an earlier and a later version to see what changed between them, "
               "marked as the Council marks amendments.\n")
    options = "".join(
        f'<option value="{v.number}">Version {v.number}'
        + (" (current)" if v.number == current else "") + "</option>"
        for v in shown
    )
    out.append(html_block(
        f'<form class="version-compare" hidden data-policy="{escape(pid)}"'
        f' data-text="{href(here, addresses.versions_text(pid))}"'
        f" data-prepared='{escape(json.dumps(prepared, sort_keys=True), quote=True)}'>"
        '<p><label for="compare-from">Earlier version</label> '
        f'<select id="compare-from" name="from">{options}</select></p>'
        '<p><label for="compare-to">Later version</label> '
        f'<select id="compare-to" name="to">{options}</select></p>'
        '<p><button type="submit" class="md-button">Show the changes</button></p>'
        '<p class="version-compare-status" role="status" aria-live="polite"></p>'
        "</form>"
    ))
    out.append('<div class="version-compare-result"></div>\n')
    out.append("## Prepared comparisons {#compare--prepared}\n")
    out.append("These comparisons are ready to read, also without JavaScript:\n")
    items = []
    for old, v in reversed(consecutive):
        items.append(f"- [Version {old.number} → version {v.number}]"
                     f"({md_link(here, addresses.changes(pid, v.number))})")
    for v in reversed(pairs):
        items.append(f"- [Version {v.number} → current version {current}]"
                     f"({md_link(here, addresses.pair(pid, v.number, current))})")
    withdrawn = [v for v in history.versions if v.withdrawn]
    if withdrawn:
        items.append("\n" + " ".join(escape_md(withdrawn_text(v)) for v in withdrawn))
    out.append("\n".join(items) + "\n")
    return "\n".join(out)


_KIND_TEXT = {"version": "New version", "editorial": "Editorial correction",
              "metadata": "Details updated", "withdrawn": "Version withdrawn"}


def _entry_line(here: str, pid: str, entry, history: PolicyHistory) -> str:
    when = fmt_date(entry.published.date())
    version = history.version(entry.version)
    if entry.kind == "withdrawn" or (entry.kind == "version" and version and version.withdrawn):
        target = md_link(here, addresses.version(pid, entry.version))
        what = (f"[Version {entry.version}]({target}) withdrawn" if entry.kind == "withdrawn"
                else f"[Version {entry.version}]({target}) (since withdrawn)")
    elif entry.kind == "version":
        target = (addresses.changes(pid, entry.version) if entry.version > 1
                  else addresses.version(pid, entry.version))
        what = f"[Version {entry.version}]({md_link(here, target)})"
        what += " (what changed)" if entry.version > 1 else " (first version)"
    elif entry.kind == "editorial":
        what = (f"Editorial correction to [version {entry.version}]"
                f"({md_link(here, addresses.version(pid, entry.version))})")
    else:
        fields = ", ".join(f.replace("_", " ") for f in entry.fields) or "details"
        what = f"Details updated ({escape_md(fields)}), no change to the text"
    note = f": {escape_md(entry.note)}" if entry.note else ""
    return f"- **{when}**: {what}{note} — {escape_md(entry.author_role)}"


def changelog_md(ctx: _Context, policy: Policy, history: PolicyHistory) -> str:
    pid = policy.id
    here = addresses.changelog(pid)
    out = [_front(f"Changelog of {title_of(policy)}")]
    out.append(f"# Changelog of {escape_md(title_of(policy))} {{#changelog--title}}\n")
    out.append(_nav_links(here, pid, history=history, skip="changelog"))
    out.append(_history_notices(history))
    out.append("Newest first. A new version changes the text; an editorial correction fixes "
               "it without changing its meaning; updated details (such as review dates) do "
               "not change the text. Dates are publication dates.\n")
    if history.changes:
        out.append("\n".join(_entry_line(here, pid, e, history) for e in history.changes) + "\n")
    else:
        out.append("No dated changes are on record in this build.\n")
    out.append(f"Follow new versions: [Atom feed]({md_link(here, addresses.policy_feed(pid))}).\n")
    return "\n".join(x for x in out if x)


def _site_entries(library: Library, histories: dict[str, PolicyHistory]) -> list[tuple]:
    """Every change to every policy: (published, id, entry, policy, history), newest first."""
    entries = []
    for pid, history in histories.items():
        policy = library.policies.get(pid)
        if policy is None:
            continue
        for entry in history.changes:
            entries.append((entry.published, pid, entry, policy, history))
    entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    return entries


def _by_month(here: str, entries: list[tuple]) -> list[str]:
    out = []
    month = None
    for published, pid, entry, policy, history in entries:
        label = f"{published:%B} {published.year}"
        if label != month:
            month = label
            out.append(f"\n## {label}\n")
        link = f"[{escape_md(title_of(policy))}]({md_link(here, addresses.policy(pid))})"
        out.append(_entry_line(here, pid, entry, history).replace("- **", f"- {link}, **", 1))
    return out


def _year_links(here: str, years: list[int], skip: int | None = None) -> str:
    return " · ".join(
        str(year) if year == skip else f"[{year}]({md_link(here, addresses.changes_year(year))})"
        for year in years)


def site_changes_files(library: Library, histories: dict[str, PolicyHistory]) -> dict[str, str]:
    """"What changed" (the latest RECENT_CHANGES changes) and a page for each year.

    Every change of every policy on one page made a page of megabytes at a few hundred
    policies, rendered again by every build; a year's page changes only while changes
    are published in that year."""
    here = addresses.SITE_CHANGES
    entries = _site_entries(library, histories)
    years = sorted({e[0].year for e in entries}, reverse=True)
    out = [_front("What changed", "The latest changes to the City's social media policies")]
    out.append("# What changed {#changes--title}\n")
    out.append("The latest new versions, corrections and updates to the City's social media "
               "policies, newest first. Each new version links to its changes, marked as "
               "the Council marks amendments. Follow them in a feed reader: "
               f"[Atom feed]({md_link(here, addresses.SITE_FEED)}). Staff can add review "
               "due dates to a calendar: "
               f"[reviews.ics]({md_link(here, addresses.REVIEWS_CALENDAR)}).\n")
    if not entries:
        out.append("No dated changes are on record in this build.\n")
        return {here: "\n".join(out)}
    out.append(f"Every change, year by year: {_year_links(here, years)}.\n")
    shown = entries[:RECENT_CHANGES]
    out += _by_month(here, shown)
    if len(entries) > len(shown):
        out.append(f"\n## Earlier changes {{#changes--earlier}}\n\n"
                   f"The {len(shown)} latest of {len(entries):,} changes are above. Every "
                   f"change is on the page of its year: {_year_links(here, years)}.\n")
    files = {here: "\n".join(out) + "\n"}
    for year in years:
        page = addresses.changes_year(year)
        of_year = [e for e in entries if e[0].year == year]
        lines = [_front(f"What changed in {year}",
                        f"Every change to the City's social media policies in {year}")]
        lines.append(f"# What changed in {year} {{#changes--title}}\n")
        noun = "change" if len(of_year) == 1 else "changes"
        lines.append(f"{len(of_year):,} {noun} in {year}, newest first. "
                     f"[The latest changes]({md_link(page, here)}) · "
                     f"Years: {_year_links(page, years, skip=year)}.\n")
        lines += _by_month(page, of_year)
        files[page] = "\n".join(lines) + "\n"
    return files


# ---------------------------------------------------------------------------------------
# Data for the date picker and the compare page


def versions_index(pid: str, history: PolicyHistory) -> dict:
    return {
        "policy": pid,
        "current": history.current.number,
        "versions": [
            {
                "number": s.version.number,
                "from": s.start.isoformat() if s.start else None,
                "from_kind": s.start_kind,
                "until": s.end.isoformat() if s.end else None,
                "published": s.version.published.isoformat() if s.version.published else None,
                "note": s.version.note or None,
                "url": addresses.version_url(pid, s.version.number).lstrip("/"),
                "diff_url": (None if s.version.withdrawn else
                             (addresses.diff_url(pid, s.version.number) or "").lstrip("/") or None),
                "withdrawn": withdrawal_data(s.version),
            }
            for s in spans(history)
        ],
    }


def versions_text(history: PolicyHistory) -> dict:
    return {
        "format": RENDERER_VERSION,
        "versions": {
            str(v.number): (None if v.withheld or v.withdrawn
                            else [p.as_json() for p in parts(v.policy)])
            for v in history.versions
        },
    }


# ---------------------------------------------------------------------------------------
# Entry point


def cached_policy_files(ctx: _Context, key: str | None) -> dict[str, str] | None:
    """A policy's archive files (docs-relative path → text) as the store holds them under
    `key`, or None. A published version never changes, so when nothing these files are
    made from has changed since the last build (`policy_key`), they come whole from the
    store, and the body and redline entries they were made from are kept as used."""
    data = store.current().get_json(key) if key else None
    if data is None:
        return None
    store.current().use(*data["uses"])
    return data["files"]


def make_policy_files(ctx: _Context, policy: Policy, history: PolicyHistory,
                      key: str | None) -> dict[str, str]:
    """A policy's archive files made anew, and kept in the store under `key`."""
    touched: set[str] = set()
    files = _policy_files(replace(ctx, touched=touched), policy, history)
    if key:
        store.current().put_json(key, {"uses": sorted(touched), "files": files})
    return files


def _policy_files(ctx: _Context, policy: Policy, history: PolicyHistory) -> dict[str, str]:
    pid = policy.id
    files: dict[str, str] = {}
    files[addresses.versions(pid)] = version_list_md(ctx, policy, history)
    for span in spans(history):
        version = span.version
        n = version.number
        files[addresses.version(pid, n)] = version_md(ctx, policy, history, span)
        if n > 1:
            page = addresses.changes(pid, n)
            old = history.shown_before(n)
            if version.withdrawn:
                files[page] = tombstone_md(policy, history, version, page,
                                           f"What changed in version {n}", "changes--title")
            elif old is None:
                files[page] = _no_earlier_md(policy, history, version, page)
            else:
                files[page] = redline_md(ctx, policy, history, old, version, page,
                                         kind="consecutive")
    current = history.current
    for old in history.versions[:-2]:
        page = addresses.pair(pid, old.number, current.number)
        if old.withdrawn:
            files[page] = tombstone_md(
                policy, history, old, page,
                f"Changes from version {old.number} to version {current.number}",
                "changes--title")
        else:
            files[page] = redline_md(ctx, policy, history, old, current, page, kind="pair")
    files[addresses.compare(pid)] = compare_md(ctx, policy, history)
    files[addresses.changelog(pid)] = changelog_md(ctx, policy, history)
    files[addresses.versions_data(pid)] = json.dumps(versions_index(pid, history), indent=1,
                                                    ensure_ascii=False)
    files[addresses.versions_text(pid)] = json.dumps(
        versions_text(history), separators=(",", ":"), ensure_ascii=False)
    return files


def archive_footer(history: PolicyHistory, stamp: SiteStamp) -> str:
    """What the footer of a policy's archive pages says (`SiteStamp.policy_footer`).

    The site's own footer when the policy has uncommitted edits or an incomplete history:
    then no single commit holds the text the pages show."""
    last = next((entry for entry in history.changes if entry.commit), None)  # not a withdrawal
    if stamp.commit is None or history.unpublished or not history.complete or last is None:
        return stamp.footer
    return stamp.policy_footer(last.commit, last.published)


def _code_hash() -> str:
    """The source of the modules a policy's archive files are made by."""
    return source_hash("versions.py", "redline.py", "render.py", "outline.py", "history.py",
                       "active_content.py")


def policy_key(ctx: _Context, policy: Policy, history: PolicyHistory) -> str | None:
    """A key for everything one policy's archive files are made from, or None (no cache).

    That is: the current file and every version as read from the history (text, front
    matter, path, commit, dates, notes, corrections), the changelog entries, the policies
    its versions link to (their ids and anchors, which decide where a link points), which
    versions take effect after today (their wording says so), and the code that writes
    the files. The cache covers nothing else, so a change to any of these renders the
    policy's pages again.
    """
    if not store.current().enabled:
        return None
    parts: list[str] = ["policy", _code_hash(), policy.path, policy.front_matter, policy.body,
                        repr((history.unpublished, history.complete, history.warnings,
                              history.paths, history.changes))]
    for span in spans(history):
        v = span.version
        parts += [v.policy.path, v.policy.front_matter, v.policy.body, repr((
            v.number, v.commit, v.published, v.note, v.author_role, v.corrections,
            v.effective, v.blob, v.withheld, v.withdrawn,
            span.start is not None and span.start > ctx.today,
        ))]
        for link in v.policy.outline.links:
            path = urlsplit(link.target).path
            if not path.endswith(".md"):
                continue
            for rel in (posixpath.normpath(posixpath.join(posixpath.dirname(v.policy.path),
                                                          path)),
                        posixpath.normpath(posixpath.join("policies", path))):
                other = ctx.library.policy_at(rel)
                parts.append(f"{link.target}>{rel}>{other.id if other else ''}:"
                             + (",".join(sorted(other.outline.anchors)) if other else ""))
    return _key(*parts)


def write_version_pages(
    docs_dir: Path, library: Library, histories: dict[str, PolicyHistory], site: dict,
    *, keep: dict[str, str] | None = None,
) -> list[Path]:
    """Write version, redline, changelog and feed files under docs_dir.

    With `keep`, the archive pages and data files (`addresses.archive_policy`) go into it
    (docs-relative path → text) instead of onto the disk: the archive step renders and
    writes them from memory.
    """
    docs_dir = Path(docs_dir)
    today = dt.date.fromisoformat(site["today"]) if site.get("today") else dt.date.today()
    ctx = _Context(library, site, today, set())
    written: list[Path] = []
    folders: set[Path] = set()  # made already: most pages are a folder of their own

    def write(rel: str, text: str) -> None:
        if keep is not None and addresses.archive_policy(rel):
            keep[rel] = text
            return
        path = docs_dir / rel
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    # The policies whose files the cache holds are read here; the others are made in one
    # process per core (sending cached files back from another process costs more than
    # reading them).
    pids = [pid for pid in sorted(library.policies) if histories.get(pid) is not None]
    keys = {pid: policy_key(ctx, library.policies[pid], histories[pid]) for pid in pids}
    made: dict[str, dict[str, str]] = {}
    for pid in pids:
        cached = cached_policy_files(ctx, keys[pid])
        if cached is not None:
            made[pid] = cached
    todo = [pid for pid in pids if pid not in made]

    def make(share: list[str]) -> dict:
        files = {pid: make_policy_files(ctx, library.policies[pid], histories[pid], keys[pid])
                 for pid in share}
        return {"files": files}

    jobs = workers() if len(todo) >= PARALLEL_MIN else 1
    for report in in_processes(make, todo, jobs):
        made.update(report["files"])
    for pid in pids:
        for rel, text in made[pid].items():
            write(rel, text)
    for rel, text in site_changes_files(library, histories).items():
        write(rel, text)
    base = site_url(site)
    generated = site.get("generated")
    for rel, text in feeds.feed_files(library, histories, site_url=base, generated=generated,
                                      today=today).items():
        write(rel, text)
    return written
