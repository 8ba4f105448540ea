"""What a policy's archive pages share: the context they are made from, the links between
them, the notices about the history, and an old version's text rendered and kept.

The archive pages are written by `versions.py`, one module per page type beside this one
(`version_list`, `version`, `redlines`, `compare`, `changelog`, `what_changed`).
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field, replace
from html import escape
from urllib.parse import urlsplit

from .. import addresses, render_html
from ..addresses import md_link
from ..content import Library, Policy
from ..history import DEFAULT_ROLE, FIRST_VERSION_NOTE, PolicyHistory, Version
from ..labels import ENGLISH, Wording, title_of
from ..languages import DEFAULT, catalogue_hash
from ..markup import admonition
from ..outline import parse_outline
from ..redline import RENDERER_VERSION
from ..render import escape_md, render_policy_body, rewrite_links
from ..store import Store, source_hash

PAGE_VERSION = "versions-1"  # bump when the page layout changes, to refresh the cache


def cache_key(*parts: str) -> str:
    """A key in the build's store for an archive page or a piece of one."""
    return Store.key(PAGE_VERSION, RENDERER_VERSION, *parts)


@dataclass
class Pieces:
    """What a policy's archive pages are made from that is worth keeping between builds
    (each version's text rendered, each redline), by key. They are kept together, as one
    entry of the build's store per policy and language (`versions.make_policy_files`),
    not one entry each: creating a file costs more than making most of them."""

    known: dict = field(default_factory=dict)  # what the last build kept
    used: dict = field(default_factory=dict)  # what this build's pages were made from

    def get(self, key: str):
        value = self.used.get(key, self.known.get(key))
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value) -> None:
        self.used[key] = value


@dataclass(frozen=True)
class ArchiveContext(Wording):
    library: Library
    site: dict
    today: dt.date
    pieces: Pieces  # what the pages are made from, kept between builds
    lang: str = DEFAULT
    prefix: str = ""  # the language's address prefix ("/es"), for links to the app

    def title_md(self, policy: Policy, shown: Policy | None = None) -> str:
        """The title as Markdown: `ctx.title`, or, when `shown` (an old version) was
        titled otherwise than the current policy, its English title, marked as such; and
        an English title marked as such when the policy has no translation."""
        if shown is not None and title_of(shown) != title_of(policy):
            return self.in_english(escape_md(title_of(shown)))
        if self.translation(policy) is None:
            return self.in_english(escape_md(title_of(policy)))
        return escape_md(self.title(policy))


def md_a(text: str, target: str) -> str:
    """A Markdown link: its text as given (already escaped), its target."""
    return f"[{text}]({target})"


def role_text(words: Wording, author_role: str, html: bool = False) -> str:
    """Who published a version, escaped for Markdown (or HTML with `html`): the default
    role in the language of `words`, a role the history names in English as such."""
    if author_role == DEFAULT_ROLE:
        return words._("City staff")
    return words.in_english(escape(author_role) if html else escape_md(author_role), html)


def note_text(words: Wording, note: str, html: bool = False) -> str:
    """A version's change note, escaped for Markdown (or HTML with `html`): the note the
    history gives a first version in the language of `words`, a note a commit gives in
    English as such."""
    if note == FIRST_VERSION_NOTE:
        return words._("First published on this site.")
    return words.in_english(escape(note) if html else escape_md(note), html)


def published_on(version: Version) -> dt.date | None:
    return version.published.date() if version.published else None


def responds_text(version: Version, words: Wording = ENGLISH) -> str | None:
    """ "This revision responds to 2 pieces of public feedback: SMR-…, SMR-…", each code
    linked to its public status page; None when the revision names none. Never their text:
    the status page shows only what the City wrote back."""
    codes = version.responds_to
    if not codes:
        return None
    links = ", ".join(f"[{code}]({words.app(addresses.status_url('feedback', code))})"
                      for code in codes)
    return words.n_("This revision responds to %(num)d piece of public feedback: %(links)s.",
                    "This revision responds to %(num)d pieces of public feedback: %(links)s.",
                    len(codes), links=links)


def nav_links(here: str, pid: str, *, history: PolicyHistory, skip: str = "",
              words: Wording = ENGLISH) -> str:
    _ = words._
    links = [
        ("current", _("Current version"), addresses.policy(pid)),
        ("list", _("All versions"), addresses.versions(pid)),
        ("compare", _("Compare versions"), addresses.compare(pid)),
        ("changelog", _("Changelog"), addresses.changelog(pid)),
    ]
    items = [f"[{label}]({md_link(here, page)})" for key, label, page in links if key != skip]
    return " · ".join(items) + "\n"


def history_notices(history: PolicyHistory, words: Wording = ENGLISH) -> str:
    _ = words._
    out = []
    if not history.complete:
        out.append(admonition(
            "warning", _("History not available in this build"),
            _("This build could not read the policy's publication history, so only one "
              "version is shown. Earlier versions are not listed here."),
        ))
    if history.unpublished:
        out.append(admonition(
            "warning", _("Unpublished changes"),
            _("This is a local preview: the policy file has changes that are not published "
              "yet. They are shown on the current page, not as a version."),
        ))
    return "\n".join(out)


def safe_links(policy: Policy, library: Library) -> Policy:
    """Links in an old text that would no longer resolve point where they still can.

    A link to a section that is gone from the other policy's current text goes to that
    policy's page; one to a policy that is gone goes to the list of policies. So an old
    version never breaks the build's link check, and a reader never meets a dead link.
    """
    anchors = policy.outline.anchors
    base = posixpath.dirname(policy.path)
    if not policy.outline.links:
        return policy

    def rewrite(target: str) -> str | None:
        parts_ = urlsplit(target)
        if parts_.scheme or parts_.netloc or target.startswith("/"):
            return None
        if not parts_.path:
            return None if parts_.fragment in anchors else addresses.policy_url(policy.id)
        rel = posixpath.normpath(posixpath.join(base, parts_.path))
        if not rel.endswith(".md"):
            return None
        other = library.policy_at(rel)
        if other is None:
            return addresses.url(addresses.POLICY_INDEX)
        if parts_.fragment and parts_.fragment not in other.outline.anchors:
            return addresses.policy_url(other.id)
        return None

    if all(rewrite(link.target) is None for link in policy.outline.links):
        return policy
    body = rewrite_links(policy.body, rewrite)
    if body == policy.body:
        return policy
    return replace(policy, body=body, outline=parse_outline(body, policy.body_line))


def policy_body(policy: Policy, library: Library, page: str, pieces: Pieces,
                words: Wording = ENGLISH, *, html: bool = False) -> str:
    """An old version's text rendered for `page`, kept in `pieces`; the links and labels
    around the text in the language of `words`. With `html`, all but its headings as HTML
    where that gives the same page (`render_html.body`)."""
    targets = sorted(link.target for link in policy.outline.links)
    resolved = []
    for target in targets:
        path = urlsplit(target).path
        if path.endswith(".md"):
            other = library.policy_at(posixpath.normpath(posixpath.join("policies", path)))
            resolved.append(f"{target}>{other.id if other else ''}:"
                            + (",".join(sorted(other.outline.anchors)) if other else ""))
    language = () if words.english else (words.lang, catalogue_hash(words.lang))
    converted = (source_hash("render_html.py"), render_html.VERSION) if html else ()
    key = cache_key("body", source_hash("render.py", "active_content.py"), policy.id, page,
                    policy.body, *resolved, *language, *converted)
    text = pieces.get(key)
    if not isinstance(text, str):
        safe = safe_links(policy, library)
        render = render_html.body if html else render_policy_body
        text = render(safe, page=page, library=library, feedback=False, words=words)
        pieces.put(key, text)
    return text
