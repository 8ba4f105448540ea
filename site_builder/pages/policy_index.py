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
    count,
    title_of,
)
from ..markup import a, badge, front_matter, page_source, slug, table, time_tag
from ..render import escape_md
from ..schema import POLICY_KINDS
from .common import Context, review_badge


def policy_index_md(ctx: Context) -> str:
    here = POLICY_INDEX
    policies = ctx.ordered()
    out = [front_matter(title="Policies", description="Every City of Albuquerque social "
                        "media policy, with its kind, department, status and review state.")]
    out.append("# Social media policies {#policies}\n")
    counts = Counter(p.meta.kind for p in policies)
    out.append(
        f"The City publishes {count(len(policies), 'policy', 'policies')} on social media "
        "use: " + ", ".join(
            count(counts[k], POLICY_KIND_LABELS[k].lower(), POLICY_KIND_PLURALS[k].lower())
            for k in POLICY_KINDS if counts[k]
        ) + ". Open data: "
        f"[policies.json]({md_link(here, POLICIES_DATA)}).\n"
    )
    kinds = [k for k in POLICY_KINDS if counts[k]]
    departments = sorted({p.meta.department for p in policies})
    out.append("Show only: "
               + ", ".join(f"[{POLICY_KIND_PLURALS[k].lower()}](#kind-{k})" for k in kinds)
               + "; or by department: "
               + ", ".join(f"[{escape_md(d)}](#department-{slug(d)})" for d in departments)
               + ".\n")
    rows = []
    for p in policies:
        status = ctx.review(p)
        rows.append([
            a(href(here, policy_page(p.id)), title_of(p))
            + (" " + badge("Sample", "sample") if p.meta.sample else ""),
            escape(POLICY_KIND_LABELS[p.meta.kind]),
            escape(p.meta.department),
            badge(POLICY_STATUS_LABELS[p.meta.status], p.meta.status),
            review_badge(status) + (
                f'<br><span class="small">next due {time_tag(status.next_due)}</span>'
                if status.next_due else ""
            ),
        ])
    out.append("## All policies {#all-policies}\n")
    out.append(table(["Policy", "Kind", "Department", "Status", "Review"], rows,
                     caption="All social media policies", attrs=' data-sortable=""') + "\n")
    out.append("## By kind {#by-kind}\n")
    for kind in kinds:
        out.append(f"### {POLICY_KIND_PLURALS[kind]} {{#kind-{kind}}}\n")
        out.append(_policy_list(here, [p for p in policies if p.meta.kind == kind]) + "\n")
    out.append("## By department {#by-department}\n")
    for department in departments:
        out.append(f"### {escape_md(department)} {{#department-{slug(department)}}}\n")
        out.append(_policy_list(here, [p for p in policies
                                       if p.meta.department == department]) + "\n")
    return page_source(out)


def _policy_list(here: str, policies: list[Policy]) -> str:
    return "\n".join(
        f"- [{escape_md(title_of(p))}]({md_link(here, policy_page(p.id))}) "
        f"({POLICY_STATUS_LABELS[p.meta.status]}{', sample' if p.meta.sample else ''}): "
        f"{escape_md(p.meta.summary)}"
        for p in policies
    )
