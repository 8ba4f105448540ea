"""A policy's current page: its details, its text with an anchor on every section and
clause, and links to its versions, all known from its history.
"""

from __future__ import annotations

from html import escape

from .. import addresses
from ..addresses import (
    REPORT_FORM,
    feedback_url,
    href,
    md_link,
)
from ..addresses import policy as policy_page
from ..content import Policy
from ..history import PolicyHistory, spans
from ..labels import (
    NOT_RECORDED,
    NOT_STATED,
    POLICY_KIND_LABELS,
    POLICY_STATUS_LABELS,
    long_date,
    title_of,
)
from ..markup import a, admonition, front_matter, page_source, time_tag
from ..render import escape_md, render_policy_body
from .common import Context, review_badge, status_badges, version_line


def policy_page_md(ctx: Context, policy: Policy) -> str:
    meta = policy.meta
    here = policy_page(policy.id)
    status = ctx.review(policy)
    number, changed = version_line(ctx, policy)
    out = [front_matter(title=title_of(policy), description=meta.summary)]
    out.append(f"# {escape_md(title_of(policy))} {{#policy-title}}\n")
    out.append(f'<p class="policy-badges">{status_badges(policy)}</p>\n')
    out.append(escape_md(meta.summary) + "\n")
    if meta.status == "draft":
        out.append(admonition("warning", "Draft", "This policy is a draft. It has not been "
                               "adopted and is not in force."))
    if meta.status in ("superseded", "retired"):
        out.append(admonition("warning", POLICY_STATUS_LABELS[meta.status],
                               f"This policy is {meta.status} and no longer in force."))
    if meta.sample:
        out.append(admonition("note", "Sample record", "This is an illustrative sample, not "
                               "an adopted City policy. It shows how such a policy is "
                               "published on this site."))
    if meta.incomplete:
        out.append(admonition("warning", "Incomplete source", escape_md(meta.incomplete)))
    history = ctx.histories.get(policy.id)
    if history is not None and history.unpublished:
        out.append(admonition("danger", "Unpublished changes", "This preview includes edits "
                               "that are not committed. They are not a published version "
                               "and will not appear on the public site until committed."))

    rows: list[tuple[str, str]] = [
        ("ID", f"<code>{escape(policy.id)}</code>"),
        ("Number", escape(meta.number) if meta.number else "No official number"),
        ("Title", escape(meta.title)),
        ("Kind", escape(POLICY_KIND_LABELS[meta.kind])),
        ("Department", escape(meta.department)),
        ("Owner", escape(meta.owner)),
        ("Status", status_badges(policy)),
    ]
    if meta.parent and meta.parent in ctx.library.policies:
        parent = ctx.library.policies[meta.parent]
        rows.append(("Issued under", a(href(here, policy_page(parent.id)), title_of(parent))))
    if meta.approved_by or meta.kind == "department-policy":
        rows.append(("Approved by", escape(meta.approved_by or NOT_STATED)))
    if meta.approved_by:
        rows.append(("Approved on", time_tag(meta.approved_on)))
    rows += [
        ("Issued", time_tag(meta.issued)),
        ("Effective", time_tag(meta.effective)),
        ("Version", escape(number) + _history_links(here, policy, history)),
        ("Last changed", escape(changed)),
        ("Review", f"every {status.interval_months} months"),
        ("Last reviewed", time_tag(status.last_reviewed, NOT_RECORDED)),
        ("Next review", (time_tag(status.next_due, "Not scheduled (no review on record)")
                         + " " + review_badge(status))),
    ]
    if meta.source:
        source = escape(meta.source.title)
        if meta.source.url:
            source = a(str(meta.source.url), meta.source.title)
        if meta.source.note:
            source += f'<br><span class="policy-source-note">{escape(meta.source.note)}</span>'
        rows.append(("Source", source))
    panel = [
        '<section class="policy-details" aria-labelledby="policy-details">',
        '<h2 id="policy-details">About this policy</h2>',
        "<dl>",
    ]
    panel += [f"<div><dt>{escape(k)}</dt><dd>{v}</dd></div>" for k, v in rows]
    panel.append("</dl>")
    panel.append(
        '<p class="policy-actions">'
        + a(feedback_url(policy.id), "Comment on this policy", class_="md-button")
        + " "
        + a(REPORT_FORM, "Report a possible violation", class_="md-button")
        + "</p>"
    )
    panel.append("</section>")
    out.append("\n".join(panel) + "\n")

    children = ctx.children(policy)
    if children:
        out.append("## Department policies under this policy {#policy-departments}\n")
        out.append("\n".join(
            f"- [{escape_md(title_of(c))}]({md_link(here, policy_page(c.id))}): "
            f"{escape_md(c.meta.department)}"
            + (" (sample)" if c.meta.sample else "")
            for c in children
        ) + "\n")
    out.append(render_policy_body(policy, page=here, library=ctx.library))
    return page_source(out, version_links_md(policy, history))


def _history_links(here: str, policy: Policy, history: PolicyHistory | None) -> str:
    """" (all versions, changelog, compare versions)" after the version number."""
    if history is None:
        return ""
    links = [a(href(here, page), label) for label, page in history_pages(policy.id)]
    return f" ({', '.join(links)})"


def history_pages(pid: str) -> list[tuple[str, str]]:
    """The history pages a policy may have (label, docs path), in the order shown."""
    return [
        ("all versions", addresses.versions(pid)),
        ("changelog", addresses.changelog(pid)),
        ("compare versions", addresses.compare(pid)),
    ]


def version_links_md(policy: Policy, history: PolicyHistory | None) -> str:
    """A "Versions" section linking every version's page, its redline and the history
    pages, or "" when the policy has no history (a page built without the archive)."""
    if history is None:
        return ""
    here = policy_page(policy.id)
    items = []
    for span in reversed(spans(history)):
        version = span.version
        page = addresses.version(policy.id, version.number)
        when = f", {long_date(version.published.date())}" if version.published else ""
        current = " (current)" if version is history.current else ""
        line = f"- [Version {version.number}{when}]({md_link(here, page)}){current}"
        if version.withdrawn:
            line += (f": withdrawn on {long_date(version.withdrawn.withdrawn)} "
                     f"({escape_md(version.withdrawn.reason)})")
            items.append(line)
            continue
        if version.number > 1:
            changes = addresses.changes(policy.id, version.number)
            line += f", [what changed]({md_link(here, changes)})"
        if version.note:
            line += f": {escape_md(version.note)}"
        items.append(line)
    more = [f"[{label.capitalize()}]({md_link(here, page)})"
            for label, page in history_pages(policy.id)]
    text = "\n## Versions {#policy-versions}\n\n"
    text += "\n".join(items) + "\n"
    text += "\n" + " \u00b7 ".join(more) + "\n"
    return text
