"""Version pages: each published version at its own address, redlines, changelogs, feeds.

Called by the build after the current pages are written; returns the files it wrote:

    policies/<id>/versions/                 every version: dates, notes, links
    policies/<id>/versions/<n>/             the text as of version n (permanent)
    policies/<id>/versions/<n>/changes/     redline of version n against n-1
    policies/<id>/compare/                  choose any two versions
    policies/<id>/compare/<a>-<b>/          redline of an older version against the current
    policies/<id>/changelog/                versions, corrections and detail changes
    changes/                                "What changed": the latest changes
    changes/<year>/                         every change of one year
    data/versions/<id>.json                 versions and dates, for "in effect on a date"
    data/versions/<id>.text.json            each version's text as units, for compare
    feeds/changes.atom, feeds/<id>.atom     new versions
    feeds/reviews.ics                       review due dates

Each page type is a module of `pages/` (`version_list`, `version`, `redlines`, `compare`,
`changelog`, `what_changed`); this module decides which pages a policy has, keeps them in
the build's store, and shares the policies between processes.

Version and redline pages are kept out of the navigation (mkdocs.yml `not_in_nav`) and out
of the search index (front matter `search: exclude: true`).

A published version's text never changes, so its rendered body and its redline are kept
in the build's store (`store.py`), keyed by the text and the code, and reused by the next
build. The policies are shared between processes (`parallel.py`), one per core.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from . import addresses, feeds, store
from .content import Library, Policy
from .files import write_files
from .history import PolicyHistory, spans
from .languages import DEFAULT, catalogue_hash
from .markup import PageSource
from .opendata import withdrawal_data
from .pages.archive_common import ArchiveContext, Pieces, cache_key
from .pages.changelog import changelog_md
from .pages.compare import compare_md
from .pages.redlines import no_earlier_md, redline_md
from .pages.version import tombstone_md, version_md
from .pages.version_list import version_list_md
from .pages.what_changed import site_changes_files
from .parallel import in_processes, workers
from .redline import RENDERER_VERSION, parts
from .schema import LanguageEntry
from .stamp import SiteStamp
from .store import source_hash
from .translations import translation_for

PARALLEL_MIN = 8  # policies: fewer are not worth a second process


def site_url(site: dict) -> str | None:
    """The site's public address, when the build knows it (`engine.site_url`)."""
    value = site.get("site_url")
    if not value:
        return None
    return value.rstrip("/") + "/"


# ---------------------------------------------------------------------------------------
# Data for the date picker and the compare page


def versions_index(pid: str, history: PolicyHistory) -> dict:
    return {
        "policy": pid,
        "current": history.current.number,
        "versions": [
            {
                "number": s.version.number,
                "from": s.start.isoformat() if s.start else None,
                "from_kind": s.start_kind,
                "until": s.end.isoformat() if s.end else None,
                "published": s.version.published.isoformat() if s.version.published else None,
                "note": s.version.note or None,
                "url": addresses.version_url(pid, s.version.number).lstrip("/"),
                "diff_url": (None if s.version.withdrawn else
                             (addresses.diff_url(pid, s.version.number) or "").lstrip("/") or None),
                "withdrawn": withdrawal_data(s.version),
            }
            for s in spans(history)
        ],
    }


def versions_text(history: PolicyHistory) -> dict:
    return {
        "format": RENDERER_VERSION,
        "versions": {
            str(v.number): (None if v.withheld or v.withdrawn
                            else [p.as_json() for p in parts(v.policy)])
            for v in history.versions
        },
    }


# ---------------------------------------------------------------------------------------
# Entry point


Made = dict[str, PageSource | str]  # a page, or a data file's text, by path


@dataclass(frozen=True)
class Unread:
    """A policy's archive files that the store holds under `key` (`policy_key`), left
    unread: the render stage takes the archive over from the published site by that key
    alone, and reads the files (`read`) only when it cannot. `pages` and `data` are their
    paths, in the order they are made."""

    policy: str
    key: str
    pages: tuple[str, ...]
    data: tuple[str, ...]
    make: Callable[[], Made]  # the files made anew, should the store not give them back

    def read(self) -> Made:
        return cached_policy_files(self.key) or self.make()


def _listing_key(key: str) -> str:
    return cache_key("policy-listing", key)


def cached_policy_files(key: str | None) -> Made | None:
    """A policy's archive pages and data files (by docs-relative path) as the store holds
    them under `key`, or None. A published version never changes, so when nothing these files are
    made from has changed since the last build (`policy_key`), they come whole from the
    store, and the pieces they were made from (`Pieces`) are kept as used."""
    data = store.current().get_json(key) if key else None
    if data is None:
        return None
    store.current().use(*data["uses"])
    return {path: PageSource.from_json(kept) if isinstance(kept, dict) else kept
            for path, kept in data["files"].items()}


def unread_policy_files(pid: str, key: str | None, make: Callable[[], Made]) -> Unread | None:
    """The policy's archive files under `key` as an `Unread`, when the store holds them and
    their listing (paths, and the entries they were made from, kept as used), or None."""
    cache = store.current()
    listing = cache.get_json(_listing_key(key)) if key else None
    if (not isinstance(listing, dict)
            or not all(isinstance(listing.get(name), list) for name in ("uses", "pages", "data"))
            or not cache.keep(key)
            or not all(addresses.is_archive_page(path) for path in listing["pages"])
            or not all(addresses.archive_policy(path) == pid for path in listing["data"])):
        return None  # only archive pages and data can stay unread (`site.Site.unread`)
    cache.use(*listing["uses"])
    return Unread(pid, key, tuple(listing["pages"]), tuple(listing["data"]), make)


def _pieces_key(pid: str, lang: str) -> str:
    return cache_key("policy-pieces", pid, lang)


def make_policy_files(ctx: ArchiveContext, policy: Policy, history: PolicyHistory,
                      key: str | None) -> Made:
    """A policy's archive files made anew, and kept in the store under `key` (with their
    listing, for `unread_policy_files`). What they are made from that is worth keeping
    (`Pieces`) comes from what the last build kept for the policy in this language and,
    in another language, in the default one (the redlines of the English text)."""
    cache = store.current()
    keys = [_pieces_key(policy.id, ctx.lang)]
    if ctx.lang != DEFAULT:
        keys.append(_pieces_key(policy.id, DEFAULT))
    known = {}
    for found in [cache.get_json(k) for k in reversed(keys)] if key else []:
        if isinstance(found, dict):
            known.update(found)
    pieces = Pieces(known)
    files = _policy_files(replace(ctx, pieces=pieces), policy, history)
    if key:
        cache.put_json(keys[0], pieces.used)
        kept = {path: made.as_json() if isinstance(made, PageSource) else made
                for path, made in files.items()}
        cache.put_json(key, {"uses": keys[:1], "files": kept})
        cache.put_json(_listing_key(key), {
            "uses": keys[:1],
            "pages": [path for path, made in files.items() if isinstance(made, PageSource)],
            "data": [path for path, made in files.items() if not isinstance(made, PageSource)],
        })
    return files


def _policy_files(ctx: ArchiveContext, policy: Policy, history: PolicyHistory) -> Made:
    pid = policy.id
    files: Made = {}
    files[addresses.versions(pid)] = version_list_md(ctx, policy, history)
    for span in spans(history):
        version = span.version
        n = version.number
        files[addresses.version(pid, n)] = version_md(ctx, policy, history, span)
        if n > 1:
            page = addresses.changes(pid, n)
            old = history.shown_before(n)
            if version.withdrawn:
                files[page] = tombstone_md(
                    policy, history, version, page,
                    ctx._("What changed in version %(number)s", number=n), "changes--title",
                    ctx)
            elif old is None:
                files[page] = no_earlier_md(policy, history, version, page, ctx)
            else:
                files[page] = redline_md(ctx, policy, history, old, version, page,
                                         kind="consecutive")
    current = history.current
    for old in history.versions[:-2]:
        page = addresses.pair(pid, old.number, current.number)
        if old.withdrawn:
            files[page] = tombstone_md(
                policy, history, old, page,
                ctx._("Changes from version %(old)s to version %(new)s", old=old.number,
                      new=current.number),
                "changes--title", ctx)
        else:
            files[page] = redline_md(ctx, policy, history, old, current, page, kind="pair")
    files[addresses.compare(pid)] = compare_md(ctx, policy, history)
    files[addresses.changelog(pid)] = changelog_md(ctx, policy, history)
    files[addresses.versions_data(pid)] = json.dumps(versions_index(pid, history), indent=1,
                                                    ensure_ascii=False)
    files[addresses.versions_text(pid)] = json.dumps(
        versions_text(history), separators=(",", ":"), ensure_ascii=False)
    return files


def archive_footer(history: PolicyHistory, stamp: SiteStamp, lang: str | None = None) -> str:
    """What the footer of a policy's archive pages says (`SiteStamp.policy_footer`).

    The site's own footer when the policy has uncommitted edits or an incomplete history:
    then no single commit holds the text the pages show."""
    last = next((entry for entry in history.changes if entry.commit), None)  # not a withdrawal
    if stamp.commit is None or history.unpublished or not history.complete or last is None:
        return stamp.footer_in(lang)
    return stamp.policy_footer(last.commit, last.published, lang)


def _code_hash() -> str:
    """The source of the modules a policy's archive files are made by."""
    return source_hash(
        "versions.py", "pages/archive_common.py", "pages/version_list.py", "pages/version.py",
        "pages/redlines.py", "pages/compare.py", "pages/changelog.py", "labels.py",
        "markup.py", "addresses.py", "opendata.py", "redline.py", "render.py", "outline.py",
        "history.py", "history_types.py", "active_content.py", "languages.py",
        "translations.py", "pages/common.py")


def policy_key(ctx: ArchiveContext, policy: Policy, history: PolicyHistory,
               catalogue: str | None = None) -> str | None:
    """A key for everything one policy's archive files are made from, or None (no cache).

    That is: the current file and every version as read from the history (text, front
    matter, path, commit, dates, notes, corrections, the feedback it responds to; the
    texts by the key of what the history read them from, when it names one), the
    changelog entries, the policy's translation and the translation of each version in
    the language of `ctx` (`PolicyHistory.translated`), the policies its versions link to
    (their ids and anchors, which decide where a link points), which versions take effect
    after today (their wording says so), and the code that writes the files. The cache
    covers nothing else, so a change to any of these renders the policy's pages again.

    `catalogue` is `catalogue_hash(ctx.lang)` when the caller has it already: reading and
    hashing the language's catalogue for each policy took a while (`archive_parts`).
    """
    if not store.current().enabled:
        return None
    if catalogue is None:
        catalogue = catalogue_hash(ctx.lang)
    parts: list[str] = ["policy", _code_hash(), ctx.lang, ctx.prefix, catalogue,
                        policy.path, policy.front_matter, policy.body,
                        repr((history.unpublished, history.complete, history.warnings,
                              history.paths, history.changes)), history.source or ""]
    for span in spans(history):
        v = span.version
        # its text, unless the history names what it was read from (`source`): that name
        # covers every text, which the store keeps packed (`history._keep`)
        text = "" if history.source else v.policy.body
        parts += [v.policy.path, v.policy.front_matter, text, repr((
            v.number, v.commit, v.published, v.note, v.author_role, v.corrections,
            v.effective, v.blob, v.withheld, v.withdrawn, v.responses,
            span.start is not None and span.start > ctx.today,
        ))]
        for link in v.policy.outline.links:
            path = urlsplit(link.target).path
            if not path.endswith(".md"):
                continue
            for rel in (posixpath.normpath(posixpath.join(posixpath.dirname(v.policy.path),
                                                          path)),
                        posixpath.normpath(posixpath.join("policies", path))):
                other = ctx.library.policy_at(rel)
                parts.append(f"{link.target}>{rel}>{other.id if other else ''}:"
                             + (",".join(sorted(other.outline.anchors)) if other else ""))
    translation = translation_for(ctx.library.translations, ctx.lang, policy.id)
    if translation is not None:
        parts += [translation.path, repr(translation.meta), translation.body]
    for number, translated in sorted(history.translated.get(ctx.lang, {}).items()):
        parts += [str(number), translated.path, repr(translated.meta), translated.body]
    return cache_key(*parts)


def archive_parts(
    library: Library, histories: dict[str, PolicyHistory], site: dict, *,
    unread: bool = False, language: LanguageEntry | None = None,
) -> tuple[dict[str, Made | Unread], Made, dict[str, str]]:
    """Each policy's archive files (by policy id, in order), the site's other files
    ("What changed" and the feeds), and each policy's key (`policy_key`; none without a
    store).

    A policy's files come whole from the build's store when nothing they are made from
    has changed (`policy_key`); with `unread`, they are not even read from it but handed
    over as an `Unread`. The others are made in one process per core (sending files read
    from the store back from another process costs more than reading them).
    """
    ctx = archive_context(library, site, language)
    today = ctx.today
    pids = [pid for pid in sorted(library.policies) if histories.get(pid) is not None]
    catalogue = catalogue_hash(ctx.lang)  # read once for every policy's key
    keys = {pid: policy_key(ctx, library.policies[pid], histories[pid], catalogue)
            for pid in pids}
    made: dict[str, Made | Unread] = {}
    for pid in pids:
        if unread:
            found = unread_policy_files(pid, keys[pid],
                                        _maker(ctx, library, histories, pid, keys[pid]))
        else:
            found = cached_policy_files(keys[pid])
        if found is not None:
            made[pid] = found
    todo = [pid for pid in pids if pid not in made]

    def make(share: list[str]) -> dict:
        files = {pid: make_policy_files(ctx, library.policies[pid], histories[pid], keys[pid])
                 for pid in share}
        return {"files": files}

    jobs = workers() if len(todo) >= PARALLEL_MIN else 1
    for report in in_processes(make, todo, jobs):
        made.update(report["files"])
    others: Made = {}
    others.update(site_changes_files(library, histories, ctx,
                                     html=bool(ctx.site.get("html_bodies"))))
    others.update(feeds.feed_files(library, histories, site_url=site_url(site),
                                   generated=site.get("generated"), today=today, words=ctx,
                                   keys=keys))
    return ({pid: made[pid] for pid in pids}, others,
            {pid: key for pid, key in keys.items() if key})


def archive_context(library: Library, site: dict,
                    language: LanguageEntry | None = None) -> ArchiveContext:
    """What the archive's files are written with: the library, the site's settings, the
    day they are written and their language (the default when None)."""
    today = dt.date.fromisoformat(site["today"]) if site.get("today") else dt.date.today()
    return ArchiveContext(library, site, today, Pieces(),
                          *((language.code, language.prefix) if language else ()))


def sendable(parts: tuple) -> tuple:
    """`archive_parts`' result, to be sent to another process: an `Unread` goes without
    its way of making the files anew (`received` gives it back)."""
    per_policy, others, keys = parts
    return ({pid: replace(made, make=None) if isinstance(made, Unread) else made
             for pid, made in per_policy.items()}, others, keys)


def received(parts: tuple, library: Library, histories: dict[str, PolicyHistory],
             site: dict, language: LanguageEntry | None = None) -> tuple:
    """`sendable(parts)` as `archive_parts` returned it, in this process."""
    per_policy, others, keys = parts
    ctx = archive_context(library, site, language)
    return ({pid: replace(made, make=_maker(ctx, library, histories, pid, made.key))
             if isinstance(made, Unread) else made
             for pid, made in per_policy.items()}, others, keys)


def _maker(ctx: ArchiveContext, library: Library, histories: dict[str, PolicyHistory],
           pid: str, key: str | None) -> Callable[[], Made]:
    """How an unread archive's files are made anew (`Unread.make`)."""
    return partial(make_policy_files, ctx, library.policies[pid], histories[pid], key)


def archive_files(
    library: Library, histories: dict[str, PolicyHistory], site: dict,
) -> Made:
    """Every version, redline, comparison and changelog page, each policy's data files
    about its versions, "What changed" and the feeds, by path in the docs folder."""
    per_policy, others, _ = archive_parts(library, histories, site)
    files: Made = {}
    for made in per_policy.values():
        assert not isinstance(made, Unread)
        files.update(made)
    files.update(others)
    return files


def write_version_pages(
    docs_dir: Path, library: Library, histories: dict[str, PolicyHistory], site: dict,
) -> list[Path]:
    """Write every file of `archive_files` under docs_dir."""
    made = archive_files(library, histories, site)
    return write_files(docs_dir, {path: page.markdown if isinstance(page, PageSource) else page
                                  for path, page in made.items()})
