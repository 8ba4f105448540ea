"""A policy's changelog (`policies/<id>/changelog/`): its new versions, editorial
corrections and updated details, newest first, each a line that links to what changed.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import addresses
from ..addresses import md_link
from ..content import Policy
from ..history import ChangeEntry, PolicyHistory
from ..labels import ENGLISH, Wording
from ..markup import front_matter, page_source
from ..render import escape_md
from .archive_common import (
    ArchiveContext,
    history_notices,
    md_a,
    nav_links,
    note_text,
    role_text,
)
from .version import title_of_page


def entry_line(here: str, pid: str, entry: ChangeEntry, history: PolicyHistory,
               words: Wording = ENGLISH, link: Callable[[str, str], str] = md_link) -> str:
    """One change as a list item: "- **March 1, 2026**: [Version 2](…) (what changed)…".
    Its links are `link(here, page)`: Markdown links to pages by default, for MkDocs to
    check and rewrite, or `addresses.href` for a list converted on its own."""
    _ = words._
    when = words.date(entry.published.date())
    version = history.version(entry.version)
    label = _("Version %(number)s", number=entry.version)
    if entry.kind == "withdrawn" or (entry.kind == "version" and version and version.withdrawn):
        to = f"[{label}]({link(here, addresses.version(pid, entry.version))})"
        what = (_("%(version)s withdrawn", version=to) if entry.kind == "withdrawn"
                else _("%(version)s (since withdrawn)", version=to))
    elif entry.kind == "version":
        target = (addresses.changes(pid, entry.version) if entry.version > 1
                  else addresses.version(pid, entry.version))
        to = f"[{label}]({link(here, target)})"
        what = (_("%(version)s (what changed)", version=to) if entry.version > 1
                else _("%(version)s (first version)", version=to))
    elif entry.kind == "editorial":
        what = _("Editorial correction to [version %(number)s](%(link)s)",
                 number=entry.version,
                 link=link(here, addresses.version(pid, entry.version)))
    else:
        fields = ", ".join(f.replace("_", " ") for f in entry.fields)
        what = (_("Details updated (%(fields)s), no change to the text",
                  fields=words.in_english(escape_md(fields))) if fields
                else _("Details updated (details), no change to the text"))
    note = f": {note_text(words, entry.note)}" if entry.note else ""
    return f"- **{when}**: {what}{note} — {role_text(words, entry.author_role)}"


def changelog_md(ctx: ArchiveContext, policy: Policy, history: PolicyHistory) -> str:
    _ = ctx._
    pid = policy.id
    here = addresses.changelog(pid)
    out = [front_matter(_("Changelog of %(title)s", title=ctx.title(policy)), search=False)]
    heading = title_of_page(ctx, _("Changelog"), policy)
    out.append(f"# {heading} {{#changelog--title}}\n")
    out.append(nav_links(here, pid, history=history, skip="changelog", words=ctx))
    out.append(history_notices(history, ctx))
    out.append(_("Newest first. A new version changes the text; an editorial correction "
                 "fixes it without changing its meaning; updated details (such as review "
                 "dates) do not change the text. Dates are publication dates.") + "\n")
    if history.changes:
        out.append("\n".join(entry_line(here, pid, e, history, ctx) for e in history.changes)
                   + "\n")
    else:
        out.append(_("No dated changes are on record in this build.") + "\n")
    feed = md_a(_("Atom feed"), md_link(here, addresses.policy_feed(pid)))
    out.append(_("Follow new versions: %(feed)s.", feed=feed) + "\n")
    return page_source([x for x in out if x])
