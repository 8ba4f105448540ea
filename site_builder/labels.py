"""The site's words for things: each label, date form and title written once.

Every page module, the feeds, the open data and the feedback app take their wording from
here, so a policy is called the same thing in the drop-down of a form as on its page. Each
table is named for what it labels.
"""

from __future__ import annotations

import datetime as dt

from .content import Policy

NOT_STATED = "Not stated in the source"  # a date or fact the source document does not give
NOT_RECORDED = "Not recorded"  # a date the history does not hold

POLICY_KIND_LABELS = {  # a policy's kind, as a label
    "administrative-instruction": "Administrative instruction",
    "resolution": "Council resolution",
    "comprehensive-policy": "Comprehensive policy",
    "department-policy": "Department policy",
}
POLICY_KIND_PLURALS = {  # a heading over policies of one kind
    "administrative-instruction": "Administrative instructions",
    "resolution": "Council resolutions",
    "comprehensive-policy": "Comprehensive policies",
    "department-policy": "Department policies",
}
POLICY_KIND_NOUNS = {  # a policy's kind in running text: "this administrative instruction"
    "administrative-instruction": "administrative instruction",
    "resolution": "resolution",
    "comprehensive-policy": "policy",
    "department-policy": "department policy",
}
POLICY_STATUS_LABELS = {
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
REVIEW_STATE_LABELS = {  # where a policy or registry stands in its review schedule
    "overdue": "Overdue",
    "due-soon": "Due soon",
    "current": "Current",
    "unknown": "No review on record",
}
REVIEW_STATE_ORDER = {"overdue": 0, "due-soon": 1, "unknown": 2, "current": 3}
CHANGE_KIND_LABELS = {  # an entry of a policy's changelog
    "version": "New version",
    "editorial": "Editorial correction",
    "metadata": "Details updated",
    "withdrawn": "Version withdrawn",
}


def title_of(policy: Policy) -> str:
    """"AI 1-19: Social Media Policy", or the title alone when there is no number."""
    meta = policy.meta
    return f"{meta.number}: {meta.title}" if meta.number else meta.title


def short_title(policy: Policy) -> str:
    """"AI 1-19", or the title when there is no number."""
    return policy.meta.number or policy.meta.title


def long_date(value: dt.date | None, missing: str = NOT_STATED) -> str:
    """"March 1, 2026"; `missing` when there is no date."""
    if value is None:
        return missing
    return f"{value:%B} {value.day}, {value.year}"


def iso_date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def count(n: int, one: str, many: str) -> str:
    """"1 policy", "3 policies"."""
    return f"{n} {one if n == 1 else many}"
