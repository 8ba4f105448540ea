"""A policy's compare page (`policies/<id>/compare/`): choose any two versions to see
what changed between them, and the comparisons that are prepared as pages of their own.
"""

from __future__ import annotations

import json
from html import escape

from .. import addresses
from ..addresses import href, md_link
from ..content import Policy
from ..history import PolicyHistory, Version
from ..markup import front_matter, html_block, page_source
from ..redline import screen_reader_words
from ..render import escape_md
from .archive_common import ArchiveContext, nav_links
from .version import title_of_page, withdrawn_text


def _pairs(history: PolicyHistory) -> list[Version]:
    """The older versions compared with the current one on a page of their own (the one
    just before it is its redline); withdrawn versions are not compared."""
    before = history.shown_before(history.current.number)
    return [v for v in history.versions[:-2] if v.withdrawn is None and v is not before]


def script_words(ctx: ArchiveContext) -> str:
    """The compare form's words in the page's language, for `versions.js`: a
    `data-words` attribute, or "" in English, which the script writes by itself."""
    if ctx.english:
        return ""
    _ = ctx._
    words = {
        "lang": ctx.lang,
        "different": _("Choose two different versions."),
        "opening": _("Opening the changes from version %(old)s to version %(new)s…"),
        "comparing": _("Comparing version %(old)s with version %(new)s…"),
        "missing": _("The text of one of these versions is not available."),
        "title": _("Changes from version %(old)s to version %(new)s"),
        "sections": _("Sections that changed:"),
        "changed": _("changed"), "added": _("added"), "removed": _("removed"),
        "opening_text": _("Opening text"),
        "counts": _("%(inserted)s words inserted, %(deleted)s deleted."),
        "same": _("The words are the same in both versions."),
        "showing": _("Showing the changes from version %(old)s to version %(new)s."),
        "failed": _("The versions could not be loaded; use the prepared comparisons."),
        **screen_reader_words(ctx),
    }
    return f" data-words='{escape(json.dumps(words, ensure_ascii=False), quote=True)}'"


def compare_md(ctx: ArchiveContext, policy: Policy, history: PolicyHistory) -> str:
    _ = ctx._
    pid = policy.id
    here = addresses.compare(pid)
    current = history.current.number
    out = [front_matter(_("Compare versions of %(title)s", title=ctx.title(policy)),
                        search=False)]
    heading = title_of_page(ctx, _("Compare versions"), policy)
    out.append(f"# {heading} {{#compare--title}}\n")
    out.append(nav_links(here, pid, history=history, skip="compare", words=ctx))
    shown = [v for v in history.versions if v.withdrawn is None]
    if len(shown) < 2:
        out.append(_("This policy has one version so far, so there is nothing to compare.")
                   + "\n")
        return page_source(out)
    consecutive = [(history.shown_before(v.number), v) for v in shown]
    consecutive = [(old, v) for old, v in consecutive if old is not None]
    pairs = _pairs(history)
    prepared = {}
    for old, v in consecutive:
        prepared[f"{old.number}-{v.number}"] = href(here, addresses.changes(pid, v.number))
    for v in pairs:
        prepared[f"{v.number}-{current}"] = href(here, addresses.pair(pid, v.number, current))
    out.append(_("Choose an earlier and a later version to see what changed between them, "
                 "marked as the Council marks amendments.") + "\n")
    options = "".join(
        f'<option value="{v.number}">'
        + escape(_("Version %(number)s (current)", number=v.number) if v.number == current
                 else _("Version %(number)s", number=v.number))
        + "</option>"
        for v in shown
    )
    out.append(html_block(
        f'<form class="version-compare" hidden data-policy="{escape(pid)}"'
        f' data-text="{href(here, addresses.versions_text(pid))}"'
        f" data-prepared='{escape(json.dumps(prepared, sort_keys=True), quote=True)}'"
        f"{script_words(ctx)}>"
        '<p><label for="compare-from">' + escape(_("Earlier version")) + "</label> "
        f'<select id="compare-from" name="from">{options}</select></p>'
        '<p><label for="compare-to">' + escape(_("Later version")) + "</label> "
        f'<select id="compare-to" name="to">{options}</select></p>'
        '<p><button type="submit" class="md-button">' + escape(_("Show the changes"))
        + "</button></p>"
        '<p class="version-compare-status" role="status" aria-live="polite"></p>'
        "</form>"
    ))
    out.append('<div class="version-compare-result"></div>\n')
    out.append("## " + _("Prepared comparisons") + " {#compare--prepared}\n")
    out.append(_("These comparisons are ready to read, also without JavaScript:") + "\n")
    items = []
    for old, v in reversed(consecutive):
        label = _("Version %(old)s → version %(new)s", old=old.number, new=v.number)
        items.append(f"- [{label}]({md_link(here, addresses.changes(pid, v.number))})")
    for v in reversed(pairs):
        label = _("Version %(old)s → current version %(new)s", old=v.number, new=current)
        items.append(f"- [{label}]({md_link(here, addresses.pair(pid, v.number, current))})")
    withdrawn = [v for v in history.versions if v.withdrawn]
    if withdrawn:
        items.append("\n" + " ".join(withdrawn_text(v, ctx, escape_md) for v in withdrawn))
    out.append("\n".join(items) + "\n")
    return page_source(out)
