"""A policy's list of versions (`policies/<id>/versions/`): every published version with
its dates, note and links, and the form that finds the version in effect on a date.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from .. import addresses
from ..addresses import href, md_link, root
from ..content import Policy
from ..history import PolicyHistory, spans
from ..labels import long_date, title_of
from ..markup import front_matter, html_block, page_source, time_tag
from ..render import escape_md
from .archive_common import ArchiveContext, history_notices, nav_links, published_on
from .version import withdrawn_text


def _time(value: dt.date | None, missing: str = "not recorded") -> str:
    """A date as `<time>`; `missing` as plain text when there is none."""
    return escape(missing) if value is None else time_tag(value)


def version_list_md(ctx: ArchiveContext, policy: Policy, history: PolicyHistory) -> str:
    pid = policy.id
    here = addresses.versions(pid)
    draft = policy.meta.status == "draft"
    out = [front_matter(f"Versions of {title_of(policy)}",
                        f"Every published version of {title_of(policy)}", search=False)]
    out.append(f"# Versions of {escape_md(title_of(policy))} {{#versions--title}}\n")
    out.append(nav_links(here, pid, history=history, skip="list"))
    out.append(history_notices(history))
    out.append(
        "Each version is the text as it was published. **In effect from** is the effective "
        "date the policy states for that version; where it states none, it is the date the "
        "version was published. **Published** is the date the version was published on "
        "this site.\n"
    )
    out.append(date_picker(here, pid, history, draft=draft))
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
            f"<td>{until}</td><td>{_time(published_on(v))}</td><td>{note}</td>"
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
    return page_source([x for x in out if x])


def date_picker(here: str, pid: str, history: PolicyHistory, *, draft: bool) -> str:
    """The form that finds the version in effect on a date, from the versions' data
    (`data/versions/<id>.json`); none for a draft or when no version has a date."""
    if draft or not any(s.start for s in spans(history)):
        return ""
    first = min(s.start for s in spans(history) if s.start)
    return html_block(
        f'<form class="version-picker" data-index="{href(here, addresses.versions_data(pid))}"'
        f' data-root="{root(here)}" hidden>'
        '<h2 id="versions--on-date">In effect on a date</h2>'
        '<p><label for="version-date">Date</label> '
        '<span class="version-hint" id="version-date-hint">For example, 2026-03-01. '
        f"Versions are on record from {escape(long_date(first))}.</span></p>"
        '<p><input type="date" id="version-date" name="date" required '
        'aria-describedby="version-date-hint"> '
        '<button type="submit" class="md-button">Show the version in effect</button></p>'
        '<p class="version-picker-result" role="status" aria-live="polite"></p>'
        "</form>"
    )
