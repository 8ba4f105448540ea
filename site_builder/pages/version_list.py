"""A policy's list of versions (`policies/<id>/versions/`): every published version with
its dates, note and links, and the form that finds the version in effect on a date.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape

from .. import addresses
from ..addresses import href, md_link, root
from ..content import Policy
from ..history import PolicyHistory, spans
from ..markup import front_matter, html_block, page_source
from .archive_common import (
    ArchiveContext,
    history_notices,
    md_a,
    nav_links,
    note_text,
    published_on,
    role_text,
)
from .version import title_of_page, withdrawn_text


def _time(ctx: ArchiveContext, value: dt.date | None, missing: str | None = None) -> str:
    """A date as `<time>`; `missing` (translated: "not recorded") as plain text when there
    is none."""
    if value is None:
        return escape(missing if missing is not None else ctx._("not recorded"))
    return ctx.time(value)


def version_list_md(ctx: ArchiveContext, policy: Policy, history: PolicyHistory) -> str:
    _ = ctx._
    pid = policy.id
    here = addresses.versions(pid)
    draft = policy.meta.status == "draft"
    name = ctx.title(policy)
    out = [front_matter(_("Versions of %(title)s", title=name),
                        _("Every published version of %(title)s", title=name), search=False)]
    heading = title_of_page(ctx, _("Versions"), policy)
    out.append(f"# {heading} {{#versions--title}}\n")
    out.append(nav_links(here, pid, history=history, skip="list", words=ctx))
    out.append(history_notices(history, ctx))
    out.append(_(
        "Each version is the text as it was published. **In effect from** is the effective "
        "date the policy states for that version; where it states none, it is the date the "
        "version was published. **Published** is the date the version was published on "
        "this site.") + "\n")
    out.append(date_picker(ctx, here, pid, history, draft=draft))
    rows = []
    for span in reversed(spans(history)):
        v = span.version
        text_link = (f'<a href="{href(here, addresses.version(pid, v.number))}">'
                     + escape(_("Text")) + "</a>")
        changes = (f'<a href="{href(here, addresses.changes(pid, v.number))}">'
                   + escape(_("What changed")) + "</a>"
                   if v.number > 1 else escape(_("First version")))
        if v.withdrawn:
            text_link = (f'<a href="{href(here, addresses.version(pid, v.number))}">'
                         + escape(_("Withdrawn")) + "</a>")
            changes = "—"
        is_current = v.number == history.current.number
        start = _time(ctx, span.start)
        if span.start_kind == "published":
            start += " " + escape(_("(published date)"))
        until = _time(ctx, span.end, "—") if span.end else ("—" if is_current else "")
        note = note_text(ctx, v.note, html=True) if v.note else escape(_("No note"))
        if v.withdrawn:
            note = withdrawn_text(v, ctx, escape, html=True)
        if v.corrections:
            note += "<br>" + "<br>".join(
                escape(_("Corrected %(date)s: %(note)s")) % {
                    "date": _time(ctx, c.published.date()),
                    "note": (ctx.in_english(escape(c.note), html=True) if c.note
                             else escape(_("editorial")))}
                for c in v.corrections
            )
        label = (_("Version %(number)s (current)", number=v.number) if is_current
                 else _("Version %(number)s", number=v.number))
        rows.append(
            f'<tr><th scope="row">{escape(label)}</th><td>{start}</td>'
            f"<td>{until}</td><td>{_time(ctx, published_on(v))}</td><td>{note}</td>"
            f"<td>{role_text(ctx, v.author_role, html=True)}</td><td>{text_link}</td>"
            f"<td>{changes}</td></tr>"
        )
    headers = [_("Version"), _("In effect from"), _("Until"), _("Published"), _("Change note"),
               _("Published by"), _("Text"), _("Changes")]
    caption = _("Versions of %(title)s, newest first", title=name)
    out.append(html_block(
        '<table>'
        f"<caption>{escape(caption)}</caption><thead><tr>"
        + "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
        + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    ))
    feed = md_a(_("Atom feed"), md_link(here, addresses.policy_feed(pid)))
    out.append(_("Follow new versions: %(feed)s.", feed=feed) + "\n")
    return page_source([x for x in out if x])


def picker_words(ctx: ArchiveContext) -> str:
    """The date picker's words in the page's language, for `versions.js`: a `data-words`
    attribute, or "" in English, which the script writes by itself."""
    if ctx.english:
        return ""
    _ = ctx._
    words = {
        "lang": ctx.lang,
        "enter": _("Enter a date, for example 2026-03-01."),
        "none": _("No version of this policy was in effect on %(date)s."),
        "none_first": _("No version of this policy was in effect on %(date)s. The first "
                        "version on record is from %(first)s."),
        "found": _("Version %(number)s was in effect on %(date)s. Opening it…"),
        "failed": _("The list of versions could not be loaded; use the table below."),
    }
    return f" data-words='{escape(json.dumps(words, ensure_ascii=False), quote=True)}'"


def date_picker(ctx: ArchiveContext, here: str, pid: str, history: PolicyHistory, *,
                draft: bool) -> str:
    """The form that finds the version in effect on a date, from the versions' data
    (`data/versions/<id>.json`); none for a draft or when no version has a date."""
    if draft or not any(s.start for s in spans(history)):
        return ""
    _ = ctx._
    first = min(s.start for s in spans(history) if s.start)
    return html_block(
        f'<form class="version-picker" data-index="{href(here, addresses.versions_data(pid))}"'
        f' data-root="{root(here)}"{picker_words(ctx)} hidden>'
        '<h2 id="versions--on-date">' + escape(_("In effect on a date")) + "</h2>"
        '<p><label for="version-date">' + escape(_("Date")) + "</label> "
        '<span class="version-hint" id="version-date-hint">'
        + escape(_("For example, 2026-03-01. Versions are on record from %(date)s.",
                   date=ctx.date(first)))
        + "</span></p>"
        '<p><input type="date" id="version-date" name="date" required '
        'aria-describedby="version-date-hint"> '
        '<button type="submit" class="md-button">' + escape(_("Show the version in effect"))
        + "</button></p>"
        '<p class="version-picker-result" role="status" aria-live="polite"></p>'
        "</form>"
    )
