"""The home page: what the site holds, what is new, reviews at a glance.
"""

from __future__ import annotations

from collections import Counter

from ..addresses import (
    ACCOUNTS,
    COMPLIANCE,
    FEEDBACK_FORM,
    GUIDELINES,
    HOME,
    POLICY_INDEX,
    REPORT_FORM,
    REVIEWS,
    SITE_CHANGES,
    md_link,
)
from ..addresses import policy as policy_page
from ..compliance import element_coverage
from ..history import FIRST_VERSION_NOTE
from ..labels import (
    REVIEW_STATE_LABELS,
    REVIEW_STATE_ORDER,
    count,
    long_date,
    title_of,
)
from ..markup import front_matter, page_source
from ..render import escape_md
from ..stats_pages import stats_section
from .common import Context
from .oversight import review_items


def home_md(ctx: Context) -> str:
    here = HOME
    policies = ctx.ordered()
    out = [front_matter(title="Home", description="The City of Albuquerque's social media "
                        "policies, with ways to give feedback and report a possible "
                        "violation.")]
    out.append("# City of Albuquerque social media policies {#home}\n")
    out.append(
        "These are the rules the City of Albuquerque follows when its departments and "
        "employees use social media: what City accounts may post, how they answer the "
        "public, which comments may be removed, and how the rules are reviewed. The City "
        "Council asked for all of them to be published here, with a way to give feedback "
        "and to report possible violations.\n"
    )
    out.append(
        f"- **[Read the policies]({md_link(here, POLICY_INDEX)})**: "
        f"{count(len(policies), 'policy', 'policies')}, each with its sections, dates "
        "and review schedule.\n"
        f"- **[Give feedback on a policy]({FEEDBACK_FORM})**: comment on a policy or on "
        "one section of it.\n"
        f"- **[Report a possible violation]({REPORT_FORM})** by an official City account.\n"
        f"- **[Is this account official?]({md_link(here, ACCOUNTS, 'check')})** Check an "
        "account against the directory of official City accounts.\n"
        f"- **[Comment guidelines]({md_link(here, GUIDELINES)})**: what comments City "
        "accounts may remove.\n"
    )
    out.append("## What is new {#whats-new}\n")
    every_change = (f"\n\n[Every change to every policy]({md_link(here, SITE_CHANGES)})."
                    if ctx.histories else "")  # the archive has the page when there are any
    out.append(_whats_new(ctx, here) + every_change + "\n")
    out.append("## Reviews at a glance {#reviews}\n")
    out.append(_reviews_at_a_glance(ctx, here) + "\n")
    coverage = element_coverage(ctx.library)
    if coverage:
        covered = sum(row.covered for row in coverage)
        out.append("## The Council's requirements {#requirements}\n")
        out.append(
            f"The comprehensive policy covers {covered} of the {len(coverage)} elements the "
            "Council resolution requires. "
            f"[See each element and where it is met]({md_link(here, COMPLIANCE)}).\n"
        )
    out.append(stats_section())
    return page_source(out)


def _whats_new(ctx: Context, here: str) -> str:
    entries = []
    for pid, history in ctx.histories.items():
        policy = ctx.library.policies.get(pid)
        if policy is None:
            continue
        for change in history.changes:
            entries.append((change.published, policy, change.note, change.version, change.kind))
        if not history.changes:
            for version in history.versions:
                if version.published:
                    entries.append((version.published, policy, version.note, version.number,
                                    "version"))
    entries.sort(key=lambda e: e[0], reverse=True)
    if not entries:
        return (
            "No dated changes are on record: this build has no publication history for the "
            "policies. Each policy page shows its version and when it last changed."
        )
    lines = []
    for published, policy, note, number, kind in entries[:8]:
        if kind == "editorial":
            what = f"correction to version {number}"
        elif kind == "withdrawn":
            what = f"version {number} withdrawn"
        elif kind == "metadata":
            what = "details updated"
        else:
            what = "first published on this site" if number == 1 else f"version {number}"
        text = f"- {long_date(published.date())}: [{escape_md(title_of(policy))}]" \
               f"({md_link(here, policy_page(policy.id))}), {what}"
        if note and note != FIRST_VERSION_NOTE:
            text += f". {escape_md(note)}"
        lines.append(text)
    return "\n".join(lines)


def _reviews_at_a_glance(ctx: Context, here: str) -> str:
    items = review_items(ctx)
    counts = Counter(item.status.state for item in items)
    parts = [f"{counts[s]} {REVIEW_STATE_LABELS[s].lower()}"
             for s in REVIEW_STATE_ORDER if counts[s]]
    overdue = [item for item in items if item.status.state == "overdue"]
    text = (f"Of {count(len(items), 'policy or registry', 'policies and registries')} "
            f"with a review schedule: {', '.join(parts)}.")
    if overdue:
        text += " Overdue: " + ", ".join(escape_md(item.name) for item in overdue) + "."
    return text + f" [See the review schedule]({md_link(here, REVIEWS)})."
