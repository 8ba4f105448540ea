"""The registries' pages: official accounts, approved platforms, comment guidelines.
"""

from __future__ import annotations

import json
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
)
from ..languages import N_
from ..markup import a, admonition, badge, front_matter, page_source, table
from ..outline import Clause
from ..render import escape_md, section_label
from ..review import review_status
from .common import Context, PageProblem


def accounts_md(ctx: Context) -> str:
    here = ACCOUNTS
    _ = ctx._
    english = ctx.in_english  # what the registry gives in English alone
    lib = ctx.library
    registry = lib.accounts
    platforms = {p.id: p for p in lib.platforms.platforms} if lib.platforms else {}
    accounts = list(registry.accounts) if registry else []
    out = [front_matter(title=_("Official accounts"), description=_(
        "The directory of official City of Albuquerque social media accounts, and a check "
        "for whether an account is official."), hide=["toc"])]
    out.append("# " + _("Official City social media accounts") + " {#accounts}\n")
    out.append(_(
        "These are the social media accounts that speak for the City of Albuquerque. If an "
        "account claims to be the City's and is not listed here, it may be unofficial: "
        "[report it](%(link)s).", link=ctx.app(REPORT_FORM)) + "\n")
    samples = sum(1 for x in accounts if x.sample)
    if samples:
        out.append(admonition("note", _("Sample records"), ctx.n_(
            "%(num)d entry is a sample, marked \u201c%(sample)s\u201d: the City's real "
            "account handles are not recorded here yet.",
            "%(num)d entries are samples, marked \u201c%(sample)s\u201d: the City's real "
            "account handles are not recorded here yet.", samples, sample=_("Sample"))))
    if registry:
        status = review_status(registry.review, ctx.today)
        reviewed = ctx.date(status.last_reviewed, N_("never (not on record)"))
        out.append(_(
            "Kept by: %(owner)s. Last reviewed: %(date)s. Open data: "
            "[accounts.json](%(link)s).", owner=english(escape_md(registry.owner)),
            date=reviewed, link=md_link(here, ACCOUNTS_DATA)) + "\n")
    out.append("## " + _("Is this account official?") + " {#check}\n")
    out.append(_(
        "Paste the address of an account or a post, or an account name such as @example, "
        "to check it against this directory.") + "\n")
    out.append("\n".join([
        f'<form class="account-check" data-accounts="{escape(href(here, ACCOUNTS_DATA))}"'
        f"{checker_words(ctx)} hidden>",
        '<label for="account-query">' + escape(_("Account address or name")) + "</label>",
        '<input id="account-query" name="q" type="text" autocomplete="off" '
        'spellcheck="false" required>',
        '<button type="submit" class="md-button md-button--primary">' + escape(_("Check"))
        + "</button>",
        '<div class="account-check__result" role="status" aria-live="polite"></div>',
        "</form>",
    ]) + "\n")
    by_platform = '<a href="#by-platform">' + escape(_("accounts by platform")) + "</a>"
    out.append('<p class="no-js-only">' + escape(_(
        "Without JavaScript, find the platform in %(link)s and look for the name there.",
        link="\0"), quote=False).replace("\0", by_platform) + "</p>\n")
    out.append("## " + _("All accounts") + " {#all-accounts}\n")
    filter_words = "" if ctx.english else script_words(ctx, {
        "showing": _("Showing %(shown)s of %(total)s accounts.")})
    out.append("\n".join([
        f'<div class="table-filter"{filter_words} hidden>',
        '<label for="account-filter">' + escape(_("Filter accounts")) + "</label>",
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
            + (" " + badge(_("Sample"), "sample") if x.sample else "")
            + "<br>" + a(str(x.url), str(x.url), class_="account-url"),
            english(escape(platform.name if platform else x.platform), html=True),
            english(escape(x.department), html=True),
            badge(_(ACCOUNT_STATUS_LABELS[x.status]), f"account-{x.status}"),
            english(escape(x.purpose), html=True),
            (english(escape(x.approved_by), html=True) if x.approved_by
             else escape(_(NOT_RECORDED)))
            + ("<br>" + ctx.time(x.approved_on, N_("date not recorded"))),
            ctx.time(x.last_verified, NOT_RECORDED),
        ])
    out.append(table([_("Account and address"), _("Platform"), _("Department"), _("Status"),
                      _("Purpose"), _("Approval"), _("Last verified")], rows,
                     caption=_("Official City accounts"),
                     attrs=' id="accounts-table" data-sortable=""' + sort_words(ctx)) + "\n")
    out.append("## " + _("Accounts by platform") + " {#by-platform}\n")
    for pid in sorted({x.platform for x in accounts},
                      key=lambda p: platforms[p].name if p in platforms else p):
        name = platforms[pid].name if pid in platforms else pid
        out.append(f"### {english(escape_md(name))} {{#platform-{pid}}}\n")
        for x in sorted((x for x in accounts if x.platform == pid), key=lambda x: x.handle):
            note = [_(ACCOUNT_STATUS_LABELS[x.status])]
            if x.sample:
                note.append(_("sample"))
            out.append(f"- **{escape_md(x.handle)}** ({', '.join(note)}), "
                       f"{english(escape_md(x.department))}: <{x.url}>")
        out.append("")
    out.append("## " + _("Report a problem") + " {#report}\n")
    out.append(_(
        "Seen an account that claims to be the City's but is not listed, or an official "
        "account breaking the City's rules? [Report a possible violation](%(report)s). "
        "See also the [approved platforms](%(platforms)s).", report=ctx.app(REPORT_FORM),
        platforms=md_link(here, PLATFORMS)) + "\n")
    return page_source(out)


def script_words(ctx: Context, words: dict) -> str:
    """`words` as the attribute a script of the theme (`site.js`) reads its words in the
    page's language from."""
    return f' data-words="{escape(json.dumps(words, ensure_ascii=False))}"'


def sort_words(ctx: Context) -> str:
    """A sortable table's words for `site.js` ("" in English: the script's own)."""
    if ctx.english:
        return ""
    return script_words(ctx, {
        "sortHint": ctx._("(select a column heading to sort)"),
        "sortedUp": ctx._("Sorted by %(column)s, ascending"),
        "sortedDown": ctx._("Sorted by %(column)s, descending"),
    })


def checker_words(ctx: Context) -> str:
    """The words of "Is this account official?" for `site.js` ("" in English)."""
    if ctx.english:
        return ""
    _ = ctx._
    return script_words(ctx, {
        "yes": _("Yes."),
        "no": _("No."),
        "official": _("%(handle)s on %(platform)s is an official City account, run by "
                      "%(department)s."),
        "officialBefore": _("%(handle)s on %(platform)s is an official City account, now "
                            "%(status)s (no longer updated), run by %(department)s."),
        "statuses": {key: _(label).lower() for key, label in ACCOUNT_STATUS_LABELS.items()},
        "sample": _("This entry is a sample record, not a real City account."),
        "notPlatform": _("%(host)s is not a platform the City uses for official accounts."),
        "notListed": _("This account is not in the directory of official City accounts. If "
                       "it claims to speak for the City, it may be unofficial."),
        "report": _("%(link)s if you think it is breaking the City's rules."),
        "reportLink": _("Report it"),
        "reportUrl": ctx.app(REPORT_FORM),
        "empty": _("Enter an account address or name first."),
        "failed": _("The directory could not be loaded. Look for the account in the lists "
                    "by platform below."),
    })


def platforms_md(ctx: Context) -> str:
    here = PLATFORMS
    _ = ctx._
    english = ctx.in_english
    lib = ctx.library
    registry = lib.platforms
    out = [front_matter(title=_("Approved platforms"), description=_(
        "Social media platforms approved for City use, and their annual review."))]
    out.append("# " + _("Approved social media platforms") + " {#platforms}\n")
    # The clause that has DTI keep the list and review it annually (AI 1-19 §O.a).
    cite = lib.citations.platform_list
    guide = lib.policies.get(cite.policy)
    if guide is not None and cite.section in guide.outline.anchors:
        label = cite.cited_as or f"{ctx.short_title(guide)} {section_label(guide, cite.section)}"
        clause = f"[{escape_md(label)}]({md_link(here, policy_page(guide.id), cite.section)})"
    else:  # `transparency check` names the citation that cites nothing
        clause = escape_md(cite.cited_as or "AI 1-19 \u00a7O.a")
    out.append(_(
        "City departments and staff may use only the social media platforms approved for "
        "City use. Under %(clause)s, the Department of Technology and Innovation keeps this "
        "list and reviews it every year for changes such as usage agreements and new or "
        "expired offerings.", clause=clause) + "\n")
    if registry is None:
        out.append(_("The list of platforms is not in the content.") + "\n")
        return page_source(out)
    status = review_status(registry.review, ctx.today)
    last = ctx.date(status.last_reviewed, N_("not on record"))
    due = ctx.date(status.next_due, N_("not scheduled"))
    out.append(_(
        "**Last annual review:** %(last)s. **Next review due:** %(next)s (%(state)s). "
        "Kept by: %(owner)s.", last=last, next=due,
        state=_(REVIEW_STATE_LABELS[status.state]).lower(),
        owner=english(escape_md(registry.owner))) + "\n")
    if registry.sample or any(p.sample for p in registry.platforms):
        out.append(admonition("note", _("Sample records"), _(
            "The entries marked \u201c%(sample)s\u201d are illustrative; the City's actual "
            "list is kept by DTI.", sample=_("Sample"))))
    rows = []
    for p in registry.platforms:
        rows.append([
            english(escape(p.name), html=True)
            + (" " + badge(_("Sample"), "sample") if p.sample else ""),
            badge(_(PLATFORM_STATUS_LABELS[p.status]), f"platform-{p.status}"),
            ctx.time(p.approved_on, N_("Not approved") if p.status != "approved"
                     else NOT_RECORDED),
            ", ".join(escape(d) for d in p.domains),
            english(escape(p.notes), html=True) if p.notes else "",
        ])
    out.append(table([_("Platform"), _("Status"), _("Approved on"), _("Addresses"),
                      _("Notes")], rows, caption=_("Social media platforms for City use"))
               + "\n")
    out.append(_("See the [official accounts](%(link)s) on these platforms.",
                 link=md_link(here, ACCOUNTS)) + "\n")
    return page_source(out)


def guidelines_md(ctx: Context) -> str:
    here = GUIDELINES
    _ = ctx._
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
    out = [front_matter(title=_("Comment guidelines"), description=_(
        "What comments on City social media may be removed (AI 1-19 section K)."))]
    out.append("# " + _("Comment guidelines for City social media") + " {#guidelines}\n")
    intro = [_("These guidelines are [%(policy)s \u00a7%(label)s](%(link)s) of the City's "
               "social media policy, reproduced from its text.", policy=ctx.short_title(policy),
               label=clause.label, link=md_link(here, source, clause.id))]
    if l_clause:
        intro.append(_("As [\u00a7%(label)s](%(link)s) requires, they are displayed here for "
                       "everyone who uses the City's social media sites.",
                       label=l_clause.label, link=md_link(here, source, l_clause.id)))
    translated = _translated_clause(ctx, policy, clause.id)
    if not translated and not ctx.english:
        intro.append(_("They are shown in English, the text that applies: this part of the "
                       "policy has not been translated yet."))
    elif translated and ctx.translation(policy).meta.kind != "official":
        intro.append(_("They are translated from the English text, which is the one that "
                       "applies."))
    out.append(" ".join(intro) + "\n")
    shown = translated or clause
    rules = (_strip_links(shown.text) + "\n\n"
             + _guideline_items(policy, shown.children, here, source, depth=0) + "\n")
    out.append(rules if ctx.english or translated
               else f'<div lang="en" markdown="1">\n\n{rules}\n</div>\n')
    out.append(_(
        "Comments are never removed because of the viewpoint they express. To comment on "
        "these rules, [give feedback on \u00a7%(label)s](%(link)s).", label=clause.label,
        link=ctx.app(feedback_url(policy.id, clause.id))) + "\n")
    return page_source(out)


def _translated_clause(ctx: Context, policy: Policy, anchor: str) -> Clause | None:
    """The clause in the page's language, when the policy's translation has its text and
    translates the current version (an older translation may not say what applies)."""
    translated = ctx.translation(policy)
    if translated is None or not translated.has_text:
        return None
    history = ctx.histories.get(policy.id)
    if history is not None and history.current.number != translated.meta.translates_version:
        return None
    return next((c for c in translated.outline.clauses() if c.id == anchor), None)


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
