"""What the page modules share: the context they are made from, and the badges and
version line several of them show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from ..content import Library, Policy
from ..history import PolicyHistory
from ..labels import (
    ENGLISH,
    NOT_RECORDED,
    POLICY_STATUS_LABELS,
    REVIEW_STATE_LABELS,
    REVIEW_STATE_ORDER,
    Wording,
    iso_date,
)
from ..languages import DEFAULT
from ..markup import badge
from ..review import ReviewStatus, review_status
from ..schema import POLICY_KINDS
from ..stamp import SiteStamp


class PageProblem(Exception):
    """Content the pages cannot be built from; carries `path:line: message` lines."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass(frozen=True)
class Context(Wording):
    """What the current pages are made from, and the language they are written in."""

    library: Library
    histories: dict[str, PolicyHistory]
    stamp: SiteStamp
    lang: str = DEFAULT
    prefix: str = ""  # the language's address prefix ("/es"), for links to the app
    html: bool = False  # a policy's text may be laid out as HTML (`render_html`)

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
        """The policies whose parent is `policy`, in reading order."""
        return list(self._children.get(policy.id, ()))

    @cached_property
    def _children(self) -> dict[str, list[Policy]]:
        """Each parent's children in reading order, gathered once per context: looking
        through every policy for each policy's page took 650,000 tests at 800 policies."""
        index: dict[str, list[Policy]] = {}
        for p in self.ordered():
            index.setdefault(p.meta.parent, []).append(p)
        return index


def status_badges(policy: Policy, words: Wording = ENGLISH) -> str:
    parts = [badge(words._(POLICY_STATUS_LABELS[policy.meta.status]), policy.meta.status)]
    if policy.meta.sample:
        parts.append(badge(words._("Sample"), "sample"))
    return " ".join(parts)


def review_badge(status: ReviewStatus, words: Wording = ENGLISH) -> str:
    order = f"{REVIEW_STATE_ORDER[status.state]} {iso_date(status.next_due) or '9999'}"
    return badge(words._(REVIEW_STATE_LABELS[status.state]), f"review-{status.state}",
                 sort=order)


def version_line(ctx: Context, policy: Policy) -> tuple[str, str]:
    history = ctx.histories.get(policy.id)
    if history is None:
        return "1", ctx._(NOT_RECORDED)
    current = history.current
    changed = (
        ctx.date(current.published.date()) if current.published
        else ctx._("Not recorded (the content has no git history)")
    )
    return str(current.number), changed


def made_by(words: Wording, translated) -> tuple[str, list[str]]:
    """What a translated page says about its translation (`translations.Translation`):
    a title naming who made it, and the version it translates."""
    _ = words._
    kind = translated.meta.kind
    title = {"official": _("Official translation"),
             "courtesy": _("Courtesy translation; the English text governs"),
             "machine": _("Machine translation; the English text governs")}[kind]
    lines = [_("This is a translation of version %(number)s of the policy.",
               number=translated.meta.translates_version)]
    if translated.meta.sample:
        lines.append(_("It is a sample translation of a sample policy."))
    if kind == "machine":
        lines.append(_("It was made by a computer program and has not been checked by a "
                       "person."))
    return title, lines
