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
from ..compliance import ElementCoverage, element_coverage
from ..content import Policy
from ..labels import (
    NOT_RECORDED,
    POLICY_KIND_LABELS,
    POLICY_STATUS_LABELS,
    REVIEW_STATE_ORDER,
)
from ..languages import N_
from ..markup import a, badge, front_matter, page_source, table
from ..render import escape_md
from ..review import ReviewStatus, review_status
from ..stats_pages import stats_section
from .common import Context, review_badge
from .registries import sort_words


@dataclass(frozen=True)
class ReviewItem:
    name: str  # in the page's language
    kind: str  # in the page's language
    page: str | None  # docs page to link
    owner: str  # as the content gives it (in English)
    status: ReviewStatus


def review_items(ctx: Context) -> list[ReviewItem]:
    _ = ctx._
    items = [
        ReviewItem(ctx.title(p), _(POLICY_KIND_LABELS[p.meta.kind]), policy_page(p.id),
                   p.meta.owner, ctx.review(p))
        for p in ctx.ordered()
    ]
    lib = ctx.library
    if lib.accounts:
        items.append(ReviewItem(_("Official accounts directory"), _("Registry"), ACCOUNTS,
                                lib.accounts.owner, review_status(lib.accounts.review,
                                                                  ctx.today)))
    if lib.platforms:
        items.append(ReviewItem(_("Approved platforms list"), _("Registry"), PLATFORMS,
                                lib.platforms.owner, review_status(lib.platforms.review,
                                                                   ctx.today)))
    return sorted(items, key=lambda i: (REVIEW_STATE_ORDER[i.status.state],
                                        i.status.next_due or dt.date.max, i.name))


def reviews_md(ctx: Context) -> str:
    here = REVIEWS
    _ = ctx._
    items = review_items(ctx)
    out = [front_matter(title=_("Review schedule"), description=_(
        "When each social media policy and registry was last reviewed and when it is next "
        "due."), hide=["toc"])]
    out.append("# " + _("Review schedule") + " {#reviews}\n")
    out.append(_(
        "Every policy and registry is reviewed on a schedule. Overdue reviews are listed "
        "first. States are worked out on %(date)s, the day this site was built; "
        "\u201cdue soon\u201d means due within 60 days.", date=ctx.date(ctx.today)) + "\n")
    rows = []
    for item in items:
        status = item.status
        name = a(href(here, item.page), item.name) if item.page else escape(item.name)
        rows.append([
            name,
            review_badge(status, ctx),
            ctx.time(status.next_due, N_("Not scheduled")),
            ctx.time(status.last_reviewed, NOT_RECORDED),
            escape(ctx.n_("%(num)d month", "%(num)d months", status.interval_months)),
            ctx.in_english(escape(item.owner), html=True),
            escape(item.kind),
        ])
    out.append(table([_("Policy or registry"), _("State"), _("Next due"), _("Last reviewed"),
                      _("Interval"), _("Owner"), _("Kind")], rows,
                     caption=_("Review schedule, overdue first"),
                     attrs=' data-sortable=""' + sort_words(ctx)) + "\n")
    out.append(_(
        "A review \u201cnot on record\u201d means the source gives no date of a completed "
        "review; the next due date is not invented.") + "\n")
    return page_source(out)


def compliance_md(ctx: Context, policy_pages: int, feedback_links: int) -> str:
    here = COMPLIANCE
    _ = ctx._
    lib = ctx.library
    coverage = element_coverage(lib)
    out = [front_matter(title=_("Compliance with the Council resolution"), description=_(
        "The resolution's required elements against the comprehensive policy, and the "
        "Transparency webpage obligations."))]
    out.append("# " + _("Compliance with the Council resolution") + " {#compliance}\n")
    out.append(_(
        "This page is worked out from the policies each time the site is built: an element "
        "is shown as covered only when the comprehensive policy names a section for it and "
        "that section is in the policy's text.") + "\n")
    out.append("## " + _("Required elements of the comprehensive policy") + " {#elements}\n")
    if not coverage:
        out.append(_("No resolution in the content lists required elements.") + "\n")
    else:
        out += _elements(ctx, here, coverage)
    heading = _("Transparency webpage (Resolution \u00a71.B)")
    out.append(f"## {heading} {{#transparency}}\n")
    count = len(lib.policies)
    met, missing = badge(_("Met"), "covered"), badge(_("Missing"), "missing")
    linked = badge(_("Linked"), "covered")
    index = a(href(here, POLICY_INDEX), _("Policies"))
    feedback = a(ctx.app(FEEDBACK_FORM), _("Feedback form"))
    report = a(ctx.app(REPORT_FORM), _("Report form"))
    rows = [
        [
            escape(_("All social media policies published")),
            met if policy_pages == count else missing,
            _("%(link)s: %(pages)s of %(count)s policies in the content have a page on this "
              "site.", link=index, pages=policy_pages,
              count=count),
        ],
        [
            escape(_("A mechanism for providing feedback on the policies")),
            linked,
            _("%(link)s: linked from the home page and from every policy, section and clause "
              "(%(links)s links). The form is served by the City's feedback service; this "
              "build checks the links, not the service.",
              link=feedback, links=feedback_links),
        ],
        [
            escape(_("A mechanism for reporting potential violations")),
            linked,
            _("%(link)s: linked from the home page, the accounts directory and every policy "
              "page. The form is served by the City's feedback service; this build checks "
              "the links, not the service.", link=report),
        ],
    ]
    out.append(table([_("Obligation"), _("State"), _("Where it is met")], rows,
                     caption=_("Obligations of Resolution section 1.B")) + "\n")
    out.append(stats_section(_("Feedback and reports received (Resolution \u00a71.A.5)"),
                             words=ctx))
    return page_source(out)


def _elements(ctx: Context, here: str, coverage: list[ElementCoverage]) -> list[str]:
    """The required elements: which resolution requires them, which policy they are
    checked against, and where each is met."""
    _ = ctx._
    out = []
    resolutions = {row.resolution.id: row.resolution for row in coverage}
    for resolution in resolutions.values():
        out.append(_(
            "[%(resolution)s](%(link)s) requires a comprehensive social media policy with "
            "these elements.", resolution=escape_md(ctx.title(resolution)),
            link=md_link(here, policy_page(resolution.id))) + "\n")
    comprehensive = {row.policy.id: row.policy for row in coverage if row.policy}
    for policy in comprehensive.values():
        state = _(POLICY_STATUS_LABELS[policy.meta.status]).lower()
        text = _("They are checked against [%(policy)s](%(link)s) (status: %(state)s).",
                 policy=escape_md(ctx.title(policy)),
                 link=md_link(here, policy_page(policy.id)), state=state)
        if policy.meta.status == "draft":
            text += " " + _("It is a draft and has not been adopted, so these elements are "
                            "met on paper only once it is.")
        out.append(text + "\n")
    rows = []
    for row in coverage:
        res = row.resolution
        clause = res.outline.label_of(row.element.clause) or row.element.clause
        required = (f'<a href="{escape(href(here, policy_page(res.id), row.element.clause))}">'
                    + _("%(element)s (Resolution %(clause)s)",
                        element=ctx.in_english(escape(row.element.title), html=True),
                        clause=escape(clause)) + "</a>")
        if row.covered:
            met = a(href(here, policy_page(row.policy.id), row.section),
                    f"{ctx.short_title(row.policy)}: "
                    f"{_section_title(ctx, row.policy, row.section, row.section_title)}")
            state = badge(_("Covered"), "covered")
        else:
            met = escape(_("No section of a comprehensive policy covers it"))
            state = badge(_("Missing"), "missing")
        rows.append([required, state, met])
    covered = sum(r.covered for r in coverage)
    out.append("**" + _("%(covered)s of %(total)s elements covered.", covered=covered,
                        total=len(coverage)) + "**\n")
    out.append(table([_("Required element"), _("State"), _("Where it is met")], rows,
                     caption=_("Required elements and where the policy meets them")) + "\n")
    return out


def _section_title(ctx: Context, policy: Policy, section: str, english: str) -> str:
    """A section's title in the page's language, from the policy's translation when it
    has the text; else as the English gives it."""
    translated = ctx.translation(policy)
    if translated is not None and translated.has_text:
        return translated.outline.label_of(section) or english
    return english
