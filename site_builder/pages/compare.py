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
from ..labels import title_of
from ..markup import front_matter, html_block, page_source
from ..render import escape_md
from .archive_common import ArchiveContext, nav_links
from .version import withdrawn_text


def _pairs(history: PolicyHistory) -> list[Version]:
    """The older versions compared with the current one on a page of their own (the one
    just before it is its redline); withdrawn versions are not compared."""
    before = history.shown_before(history.current.number)
    return [v for v in history.versions[:-2] if v.withdrawn is None and v is not before]


def compare_md(ctx: ArchiveContext, policy: Policy, history: PolicyHistory) -> str:
    pid = policy.id
    here = addresses.compare(pid)
    current = history.current.number
    out = [front_matter(f"Compare versions of {title_of(policy)}", search=False)]
    out.append(f"# Compare versions of {escape_md(title_of(policy))} {{#compare--title}}\n")
    out.append(nav_links(here, pid, history=history, skip="compare"))
    shown = [v for v in history.versions if v.withdrawn is None]
    if len(shown) < 2:
        out.append("This policy has one version so far, so there is nothing to compare.\n")
        return page_source(out)
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
    return page_source(out)
