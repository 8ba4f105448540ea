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
from ..labels import REVIEW_STATE_ORDER
from ..languages import N_
from ..markup import front_matter, page_source
from ..render import escape_md
from ..stats_pages import stats_section
from .common import Context
from .oversight import review_items

# An entry of "What is new", by the kind of change (a first version has its own).
WHATS_NEW = {
    "editorial": N_("%(date)s: %(policy)s, correction to version %(number)s"),
    "withdrawn": N_("%(date)s: %(policy)s, version %(number)s withdrawn"),
    "metadata": N_("%(date)s: %(policy)s, details updated"),
    "first": N_("%(date)s: %(policy)s, first published on this site"),
    "version": N_("%(date)s: %(policy)s, version %(number)s"),
}


def home_md(ctx: Context) -> str:
    here = HOME
    _ = ctx._
    policies = ctx.ordered()
    out = [front_matter(title=_("Home"), description=_(
        "The City of Albuquerque's social media policies, with ways to give feedback and "
        "report a possible violation."))]
    out.append("# " + _("City of Albuquerque social media policies") + " {#home}\n")
    out.append(_(
        "These are the rules the City of Albuquerque follows when its departments and "
        "employees use social media: what City accounts may post, how they answer the "
        "public, which comments may be removed, and how the rules are reviewed. The City "
        "Council asked for all of them to be published here, with a way to give feedback "
        "and to report possible violations.") + "\n"
    )
    out.append("\n".join("- " + line for line in [
        ctx.n_("**[Read the policies](%(link)s)**: %(num)d policy, each with its sections, "
               "dates and review schedule.",
               "**[Read the policies](%(link)s)**: %(num)d policies, each with its sections, "
               "dates and review schedule.", len(policies), link=md_link(here, POLICY_INDEX)),
        _("**[Give feedback on a policy](%(link)s)**: comment on a policy or on one section "
          "of it.", link=ctx.app(FEEDBACK_FORM)),
        _("**[Report a possible violation](%(link)s)** by an official City account.",
          link=ctx.app(REPORT_FORM)),
        _("**[Is this account official?](%(link)s)** Check an account against the directory "
          "of official City accounts.", link=md_link(here, ACCOUNTS, "check")),
        _("**[Comment guidelines](%(link)s)**: what comments City accounts may remove.",
          link=md_link(here, GUIDELINES)),
    ]) + "\n")
    out.append("## " + _("What is new") + " {#whats-new}\n")
    every_change = ("\n\n" + _("[Every change to every policy](%(link)s).",
                                link=md_link(here, SITE_CHANGES))
                    if ctx.histories else "")  # the archive has the page when there are any
    out.append(_whats_new(ctx, here) + every_change + "\n")
    out.append("## " + _("Reviews at a glance") + " {#reviews}\n")
    out.append(_reviews_at_a_glance(ctx, here) + "\n")
    coverage = element_coverage(ctx.library)
    if coverage:
        covered = sum(row.covered for row in coverage)
        heading = _("The Council's requirements")
        out.append(f"## {heading} {{#requirements}}\n")
        out.append(_(
            "The comprehensive policy covers %(covered)s of the %(total)s elements the "
            "Council resolution requires. [See each element and where it is met](%(link)s).",
            covered=covered, total=len(coverage), link=md_link(here, COMPLIANCE)) + "\n")
    out.append(stats_section(words=ctx))
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
        return ctx._(
            "No dated changes are on record: this build has no publication history for the "
            "policies. Each policy page shows its version and when it last changed."
        )
    lines = []
    for published, policy, note, number, kind in entries[:8]:
        if kind not in ("editorial", "withdrawn", "metadata"):
            kind = "first" if number == 1 else "version"
        link = f"[{escape_md(ctx.title(policy))}]({md_link(here, policy_page(policy.id))})"
        text = "- " + ctx._(WHATS_NEW[kind],
                            date=ctx.date(published.date()), policy=link, number=number)
        if note and note != FIRST_VERSION_NOTE:
            text += f". {ctx.in_english(escape_md(note))}"
        lines.append(text)
    return "\n".join(lines)


def _state_count(ctx: Context, state: str, n: int) -> str:
    """"1 overdue", "2 due soon": how many items are in a review state."""
    if state == "overdue":
        return ctx.n_("%(num)d overdue", "%(num)d overdue", n)
    if state == "due-soon":
        return ctx.n_("%(num)d due soon", "%(num)d due soon", n)
    if state == "current":
        return ctx.n_("%(num)d current", "%(num)d current", n)
    return ctx.n_("%(num)d no review on record", "%(num)d no review on record", n)


def _reviews_at_a_glance(ctx: Context, here: str) -> str:
    items = review_items(ctx)
    counts = Counter(item.status.state for item in items)
    parts = [_state_count(ctx, s, counts[s]) for s in REVIEW_STATE_ORDER if counts[s]]
    overdue = [item for item in items if item.status.state == "overdue"]
    text = ctx.n_("Of %(num)d policy or registry with a review schedule: %(states)s.",
                  "Of %(num)d policies and registries with a review schedule: %(states)s.",
                  len(items), states=", ".join(parts))
    if overdue:
        text += " " + ctx._("Overdue: %(names)s.",
                            names=", ".join(escape_md(item.name) for item in overdue))
    return text + " " + ctx._("[See the review schedule](%(link)s).",
                              link=md_link(here, REVIEWS))
