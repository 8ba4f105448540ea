"""The catalog: which policies, sections and official accounts a submission may name, the
kinds of problem a report can be about, and how staff close an item.

Read once from `content/` through the site builder's loader when the app starts, and kept
as plain data: the policies and accounts, the report categories with the rules each cites
(`registries/report-categories.yaml`), and the reasons and actions staff choose from
(`registries/outcomes.yaml`). A policy is named as the site names it
(`site_builder.labels`).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import schema

from .config import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PolicyEntry:
    id: str
    title: str
    number: str | None
    sections: dict[str, str]  # anchor -> how a reader cites it ("§K.c", "Purpose")
    name: str  # "AI 1-19: Social Media Policy", or the title when there is no number
    short_name: str  # "AI 1-19", or the title
    # in the other languages (content/translations/): language → name, short name and
    # the sections' titles (anchor → title; a clause is cited the same in every language)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    section_titles: dict[str, dict[str, str]] = field(default_factory=dict)

    def name_in(self, lang: str | None) -> str:
        """The policy's name in language `lang` (in English where it has none)."""
        return self.names.get(lang, (self.name, self.short_name))[0]

    def short_name_in(self, lang: str | None) -> str:
        """"AI 1-19", or the title in language `lang` when there is no number."""
        return self.names.get(lang, (self.name, self.short_name))[1]

    def section_label(self, anchor: str, lang: str | None = None) -> str | None:
        """"AI 1-19 §K.c" for a clause; "AI 1-19, Purpose" for a section ("AI 1-19,
        Propósito" in Spanish, where the policy's text is translated)."""
        label = self.sections.get(anchor)
        if label is None:
            return None
        short = self.short_name_in(lang)
        if label.startswith("§"):
            return f"{short} {label}"
        return f"{short}, {self.section_titles.get(lang, {}).get(anchor, label)}"


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
    citation: str  # "AI 1-19 §K.b"


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    hint: str
    rules: tuple[Rule, ...]

    @property
    def citations(self) -> str:
        return ", ".join(rule.citation for rule in self.rules)


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class PublicOutcome:
    """What a decided item's status page says happened (registries/outcomes.yaml)."""

    id: str
    label: str
    hint: str
    link: str | None = None  # "accounts": the status page links the accounts directory
    asks_where: bool = False  # staff say where it was referred


@dataclass(frozen=True)
class Actions:
    """Disciplinary or restorative actions, and the section of the policy providing them."""

    policy_id: str
    section: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Outcomes:
    """How staff close an item: the reasons for resolving and dismissing it, the note a
    dismissal gives the resident by default, and the actions taken for a violation."""

    resolve_reasons: tuple[Choice, ...]
    dismiss_reasons: tuple[Choice, ...]
    default_public_notes: dict[str, str]  # dismiss reason -> what the status page says
    disciplinary: Actions
    restorative: Actions
    public_outcomes: tuple[PublicOutcome, ...] = ()
    outcome_of: dict[str, str] = field(default_factory=dict)  # reason -> public outcome id
    public_actions: frozenset[str] = frozenset()  # restorative actions the resident sees
    linked_actions: frozenset[str] = frozenset()  # …whose public address staff give

    def outcome(self, reason: str | None) -> PublicOutcome | None:
        """The public outcome of a reason; None for a reason no longer listed."""
        wanted = self.outcome_of.get(reason or "")
        return next((o for o in self.public_outcomes if o.id == wanted), None)

    @property
    def actions(self) -> tuple[Choice, ...]:
        return self.disciplinary.choices + self.restorative.choices

    @functools.cached_property
    def _labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.resolve_reasons + self.dismiss_reasons}

    @functools.cached_property
    def _action_labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.actions}

    def reason_label(self, reason: str) -> str:
        """The reason's label; the id itself for a reason no longer listed."""
        return self._labels.get(reason, reason)

    def action_label(self, action: str) -> str:
        return self._action_labels.get(action, action)

    def is_action(self, action: str) -> bool:
        return action in self._action_labels


@dataclass(frozen=True)
class Catalog:
    policies: dict[str, PolicyEntry] = field(default_factory=dict)
    accounts: dict[str, AccountEntry] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    categories: tuple[Category, ...] = ()  # in the order the report form lists them
    outcomes: Outcomes | None = None
    languages: schema.LanguagesRegistry = schema.ENGLISH_ONLY

    @functools.cached_property
    def category_ids(self) -> tuple[str, ...]:
        return tuple(category.id for category in self.categories)

    @functools.cached_property
    def _categories_by_id(self) -> dict[str, Category]:
        return {category.id: category for category in self.categories}

    def category(self, category_id: str | None) -> Category | None:
        return self._categories_by_id.get(category_id or "")

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


class ContentMissing(ConfigError):
    """The content folder lacks what the app cannot work without; the message says what."""


def load_catalog(content_dir: Path) -> Catalog:
    """Read the policies, the accounts directory, the report categories and the outcomes
    from a content folder. Without usable categories or outcomes the app cannot take a
    report or close an item: ContentMissing names the file and its problems."""
    from site_builder.content import load_library
    from site_builder.labels import Words, short_title, title_of

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
        names, titles = {}, {}
        for language in library.languages.languages:
            words = Words(language.code, library=library)
            translated = words.translation(policy)
            if translated is None:
                continue
            names[language.code] = (words.title(policy), words.short_title(policy))
            if translated.has_text:
                titles[language.code] = {section.id: section.title
                                         for section in translated.outline.sections}
        policies[policy_id] = PolicyEntry(policy_id, policy.meta.title, policy.meta.number,
                                          sections, title_of(policy), short_title(policy),
                                          names, titles)
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
    for name, registry in (("report-categories.yaml", library.report_categories),
                           ("outcomes.yaml", library.outcomes)):
        if registry is None:
            found = [str(p) for p in problems if p.path == f"registries/{name}"]
            raise ContentMissing(
                f"{content_dir}/registries/{name} is " + (
                    f"not usable: {'; '.join(found)}" if found else "missing")
                + "; the feedback app needs it (see content/README.md, and run "
                  "`transparency check`)")
    return Catalog(policies, accounts, tuple(str(p) for p in problems),
                   _categories(library.report_categories, policies),
                   _outcomes(library.outcomes), library.languages)


def _categories(registry: schema.ReportCategoryRegistry,
                policies: dict[str, PolicyEntry]) -> tuple[Category, ...]:
    """The categories, each rule cited as the registry says ("Resolution §1.A.3") or as the
    policy labels its section ("AI 1-19 §K.b")."""
    def rule(cited: schema.Citation) -> Rule:
        policy = policies.get(cited.policy)
        label = policy.section_label(cited.section) if policy is not None else None
        return Rule(cited.policy, cited.section,
                    cited.cited_as or label or f"{cited.policy} {cited.section}")

    return tuple(Category(c.id, c.label, c.hint, tuple(rule(cited) for cited in c.cites))
                 for c in registry.categories)


def _outcomes(registry: schema.OutcomeRegistry) -> Outcomes:
    def actions(listed: schema.ActionList) -> Actions:
        return Actions(listed.cites.policy, listed.cites.section,
                       tuple(Choice(a.id, a.label) for a in listed.actions))

    restorative = registry.restorative_actions.actions
    return Outcomes(
        tuple(Choice(r.id, r.label, r.hint) for r in registry.resolve_reasons),
        tuple(Choice(r.id, r.label, r.hint) for r in registry.dismiss_reasons),
        {r.id: r.public_note for r in registry.dismiss_reasons},
        actions(registry.disciplinary_actions), actions(registry.restorative_actions),
        tuple(PublicOutcome(o.id, o.label, o.hint, o.link, o.asks_where)
              for o in registry.public_outcomes),
        {r.id: r.outcome for r in registry.resolve_reasons + registry.dismiss_reasons},
        frozenset(a.id for a in restorative if a.public),
        frozenset(a.id for a in restorative if a.link))
