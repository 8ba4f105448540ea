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


# Keys and values that look like credentials stop the build: the content is public. The
# rules are in secrets_scan.py; these two are kept for the callers that name one value.
def secret_in_value(value: str) -> str | None:
    """Name what a value looks like if it looks like a credential, else None."""
    found = secrets_scan.scan(value, value=True)
    return found[0].what if found else None


def secret_key(key: str) -> bool:
    return secrets_scan.credential_name(key)
