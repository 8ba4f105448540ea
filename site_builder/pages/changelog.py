"""A policy's changelog (`policies/<id>/changelog/`): its new versions, editorial
corrections and updated details, newest first, each a line that links to what changed.
"""

from __future__ import annotations

from .. import addresses
from ..addresses import md_link
from ..content import Policy
from ..history import ChangeEntry, PolicyHistory
from ..labels import long_date, title_of
from ..markup import front_matter, page_source
from ..render import escape_md
from .archive_common import ArchiveContext, history_notices, nav_links


def entry_line(here: str, pid: str, entry: ChangeEntry, history: PolicyHistory) -> str:
    """One change as a list item: "- **March 1, 2026**: [Version 2](…) (what changed)…"."""
    when = long_date(entry.published.date())
    version = history.version(entry.version)
    if entry.kind == "withdrawn" or (entry.kind == "version" and version and version.withdrawn):
        target = md_link(here, addresses.version(pid, entry.version))
        what = (f"[Version {entry.version}]({target}) withdrawn" if entry.kind == "withdrawn"
                else f"[Version {entry.version}]({target}) (since withdrawn)")
    elif entry.kind == "version":
        target = (addresses.changes(pid, entry.version) if entry.version > 1
                  else addresses.version(pid, entry.version))
        what = f"[Version {entry.version}]({md_link(here, target)})"
        what += " (what changed)" if entry.version > 1 else " (first version)"
    elif entry.kind == "editorial":
        what = (f"Editorial correction to [version {entry.version}]"
                f"({md_link(here, addresses.version(pid, entry.version))})")
    else:
        fields = ", ".join(f.replace("_", " ") for f in entry.fields) or "details"
        what = f"Details updated ({escape_md(fields)}), no change to the text"
    note = f": {escape_md(entry.note)}" if entry.note else ""
    return f"- **{when}**: {what}{note} — {escape_md(entry.author_role)}"


def changelog_md(ctx: ArchiveContext, policy: Policy, history: PolicyHistory) -> str:
    pid = policy.id
    here = addresses.changelog(pid)
    out = [front_matter(f"Changelog of {title_of(policy)}", search=False)]
    out.append(f"# Changelog of {escape_md(title_of(policy))} {{#changelog--title}}\n")
    out.append(nav_links(here, pid, history=history, skip="changelog"))
    out.append(history_notices(history))
    out.append("Newest first. A new version changes the text; an editorial correction fixes "
               "it without changing its meaning; updated details (such as review dates) do "
               "not change the text. Dates are publication dates.\n")
    if history.changes:
        out.append("\n".join(entry_line(here, pid, e, history) for e in history.changes) + "\n")
    else:
        out.append("No dated changes are on record in this build.\n")
    out.append(f"Follow new versions: [Atom feed]({md_link(here, addresses.policy_feed(pid))}).\n")
    return page_source([x for x in out if x])
