"""Redlines: what changed between two versions of a policy, marked as the Council marks
amendments. One for each version against the one before it
(`policies/<id>/versions/<n>/changes/`), one for each older version against the current
(`policies/<id>/compare/<a>-<b>/`). On a page in another language, a redline compares the
two versions' translations when both have one (`PolicyHistory.translated`), says so and
links the English text's redline; otherwise it is the English text's, marked as English.

A published version's text never changes, so a redline is kept with its policy's pieces
(`archive_common.Pieces`), keyed by the two texts, and reused by the next build.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape

from .. import addresses
from ..addresses import md_link
from ..content import Policy
from ..history import PolicyHistory, Version, spans
from ..labels import ENGLISH, Wording
from ..markup import a, admonition, front_matter, html_block, page_source
from ..redline import (
    COUNCIL_LEGEND,
    LEGEND_TEXT,
    PREAMBLE_ID,
    Redline,
    SectionChange,
    in_language,
    redline,
    screen_reader_words,
)
from ..render import escape_md
from .archive_common import (
    ArchiveContext,
    Pieces,
    cache_key,
    md_a,
    note_text,
    published_on,
    responds_text,
)
from .version import (
    date_kind,
    policy_title,
    span_text,
    title_of_page,
    translated_text,
    withdrawn_text,
)


def cached_redline(old: Version, new: Version, pieces: Pieces) -> Redline | None:
    """The redline of `old` against `new`, kept in `pieces`; None when either text is
    withheld or withdrawn."""
    if old.withheld or new.withheld or old.withdrawn or new.withdrawn:
        return None
    key = cache_key("redline", old.policy.body, new.policy.body)
    data = pieces.get(key)
    if isinstance(data, dict):
        return Redline(data["html"], tuple(SectionChange(*s) for s in data["sections"]),
                       data["inserted"], data["deleted"])
    result = redline(old.policy, new.policy)
    pieces.put(key, {
        "html": result.html,
        "sections": [[s.id, s.title, s.status] for s in result.sections],
        "inserted": result.inserted,
        "deleted": result.deleted,
    })
    return result


def legend(words: Wording = ENGLISH) -> str:
    """How insertions and deletions are marked, for the top of a redline."""
    _ = words._
    said = screen_reader_words(words)
    lang = "" if words.english else f' lang="{escape(words.lang)}"'

    def example(tag: str, spoken: str, text: str) -> str:
        return (f'<{tag}><span class="rl-bracket" aria-hidden="true">[</span>'
                f'<span class="rl-sr"{lang}>{escape(spoken)}: </span>{escape(text)}'
                f'<span class="rl-bracket" aria-hidden="true">]</span></{tag}>')

    marks = escape(_("%(inserted)s is new. %(deleted)s is deleted.")) % {
        "inserted": example("ins", said["inserted"], _("Underlined text in brackets")),
        "deleted": example("del", said["deleted"], _("Struck-through text in brackets")),
    }
    council = escape(_(LEGEND_TEXT)) % {
        "legend": words.in_english(escape(COUNCIL_LEGEND), html=True)}
    return (
        '<div class="rl-legend" role="note" aria-labelledby="changes--legend">'
        '<h2 id="changes--legend">' + escape(_("How changes are marked")) + "</h2>"
        f"<p>{marks} "
        + escape(_("Screen readers announce each change as inserted or deleted.")) + "</p>"
        f"<p>{council}</p></div>\n"
    )


def translated_notice(words: Wording, here: str, kinds: set[str], old: int, new: int,
                      prefix: str) -> str:
    """What a redline of two translations says it is: whose translations (the least
    authoritative of the two kinds), which versions, and a link to the redline of the
    English text, the same page at the site's root."""
    _ = words._
    kind = next(k for k in ("machine", "courtesy", "official") if k in kinds)
    title = {"official": _("Changes marked in the official translation"),
             "courtesy": _("Changes marked in the courtesy translation; the English text "
                           "governs"),
             "machine": _("Changes marked in the machine translation; the English text "
                          "governs")}[kind]
    lines = [_("This is a redline of the translation: it compares the translation of "
               "version %(old)s with the translation of version %(new)s.", old=old, new=new),
             a(addresses.in_default_language(here, prefix),
               _("See what changed in the English text"), hreflang="en")]
    return admonition("note", title, " ".join(lines))


def redline_md(
    ctx: ArchiveContext, policy: Policy, history: PolicyHistory, old: Version, new: Version,
    here: str, *, kind: str,
) -> str:
    """A redline page; on a page in another language, the redline of the two versions'
    translations when both have one (`version.translated_text`), else of the English text,
    marked as such."""
    _ = ctx._
    pid = policy.id
    translations = (translated_text(ctx, history, old), translated_text(ctx, history, new))
    translated = all(translations)
    if translated:
        (old_translation, old_text), (new_translation, new_text) = translations
        result = cached_redline(replace(old, policy=old_text), replace(new, policy=new_text),
                                ctx.pieces)
    else:
        result = cached_redline(old, new, ctx.pieces)
    span = {s.version.number: s for s in spans(history)}[new.number]
    draft = new.policy.meta.status == "draft"
    if kind == "consecutive":
        title = _("What changed in version %(number)s", number=new.number)
    else:
        title = _("Changes from version %(old)s to version %(new)s", old=old.number,
                  new=new.number)
    name = ctx.title(policy)
    out = [front_matter(f"{title} — {name}",
                        _("%(what)s of %(title)s, marked as the Council marks amendments",
                          what=title, title=name), search=False)]
    out.append(f"# {title_of_page(ctx, title, policy)} {{#changes--title}}\n")
    when = dict(span=span_text(span, draft=draft, today=ctx.today, words=ctx),
                kind=date_kind(span, ctx), new=new.number, old=old.number)
    lines = [
        _("Version %(new)s compared with version %(old)s. Version %(new)s is %(span)s "
          "(%(kind)s), published on %(date)s.", date=ctx.date(published_on(new)), **when)
        if new.published else
        _("Version %(new)s compared with version %(old)s. Version %(new)s is %(span)s "
          "(%(kind)s).", **when),
    ]
    skipped = [v.number for v in history.versions[old.number:new.number - 1] if v.withdrawn]
    if skipped:
        names = ", ".join(_("Version %(number)s", number=n) for n in skipped)
        lines.append(ctx.n_("%(versions)s was withdrawn, so the text is compared with the "
                            "version before it.",
                            "%(versions)s were withdrawn, so the text is compared with the "
                            "version before it.", len(skipped), versions=names))
    if new.note and kind == "consecutive":
        lines.append(_("Change note: %(note)s", note=note_text(ctx, new.note)))
    if kind == "consecutive" and (responds := responds_text(new, ctx)):
        lines.append(responds)
    lines.append(" · ".join([
        md_a(_("Text of version %(number)s", number=new.number),
             md_link(here, addresses.version(pid, new.number))),
        md_a(_("Text of version %(number)s", number=old.number),
             md_link(here, addresses.version(pid, old.number))),
        md_a(_("Current version"), md_link(here, addresses.policy(pid))),
        md_a(_("All versions"), md_link(here, addresses.versions(pid))),
        md_a(_("Compare other versions"), md_link(here, addresses.compare(pid))),
    ]))
    out.append(admonition("info", _("Version %(old)s → version %(new)s", old=old.number,
                                    new=new.number),
                          "\n\n".join(lines)))
    if result is None:
        out.append(admonition("warning", _("Not available"),
                              _("One of these versions' text is withheld, so no redline is "
                                "shown.")))
        return page_source(out)
    if translated:
        out.append(translated_notice(ctx, here, {old_translation.meta.kind,
                                                 new_translation.meta.kind},
                                     old.number, new.number, ctx.prefix))
    out.append(html_block(legend(ctx)))
    out.append("## " + _("Sections that changed") + " {#changes--sections}\n")
    if result.sections:
        items = []
        for section in result.sections:
            status = {"changed": _("changed"), "added": _("added"),
                      "removed": _("removed")}[section.status]
            title_md = (escape_md(_("Opening text")) if section.id == PREAMBLE_ID
                        else escape_md(section.title) if translated
                        else ctx.in_english(escape_md(section.title)))
            items.append(f"- [{title_md}](#{section.id}) ({status})")
        out.append("\n".join(items) + "\n")
        out.append(_("%(inserted)s words inserted, %(deleted)s deleted.",
                     inserted=result.inserted, deleted=result.deleted) + "\n")
    else:
        out.append(_("The words are the same; only details outside the text changed.") + "\n")
    out.append("## " + _("The text with changes marked") + " {#changes--text}\n")
    out.append(html_block(_offset_headings(in_language(result.html, ctx,
                                                       translated=translated))))
    return page_source(out)


def _offset_headings(html: str) -> str:
    """Redline section headings one level below the page's own headings."""
    def bump(match: re.Match) -> str:
        level = min(int(match.group(2)) + 1, 6)
        return f"<{match.group(1)}h{level}"

    return re.sub(r"<(/?)h([1-6])", bump, html)


def no_earlier_md(policy: Policy, history: PolicyHistory, version: Version, here: str,
                 words: Wording = ENGLISH) -> str:
    """A redline's address when every earlier version was withdrawn."""
    _ = words._
    pid = policy.id
    n = version.number
    title = _("What changed in version %(number)s", number=n)
    out = [front_matter(f"{title} — {policy_title(words, policy)}", search=False)]
    out.append(f"# {title_of_page(words, title, policy)} {{#changes--title}}\n")
    lines = [" ".join(withdrawn_text(v, words, escape_md) for v in history.versions[:n - 1]),
             _("There is no earlier version to compare it with."),
             md_a(_("Text of version %(number)s", number=n),
                  md_link(here, addresses.version(pid, n))) + " · "
             + md_a(_("All versions"), md_link(here, addresses.versions(pid)))]
    out.append(admonition("info", _("Version %(number)s", number=n), "\n\n".join(lines)))
    return page_source(out)
