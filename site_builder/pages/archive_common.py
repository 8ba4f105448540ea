"""What a policy's archive pages share: the context they are made from, the links between
them, the notices about the history, and an old version's text rendered and kept.

The archive pages are written by `versions.py`, one module per page type beside this one
(`version_list`, `version`, `redlines`, `compare`, `changelog`, `what_changed`).
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from .. import addresses, store
from ..addresses import md_link
from ..content import Library, Policy
from ..history import PolicyHistory, Version
from ..labels import count
from ..markup import admonition
from ..outline import parse_outline
from ..redline import RENDERER_VERSION
from ..render import render_policy_body, rewrite_links
from ..store import Store, source_hash

PAGE_VERSION = "versions-1"  # bump when the page layout changes, to refresh the cache


def cache_key(*parts: str) -> str:
    """A key in the build's store for an archive page or a piece of one."""
    return Store.key(PAGE_VERSION, RENDERER_VERSION, *parts)


@dataclass(frozen=True)
class ArchiveContext:
    library: Library
    site: dict
    today: dt.date
    touched: set[str]  # the store's entries the pages were made from


def published_on(version: Version) -> dt.date | None:
    return version.published.date() if version.published else None


def responds_text(version: Version) -> str | None:
    """ "This revision responds to 2 pieces of public feedback: SMR-…, SMR-…", each code
    linked to its public status page; None when the revision names none. Never their text:
    the status page shows only what the City wrote back."""
    codes = version.responds_to
    if not codes:
        return None
    links = ", ".join(f"[{code}]({addresses.status_url('feedback', code)})" for code in codes)
    return (f"This revision responds to "
            f"{count(len(codes), 'piece of public feedback', 'pieces of public feedback')}: "
            f"{links}.")


def nav_links(here: str, pid: str, *, history: PolicyHistory, skip: str = "") -> str:
    links = [
        ("current", "Current version", addresses.policy(pid)),
        ("list", "All versions", addresses.versions(pid)),
        ("compare", "Compare versions", addresses.compare(pid)),
        ("changelog", "Changelog", addresses.changelog(pid)),
    ]
    items = [f"[{label}]({md_link(here, page)})" for key, label, page in links if key != skip]
    return " · ".join(items) + "\n"


def history_notices(history: PolicyHistory) -> str:
    out = []
    if not history.complete:
        out.append(admonition(
            "warning", "History not available in this build",
            "This build could not read the policy's publication history, so only one "
            "version is shown. Earlier versions are not listed here.",
        ))
    if history.unpublished:
        out.append(admonition(
            "warning", "Unpublished changes",
            "This is a local preview: the policy file has changes that are not published "
            "yet. They are shown on the current page, not as a version.",
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


def policy_body(policy: Policy, library: Library, page: str, touched: set[str]) -> str:
    """An old version's text rendered for `page`, from the store when it holds it."""
    targets = sorted(link.target for link in policy.outline.links)
    resolved = []
    for target in targets:
        path = urlsplit(target).path
        if path.endswith(".md"):
            other = library.policy_at(posixpath.normpath(posixpath.join("policies", path)))
            resolved.append(f"{target}>{other.id if other else ''}:"
                            + (",".join(sorted(other.outline.anchors)) if other else ""))
    key = cache_key("body", source_hash("render.py", "active_content.py"), policy.id, page,
                    policy.body, *resolved)
    touched.add(key)
    text = store.current().get_text(key)
    if text is None:
        safe = safe_links(policy, library)
        text = render_policy_body(safe, page=page, library=library, feedback=False)
        store.current().put_text(key, text)
    return text
