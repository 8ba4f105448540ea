"""A version's page: the text of a policy as of one published version, at its permanent
address (`policies/<id>/versions/<n>/`); and what stays there when a version is withdrawn.
"""

from __future__ import annotations

import datetime as dt

from .. import addresses
from ..addresses import md_link
from ..content import Policy
from ..history import PolicyHistory, Span, Version
from ..labels import long_date, title_of
from ..markup import admonition, front_matter, page_source
from ..render import escape_md
from .archive_common import (
    ArchiveContext,
    history_notices,
    policy_body,
    published_on,
    responds_text,
)


def span_text(span: Span, *, draft: bool, today: dt.date | None = None) -> str:
    """ "in effect from March 1, 2026 until June 1, 2026"."""
    if span.start is None:
        return "in effect on a date not recorded"
    if draft:
        return f"published as a draft on {long_date(span.start)}"
    today = today or dt.date.today()
    verb = "takes effect" if span.start > today else "in effect from"
    text = f"{verb} {'on ' if verb == 'takes effect' else ''}{long_date(span.start)}"
    if span.end is not None:
        text += f" until {long_date(span.end)}"
    return text


def date_kind(span: Span) -> str:
    """Where a version's start date comes from, in words."""
    if span.start_kind == "effective":
        return "effective date stated in the policy"
    if span.start_kind == "published":
        return "no effective date is stated, so this is the date it was published"
    return "no date is on record"


def withdrawn_text(version: Version) -> str:
    """ "Version 4 was withdrawn on March 2, 2026: <reason>" """
    assert version.withdrawn is not None
    return (f"Version {version.number} was withdrawn on "
            f"{long_date(version.withdrawn.withdrawn)}: {version.withdrawn.reason}")


def tombstone_md(policy: Policy, history: PolicyHistory, version: Version, here: str,
                 title: str, anchor: str) -> str:
    """What stays at a withdrawn version's addresses (its page, its redline, its
    comparison with the current version): when and why it was withdrawn, no text."""
    pid = policy.id
    n = version.number
    out = [front_matter(f"{title} — {title_of(policy)}",
                        f"Version {n} of {title_of(policy)} was withdrawn", search=False)]
    out.append(f"# {title} of {escape_md(title_of(policy))} {{#{anchor}}}\n")
    lines = [escape_md(withdrawn_text(version))]
    published = (f" It was published on {long_date(published_on(version))}."
                 if version.published else "")
    lines.append(f"Its text is no longer published.{published} The other versions keep their "
                 "numbers and addresses, and redlines compare the versions around it.")
    links = [f"[See the current version]({md_link(here, addresses.policy(pid))})"]
    if n > 1:
        links.append(f"[Version {n - 1}]({md_link(here, addresses.version(pid, n - 1))})")
    if n < len(history.versions):
        links.append(f"[Version {n + 1}]({md_link(here, addresses.version(pid, n + 1))})")
    links.append(f"[All versions]({md_link(here, addresses.versions(pid))})")
    lines.append(" · ".join(links))
    out.append(admonition("warning", f"Version {n} withdrawn", "\n\n".join(lines)))
    return page_source(out)


def version_md(ctx: ArchiveContext, policy: Policy, history: PolicyHistory, span: Span) -> str:
    version = span.version
    pid = policy.id
    n = version.number
    here = addresses.version(pid, n)
    if version.withdrawn:
        return tombstone_md(policy, history, version, here, f"Version {n}", "version--title")
    shown = version.policy
    draft = shown.meta.status == "draft"
    title = f"{title_of(policy)}, version {n}"
    out = [front_matter(title, f"The text of {title_of(policy)} as of version {n}",
                        search=False)]
    out.append(f"# {escape_md(title_of(shown))} — version {n} {{#version--title}}\n")
    is_current = n == history.current.number
    lines = [f"This is **version {n}** of {len(history.versions)}, "
             f"{span_text(span, draft=draft, today=ctx.today)} ({date_kind(span)})."]
    if version.published:
        lines.append(f"Published on this site on {long_date(published_on(version))} by "
                     f"{escape_md(version.author_role)}.")
    if version.note:
        lines.append(f"Change note: {escape_md(version.note)}")
    if responds := responds_text(version):
        lines.append(responds)
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
    out.append(admonition(kind, heading, "\n\n".join(lines)))
    if version.corrections:
        items = "\n".join(
            f"- {long_date(c.published.date())}: "
            f"{escape_md(c.note or 'editorial correction')} ({escape_md(c.author_role)})"
            for c in version.corrections
        )
        out.append(admonition(
            "note", "Editorial corrections",
            "These corrections were made to this version without changing its meaning; the "
            f"text below includes them.\n\n{items}",
        ))
    if not history.complete or history.unpublished:
        out.append(history_notices(history))
    if version.withheld:
        out.append(admonition("warning", "Text withheld", escape_md(version.withheld)))
    else:
        out.append(policy_body(shown, ctx.library, here, ctx.touched))
    return page_source([x for x in out if x])
