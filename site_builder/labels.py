"""The site's words for things: each label, date form and title written once.

Every page module, the open data and the feedback app take their wording from here, so
a policy is called the same thing in the drop-down of a form as on its page.
"""

from __future__ import annotations

from .content import Policy


def title_of(policy: Policy) -> str:
    """"AI 1-19: Social Media Policy", or the title alone when there is no number."""
    meta = policy.meta
    return f"{meta.number}: {meta.title}" if meta.number else meta.title


def short_title(policy: Policy) -> str:
    """"AI 1-19", or the title when there is no number."""
    return policy.meta.number or policy.meta.title
