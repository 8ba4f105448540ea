"""The registries' pages: official accounts, approved platforms, comment guidelines.
"""

from __future__ import annotations

import re
from html import escape

from .. import addresses
from ..addresses import (
    ACCOUNTS,
    ACCOUNTS_DATA,
    GUIDELINES,
    PLATFORMS,
    REPORT_FORM,
    feedback_url,
    href,
    md_link,
)
from ..addresses import policy as policy_page
from ..content import Policy
from ..labels import (
    ACCOUNT_STATUS_LABELS,
    NOT_RECORDED,
    PLATFORM_STATUS_LABELS,
    REVIEW_STATE_LABELS,
    count,
    long_date,
    short_title,
)
from ..markup import a, admonition, badge, front_matter, page_source, table, time_tag
from ..outline import Clause
from ..render import escape_md, section_label
from ..review import review_status
from .common import Context, PageProblem


def accounts_md(ctx: Context) -> str:
    here = ACCOUNTS
    lib = ctx.library
    registry = lib.accounts
    platforms = {p.id: p for p in lib.platforms.platforms} if lib.platforms else {}
    accounts = list(registry.accounts) if registry else []
    out = [front_matter(title="Official accounts", description="The directory of official "
                        "City of Albuquerque social media accounts, and a check for whether "
                        "an account is official.", hide=["toc"])]
    out.append("# Official City social media accounts {#accounts}\n")
    out.append(
        "These are the social media accounts that speak for the City of Albuquerque. If an "
        "account claims to be the City's and is not listed here, it may be unofficial: "
        f"[report it]({REPORT_FORM}).\n"
    )
    samples = sum(1 for x in accounts if x.sample)
    if samples:
        out.append(admonition(
            "note", "Sample records",
            f"{count(samples, 'entry is a sample', 'entries are samples')}, marked "
            "\u201cSample\u201d: the City's real account handles are not recorded here yet.",
        ))
    if registry:
        status = review_status(registry.review, ctx.today)
        out.append(
            f"Kept by: {escape_md(registry.owner)}. Last reviewed: "
            f"{long_date(status.last_reviewed, 'never (not on record)')}. Open data: "
            f"[accounts.json]({md_link(here, ACCOUNTS_DATA)}).\n"
        )
    out.append("## Is this account official? {#check}\n")
    out.append(
        "Paste the address of an account or a post, or an account name such as "
        "@example, to check it against this directory.\n"
    )
    out.append("\n".join([
        f'<form class="account-check" data-accounts="{escape(href(here, ACCOUNTS_DATA))}" '
        'hidden>',
        '<label for="account-query">Account address or name</label>',
        '<input id="account-query" name="q" type="text" autocomplete="off" '
        'spellcheck="false" required>',
        '<button type="submit" class="md-button md-button--primary">Check</button>',
        '<div class="account-check__result" role="status" aria-live="polite"></div>',
        "</form>",
    ]) + "\n")
    out.append(
        '<p class="no-js-only">Without JavaScript, find the platform in '
        '<a href="#by-platform">accounts by platform</a> and look for the name there.</p>\n'
    )
    out.append("## All accounts {#all-accounts}\n")
    out.append("\n".join([
        '<div class="table-filter" hidden>',
        '<label for="account-filter">Filter accounts</label>',
        '<input id="account-filter" type="search" data-filter="accounts-table" '
        'autocomplete="off">',
        '<p class="table-filter__count" role="status" aria-live="polite"></p>',
        "</div>",
    ]) + "\n")
    rows = []
    for x in sorted(accounts, key=lambda x: (x.department, x.platform, x.handle)):
        platform = platforms.get(x.platform)
        rows.append([
            f'<span data-sort="{escape(x.handle.lstrip("@").lower())}">'
            f"<strong>{escape(x.handle)}</strong></span>"
            + (" " + badge("Sample", "sample") if x.sample else "")
            + "<br>" + a(str(x.url), str(x.url), class_="account-url"),
            escape(platform.name if platform else x.platform),
            escape(x.department),
            badge(ACCOUNT_STATUS_LABELS[x.status], f"account-{x.status}"),
            escape(x.purpose),
            (escape(x.approved_by) if x.approved_by else NOT_RECORDED)
            + ("<br>" + time_tag(x.approved_on, "date not recorded")),
            time_tag(x.last_verified, NOT_RECORDED),
        ])
    out.append(table(["Account and address", "Platform", "Department", "Status", "Purpose",
                      "Approval", "Last verified"], rows, caption="Official City accounts",
                     attrs=' id="accounts-table" data-sortable=""') + "\n")
    out.append("## Accounts by platform {#by-platform}\n")
    for pid in sorted({x.platform for x in accounts},
                      key=lambda p: platforms[p].name if p in platforms else p):
        name = platforms[pid].name if pid in platforms else pid
        out.append(f"### {escape_md(name)} {{#platform-{pid}}}\n")
        for x in sorted((x for x in accounts if x.platform == pid), key=lambda x: x.handle):
            note = [ACCOUNT_STATUS_LABELS[x.status]]
            if x.sample:
                note.append("sample")
            out.append(f"- **{escape_md(x.handle)}** ({', '.join(note)}), "
                       f"{escape_md(x.department)}: <{x.url}>")
        out.append("")
    out.append("## Report a problem {#report}\n")
    out.append(
        "Seen an account that claims to be the City's but is not listed, or an official "
        f"account breaking the City's rules? [Report a possible violation]({REPORT_FORM}). "
        f"See also the [approved platforms]({md_link(here, PLATFORMS)}).\n"
    )
    return page_source(out)


def platforms_md(ctx: Context) -> str:
    here = PLATFORMS
    lib = ctx.library
    registry = lib.platforms
    out = [front_matter(title="Approved platforms", description="Social media platforms "
                        "approved for City use, and their annual review.")]
    out.append("# Approved social media platforms {#platforms}\n")
    # The clause that has DTI keep the list and review it annually (AI 1-19 §O.a).
    cite = lib.citations.platform_list
    guide = lib.policies.get(cite.policy)
    if guide is not None and cite.section in guide.outline.anchors:
        label = cite.cited_as or f"{short_title(guide)} {section_label(guide, cite.section)}"
        clause = f"[{escape_md(label)}]({md_link(here, policy_page(guide.id), cite.section)})"
    else:  # `transparency check` names the citation that cites nothing
        clause = escape_md(cite.cited_as or "AI 1-19 \u00a7O.a")
    out.append(
        "City departments and staff may use only the social media platforms approved for "
        f"City use. Under {clause}, the Department of Technology and Innovation keeps this "
        "list and reviews it every year for changes such as usage agreements and new or "
        "expired offerings.\n"
    )
    if registry is None:
        out.append("The list of platforms is not in the content.\n")
        return page_source(out)
    status = review_status(registry.review, ctx.today)
    out.append(
        f"**Last annual review:** {long_date(status.last_reviewed, 'not on record')}. "
        f"**Next review due:** {long_date(status.next_due, 'not scheduled')} "
        f"({REVIEW_STATE_LABELS[status.state].lower()}). Kept by: {escape_md(registry.owner)}.\n"
    )
    if registry.sample or any(p.sample for p in registry.platforms):
        out.append(admonition("note", "Sample records", "The entries marked \u201cSample\u201d "
                               "are illustrative; the City's actual list is kept by DTI."))
    rows = []
    for p in registry.platforms:
        rows.append([
            escape(p.name) + (" " + badge("Sample", "sample") if p.sample else ""),
            badge(PLATFORM_STATUS_LABELS[p.status], f"platform-{p.status}"),
            time_tag(p.approved_on, "Not approved" if p.status != "approved" else NOT_RECORDED),
            ", ".join(escape(d) for d in p.domains),
            escape(p.notes or ""),
        ])
    out.append(table(["Platform", "Status", "Approved on", "Addresses", "Notes"], rows,
                     caption="Social media platforms for City use") + "\n")
    out.append(f"See the [official accounts]({md_link(here, ACCOUNTS)}) on these platforms.\n")
    return page_source(out)


def guidelines_md(ctx: Context) -> str:
    here = GUIDELINES
    # The comments City accounts may remove (AI 1-19 §K), displayed as §L requires.
    guidelines = ctx.library.citations.comment_guidelines
    policy = ctx.library.policies.get(guidelines.policy)
    clause = _find_clause(policy, guidelines.section) if policy else None
    if policy is None or clause is None:
        raise PageProblem([
            f"{addresses.policy_source(guidelines.policy)}:1: the comment guidelines page is "
            f"made from section {guidelines.section!r} of policy {guidelines.policy!r} "
            "(AI 1-19 \u00a7L requires them to be displayed), and it is not in the content; "
            "fix the policy or the comment_guidelines entry in registries/citations.yaml"
        ])
    source = policy_page(policy.id)
    l_clause = _find_clause(policy, "l")
    out = [front_matter(title="Comment guidelines", description="What comments on City "
                        "social media may be removed (AI 1-19 section K).")]
    out.append("# Comment guidelines for City social media {#guidelines}\n")
    cite = f"[{short_title(policy)} \u00a7{clause.label}]({md_link(here, source, clause.id)})"
    display = (
        f" As [\u00a7{l_clause.label}]({md_link(here, source, l_clause.id)}) requires, they "
        "are displayed here for everyone who uses the City's social media sites."
        if l_clause else ""
    )
    out.append(
        f"These guidelines are {cite} of the City's social media policy, reproduced from "
        f"its text.{display}\n"
    )
    out.append(_strip_links(clause.text) + "\n")
    out.append(_guideline_items(policy, clause.children, here, source, depth=0) + "\n")
    out.append(
        "Comments are never removed because of the viewpoint they express. To comment on "
        f"these rules, [give feedback on \u00a7{clause.label}]"
        f"({feedback_url(policy.id, clause.id)}).\n"
    )
    return page_source(out)


def _guideline_items(policy, clauses: tuple[Clause, ...], here, source, depth: int) -> str:
    lines = []
    pad = "    " * depth
    for c in clauses:
        marker = c.label.rsplit(".", 1)[-1] + "."
        text = _strip_links(c.text).replace("\n", " ")
        lines.append(
            f"{pad}-   **{marker}** {text} "
            f"([\u00a7{c.label}]({md_link(here, source, c.id)}))"
        )
        lines.append(f"{pad}    {{: #{c.id} }}")
        if c.children:
            lines.append("")
            lines.append(_guideline_items(policy, c.children, here, source, depth + 1))
        lines.append("")
    return "\n".join(lines).rstrip()


def _strip_links(text: str) -> str:
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)


def _find_clause(policy: Policy, anchor: str) -> Clause | None:
    return next((c for c in policy.outline.clauses() if c.id == anchor), None)
