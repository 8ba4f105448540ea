"""Page generation: the site's current pages as Markdown files under a docs folder.

One function per page; each takes plain data and returns Markdown, and `write_pages`
writes them all. Prose, headings and links between pages are Markdown (MkDocs checks the
links and their anchors); tables, badges and the metadata panel are small blocks of HTML,
written with every value escaped and with URLs computed for `use_directory_urls`.

Addresses are fixed (other work links to them): `/`, `/policies/`, `/policies/<id>/`,
`/compliance/`, `/accounts/`, `/platforms/`, `/comment-guidelines/`, `/reviews/`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from html import escape
from pathlib import Path

import yaml

from . import addresses
from .addresses import (
    ACCOUNTS,
    ACCOUNTS_DATA,
    COMPLIANCE,
    FEEDBACK_FORM,
    GUIDELINES,
    HOME,
    PLATFORMS,
    POLICIES_DATA,
    POLICY_INDEX,
    REPORT_FORM,
    REVIEWS,
    SITE_CHANGES,
    feedback_url,
    md_link,
)
from .addresses import href as url
from .addresses import policy as policy_page
from .compliance import element_coverage
from .content import Library, Policy
from .history import FIRST_VERSION_NOTE, PolicyHistory
from .outline import Clause
from .render import escape_md, render_policy_body
from .review import STATE_LABELS, ReviewStatus, review_status
from .schema import POLICY_KINDS
from .stamp import SiteStamp
from .stats_pages import stats_section

# The comment guidelines are AI 1-19 §K, displayed as §L requires.
GUIDELINES_POLICY = "ai-1-19"
GUIDELINES_CLAUSE = "k"
# AI 1-19 §O.a: DTI keeps the list of approved platforms and reviews it annually.
PLATFORMS_CLAUSE = "o-a"

# Ids the policy page uses for itself; a policy section must not take them.
RESERVED_IDS = ("policy-title", "policy-details", "policy-departments", "policy-versions")

NOT_STATED = "Not stated in the source"
NOT_RECORDED = "Not recorded"

KIND_LABELS = {
    "administrative-instruction": "Administrative instruction",
    "resolution": "Council resolution",
    "comprehensive-policy": "Comprehensive policy",
    "department-policy": "Department policy",
}
KIND_PLURALS = {
    "administrative-instruction": "Administrative instructions",
    "resolution": "Council resolutions",
    "comprehensive-policy": "Comprehensive policies",
    "department-policy": "Department policies",
}
STATUS_LABELS = {
    "draft": "Draft",
    "active": "Active",
    "superseded": "Superseded",
    "retired": "Retired",
}
ACCOUNT_STATUS_LABELS = {"active": "Active", "inactive": "Inactive", "archived": "Archived"}
PLATFORM_STATUS_LABELS = {
    "approved": "Approved",
    "under-review": "Under review",
    "withdrawn": "Withdrawn",
}
STATE_ORDER = {"overdue": 0, "due-soon": 1, "unknown": 2, "current": 3}


class PageProblem(Exception):
    """Content the pages cannot be built from; carries `path:line: message` lines."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass(frozen=True)
class Context:
    library: Library
    histories: dict[str, PolicyHistory]
    stamp: SiteStamp

    @property
    def today(self) -> dt.date:
        return self.stamp.today

    def review(self, policy: Policy) -> ReviewStatus:
        return review_status(policy.meta.review, self.today)

    def ordered(self) -> list[Policy]:
        """Policies in reading order: by kind, then number or title."""
        kinds = {kind: i for i, kind in enumerate(POLICY_KINDS)}
        return sorted(
            self.library.policies.values(),
            key=lambda p: (kinds[p.meta.kind], (p.meta.number or p.meta.title).lower()),
        )

    def children(self, policy: Policy) -> list[Policy]:
        return [p for p in self.ordered() if p.meta.parent == policy.id]


# ---------------------------------------------------------------------------------------
# Small pieces


def title_of(policy: Policy) -> str:
    meta = policy.meta
    return f"{meta.number}: {meta.title}" if meta.number else meta.title


def short_title(policy: Policy) -> str:
    return policy.meta.number or policy.meta.title


def front_matter(**fields) -> str:
    """YAML front matter; `hide: [toc]` gives a page of wide tables the full width."""
    data = {key: value for key, value in fields.items() if value is not None}
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\n"


def badge(text: str, kind: str, sort: str | None = None) -> str:
    key = f' data-sort="{escape(sort)}"' if sort is not None else ""
    return f'<span class="badge badge--{escape(kind)}"{key}>{escape(text)}</span>'


def status_badges(policy: Policy) -> str:
    parts = [badge(STATUS_LABELS[policy.meta.status], policy.meta.status)]
    if policy.meta.sample:
        parts.append(badge("Sample", "sample"))
    return " ".join(parts)


def review_badge(status: ReviewStatus) -> str:
    order = f"{STATE_ORDER[status.state]} {iso(status.next_due) or '9999'}"
    return badge(STATE_LABELS[status.state], f"review-{status.state}", sort=order)


def fmt_date(value: dt.date | None, missing: str = NOT_STATED) -> str:
    if value is None:
        return missing
    return f"{value:%B} {value.day}, {value.year}"


def iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def time_tag(value: dt.date | None, missing: str = NOT_STATED) -> str:
    if value is None:
        return f'<span class="not-stated">{escape(missing)}</span>'
    return f'<time datetime="{value.isoformat()}">{escape(fmt_date(value))}</time>'


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "other"


def a(href: str, text: str, **attrs: str) -> str:
    """A link; `class_` and `aria_label` become `class` and `aria-label`."""
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"'
                    for k, v in attrs.items())
    return f'<a href="{escape(href)}"{extra}>{escape(text)}</a>'


def table(
    headers: list[str], rows: list[list[str]], *, caption: str, attrs: str = ""
) -> str:
    """An HTML table on one block (no blank lines, so Markdown keeps it whole)."""
    out = [f"<table{attrs}>", f"<caption>{escape(caption)}</caption>", "<thead><tr>"]
    out += [f'<th scope="col">{escape(h)}</th>' for h in headers]
    out.append("</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = [f'<th scope="row">{row[0]}</th>'] + [f"<td>{cell}</td>" for cell in row[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def version_line(ctx: Context, policy: Policy) -> tuple[str, str]:
    history = ctx.histories.get(policy.id)
    if history is None:
        return "1", NOT_RECORDED
    current = history.current
    changed = (
        fmt_date(current.published.date()) if current.published
        else "Not recorded (the content has no git history)"
    )
    return str(current.number), changed


# ---------------------------------------------------------------------------------------
# Policy page


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
        out.append(_admonition("warning", "Draft", "This policy is a draft. It has not been "
                               "adopted and is not in force."))
    if meta.status in ("superseded", "retired"):
        out.append(_admonition("warning", STATUS_LABELS[meta.status],
                               f"This policy is {meta.status} and no longer in force."))
    if meta.sample:
        out.append(_admonition("note", "Sample record", "This is an illustrative sample, not "
                               "an adopted City policy. It shows how such a policy is "
                               "published on this site."))
    if meta.incomplete:
        out.append(_admonition("warning", "Incomplete source", escape_md(meta.incomplete)))
    history = ctx.histories.get(policy.id)
    if history is not None and history.unpublished:
        out.append(_admonition("danger", "Unpublished changes", "This preview includes edits "
                               "that are not committed. They are not a published version "
                               "and will not appear on the public site until committed."))

    rows: list[tuple[str, str]] = [
        ("ID", f"<code>{escape(policy.id)}</code>"),
        ("Number", escape(meta.number) if meta.number else "No official number"),
        ("Title", escape(meta.title)),
        ("Kind", escape(KIND_LABELS[meta.kind])),
        ("Department", escape(meta.department)),
        ("Owner", escape(meta.owner)),
        ("Status", status_badges(policy)),
    ]
    if meta.parent and meta.parent in ctx.library.policies:
        parent = ctx.library.policies[meta.parent]
        rows.append(("Issued under", a(url(here, policy_page(parent.id)), title_of(parent))))
    if meta.approved_by or meta.kind == "department-policy":
        rows.append(("Approved by", escape(meta.approved_by or NOT_STATED)))
    if meta.approved_by:
        rows.append(("Approved on", time_tag(meta.approved_on)))
    rows += [
        ("Issued", time_tag(meta.issued)),
        ("Effective", time_tag(meta.effective)),
        ("Version", escape(number) + VERSION_MARK),
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
    return "\n".join(out)


def _admonition(kind: str, title: str, text: str) -> str:
    body = "\n".join("    " + line for line in text.split("\n"))
    return f'!!! {kind} "{title}"\n\n{body}\n'


VERSION_MARK = "<!-- version-pages -->"
WHATS_NEW_MARK = "<!-- site-changes -->"


def history_pages(pid: str) -> list[tuple[str, str]]:
    """The history pages a policy may have (label, docs path), in the order shown."""
    return [
        ("all versions", addresses.versions(pid)),
        ("changelog", addresses.changelog(pid)),
        ("compare versions", addresses.compare(pid)),
    ]


def version_links_md(
    docs_dir: Path, policy: Policy, history: PolicyHistory | None,
    also: Collection[str] = (),
) -> str:
    """A "Versions" section linking the version pages that exist in docs_dir (or are
    named in `also`: pages the archive step renders from memory), or ""."""
    if history is None:
        return ""

    here = policy_page(policy.id)
    items = []
    for version in reversed(history.versions):
        page = addresses.version(policy.id, version.number)
        if not _exists(docs_dir, page, also):
            continue
        when = f", {fmt_date(version.published.date())}" if version.published else ""
        current = " (current)" if version is history.current else ""
        line = f"- [Version {version.number}{when}]({md_link(here, page)}){current}"
        changes = addresses.changes(policy.id, version.number)
        if version.withdrawn:
            line += (f": withdrawn on {fmt_date(version.withdrawn.withdrawn)} "
                     f"({escape_md(version.withdrawn.reason)})")
            items.append(line)
            continue
        if _exists(docs_dir, changes, also):
            line += f", [what changed]({md_link(here, changes)})"
        if version.note:
            line += f": {escape_md(version.note)}"
        items.append(line)
    more = [f"[{label.capitalize()}]({md_link(here, page)})"
            for label, page in history_pages(policy.id) if _exists(docs_dir, page, also)]
    if not items and not more:
        return ""
    text = "\n## Versions {#policy-versions}\n\n"
    if items:
        text += "\n".join(items) + "\n"
    if more:
        text += "\n" + " \u00b7 ".join(more) + "\n"
    return text


def _exists(docs_dir: Path, page: str, also: Collection[str]) -> bool:
    """Whether a page is in docs_dir, or named in `also` (rendered from memory)."""
    return page in also or (docs_dir / page).is_file()


def add_version_links(
    docs_dir: Path, library: Library, histories: dict[str, PolicyHistory],
    also: Collection[str] = (),
) -> list[Path]:
    """Link the current pages to the version pages written after them, where they exist
    (in docs_dir, or named in `also`).

    Each policy page gets a "Versions" section and links in its metadata panel; the home
    page links the site-wide list of changes.
    """
    docs_dir = Path(docs_dir)
    changed = []
    for pid, policy in library.policies.items():
        path = docs_dir / policy_page(pid)
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        here = policy_page(pid)
        links = [a(url(here, page), label) for label, page in history_pages(pid)
                 if _exists(docs_dir, page, also)]
        text = text.replace(VERSION_MARK, f" ({', '.join(links)})" if links else "")
        text += version_links_md(docs_dir, policy, histories.get(pid), also)
        path.write_text(text, encoding="utf-8")
        changed.append(path)
    home = docs_dir / HOME
    if home.is_file():
        text = home.read_text(encoding="utf-8")
        link = (f"\n\n[Every change to every policy]({md_link(HOME, SITE_CHANGES)})."
                if (docs_dir / SITE_CHANGES).is_file() else "")
        home.write_text(text.replace(WHATS_NEW_MARK, link), encoding="utf-8")
        changed.append(home)
    return changed


# ---------------------------------------------------------------------------------------
# Policy index


def policy_index_md(ctx: Context) -> str:
    here = POLICY_INDEX
    policies = ctx.ordered()
    out = [front_matter(title="Policies", description="Every City of Albuquerque social "
                        "media policy, with its kind, department, status and review state.")]
    out.append("# Social media policies {#policies}\n")
    counts = Counter(p.meta.kind for p in policies)
    out.append(
        f"The City publishes {_count(len(policies), 'policy', 'policies')} on social media "
        "use: " + ", ".join(
            f"{counts[k]} {KIND_LABELS[k].lower() if counts[k] == 1 else KIND_PLURALS[k].lower()}"
            for k in POLICY_KINDS if counts[k]
        ) + ". Open data: "
        f"[policies.json]({md_link(here, POLICIES_DATA)}).\n"
    )
    kinds = [k for k in POLICY_KINDS if counts[k]]
    departments = sorted({p.meta.department for p in policies})
    out.append("Show only: "
               + ", ".join(f"[{KIND_PLURALS[k].lower()}](#kind-{k})" for k in kinds)
               + "; or by department: "
               + ", ".join(f"[{escape_md(d)}](#department-{slug(d)})" for d in departments)
               + ".\n")
    rows = []
    for p in policies:
        status = ctx.review(p)
        rows.append([
            a(url(here, policy_page(p.id)), title_of(p))
            + (" " + badge("Sample", "sample") if p.meta.sample else ""),
            escape(KIND_LABELS[p.meta.kind]),
            escape(p.meta.department),
            badge(STATUS_LABELS[p.meta.status], p.meta.status),
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
        out.append(f"### {KIND_PLURALS[kind]} {{#kind-{kind}}}\n")
        out.append(_policy_list(here, [p for p in policies if p.meta.kind == kind]) + "\n")
    out.append("## By department {#by-department}\n")
    for department in departments:
        out.append(f"### {escape_md(department)} {{#department-{slug(department)}}}\n")
        out.append(_policy_list(here, [p for p in policies
                                       if p.meta.department == department]) + "\n")
    return "\n".join(out)


def _policy_list(here: str, policies: list[Policy]) -> str:
    return "\n".join(
        f"- [{escape_md(title_of(p))}]({md_link(here, policy_page(p.id))}) "
        f"({STATUS_LABELS[p.meta.status]}{', sample' if p.meta.sample else ''}): "
        f"{escape_md(p.meta.summary)}"
        for p in policies
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ---------------------------------------------------------------------------------------
# Home


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
        f"{_count(len(policies), 'policy', 'policies')}, each with its sections, dates "
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
    out.append(_whats_new(ctx, here) + WHATS_NEW_MARK + "\n")
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
    return "\n".join(out)


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
        text = f"- {fmt_date(published.date())}: [{escape_md(title_of(policy))}]" \
               f"({md_link(here, policy_page(policy.id))}), {what}"
        if note and note != FIRST_VERSION_NOTE:
            text += f". {escape_md(note)}"
        lines.append(text)
    return "\n".join(lines)


def _reviews_at_a_glance(ctx: Context, here: str) -> str:
    items = _review_items(ctx)
    counts = Counter(item.status.state for item in items)
    parts = [f"{counts[s]} {STATE_LABELS[s].lower()}" for s in STATE_ORDER if counts[s]]
    overdue = [item for item in items if item.status.state == "overdue"]
    text = (f"Of {_count(len(items), 'policy or registry', 'policies and registries')} "
            f"with a review schedule: {', '.join(parts)}.")
    if overdue:
        text += " Overdue: " + ", ".join(escape_md(item.name) for item in overdue) + "."
    return text + f" [See the review schedule]({md_link(here, REVIEWS)})."


# ---------------------------------------------------------------------------------------
# Reviews


@dataclass(frozen=True)
class ReviewItem:
    name: str
    kind: str
    page: str | None  # docs page to link
    owner: str
    status: ReviewStatus


def _review_items(ctx: Context) -> list[ReviewItem]:
    items = [
        ReviewItem(title_of(p), KIND_LABELS[p.meta.kind], policy_page(p.id), p.meta.owner,
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
    return sorted(items, key=lambda i: (STATE_ORDER[i.status.state],
                                        i.status.next_due or dt.date.max, i.name))


def reviews_md(ctx: Context) -> str:
    here = REVIEWS
    items = _review_items(ctx)
    out = [front_matter(title="Review schedule", description="When each social media "
                        "policy and registry was last reviewed and when it is next due.",
                        hide=["toc"])]
    out.append("# Review schedule {#reviews}\n")
    out.append(
        f"Every policy and registry is reviewed on a schedule. Overdue reviews are listed "
        f"first. States are worked out on {fmt_date(ctx.today)}, the day this site was "
        "built; \u201cdue soon\u201d means due within 60 days.\n"
    )
    rows = []
    for item in items:
        status = item.status
        name = a(url(here, item.page), item.name) if item.page else escape(item.name)
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
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# Compliance


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
            state = STATUS_LABELS[policy.meta.status].lower()
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
            required = a(url(here, policy_page(res.id), row.element.clause),
                         f"{row.element.title} (Resolution {clause})")
            if row.covered:
                met = a(url(here, policy_page(row.policy.id), row.section),
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
            f"{a(url(here, POLICY_INDEX), 'Policies')}: {policy_pages} of {count} policies in "
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
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# Accounts and platforms


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
        out.append(_admonition(
            "note", "Sample records",
            f"{_count(samples, 'entry is a sample', 'entries are samples')}, marked "
            "\u201cSample\u201d: the City's real account handles are not recorded here yet.",
        ))
    if registry:
        status = review_status(registry.review, ctx.today)
        out.append(
            f"Kept by: {escape_md(registry.owner)}. Last reviewed: "
            f"{fmt_date(status.last_reviewed, 'never (not on record)')}. Open data: "
            f"[accounts.json]({md_link(here, ACCOUNTS_DATA)}).\n"
        )
    out.append("## Is this account official? {#check}\n")
    out.append(
        "Paste the address of an account or a post, or an account name such as "
        "@example, to check it against this directory.\n"
    )
    out.append("\n".join([
        f'<form class="account-check" data-accounts="{escape(url(here, ACCOUNTS_DATA))}" '
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
    return "\n".join(out)


def platforms_md(ctx: Context) -> str:
    here = PLATFORMS
    lib = ctx.library
    registry = lib.platforms
    out = [front_matter(title="Approved platforms", description="Social media platforms "
                        "approved for City use, and their annual review.")]
    out.append("# Approved social media platforms {#platforms}\n")
    guide = lib.policies.get(GUIDELINES_POLICY)
    clause = (
        f"[AI 1-19 \u00a7O.a]({md_link(here, policy_page(guide.id), PLATFORMS_CLAUSE)})"
        if guide and PLATFORMS_CLAUSE in guide.outline.anchors else "AI 1-19 \u00a7O.a"
    )
    out.append(
        "City departments and staff may use only the social media platforms approved for "
        f"City use. Under {clause}, the Department of Technology and Innovation keeps this "
        "list and reviews it every year for changes such as usage agreements and new or "
        "expired offerings.\n"
    )
    if registry is None:
        out.append("The list of platforms is not in the content.\n")
        return "\n".join(out)
    status = review_status(registry.review, ctx.today)
    out.append(
        f"**Last annual review:** {fmt_date(status.last_reviewed, 'not on record')}. "
        f"**Next review due:** {fmt_date(status.next_due, 'not scheduled')} "
        f"({STATE_LABELS[status.state].lower()}). Kept by: {escape_md(registry.owner)}.\n"
    )
    if registry.sample or any(p.sample for p in registry.platforms):
        out.append(_admonition("note", "Sample records", "The entries marked \u201cSample\u201d "
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
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# Comment guidelines


def guidelines_md(ctx: Context) -> str:
    here = GUIDELINES
    policy = ctx.library.policies.get(GUIDELINES_POLICY)
    clause = _find_clause(policy, GUIDELINES_CLAUSE) if policy else None
    if policy is None or clause is None:
        raise PageProblem([
            f"{addresses.policy_source(GUIDELINES_POLICY)}:1: the comment guidelines page is "
            "made from "
            f"\u00a7{GUIDELINES_CLAUSE.upper()} of policy {GUIDELINES_POLICY!r} "
            "(AI 1-19 \u00a7L requires them to be displayed), and it is not in the content"
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
    return "\n".join(out)


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


# ---------------------------------------------------------------------------------------
# All pages


def check_reserved_ids(library: Library) -> list[str]:
    problems = []
    for policy in library.policies.values():
        for anchor in RESERVED_IDS:
            if anchor in policy.outline.anchors:
                problems.append(
                    f"{policy.path}:{policy.outline.anchors[anchor]}: section id {anchor!r} is "
                    "used by the policy page itself; choose another id"
                )
    return problems


def write_pages(
    docs_dir: Path,
    library: Library,
    histories: dict[str, PolicyHistory],
    stamp: SiteStamp,
    tick: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write every current page under docs_dir; return the files written."""
    problems = check_reserved_ids(library)
    if problems:
        raise PageProblem(problems)
    docs_dir = Path(docs_dir)
    ctx = Context(library, histories, stamp)
    written: list[Path] = []

    def write(rel: str, text: str) -> None:
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
        if tick:
            tick(rel)

    for policy in ctx.ordered():
        write(policy_page(policy.id), policy_page_md(ctx, policy))
    write(HOME, home_md(ctx))
    write(POLICY_INDEX, policy_index_md(ctx))
    # What the compliance page says about §1.B is counted from the pages just written.
    pages = [docs_dir / policy_page(pid) for pid in library.policies]
    published = [page for page in pages if page.is_file()]
    links = sum(page.read_text(encoding="utf-8").count(f"]({FEEDBACK_FORM}?")
                for page in published)
    write(COMPLIANCE, compliance_md(ctx, policy_pages=len(published), feedback_links=links))
    write(ACCOUNTS, accounts_md(ctx))
    write(PLATFORMS, platforms_md(ctx))
    write(GUIDELINES, guidelines_md(ctx))
    write(REVIEWS, reviews_md(ctx))
    return written


def page_count(library: Library) -> int:
    return len(library.policies) + 7


def nav_policies(library: Library) -> list[dict[str, str]]:
    """The policy pages for the navigation's Policies section, in reading order."""
    ctx = Context(library, {}, SiteStamp(None, False, dt.datetime.now(dt.UTC)))
    return [{short_title(p): policy_page(p.id)} for p in ctx.ordered()]


__all__ = ["write_pages", "add_version_links", "nav_policies", "PageProblem"]
