"""The index of every policy, by kind.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from ..addresses import (
    POLICIES_DATA,
    POLICY_INDEX,
    href,
    md_link,
)
from ..addresses import policy as policy_page
from ..content import Policy
from ..labels import (
    POLICY_KIND_LABELS,
    POLICY_KIND_PLURALS,
    POLICY_STATUS_LABELS,
)
from ..markup import a, badge, front_matter, page_source, slug, table
from ..render import escape_md
from ..schema import POLICY_KINDS
from .common import Context, review_badge
from .registries import sort_words


def lower_first(text: str) -> str:
    """A label in running text: "council resolution", "resolución del Concejo Municipal"
    (a name inside it keeps its capitals)."""
    return text[:1].lower() + text[1:]


def policy_index_md(ctx: Context) -> str:
    here = POLICY_INDEX
    _ = ctx._
    policies = ctx.ordered()
    out = [front_matter(title=_("Policies"), description=_(
        "Every City of Albuquerque social media policy, with its kind, department, status "
        "and review state."))]
    out.append("# " + _("Social media policies") + " {#policies}\n")
    counts = Counter(p.meta.kind for p in policies)
    kinds = [k for k in POLICY_KINDS if counts[k]]
    # (no call of `_` inside a call of `_`: the extraction would miss the outer plural)
    labels = {k: _(POLICY_KIND_LABELS[k]) for k in kinds}
    plurals = {k: _(POLICY_KIND_PLURALS[k]) for k in kinds}
    held = ", ".join(f"{counts[k]} " + lower_first(labels[k] if counts[k] == 1 else plurals[k])
                     for k in kinds)
    out.append(ctx.n_(
        "The City publishes %(num)d policy on social media use: %(kinds)s. Open data: "
        "[policies.json](%(link)s).",
        "The City publishes %(num)d policies on social media use: %(kinds)s. Open data: "
        "[policies.json](%(link)s).", len(policies),
        kinds=held, link=md_link(here, POLICIES_DATA)) + "\n")
    departments = sorted({p.meta.department for p in policies})
    out.append(_(
        "Show only: %(kinds)s; or by department: %(departments)s.",
        kinds=", ".join(f"[{lower_first(plurals[k])}](#kind-{k})" for k in kinds),
        departments=", ".join(f"[{ctx.in_english(escape_md(d))}](#department-{slug(d)})"
                              for d in departments)) + "\n")
    rows = []
    for p in policies:
        status = ctx.review(p)
        rows.append([
            a(href(here, policy_page(p.id)), ctx.title(p))
            + (" " + badge(_("Sample"), "sample") if p.meta.sample else ""),
            escape(_(POLICY_KIND_LABELS[p.meta.kind])),
            ctx.in_english(escape(p.meta.department), html=True),
            badge(_(POLICY_STATUS_LABELS[p.meta.status]), p.meta.status),
            review_badge(status, ctx) + (
                '<br><span class="small">'
                + _("next due %(date)s", date=ctx.time(status.next_due)) + "</span>"
                if status.next_due else ""
            ),
        ])
    out.append("## " + _("All policies") + " {#all-policies}\n")
    out.append(table([_("Policy"), _("Kind"), _("Department"), _("Status"), _("Review")],
                     rows, caption=_("All social media policies"),
                     attrs=' data-sortable=""' + sort_words(ctx)) + "\n")
    out.append("## " + _("By kind") + " {#by-kind}\n")
    for kind in kinds:
        out.append(f"### {_(POLICY_KIND_PLURALS[kind])} {{#kind-{kind}}}\n")
        out.append(_policy_list(ctx, here, [p for p in policies if p.meta.kind == kind]) + "\n")
    out.append("## " + _("By department") + " {#by-department}\n")
    for department in departments:
        out.append(f"### {ctx.in_english(escape_md(department))} "
                   f"{{#department-{slug(department)}}}\n")
        out.append(_policy_list(ctx, here, [p for p in policies
                                            if p.meta.department == department]) + "\n")
    return page_source(out)


def _policy_list(ctx: Context, here: str, policies: list[Policy]) -> str:
    lines = []
    for p in policies:
        state = ctx._(POLICY_STATUS_LABELS[p.meta.status])
        if p.meta.sample:
            state += ", " + ctx._("sample")
        translated = ctx.translation(p)
        summary = (escape_md(translated.meta.summary) if translated
                   else ctx.in_english(escape_md(p.meta.summary)))
        lines.append(f"- [{escape_md(ctx.title(p))}]({md_link(here, policy_page(p.id))}) "
                     f"({state}): {summary}")
    return "\n".join(lines)
