"""The pages the Council and the Clerk check: the review schedule, and compliance with
the Council resolution.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from ..addresses import (
    ACCOUNTS,
    COMPLIANCE,
    FEEDBACK_FORM,
    PLATFORMS,
    POLICY_INDEX,
    REPORT_FORM,
    REVIEWS,
    href,
    md_link,
)
from ..addresses import policy as policy_page
from ..compliance import element_coverage
from ..labels import (
    NOT_RECORDED,
    POLICY_KIND_LABELS,
    POLICY_STATUS_LABELS,
    REVIEW_STATE_ORDER,
    long_date,
    short_title,
    title_of,
)
from ..markup import a, badge, front_matter, page_source, table, time_tag
from ..render import escape_md
from ..review import ReviewStatus, review_status
from ..stats_pages import stats_section
from .common import Context, review_badge


@dataclass(frozen=True)
class ReviewItem:
    name: str
    kind: str
    page: str | None  # docs page to link
    owner: str
    status: ReviewStatus


def review_items(ctx: Context) -> list[ReviewItem]:
    items = [
        ReviewItem(title_of(p), POLICY_KIND_LABELS[p.meta.kind], policy_page(p.id), p.meta.owner,
                   ctx.review(p))
        for p in ctx.ordered()
    ]
    lib = ctx.library
    if lib.accounts:
        items.append(ReviewItem("Official accounts directory", "Registry", ACCOUNTS,
                                lib.accounts.owner, review_status(lib.accounts.review,
                                                                  ctx.today)))
    if lib.platforms:
        items.append(ReviewItem("Approved platforms list", "Registry", PLATFORMS,
                                lib.platforms.owner, review_status(lib.platforms.review,
                                                                   ctx.today)))
    return sorted(items, key=lambda i: (REVIEW_STATE_ORDER[i.status.state],
                                        i.status.next_due or dt.date.max, i.name))


def reviews_md(ctx: Context) -> str:
    here = REVIEWS
    items = review_items(ctx)
    out = [front_matter(title="Review schedule", description="When each social media "
                        "policy and registry was last reviewed and when it is next due.",
                        hide=["toc"])]
    out.append("# Review schedule {#reviews}\n")
    out.append(
        f"Every policy and registry is reviewed on a schedule. Overdue reviews are listed "
        f"first. States are worked out on {long_date(ctx.today)}, the day this site was "
        "built; \u201cdue soon\u201d means due within 60 days.\n"
    )
    rows = []
    for item in items:
        status = item.status
        name = a(href(here, item.page), item.name) if item.page else escape(item.name)
        rows.append([
            name,
            review_badge(status),
            time_tag(status.next_due, "Not scheduled"),
            time_tag(status.last_reviewed, NOT_RECORDED),
            f"{status.interval_months} months",
            escape(item.owner),
            escape(item.kind),
        ])
    out.append(table(["Policy or registry", "State", "Next due", "Last reviewed", "Interval",
                      "Owner", "Kind"], rows, caption="Review schedule, overdue first",
                     attrs=' data-sortable=""') + "\n")
    out.append(
        "A review \u201cnot on record\u201d means the source gives no date of a completed "
        "review; the next due date is not invented.\n"
    )
    return page_source(out)


def compliance_md(ctx: Context, policy_pages: int, feedback_links: int) -> str:
    here = COMPLIANCE
    lib = ctx.library
    coverage = element_coverage(lib)
    out = [front_matter(title="Compliance with the Council resolution",
                        description="The resolution's required elements against the "
                        "comprehensive policy, and the Transparency webpage obligations.")]
    out.append("# Compliance with the Council resolution {#compliance}\n")
    out.append(
        "This page is worked out from the policies each time the site is built: an element "
        "is shown as covered only when the comprehensive policy names a section for it and "
        "that section is in the policy's text.\n"
    )
    out.append("## Required elements of the comprehensive policy {#elements}\n")
    if not coverage:
        out.append("No resolution in the content lists required elements.\n")
    else:
        resolutions = {row.resolution.id: row.resolution for row in coverage}
        for resolution in resolutions.values():
            out.append(
                f"[{escape_md(title_of(resolution))}]({md_link(here, policy_page(resolution.id))}) "
                "requires a comprehensive social media policy with these elements.\n"
            )
        comprehensive = {row.policy.id: row.policy for row in coverage if row.policy}
        for policy in comprehensive.values():
            state = POLICY_STATUS_LABELS[policy.meta.status].lower()
            note = (" It is a draft and has not been adopted, so these elements are met on "
                    "paper only once it is." if policy.meta.status == "draft" else "")
            out.append(
                f"They are checked against [{escape_md(title_of(policy))}]"
                f"({md_link(here, policy_page(policy.id))}) (status: {state}).{note}\n"
            )
        rows = []
        for row in coverage:
            res = row.resolution
            clause = res.outline.label_of(row.element.clause) or row.element.clause
            required = a(href(here, policy_page(res.id), row.element.clause),
                         f"{row.element.title} (Resolution {clause})")
            if row.covered:
                met = a(href(here, policy_page(row.policy.id), row.section),
                        f"{short_title(row.policy)}: {row.section_title}")
                state = badge("Covered", "covered")
            else:
                met = "No section of a comprehensive policy covers it"
                state = badge("Missing", "missing")
            rows.append([required, state, met])
        covered = sum(r.covered for r in coverage)
        out.append(f"**{covered} of {len(coverage)} elements covered.**\n")
        out.append(table(["Required element", "State", "Where it is met"], rows,
                         caption="Required elements and where the policy meets them") + "\n")

    out.append("## Transparency webpage (Resolution \u00a71.B) {#transparency}\n")
    count = len(lib.policies)
    rows = [
        [
            "All social media policies published",
            badge("Met", "covered") if policy_pages == count else badge("Missing", "missing"),
            f"{a(href(here, POLICY_INDEX), 'Policies')}: {policy_pages} of {count} policies in "
            "the content have a page on this site.",
        ],
        [
            "A mechanism for providing feedback on the policies",
            badge("Linked", "covered"),
            f"{a(FEEDBACK_FORM, 'Feedback form')}: linked from the home page and from every "
            f"policy, section and clause ({feedback_links} links). The form is served by the "
            "City's feedback service; this build checks the links, not the service.",
        ],
        [
            "A mechanism for reporting potential violations",
            badge("Linked", "covered"),
            f"{a(REPORT_FORM, 'Report form')}: linked from the home page, the accounts "
            "directory and every policy page. The form is served by the City's feedback "
            "service; this build checks the links, not the service.",
        ],
    ]
    out.append(table(["Obligation", "State", "Where it is met"], rows,
                     caption="Obligations of Resolution section 1.B") + "\n")
    out.append(stats_section("Feedback and reports received (Resolution \u00a71.A.5)"))
    return page_source(out)
