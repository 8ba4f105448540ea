"""A version's page: the text of a policy as of one published version, at its permanent
address (`policies/<id>/versions/<n>/`); and what stays there when a version is withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from .. import addresses
from ..addresses import md_link
from ..content import Policy
from ..history import PolicyHistory, Span, Version
from ..labels import ENGLISH, Wording, title_of
from ..markup import admonition, front_matter, html_block, page_source
from ..render import escape_md
from ..translations import Translation
from .archive_common import (
    ArchiveContext,
    history_notices,
    md_a,
    note_text,
    policy_body,
    published_on,
    responds_text,
    role_text,
)
from .common import made_by


def span_text(span: Span, *, draft: bool, today: dt.date | None = None,
              words: Wording = ENGLISH) -> str:
    """ "in effect from March 1, 2026 until June 1, 2026"."""
    _ = words._
    if span.start is None:
        return _("in effect on a date not recorded")
    start = words.date(span.start)
    if draft:
        return _("published as a draft on %(date)s", date=start)
    today = today or dt.date.today()
    if span.start > today:
        if span.end is not None:
            return _("takes effect on %(start)s until %(end)s", start=start,
                     end=words.date(span.end))
        return _("takes effect on %(start)s", start=start)
    if span.end is not None:
        return _("in effect from %(start)s until %(end)s", start=start,
                 end=words.date(span.end))
    return _("in effect from %(start)s", start=start)


def date_kind(span: Span, words: Wording = ENGLISH) -> str:
    """Where a version's start date comes from, in words."""
    if span.start_kind == "effective":
        return words._("effective date stated in the policy")
    if span.start_kind == "published":
        return words._("no effective date is stated, so this is the date it was published")
    return words._("no date is on record")


def withdrawn_text(version: Version, words: Wording = ENGLISH,
                   escape: Callable[[str], str] = str, html: bool = False) -> str:
    """ "Version 4 was withdrawn on March 2, 2026: <reason>", the reason escaped with
    `escape` (and marked as English on a page in another language: in HTML with `html`)."""
    assert version.withdrawn is not None
    return words._("Version %(number)s was withdrawn on %(date)s: %(reason)s",
                   number=version.number, date=words.date(version.withdrawn.withdrawn),
                   reason=words.in_english(escape(version.withdrawn.reason), html))


def policy_title(words: Wording, policy: Policy) -> str:
    """The policy's title in the language of `words` when it knows the translations."""
    return words.title(policy) if isinstance(words, ArchiveContext) else title_of(policy)


def policy_title_md(words: Wording, policy: Policy) -> str:
    """The policy's title as Markdown, in the language of `words` when it knows the
    translations (`ArchiveContext.title_md`)."""
    return (words.title_md(policy) if isinstance(words, ArchiveContext)
            else escape_md(title_of(policy)))


def title_of_page(words: Wording, what: str, policy: Policy) -> str:
    """A page's heading: "What changed in version 3 of AI 9-99: …", as Markdown."""
    return words._("%(what)s of %(title)s", what=what, title=policy_title_md(words, policy))


def tombstone_md(policy: Policy, history: PolicyHistory, version: Version, here: str,
                 title: str, anchor: str, words: Wording = ENGLISH) -> str:
    """What stays at a withdrawn version's addresses (its page, its redline, its
    comparison with the current version): when and why it was withdrawn, no text.
    `title` is the page's subject, in the language of `words` ("Version 4")."""
    _ = words._
    pid = policy.id
    n = version.number
    name = policy_title(words, policy)
    out = [front_matter(f"{title} — {name}",
                        _("Version %(number)s of %(title)s was withdrawn", number=n, title=name),
                        search=False)]
    out.append(f"# {title_of_page(words, title, policy)} {{#{anchor}}}\n")
    lines = [withdrawn_text(version, words, escape_md)]
    said = [_("Its text is no longer published.")]
    if version.published:
        said.append(_("It was published on %(date)s.", date=words.date(published_on(version))))
    said.append(_("The other versions keep their numbers and addresses, and redlines "
                  "compare the versions around it."))
    lines.append(" ".join(said))
    links = [md_a(_("See the current version"), md_link(here, addresses.policy(pid)))]
    if n > 1:
        links.append(md_a(_("Version %(number)s", number=n - 1),
                          md_link(here, addresses.version(pid, n - 1))))
    if n < len(history.versions):
        links.append(md_a(_("Version %(number)s", number=n + 1),
                          md_link(here, addresses.version(pid, n + 1))))
    links.append(md_a(_("All versions"), md_link(here, addresses.versions(pid))))
    lines.append(" · ".join(links))
    out.append(admonition("warning", _("Version %(number)s withdrawn", number=n),
                          "\n\n".join(lines)))
    return page_source(out)


def version_md(ctx: ArchiveContext, policy: Policy, history: PolicyHistory, span: Span) -> str:
    _ = ctx._
    version = span.version
    pid = policy.id
    n = version.number
    here = addresses.version(pid, n)
    if version.withdrawn:
        return tombstone_md(policy, history, version, here,
                            _("Version %(number)s", number=n), "version--title", ctx)
    shown = version.policy
    draft = shown.meta.status == "draft"
    name = ctx.title(policy)
    out = [front_matter(_("%(title)s, version %(number)s", title=name, number=n),
                        _("The text of %(title)s as of version %(number)s", title=name,
                          number=n),
                        search=False)]
    heading = _("%(title)s — version %(number)s", title=ctx.title_md(policy, shown), number=n)
    out.append(f"# {heading} {{#version--title}}\n")
    is_current = n == history.current.number
    lines = [_("This is **version %(number)s** of %(total)s, %(span)s (%(kind)s).",
               number=n, total=len(history.versions),
               span=span_text(span, draft=draft, today=ctx.today, words=ctx),
               kind=date_kind(span, ctx))]
    if version.published:
        lines.append(_("Published on this site on %(date)s by %(role)s.",
                       date=ctx.date(published_on(version)),
                       role=role_text(ctx, version.author_role)))
    if version.note:
        lines.append(_("Change note: %(note)s", note=note_text(ctx, version.note)))
    if responds := responds_text(version, ctx):
        lines.append(responds)
    links = []
    if is_current:
        lines.append(_("This is the current version."))
    links.append(md_a(_("See the current version"), md_link(here, addresses.policy(pid))))
    if n > 1:
        links.append(md_a(_("What changed in version %(number)s", number=n),
                          md_link(here, addresses.changes(pid, n))))
    if n > 1:
        links.append(md_a(_("Version %(number)s", number=n - 1),
                          md_link(here, addresses.version(pid, n - 1))))
    if not is_current:
        links.append(md_a(_("Version %(number)s", number=n + 1),
                          md_link(here, addresses.version(pid, n + 1))))
    links.append(md_a(_("All versions"), md_link(here, addresses.versions(pid))))
    lines.append(" · ".join(links))
    kind = "warning" if not is_current else "info"
    heading = (_("Version %(number)s (current)", number=n) if is_current
               else _("Version %(number)s (not the current version)", number=n))
    out.append(admonition(kind, heading, "\n\n".join(lines)))
    if version.corrections:
        editorial = _("editorial correction")
        items = "\n".join(
            f"- {ctx.date(c.published.date())}: "
            f"{ctx.in_english(escape_md(c.note)) if c.note else editorial}"
            f" ({role_text(ctx, c.author_role)})"
            for c in version.corrections
        )
        out.append(admonition(
            "note", _("Editorial corrections"),
            _("These corrections were made to this version without changing its meaning; "
              "the text below includes them.") + f"\n\n{items}",
        ))
    if not history.complete or history.unpublished:
        out.append(history_notices(history, ctx))
    if version.withheld:
        out.append(admonition("warning", _("Text withheld"),
                              ctx.in_english(escape_md(version.withheld))))
    else:
        out.append(_version_text(ctx, history, version, here))
    return page_source([x for x in out if x])


def translated_text(ctx: Wording, history: PolicyHistory, version: Version
                    ) -> tuple[Translation, Policy] | None:
    """The translation of `version` into the language of `ctx`, and the version as
    that translation gives it (its body and outline), when the history has one with a
    text (`PolicyHistory.translated`); None in English."""
    if ctx.english or version.withheld or version.withdrawn:
        return None
    translated = history.translation(ctx.lang, version.number)
    if translated is None or not translated.has_text:
        return None
    return translated, replace(version.policy, body=translated.body,
                               outline=translated.outline)


def _version_text(ctx: ArchiveContext, history: PolicyHistory, version: Version,
                  here: str) -> str:
    """The version's text: in English; on a page in another language, its translation
    when one of this very version was published (with a notice saying what it is),
    otherwise the English, marked as such, under a notice that it is in English only."""
    html = bool(ctx.site.get("html_bodies"))
    if ctx.english:
        return policy_body(version.policy, ctx.library, here, ctx.pieces, html=html)
    if (found := translated_text(ctx, history, version)) is not None:
        translated, text = found
        return (translation_notice(ctx, translated) + "\n"
                + policy_body(text, ctx.library, here, ctx.pieces, ctx, html=html))
    body = policy_body(version.policy, ctx.library, here, ctx.pieces, ctx, html=html)
    notice = admonition("info", ctx._("Text in English only"), ctx._(
        "The text of this version has not been translated. It is shown below in English, "
        "which is the text that applies."))
    # The wrapper as two marked HTML blocks, not a `markdown="1"` div: the archive step sets
    # them aside, so the text is converted a section at a time as in English
    # (`engine/sections.py`, which converts a page with raw HTML whole).
    start, end = html_block('<div lang="en">'), html_block("</div>")
    return f"{notice}\n{start}\n{body}\n{end}"


def translation_notice(words: Wording, translated: Translation) -> str:
    """Who made the translation of this version, as the policy's page says it."""
    title, lines = made_by(words, translated)
    return admonition("info", title, " ".join(lines))
