"""The site's words for things: each label, date form and title written once.

Every page module, the feeds, the open data and the feedback app take their wording from
here, so a policy is called the same thing in the drop-down of a form as on its page. Each
table is named for what it labels.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from . import languages
from .content import Policy
from .languages import N_

# a date or fact the source document does not give
NOT_STATED = N_("Not stated in the source")
NOT_RECORDED = N_("Not recorded")  # a date the history does not hold

POLICY_KIND_LABELS = {  # a policy's kind, as a label
    "administrative-instruction": N_("Administrative instruction"),
    "resolution": N_("Council resolution"),
    "comprehensive-policy": N_("Comprehensive policy"),
    "department-policy": N_("Department policy"),
}
POLICY_KIND_PLURALS = {  # a heading over policies of one kind
    "administrative-instruction": N_("Administrative instructions"),
    "resolution": N_("Council resolutions"),
    "comprehensive-policy": N_("Comprehensive policies"),
    "department-policy": N_("Department policies"),
}
POLICY_KIND_NOUNS = {  # a policy's kind in running text: "this administrative instruction"
    "administrative-instruction": N_("administrative instruction"),
    "resolution": N_("resolution"),
    "comprehensive-policy": N_("policy"),
    "department-policy": N_("department policy"),
}
POLICY_STATUS_LABELS = {
    "draft": N_("Draft"),
    "active": N_("Active"),
    "superseded": N_("Superseded"),
    "retired": N_("Retired"),
}
ACCOUNT_STATUS_LABELS = {"active": N_("Active"), "inactive": N_("Inactive"),
                         "archived": N_("Archived")}
PLATFORM_STATUS_LABELS = {
    "approved": N_("Approved"),
    "under-review": N_("Under review"),
    "withdrawn": N_("Withdrawn"),
}
REVIEW_STATE_LABELS = {  # where a policy or registry stands in its review schedule
    "overdue": N_("Overdue"),
    "due-soon": N_("Due soon"),
    "current": N_("Current"),
    "unknown": N_("No review on record"),
}
REVIEW_STATE_ORDER = {"overdue": 0, "due-soon": 1, "unknown": 2, "current": 3}
CHANGE_KIND_LABELS = {  # an entry of a policy's changelog
    "version": N_("New version"),
    "editorial": N_("Editorial correction"),
    "metadata": N_("Details updated"),
    "withdrawn": N_("Version withdrawn"),
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
    return _long_date(value)


@functools.lru_cache(maxsize=4096)
def _long_date(value: dt.date) -> str:
    """`long_date` of a date, kept once written: a build writes tens of thousands of
    dates, most of them the same few hundred days, and `%B` goes through `strftime`."""
    return f"{value:%B} {value.day}, {value.year}"


def iso_date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def count(n: int, one: str, many: str) -> str:
    """"1 policy", "3 policies"."""
    return f"{n} {one if n == 1 else many}"


class Wording:
    """What a page maker writes with, in its language: the mixin of the page contexts
    (`pages.common.Context`, `pages.archive_common.ArchiveContext`), whose `lang` and
    `prefix` fields it reads. `ctx._("Text with %(name)s", name=value)`."""

    lang: str
    prefix: str

    def _(self, text: str, **values) -> str:
        return languages.gettext(self.lang, text, **values)

    def n_(self, singular: str, plural: str, count: int, **values) -> str:
        return languages.ngettext(self.lang, singular, plural, count, **values)

    def date(self, value: dt.date | None, missing: str | None = None) -> str:
        """A date in prose ("March 1, 2026", "1 de marzo de 2026"); `missing`, translated,
        when there is none."""
        if value is None:
            return self._(missing or NOT_STATED)
        return long_date(value) if self.english else languages.long_date(value, self.lang)

    def time(self, value: dt.date | None, missing: str | None = None) -> str:
        """A date as `<time>`, written in this language; `missing`, translated and marked
        as such, when there is none (`markup.time_tag`)."""
        from html import escape

        if value is None:
            return f'<span class="not-stated">{escape(self._(missing or NOT_STATED))}</span>'
        return f'<time datetime="{value.isoformat()}">{escape(self.date(value))}</time>'

    def in_english(self, text: str, html: bool = False) -> str:
        """Text the content gives in English alone (a department's name, a note), marked
        as English on a page in another language: `<span lang="en">`. `text` is already
        escaped for where it goes; `html` says it goes into HTML rather than Markdown."""
        if self.english:
            return text
        return f'<span lang="en">{text}</span>'

    def app(self, address: str) -> str:
        """An address of the feedback app (`/feedback/?policy=…`) in this language."""
        return self.prefix + address

    @property
    def english(self) -> bool:
        return self.lang == languages.DEFAULT

    def translation(self, policy: Policy):
        """The policy in this language (`translations.Translation`), when it has been
        translated or summarised; None in English, or without the page context's
        `library`, which holds the translations."""
        library = getattr(self, "library", None)
        if self.english or library is None:
            return None
        return library.translations.get((self.lang, policy.id))

    def title(self, policy: Policy) -> str:
        """"AI 1-19: Social Media Policy", with the title in this language when the policy
        has one (`title_of`)."""
        translated = self.translation(policy)
        if translated is None:
            return title_of(policy)
        number = policy.meta.number
        return f"{number}: {translated.meta.title}" if number else translated.meta.title

    def short_title(self, policy: Policy) -> str:
        """"AI 1-19", or the title in this language when there is no number."""
        translated = self.translation(policy)
        return policy.meta.number or (translated.meta.title if translated
                                      else policy.meta.title)


@dataclass(frozen=True)
class Words(Wording):
    """Wording alone, for a maker that has no page context (`render.render_policy_body`);
    with a `library`, titles come from its translations (`feedback_api.catalog`)."""

    lang: str = languages.DEFAULT
    prefix: str = ""
    library: object = None


ENGLISH = Words()
