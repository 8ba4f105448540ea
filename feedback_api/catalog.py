"""The catalog: which policies, sections and official accounts a submission may name.

Read once from `content/` through the site builder's loader when the app starts, and kept
as plain data. Report categories live here too, each citing the rules it comes from.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PolicyEntry:
    id: str
    title: str
    number: str | None
    sections: dict[str, str]  # anchor -> how a reader cites it ("§K.c", "Purpose")

    @property
    def name(self) -> str:
        """"AI 1-19 Social Media Policy", or the title when there is no number."""
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def short_name(self) -> str:
        return self.number or self.title

    def section_label(self, anchor: str) -> str | None:
        """"AI 1-19 §K.c" for a clause; "AI 1-19, Purpose" for a section."""
        label = self.sections.get(anchor)
        if label is None:
            return None
        if label.startswith("§"):
            return f"{self.short_name} {label}"
        return f"{self.short_name}, {label}"


@dataclass(frozen=True)
class AccountEntry:
    id: str
    handle: str
    platform: str  # the platform's name, e.g. "Facebook"
    url: str
    department: str
    sample: bool

    @property
    def name(self) -> str:
        return f"{self.handle} on {self.platform} ({self.department})"


@dataclass(frozen=True)
class Rule:
    policy_id: str
    section: str
    citation: str


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    hint: str
    rules: tuple[Rule, ...]

    @property
    def citations(self) -> str:
        return ", ".join(rule.citation for rule in self.rules)


AI = "ai-1-19"
RESOLUTION = "council-resolution-social-media-accounts"

REPORT_CATEGORIES: tuple[Category, ...] = (
    Category("personal-attack", "A personal attack",
             "The account attacked a person rather than addressing the issue.",
             (Rule(RESOLUTION, "a-3", "Resolution §1.A.3"),)),
    Category("arguing-with-the-public", "Arguing with the public",
             "The account was confrontational with a resident instead of keeping it "
             "professional.",
             (Rule(AI, "m-a", "AI 1-19 §M.a"),)),
    Category("political-campaigning", "Political campaigning",
             "A post or comment supporting or opposing a political campaign or ballot "
             "measure.",
             (Rule(AI, "k-b", "AI 1-19 §K.b"),)),
    Category("confidential-information", "Confidential information",
             "Protected or confidential information about an employee, resident or elected "
             "official.",
             (Rule(AI, "k-l", "AI 1-19 §K.l"), Rule(AI, "u-b", "AI 1-19 §U.b"))),
    Category("discriminatory-content", "Discriminatory content",
             "Content that promotes discrimination, for example on the basis of race, "
             "religion, gender, disability or sexual orientation.",
             (Rule(AI, "k-e", "AI 1-19 §K.e"),)),
    Category("false-information", "False information, threats or harassment",
             "Content meant to spread false information, or to threaten, harass or defame "
             "someone.",
             (Rule(AI, "k-d", "AI 1-19 §K.d"),)),
    Category("other", "Something else",
             "Anything else you think breaks the City's social media policies.", ()),
)
CATEGORIES_BY_ID = {category.id: category for category in REPORT_CATEGORIES}


@dataclass(frozen=True)
class Catalog:
    policies: dict[str, PolicyEntry] = field(default_factory=dict)
    accounts: dict[str, AccountEntry] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def policy(self, policy_id: str | None) -> PolicyEntry | None:
        """The policy with this id; ids are matched case-insensitively."""
        if not policy_id:
            return None
        return self.policies.get(policy_id.strip().lower())

    def account(self, account_id: str | None) -> AccountEntry | None:
        if not account_id:
            return None
        return self.accounts.get(account_id.strip().lower())

    def account_at(self, url: str) -> AccountEntry | None:
        """The directory entry whose address this is, if any."""
        return self._accounts_by_url.get(_comparable_url(url))

    @functools.cached_property
    def _accounts_by_url(self) -> dict[str, AccountEntry]:
        by_url: dict[str, AccountEntry] = {}
        for account in self.accounts.values():
            by_url.setdefault(_comparable_url(account.url), account)  # the first one listed
        return by_url

    def policies_in_order(self) -> list[PolicyEntry]:
        return sorted(self.policies.values(), key=lambda p: (p.number is None, p.name.lower()))

    def accounts_in_order(self) -> list[AccountEntry]:
        return sorted(self.accounts.values(), key=lambda a: (a.department, a.platform, a.handle))


def _comparable_url(url: str) -> str:
    text = url.strip().lower().rstrip("/")
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    return text.removeprefix("www.")


def load_catalog(content_dir: Path) -> Catalog:
    """Read the policies and the accounts directory from a content folder."""
    from site_builder.content import load_library

    content_dir = Path(content_dir)
    if not (content_dir / "policies").is_dir():
        raise FileNotFoundError(
            f"no policies in {content_dir}; set CONTENT_DIR to the content folder "
            "(the one with policies/ and registries/)"
        )
    library, problems = load_library(content_dir)
    for problem in problems:
        log.warning("content: %s", problem)
    policies = {}
    for policy_id, policy in library.policies.items():
        outline = policy.outline
        sections = {anchor: outline.label_of(anchor) or anchor for anchor in outline.anchors}
        policies[policy_id] = PolicyEntry(policy_id, policy.meta.title, policy.meta.number,
                                          sections)
    platforms = {}
    if library.platforms is not None:
        platforms = {p.id: p.name for p in library.platforms.platforms}
    accounts = {}
    if library.accounts is not None:
        for account in library.accounts.accounts:
            accounts[account.id] = AccountEntry(
                account.id, account.handle, platforms.get(account.platform, account.platform),
                str(account.url), account.department, account.sample,
            )
    return Catalog(policies, accounts, tuple(str(p) for p in problems))
