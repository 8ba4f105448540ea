"""Redlines: what changed between two versions of a policy, marked as the Council marks
amendments. One for each version against the one before it
(`policies/<id>/versions/<n>/changes/`), one for each older version against the current
(`policies/<id>/compare/<a>-<b>/`).

A published version's text never changes, so a redline is kept in the build's store,
keyed by the two texts, and reused by the next build.
"""

from __future__ import annotations

import re
from html import escape

from .. import addresses, store
from ..addresses import md_link
from ..content import Policy
from ..history import PolicyHistory, Version, spans
from ..labels import long_date, title_of
from ..markup import admonition, front_matter, html_block, page_source
from ..redline import LEGEND, Redline, SectionChange, redline
from ..render import escape_md
from .archive_common import ArchiveContext, cache_key, published_on, responds_text
from .version import date_kind, span_text, withdrawn_text


def cached_redline(old: Version, new: Version, touched: set[str]) -> Redline | None:
    """The redline of `old` against `new`, from the store when it holds it; None when
    either text is withheld or withdrawn."""
    if old.withheld or new.withheld or old.withdrawn or new.withdrawn:
        return None
    key = cache_key("redline", old.policy.body, new.policy.body)
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


def legend() -> str:
    """How insertions and deletions are marked, for the top of a redline."""
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
    ctx: ArchiveContext, policy: Policy, history: PolicyHistory, old: Version, new: Version,
    here: str, *, kind: str,
) -> str:
    pid = policy.id
    result = cached_redline(old, new, ctx.touched)
    span = {s.version.number: s for s in spans(history)}[new.number]
    draft = new.policy.meta.status == "draft"
    if kind == "consecutive":
        title = f"What changed in version {new.number}"
    else:
        title = f"Changes from version {old.number} to version {new.number}"
    out = [front_matter(f"{title} — {title_of(policy)}",
                        f"{title} of {title_of(policy)}, marked as the Council marks "
                        "amendments", search=False)]
    out.append(f"# {title} of {escape_md(title_of(policy))} {{#changes--title}}\n")
    lines = [
        f"Version {new.number} compared with version {old.number}. Version {new.number} is "
        f"{span_text(span, draft=draft, today=ctx.today)} ({date_kind(span)})"
        + (f", published on {long_date(published_on(new))}." if new.published else "."),
    ]
    skipped = [v.number for v in history.versions[old.number:new.number - 1] if v.withdrawn]
    if skipped:
        lines.append(", ".join(f"Version {n}" for n in skipped)
                     + (" was" if len(skipped) == 1 else " were")
                     + " withdrawn, so the text is compared with the version before it.")
    if new.note and kind == "consecutive":
        lines.append(f"Change note: {escape_md(new.note)}")
    if kind == "consecutive" and (responds := responds_text(new)):
        lines.append(responds)
    lines.append(" · ".join([
        f"[Text of version {new.number}]({md_link(here, addresses.version(pid, new.number))})",
        f"[Text of version {old.number}]({md_link(here, addresses.version(pid, old.number))})",
        f"[Current version]({md_link(here, addresses.policy(pid))})",
        f"[All versions]({md_link(here, addresses.versions(pid))})",
        f"[Compare other versions]({md_link(here, addresses.compare(pid))})",
    ]))
    out.append(admonition("info", f"Version {old.number} → version {new.number}",
                          "\n\n".join(lines)))
    if result is None:
        out.append(admonition("warning", "Not available",
                              "One of these versions' text is withheld, so no redline is "
                              "shown."))
        return page_source(out)
    out.append(html_block(legend()))
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
    return page_source(out)


def _offset_headings(html: str) -> str:
    """Redline section headings one level below the page's own headings."""
    def bump(match: re.Match) -> str:
        level = min(int(match.group(2)) + 1, 6)
        return f"<{match.group(1)}h{level}"

    return re.sub(r"<(/?)h([1-6])", bump, html)


def no_earlier_md(policy: Policy, history: PolicyHistory, version: Version, here: str) -> str:
    """A redline's address when every earlier version was withdrawn."""
    pid = policy.id
    n = version.number
    title = f"What changed in version {n}"
    out = [front_matter(f"{title} — {title_of(policy)}", search=False)]
    out.append(f"# {title} of {escape_md(title_of(policy))} {{#changes--title}}\n")
    lines = [" ".join(escape_md(withdrawn_text(v)) for v in history.versions[:n - 1]),
             "There is no earlier version to compare it with.",
             f"[Text of version {n}]({md_link(here, addresses.version(pid, n))}) · "
             f"[All versions]({md_link(here, addresses.versions(pid))})"]
    out.append(admonition("info", f"Version {n}", "\n\n".join(lines)))
    return page_source(out)
