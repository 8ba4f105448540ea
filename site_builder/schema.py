"""The content schema: one definition of every field, enforced by `transparency check`.

`content/README.md` documents these models field by field; a test keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    model_validator,
)
from pydantic import Strict as StrictType
from pydantic_core import PydanticCustomError

from . import secrets_scan

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
HOST_PATTERN = r"^[a-z0-9.-]+\.[a-z]{2,}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# A number or a true/false is only ever taken as written: "12" is text, 1 is not true.
Whole = Annotated[int, StrictType()]
Flag = Annotated[bool, StrictType()]


def as_date(value: object) -> dt.date:
    """A date written YYYY-MM-DD; YAML dates reach the schema as the text they were written as.

    Raises PydanticCustomError 'date_impossible' for a day that does not exist (2026-02-30)
    and 'date_format' for anything else that is not a date (a number, a date and time, …).
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_impossible", "there is no such day") from None
    raise PydanticCustomError("date_format", "not a date written YYYY-MM-DD")


def date_or_none(value: object) -> dt.date | None:
    """`as_date`, or None for anything that is not a date (old versions are read leniently)."""
    try:
        return as_date(value)
    except PydanticCustomError:
        return None


Date = Annotated[dt.date, BeforeValidator(as_date)]

POLICY_KINDS = (
    "administrative-instruction",
    "resolution",
    "comprehensive-policy",
    "department-policy",
)
POLICY_STATUSES = ("draft", "active", "superseded", "retired")
PLATFORM_STATUSES = ("approved", "under-review", "withdrawn")
ACCOUNT_STATUSES = ("active", "inactive", "archived")


class Strict(BaseModel):
    """Unknown fields are errors: a typo must never silently drop a value."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Review(Strict):
    interval_months: Whole = Field(ge=1, le=60, description="Months between reviews.")
    last_reviewed: Date | None = Field(
        description="Date of the last completed review, or null when it is not on record."
    )


class Source(Strict):
    title: Line = Field(description="Where the text was taken from.")
    url: HttpUrl | None = Field(default=None, description="Public address of the source.")
    note: Text | None = Field(default=None, description="Anything a reader should know.")


class RequiredElement(Strict):
    id: Slug = Field(description="Stable id of the element, used by `satisfies`.")
    clause: Slug = Field(description="Anchor of the clause in the resolution that requires it.")
    title: Line = Field(description="The element's name as the resolution gives it.")


class PolicyMeta(Strict):
    id: Slug = Field(description="Stable identity of the policy; its address on the site.")
    title: Line = Field(description="Title as published.")
    number: Line | None = Field(default=None, description='Official designation, e.g. "AI 1-19".')
    kind: Literal[POLICY_KINDS] = Field(description="What sort of document it is.")
    status: Literal[POLICY_STATUSES] = Field(description="Where it stands.")
    sample: Flag = Field(default=False, description="True for an illustrative record.")
    department: Line = Field(description="Department the policy belongs to.")
    owner: Line = Field(description="Office responsible for reviews (a role, not a person).")
    parent: Slug | None = Field(default=None, description="Id of the policy this one implements.")
    approved_by: Line | None = Field(default=None, description="Role that approved it.")
    approved_on: Date | None = Field(default=None, description="Date of approval.")
    issued: Date | None = Field(default=None, description="Date issued or adopted.")
    effective: Date | None = Field(default=None, description="Date it took effect.")
    summary: Text = Field(description="One sentence for the policy index.")
    incomplete: Text | None = Field(
        default=None, description="What is missing or cut off in the source."
    )
    source: Source | None = Field(default=None, description="Where the text comes from.")
    review: Review = Field(description="Review schedule.")
    change_note: Text | None = Field(
        default=None, description="Public note for the version this commit makes."
    )
    satisfies: dict[Slug, Slug] | None = Field(
        default=None,
        description="Comprehensive policy only: required element id -> section id.",
    )
    requires: list[RequiredElement] | None = Field(
        default=None, description="Resolution only: the elements it requires."
    )

    @model_validator(mode="after")
    def _kind_rules(self) -> PolicyMeta:
        if self.kind == "department-policy":
            if not self.parent:
                raise ValueError(
                    "parent: a department policy must name its parent policy (AI 1-19 §R); "
                    "add `parent: ai-1-19`"
                )
            if not self.approved_by:
                raise ValueError(
                    "approved_by: a department policy must say who approved it (AI 1-19 §R); "
                    "add `approved_by: Communications Director`"
                )
        if self.satisfies is not None and self.kind != "comprehensive-policy":
            raise ValueError("satisfies: only a comprehensive-policy declares elements it meets")
        if self.requires is not None and self.kind != "resolution":
            raise ValueError("requires: only a resolution lists required elements")
        return self


class Platform(Strict):
    id: Slug = Field(description="Stable id, used by accounts.")
    name: Line = Field(description="Name of the platform.")
    domains: list[Annotated[str, StringConstraints(pattern=HOST_PATTERN)]] = Field(
        min_length=1, description="Host names its account URLs use."
    )
    status: Literal[PLATFORM_STATUSES] = Field(description="Approval state.")
    approved_on: Date | None = Field(default=None, description="Date approved for City use.")
    notes: Text | None = Field(default=None, description="Usage agreement and the like.")
    sample: Flag = Field(default=False, description="True for an illustrative record.")


class PlatformRegistry(Strict):
    owner: Line = Field(description="Office that keeps the list (DTI, AI 1-19 §O.a).")
    review: Review = Field(description="Review schedule (annual, AI 1-19 §O.a).")
    sample: Flag = Field(default=False, description="True when the list is illustrative.")
    platforms: list[Platform] = Field(description="The approved platforms.")


class Account(Strict):
    id: Slug = Field(description="Stable id of the account.")
    platform: Slug = Field(description="Id of a platform in platforms.yaml.")
    handle: Line = Field(description="The account's name on the platform.")
    url: HttpUrl = Field(description="Public address of the account.")
    department: Line = Field(description="Department that runs it.")
    purpose: Text = Field(description="What the account is for.")
    status: Literal[ACCOUNT_STATUSES] = Field(description="Whether it is in use.")
    approved_by: Line | None = Field(default=None, description="Role that approved it.")
    approved_on: Date | None = Field(default=None, description="Date approved.")
    last_verified: Date | None = Field(default=None, description="Date last checked.")
    sample: Flag = Field(default=False, description="True for an illustrative record.")


class AccountRegistry(Strict):
    owner: Line = Field(description="Office that keeps the directory.")
    review: Review = Field(description="Review schedule.")
    accounts: list[Account] = Field(description="The official accounts.")


class Withdrawal(Strict):
    policy: Slug = Field(description="Id of the policy.")
    version: Whole = Field(ge=1, description="Number of the withdrawn version.")
    withdrawn: Date = Field(description="Date it was withdrawn from the site.")
    reason: Text = Field(description="Why, as the public tombstone says it.")


class WithdrawnRegistry(Strict):
    withdrawals: list[Withdrawal] = Field(description="The withdrawn versions.")


class DroppedResponse(Strict):
    policy: Slug = Field(description="Id of the policy.")
    version: Whole = Field(ge=1, description="The version whose commit named the code.")
    code: Line = Field(description="The code as the trailer wrote it, or in its canonical "
                                   "form.")
    reason: Text = Field(description="Why it is dropped (for the record; not published).")


class ResponsesRegistry(Strict):
    dropped: list[DroppedResponse] = Field(
        description="Codes that pushed commits named in a Responds-to trailer by mistake.")


LANGUAGE_CODE = r"^[a-z]{2,3}(?:-[A-Z]{2})?$"


class LanguageEntry(Strict):
    code: Annotated[str, StringConstraints(pattern=LANGUAGE_CODE)] = Field(
        description="BCP 47 code, as `lang` attributes, addresses (`/es/`) and the "
                    "catalogue's folder (`translations/es/`) write it.")
    name: Line = Field(description="The language's name in itself, for the language "
                                   "switch: `Español`.")
    english_name: Line = Field(description="Its name in English, for staff: `Spanish`.")
    default: Flag = Field(False, description="The site's first language, served without "
                                             "a prefix; exactly one language is.")
    search: Slug | None = Field(None, description="The search index's language (a "
                                                  "lunr language: `es`); by default the "
                                                  "code's first part.")

    @property
    def prefix(self) -> str:
        """The path every address in this language starts with: `` or `/es`."""
        return "" if self.default else f"/{self.code}"


class LanguagesRegistry(Strict):
    languages: list[LanguageEntry] = Field(min_length=1, description="The site's languages, "
                                           "in the order the language switch lists them.")

    @model_validator(mode="after")
    def one_default(self):
        codes = [language.code for language in self.languages]
        if len(set(codes)) != len(codes):
            raise ValueError("each language is listed once; remove the repeated code")
        defaults = [language.code for language in self.languages if language.default]
        if len(defaults) != 1:
            raise ValueError("exactly one language has `default: true` (the one served "
                             f"without a prefix); found {len(defaults)}")
        return self


TRANSLATION_KINDS = ("official", "courtesy", "machine")


class TranslationMeta(Strict):
    """The front matter of a policy's translation (content/translations/<lang>/<id>.md)."""

    policy: Slug = Field(description="The id of the policy it translates.")
    lang: Annotated[str, StringConstraints(pattern=LANGUAGE_CODE)] = Field(
        description="Its language: a code in registries/languages.yaml, the same as its "
                    "folder's name.")
    translates_version: Annotated[int, StrictType(), Field(ge=1)] = Field(
        description="The version of the policy it translates (its number on the site).")
    kind: Literal[TRANSLATION_KINDS] = Field(description="Who made it: an official "
                                             "translation, a courtesy translation, or a "
                                             "machine translation.")
    sample: Flag = Field(default=False, description="True for a sample policy's sample "
                                                    "translation.")
    title: Line = Field(description="The policy's title in this language.")
    summary: Text = Field(description="The policy in a few plain sentences, in this "
                                      "language.")
    incomplete: Text | None = Field(default=None, description="The policy's note on what "
                                    "its source lacks, in this language.")
    source_note: Text | None = Field(default=None, description="The note on the policy's "
                                     "source, in this language.")


ENGLISH_ONLY = LanguagesRegistry(languages=[LanguageEntry(
    code="en", name="English", english_name="English", default=True, search="en")])


# Keys and values that look like credentials stop the build: the content is public. The
# rules are in secrets_scan.py; these two are kept for the callers that name one value.
def secret_in_value(value: str) -> str | None:
    """Name what a value looks like if it looks like a credential, else None."""
    found = secrets_scan.scan(value, value=True)
    return found[0].what if found else None


def secret_key(key: str) -> bool:
    return secrets_scan.credential_name(key)


# ---------------------------------------------------------------------------------------
# What the feedback app offers (registries/report-categories.yaml, registries/outcomes.yaml)
# and the clauses the site's own pages cite (registries/citations.yaml). Policy ids and
# anchors in them are checked against the policies by `citations.py`.

# Ids the feedback database keeps in columns of 40 characters (a report's category, an
# item's reason); the chosen actions of an item are kept together in one of 400.
ShortSlug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=40)]
ACTIONS_MAX_CHARACTERS = 400
# Reasons the inbox's workflow acts on, so a registry may relabel them but must keep them:
# a confirmed violation asks for the actions taken, a duplicate names its original, and
# spam is left out of the public statistics (the inbox's bulk actions are these two).
WORKFLOW_RESOLVE_REASONS = ("violation-confirmed",)
WORKFLOW_DISMISS_REASONS = ("duplicate", "spam")


class Citation(Strict):
    policy: Slug = Field(description="Id of the policy cited.")
    section: Slug = Field(
        description="Anchor of the section or clause in that policy (`k-b` for AI 1-19 §K.b)."
    )
    cited_as: Line | None = Field(
        default=None,
        description='How the citation is written, when the policy\'s number and clause will '
                    'not do (default: "AI 1-19 §K.b").',
    )


class ReportCategory(Strict):
    id: ShortSlug = Field(description="Stable id, stored with each report. Unique.")
    label: Line = Field(description="The choice as the report form shows it.")
    hint: Text = Field(description="One sentence under the choice.")
    cites: list[Citation] = Field(default_factory=list,
                                  description="The rules the category comes from.")


class ReportCategoryRegistry(Strict):
    categories: list[ReportCategory] = Field(
        min_length=1, description="The kinds of problem a report can be about, in order."
    )


class PublicOutcome(Strict):
    id: ShortSlug = Field(description="Stable id, in the status JSON and the decisions "
                                      "register. Unique.")
    label: Line = Field(description="What the resident's status page calls it.")
    hint: Text = Field(description="What it means, for the resident.")
    link: Literal["accounts"] | None = Field(
        default=None, description="`accounts`: the status page links the directory of "
                                  "official accounts.")
    asks_where: bool = Field(default=False, description="Staff say where the item was "
                                                        "referred; the status page shows it.")


# What a registry written before public outcomes existed means: the public outcome of
# each reason the shipped registry has always had, and the outcomes themselves.
STANDARD_OUTCOMES = {
    "violation-confirmed": "substantiated", "addressed": "not-substantiated",
    "feedback-taken-up": "taken-up", "feedback-noted": "noted", "duplicate": "duplicate",
    "spam": "closed", "not-a-violation": "not-substantiated", "out-of-scope": "closed",
    "not-a-city-account": "not-a-city-account", "referred": "referred-elsewhere",
}


class Reason(Strict):
    id: ShortSlug = Field(description="Stable id, stored with each closed item. Unique.")
    label: Line = Field(description="The choice as the inbox shows it.")
    hint: Text = Field(description="When to choose it.")
    outcome: ShortSlug | None = Field(
        default=None, description="The public outcome it gives (public_outcomes); the "
                                  "standard reasons have one without it.")


class DismissReason(Reason):
    public_note: Text = Field(
        description="What the status page says when staff dismiss without a note of their own."
    )


class Action(Strict):
    id: ShortSlug = Field(description="Stable id, stored with each item it was taken for. "
                                      "Unique across both lists.")
    label: Line = Field(description="The choice as the inbox shows it.")
    public: bool = Field(default=False, description="The status page names it (restorative "
                                                    "actions only: disciplinary ones never).")
    link: bool = Field(default=False, description="Public by nature (a correction, an "
                                                  "apology): staff give its address, and "
                                                  "the status page links it.")


class ActionList(Strict):
    cites: Citation = Field(description="The section of the policy that provides them.")
    actions: list[Action] = Field(min_length=1, description="The actions, in order.")


def standard_public_outcomes() -> list[PublicOutcome]:
    return [
        PublicOutcome(id="substantiated", label="Substantiated",
                      hint="The post broke the policy, and action was taken."),
        PublicOutcome(id="not-substantiated", label="Not substantiated",
                      hint="We checked, and the post did not break the policy."),
        PublicOutcome(id="not-a-city-account", label="Not a City account", link="accounts",
                      hint="The account is not one of the City's official accounts, so the "
                           "City's policies do not apply to it."),
        PublicOutcome(id="referred-elsewhere", label="Referred elsewhere", asks_where=True,
                      hint="It is for another body to decide, and we passed it on."),
        PublicOutcome(id="duplicate", label="Duplicate",
                      hint="The same as an earlier submission, which is being handled there."),
        PublicOutcome(id="taken-up", label="Taken up",
                      hint="The feedback goes into the policy's next review or a change to it."),
        PublicOutcome(id="noted", label="Noted",
                      hint="The feedback was read and considered; no change is planned."),
        PublicOutcome(id="closed", label="Closed", hint="Closed without further action."),
    ]


class OutcomeRegistry(Strict):
    public_outcomes: list[PublicOutcome] = Field(
        default_factory=standard_public_outcomes, min_length=1,
        description="What a decided item's status page says happened.")
    resolve_reasons: list[Reason] = Field(description="Why an item is resolved.")
    dismiss_reasons: list[DismissReason] = Field(description="Why an item is dismissed.")
    disciplinary_actions: ActionList = Field(
        description="What may be done about the employee for a confirmed violation."
    )
    restorative_actions: ActionList = Field(
        description="What may be done to repair the harm of a confirmed violation."
    )

    @model_validator(mode="after")
    def _workflow_reasons(self) -> OutcomeRegistry:
        for key, reasons, needed in (
            ("resolve_reasons", self.resolve_reasons, WORKFLOW_RESOLVE_REASONS),
            ("dismiss_reasons", self.dismiss_reasons, WORKFLOW_DISMISS_REASONS),
        ):
            missing = [n for n in needed if n not in {r.id for r in reasons}]
            if missing:
                raise ValueError(
                    f"{key}: the inbox's workflow needs the reason {missing[0]!r}; add it back "
                    "(its label, hint and note may say anything)"
                )
        outcomes = [o.id for o in self.public_outcomes]
        for key, reasons in (("resolve_reasons", self.resolve_reasons),
                             ("dismiss_reasons", self.dismiss_reasons)):
            for reason in reasons:
                if reason.outcome is None:
                    if reason.id not in STANDARD_OUTCOMES:
                        raise ValueError(
                            f"{key}: {reason.id!r} needs `outcome`, the public outcome it "
                            f"gives ({', '.join(outcomes)})")
                    object.__setattr__(reason, "outcome", STANDARD_OUTCOMES[reason.id])
                if reason.outcome not in outcomes:
                    raise ValueError(
                        f"{key}: {reason.id!r} gives the outcome {reason.outcome!r}, which is "
                        f"not in public_outcomes ({', '.join(outcomes)})")
        for action in self.disciplinary_actions.actions:
            if action.public or action.link:
                raise ValueError(
                    f"disciplinary_actions: {action.id!r} is marked public, but what is done "
                    "about an employee is never public; take out `public` and `link`")
        for action in self.restorative_actions.actions:
            if action.link and not action.public:
                raise ValueError(f"restorative_actions: {action.id!r} has `link: true`, so "
                                 "it is shown: add `public: true`")
        ids = [a.id for a in self.disciplinary_actions.actions + self.restorative_actions.actions]
        if len(",".join(ids)) > ACTIONS_MAX_CHARACTERS:
            raise ValueError(
                f"restorative_actions: the ids of all the actions come to "
                f"{len(','.join(ids)):,} characters with a comma between each, over the "
                f"{ACTIONS_MAX_CHARACTERS} the inbox can keep for an item; use shorter ids"
            )
        return self


class SiteCitations(Strict):
    comment_guidelines: Citation = Field(
        default=Citation(policy="ai-1-19", section="k"),
        description="The clause listing what comments may be removed (AI 1-19 §K), shown "
                    "as the comment guidelines page.",
    )
    platform_list: Citation = Field(
        default=Citation(policy="ai-1-19", section="o-a"),
        description="The clause that has the list of approved platforms kept (AI 1-19 §O.a).",
    )
