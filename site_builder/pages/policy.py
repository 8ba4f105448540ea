"""A policy's current page: its details, its text with an anchor on every section and
clause, and links to its versions, all known from its history.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from .. import addresses, render_html, store
from ..addresses import (
    REPORT_FORM,
    feedback_url,
    href,
    md_link,
)
from ..addresses import policy as policy_page
from ..content import Policy
from ..history import PolicyHistory, spans
from ..labels import (
    ENGLISH,
    NOT_RECORDED,
    NOT_STATED,
    POLICY_KIND_LABELS,
    POLICY_STATUS_LABELS,
    Wording,
)
from ..languages import catalogue_hash
from ..markup import a, admonition, front_matter, page_source
from ..parallel import in_processes, workers
from ..render import escape_md, linked_policies, render_policy_body
from ..store import Store, source_hash
from ..translations import Translation
from .common import Context, made_by, review_badge, status_badges, version_line

PARALLEL_MIN = 8  # texts to make: fewer are not worth a second process
# what the text on a policy's page is made by (`policy_text`)
TEXT_CODE = ("pages/policy.py", "render.py", "render_html.py", "active_content.py",
             "addresses.py", "labels.py", "languages.py", "markup.py", "outline.py")


def policy_page_md(ctx: Context, policy: Policy, texts: dict[str, str] | None = None) -> str:
    """The policy's current page; its text from `texts` (`policy_texts`) when given."""
    meta = policy.meta
    _ = ctx._
    here = policy_page(policy.id)
    status = ctx.review(policy)
    number, changed = version_line(ctx, policy)
    translated = ctx.translation(policy)
    summary = translated.meta.summary if translated else meta.summary
    english = ctx.in_english  # a value shown as the English content writes it
    out = [front_matter(title=ctx.title(policy), description=summary)]
    out.append(f"# {escape_md(ctx.title(policy))} {{#policy-title}}\n")
    out.append(f'<p class="policy-badges">{status_badges(policy, ctx)}</p>\n')
    out.append(escape_md(summary) + "\n")
    history = ctx.histories.get(policy.id)
    if not ctx.english:
        out.append(translation_notice(ctx, policy, translated, history))
    if meta.status == "draft":
        out.append(admonition("warning", _("Draft"), _("This policy is a draft. It has not "
                                                       "been adopted and is not in force.")))
    if meta.status in ("superseded", "retired"):
        out.append(admonition("warning", _(POLICY_STATUS_LABELS[meta.status]),
                              _("This policy is %(status)s and no longer in force.",
                                status=_(POLICY_STATUS_LABELS[meta.status]).lower())))
    if meta.sample:
        out.append(admonition("note", _("Sample record"), _(
            "This is an illustrative sample, not an adopted City policy. It shows how such "
            "a policy is published on this site.")))
    if meta.incomplete:
        note = (escape_md(translated.meta.incomplete) if translated and translated.meta.incomplete
                else english(escape_md(meta.incomplete)))
        out.append(admonition("warning", _("Incomplete source"), note))
    if history is not None and history.unpublished:
        out.append(admonition("danger", _("Unpublished changes"), _(
            "This preview includes edits that are not committed. They are not a published "
            "version and will not appear on the public site until committed.")))

    rows: list[tuple[str, str]] = [
        (_("ID"), f"<code>{escape(policy.id)}</code>"),
        (_("Number"), escape(meta.number) if meta.number else _("No official number")),
        (_("Title"), escape(translated.meta.title) if translated
         else english(escape(meta.title), html=True)),
        (_("Kind"), escape(_(POLICY_KIND_LABELS[meta.kind]))),
        (_("Department"), english(escape(meta.department), html=True)),
        (_("Owner"), english(escape(meta.owner), html=True)),
        (_("Status"), status_badges(policy, ctx)),
    ]
    if meta.parent and meta.parent in ctx.library.policies:
        parent = ctx.library.policies[meta.parent]
        rows.append((_("Issued under"), a(href(here, policy_page(parent.id)),
                                          ctx.title(parent))))
    if meta.approved_by or meta.kind == "department-policy":
        rows.append((_("Approved by"), english(escape(meta.approved_by), html=True)
                     if meta.approved_by else escape(_(NOT_STATED))))
    if meta.approved_by:
        rows.append((_("Approved on"), ctx.time(meta.approved_on)))
    rows += [
        (_("Issued"), ctx.time(meta.issued)),
        (_("Effective"), ctx.time(meta.effective)),
        (_("Version"), escape(number) + _history_links(ctx, here, policy, history)),
        (_("Last changed"), escape(changed)),
        (_("Review"), escape(ctx.n_("every %(num)d month", "every %(num)d months",
                                    status.interval_months))),
        (_("Last reviewed"), ctx.time(status.last_reviewed, NOT_RECORDED)),
        (_("Next review"), (ctx.time(status.next_due, _("Not scheduled (no review on record)"))
                            + " " + review_badge(status, ctx))),
    ]
    if meta.source:
        source = english(escape(meta.source.title), html=True)
        if meta.source.url:
            source = a(str(meta.source.url), meta.source.title)
            if not ctx.english:
                source = f'<span lang="en">{source}</span>'
        note = translated.meta.source_note if translated else None
        if note:
            source += f'<br><span class="policy-source-note">{escape(note)}</span>'
        elif meta.source.note:
            source += ('<br><span class="policy-source-note"'
                       + ("" if ctx.english else ' lang="en"')
                       + f">{escape(meta.source.note)}</span>")
        rows.append((_("Source"), source))
    panel = [
        '<section class="policy-details" aria-labelledby="policy-details">',
        '<h2 id="policy-details">' + escape(_("About this policy")) + "</h2>",
        "<dl>",
    ]
    panel += [f"<div><dt>{escape(k)}</dt><dd>{v}</dd></div>" for k, v in rows]
    panel.append("</dl>")
    panel.append(
        '<p class="policy-actions">'
        + a(ctx.app(feedback_url(policy.id)), _("Comment on this policy"), class_="md-button")
        + " "
        + a(ctx.app(REPORT_FORM), _("Report a possible violation"), class_="md-button")
        + "</p>"
    )
    panel.append("</section>")
    out.append("\n".join(panel) + "\n")

    children = ctx.children(policy)
    if children:
        heading = _("Department policies under this policy")
        sample = _("sample")
        out.append(f"## {heading} {{#policy-departments}}\n")
        out.append("\n".join(
            f"- [{escape_md(ctx.title(c))}]({md_link(here, policy_page(c.id))}): "
            f"{english(escape_md(c.meta.department))}"
            + (f" ({sample})" if c.meta.sample else "")
            for c in children
        ) + "\n")
    text = texts.get(policy.id) if texts is not None else None
    out.append(text if text is not None else policy_text(ctx, policy))
    return page_source(out, version_links_md(policy, history, ctx))


def shown_text(ctx: Context, policy: Policy) -> Policy:
    """The policy as its page shows its text: in the page's language when it has been
    translated, else in English."""
    translated = ctx.translation(policy)
    if translated is not None and translated.has_text:
        return replace(policy, body=translated.body, outline=translated.outline)
    return policy


def _text_key(ctx: Context, policy: Policy) -> str | None:
    """The store's key for the text on the policy's page: everything it is made from
    (the code, the language and its words, the text, the policies it links to)."""
    if not store.current().enabled:
        return None
    text = shown_text(ctx, policy)
    return Store.key(
        "policy-text", source_hash(*TEXT_CODE), render_html.VERSION if ctx.html else "",
        ctx.lang, ctx.prefix, catalogue_hash(ctx.lang), text.id, text.path, text.body,
        repr(text is policy), *linked_policies(text, ctx.library))


def policy_text(ctx: Context, policy: Policy) -> str:
    """The text on the policy's page (`render.render_policy_body`, with "Comment on …"
    links): in the page's language when translated, else the English, marked as such on
    a page in another language. With `ctx.html`, all but its headings as HTML where that
    gives the same page (`render_html.body`), which MkDocs' pass then does not convert
    again."""
    here = policy_page(policy.id)
    text = shown_text(ctx, policy)
    translated = text is not policy
    html = ctx.html and (translated or ctx.english)
    render = render_html.body if html else render_policy_body
    body = render(text, page=here, library=ctx.library, feedback=True, words=ctx)
    if ctx.english or translated:
        return body
    return f'<div lang="en" markdown="1">\n\n{body}\n</div>\n'


def policy_texts(ctx: Context, policies: list[Policy]) -> dict[str, str]:
    """`policy_text` of each policy, by id, kept in the build's store: a rebuild makes it
    again only for a policy whose text, links or words changed. The others are made in
    one process per core when there are enough of them (`parallel`): converting a
    policy's text takes about as long as the rest of its pages together."""
    cache = store.current()
    texts: dict[str, str] = {}
    keys = {policy.id: _text_key(ctx, policy) for policy in policies}
    for pid, key in keys.items():
        kept = cache.get_text(key) if key else None
        if kept is not None:
            texts[pid] = kept
    todo = [policy for policy in policies if policy.id not in texts]

    def make(share: list[Policy]) -> dict[str, str]:
        made = {}
        for policy in share:
            made[policy.id] = policy_text(ctx, policy)
            if keys[policy.id]:
                cache.put_text(keys[policy.id], made[policy.id])
        return made

    jobs = workers() if len(todo) >= PARALLEL_MIN else 1
    for made in in_processes(make, todo, jobs):
        texts.update(made)
    return texts


def translation_notice(ctx: Context, policy: Policy, translated: Translation | None,
                       history: PolicyHistory | None) -> str:
    """What a page in another language says about its text: which version it translates
    and who made it, that the English has changed since (with the redline from that
    version to the current one), or that the text is in English only."""
    _ = ctx._
    if translated is None or not translated.has_text:
        return admonition("info", _("Text in English only"), _(
            "This policy's text has not been translated yet. The summary above is "
            "translated; the text below is the English text, which is the one that "
            "applies."))
    title, lines = made_by(ctx, translated)
    number = translated.meta.translates_version
    current = history.current.number if history is not None else number
    if current > number:
        here = policy_page(policy.id)
        redline = (addresses.changes(policy.id, current) if number == current - 1
                   else addresses.pair(policy.id, number, current))
        lines.append(_("The English text has changed since: it is now at version "
                       "%(current)s. [See what changed since version %(number)s](%(link)s).",
                       current=current, number=number, link=md_link(here, redline)))
        return admonition("warning", title, " ".join(lines))
    return admonition("info", title, " ".join(lines))


def _history_links(ctx: Context, here: str, policy: Policy,
                   history: PolicyHistory | None) -> str:
    """" (all versions, changelog, compare versions)" after the version number."""
    if history is None:
        return ""
    links = [a(href(here, page), label) for label, page in history_pages(policy.id, ctx)]
    return f" ({', '.join(links)})"


def history_pages(pid: str, words: Wording = ENGLISH) -> list[tuple[str, str]]:
    """The history pages a policy may have (label, docs path), in the order shown."""
    return [
        (words._("all versions"), addresses.versions(pid)),
        (words._("changelog"), addresses.changelog(pid)),
        (words._("compare versions"), addresses.compare(pid)),
    ]


def version_links_md(policy: Policy, history: PolicyHistory | None,
                     words: Wording = ENGLISH) -> str:
    """A "Versions" section linking every version's page, its redline and the history
    pages, or "" when the policy has no history (a page built without the archive)."""
    if history is None:
        return ""
    _ = words._
    here = policy_page(policy.id)
    items = []
    for span in reversed(spans(history)):
        version = span.version
        page = addresses.version(policy.id, version.number)
        label = (_("Version %(number)s, %(date)s", number=version.number,
                   date=words.date(version.published.date())) if version.published
                 else _("Version %(number)s", number=version.number))
        current = " (" + _("current") + ")" if version is history.current else ""
        line = f"- [{label}]({md_link(here, page)}){current}"
        if version.withdrawn:
            line += ": " + _("withdrawn on %(date)s (%(reason)s)",
                             date=words.date(version.withdrawn.withdrawn),
                             reason=words.in_english(escape_md(version.withdrawn.reason)))
            items.append(line)
            continue
        if version.number > 1:
            changes = addresses.changes(policy.id, version.number)
            line += ", [" + _("what changed") + f"]({md_link(here, changes)})"
        if version.note:
            line += f": {words.in_english(escape_md(version.note))}"
        items.append(line)
    more = [f"[{label[:1].upper() + label[1:]}]({md_link(here, page)})"
            for label, page in history_pages(policy.id, words)]
    text = "\n## " + _("Versions") + " {#policy-versions}\n\n"
    text += "\n".join(items) + "\n"
    text += "\n" + " \u00b7 ".join(more) + "\n"
    return text
