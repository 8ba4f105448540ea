"""Feeds: Atom feeds of new versions, and an iCalendar file of review due dates.

- `feeds/changes.atom`: new versions of every policy, newest first (RFC 4287).
- `feeds/<id>.atom`: new versions of one policy.
- `feeds/reviews.ics`: when each policy and registry is next due for review, for staff
  calendars (RFC 5545: CRLF line ends, lines folded at 75 octets, UID and DTSTAMP).

Links are absolute when the site's address is configured (`site_url`), otherwise relative
to the feed, which feed readers resolve against the feed's own address. Entry ids are
`urn:uuid:` names derived from the policy, the version and its commit, so they stay the
same whatever address the site is served from.
"""

from __future__ import annotations

import datetime as dt
import uuid
from xml.sax.saxutils import escape as xml_escape

from . import addresses, store
from .content import Library
from .history import DEFAULT_ROLE, FIRST_VERSION_NOTE, PolicyHistory, Version
from .labels import ENGLISH, Wording, title_of
from .languages import N_
from .review import review_status
from .store import Store, source_hash
from .translations import translation_for

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://transparency.invalid/social-media-policies")
SITE_TITLE = "City of Albuquerque social media policies"
PUBLISHER = N_("City of Albuquerque")
MAX_SITE_ENTRIES = 100
PRODID = "-//City of Albuquerque//Social Media Policy Transparency//EN"
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _id(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, '/'.join(parts))}"


def _in(words: Wording, *parts: str) -> tuple[str, ...]:
    """`parts` of an id, and the language when it is not the default: the feeds in each
    language are feeds of their own, and their entries entries of their own."""
    return parts if words.english else (*parts, words.lang)


def _rfc3339(when: dt.datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def _attr(value: str) -> str:
    return xml_escape(value, {'"': "&quot;"})


def _title(library: Library, pid: str, words: Wording = ENGLISH) -> str:
    """The policy's title, in the language of `words` when it has been translated."""
    policy = library.policies[pid]
    translated = (None if words.english
                  else translation_for(library.translations, words.lang, pid))
    if translated is None:
        return title_of(policy)
    number = policy.meta.number
    return f"{number}: {translated.meta.title}" if number else translated.meta.title


def _updated(version: Version) -> dt.datetime:
    times = [version.published] + [c.published for c in version.corrections]
    if version.withdrawn:
        times.append(dt.datetime.combine(version.withdrawn.withdrawn, dt.time(), dt.UTC))
    return max(t for t in times if t is not None)


def _entry(library: Library, pid: str, version: Version, site_url: str | None,
           feed_path: str, words: Wording = ENGLISH, updated: dt.datetime | None = None) -> str:
    """One version as an entry; `updated` is `_updated(version)`, when worked out already."""
    _ = words._
    number = version.number
    page = addresses.changes(pid, number) if number > 1 else addresses.version(pid, number)
    title = _("%(title)s: version %(number)s", title=_title(library, pid, words), number=number)
    note = version.note or (_("First published version") if number == 1 else _("New version"))
    if note == FIRST_VERSION_NOTE:
        note = _(FIRST_VERSION_NOTE)
    summary = note
    if version.effective:
        summary = _("%(summary)s (effective %(date)s)", summary=summary,
                    date=version.effective.isoformat())
    for correction in version.corrections:
        summary = _("%(summary)s Corrected %(date)s: %(note)s", summary=summary,
                    date=correction.published.date().isoformat(), note=correction.note)
    if version.withdrawn:  # the same entry, updated: readers replace what they kept
        page = addresses.version(pid, number)
        title = _("%(title)s: version %(number)s (withdrawn)", title=_title(library, pid, words),
                  number=number)
        summary = _("Version %(number)s was withdrawn on %(date)s: %(reason)s", number=number,
                    date=version.withdrawn.withdrawn.isoformat(),
                    reason=version.withdrawn.reason)
    assert version.published is not None
    author = _(DEFAULT_ROLE) if version.author_role == DEFAULT_ROLE else version.author_role
    return "\n".join([
        "  <entry>",
        f"    <id>{_id(*_in(words, pid, 'versions', str(number), version.commit or ''))}</id>",
        f"    <title>{xml_escape(title)}</title>",
        f"    <published>{_rfc3339(version.published)}</published>",
        f"    <updated>{_rfc3339(updated or _updated(version))}</updated>",
        f'    <link rel="alternate" type="text/html" '
        f'href="{_attr(addresses.absolute(site_url, feed_path, page))}"/>',
        f"    <author><name>{xml_escape(author)}</name></author>",
        f'    <category term="{xml_escape(pid)}"/>',
        f'    <summary type="text">{xml_escape(summary)}</summary>',
        "  </entry>",
    ])


def atom_feed(
    library: Library,
    items: list[tuple[str, Version]],
    *,
    feed_path: str,
    title: str,
    alternate: str,
    site_url: str | None,
    generated: str | None,
    words: Wording = ENGLISH,
) -> str:
    """An Atom feed of versions, newest first, in the language of `words` (whose pages
    its links lead to when `site_url` is that language's address)."""
    # each version's time of update worked out once: it orders the entries, dates the
    # feed (the latest) and each entry
    dated = [(_updated(v), pid, v) for pid, v in items if v.published is not None]
    dated.sort(key=lambda item: (item[0], item[1], item[2].number), reverse=True)
    if dated:
        updated = _rfc3339(dated[0][0])
    elif generated:
        updated = generated
    else:
        updated = _rfc3339(EPOCH)
    self_href = addresses.absolute(site_url, feed_path, feed_path)
    alt_href = addresses.absolute(site_url, feed_path, alternate)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_attr(words.lang)}">',
        f"  <id>{_id(*_in(words, 'feeds', feed_path))}</id>",
        f"  <title>{xml_escape(title)}</title>",
        f"  <updated>{updated}</updated>",
        f'  <link rel="self" type="application/atom+xml" href="{xml_escape(self_href)}"/>',
        f'  <link rel="alternate" type="text/html" href="{xml_escape(alt_href)}"/>',
        f"  <author><name>{xml_escape(words._(PUBLISHER))}</name></author>",
        "  <generator>transparency</generator>",
    ]
    lines += [_entry(library, pid, v, site_url, feed_path, words, when)
              for when, pid, v in dated]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# iCalendar


def ics_text(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and line breaks escaped."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    if line.isascii():  # one octet a character: cut every 75, then every 74 after a space
        return "\r\n ".join([line[:75]] + [line[i:i + 74] for i in range(75, len(line), 74)])
    out: list[str] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b" "
            limit = 75
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


def reviews_calendar(
    library: Library, *, site_url: str | None, generated: str | None, today: dt.date,
    words: Wording = ENGLISH,
) -> str:
    """Review due dates of every policy and registry with a review on record, in the
    language of `words`."""
    _ = words._
    host = "transparency.invalid"
    if site_url:
        from urllib.parse import urlsplit

        host = urlsplit(site_url).hostname or host
    stamp = (generated or _rfc3339(EPOCH)).replace("-", "").replace(":", "")
    stamp = stamp.replace("Z", "").split("+")[0].split(".")[0] + "Z"
    items: list[tuple[str, str, str, object, str | None]] = []
    for pid, policy in sorted(library.policies.items()):
        meta = policy.meta
        title = _title(library, pid, words)
        items.append((f"policy-{pid}", _("Review due: %(title)s", title=title), meta.owner,
                      meta.review, addresses.policy(pid)))
    if library.platforms is not None:
        items.append(("registry-platforms",
                      _("Review due: approved platforms list (AI 1-19 §O.a)"),
                      library.platforms.owner, library.platforms.review, addresses.PLATFORMS))
    if library.accounts is not None:
        items.append(("registry-accounts", _("Review due: official accounts directory"),
                      library.accounts.owner, library.accounts.review, addresses.ACCOUNTS))
    suffix = "" if words.english else f"-{words.lang}"  # a UID of this calendar's own
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID if words.english else PRODID[:-2] + words.lang.upper()}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + ics_text(_("Social media policy reviews")),
    ]
    for key, summary, owner, review, path in items:
        status = review_status(review, today)
        if status.next_due is None:
            continue
        due = status.next_due
        end = due + dt.timedelta(days=1)
        description = words.n_(
            "Responsible: %(owner)s. Reviewed every %(num)d month; last reviewed %(last)s.",
            "Responsible: %(owner)s. Reviewed every %(num)d months; last reviewed %(last)s.",
            status.interval_months, owner=owner,
            last=status.last_reviewed.isoformat() if status.last_reviewed else _("never"))
        if status.state == "overdue":
            description += " " + _("This review is overdue.")
        lines += [
            "BEGIN:VEVENT",
            f"UID:review-{key}-{due.isoformat()}{suffix}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            f"SUMMARY:{ics_text(summary)}",
            f"DESCRIPTION:{ics_text(description)}",
            "TRANSP:TRANSPARENT",
            "CATEGORIES:" + ics_text(_("Policy review")),
        ]
        if site_url and path:
            lines.append(f"URL:{addresses.absolute(site_url, addresses.REVIEWS_CALENDAR, path)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def feed_files(
    library: Library,
    histories: dict[str, PolicyHistory],
    *,
    site_url: str | None,
    generated: str | None,
    today: dt.date,
    words: Wording = ENGLISH,
    keys: dict[str, str | None] | None = None,
) -> dict[str, str]:
    """Every feed file, by its path under the docs folder, in the language of `words`:
    its titles and text, and its links to the pages in that language (`site_url` is the
    site's address, to which the language's prefix is added).

    `keys` are the policies' keys (`versions.policy_key`: the policy, its history and
    translation, the language and its catalogue): a policy's feed is kept in the build's
    store under its key, the site's address and this module, and on a rebuild only the
    feed of a policy that changed is written again."""
    _ = words._
    if site_url and not words.english:
        site_url = site_url.rstrip("/") + words.prefix + "/"
    cache = store.current()
    files: dict[str, str] = {}
    everything: list[tuple[str, Version]] = []
    for pid in sorted(library.policies):
        history = histories.get(pid)
        if history is None:
            continue
        items = [(pid, v) for v in history.versions]
        everything += items
        path = addresses.policy_feed(pid)
        policy_key = keys.get(pid) if keys else None
        kept = None if policy_key is None else Store.key(
            "policy-feed", source_hash("feeds.py"), policy_key, site_url or "",
            # the build's time dates only a feed without a dated version
            "" if any(v.published for v in history.versions) else generated or "")
        feed = cache.get_text(kept) if kept else None
        if feed is None:
            feed = atom_feed(
                library, items, feed_path=path,
                title=_("%(title)s: new versions", title=_title(library, pid, words)),
                alternate=addresses.versions(pid), site_url=site_url, generated=generated,
                words=words,
            )
            if kept:
                cache.put_text(kept, feed)
        files[path] = feed
    everything = [(p, v) for p, v in everything if v.published is not None]
    everything.sort(key=lambda item: _updated(item[1]), reverse=True)
    files[addresses.SITE_FEED] = atom_feed(
        library, everything[:MAX_SITE_ENTRIES], feed_path=addresses.SITE_FEED,
        title=_("City of Albuquerque social media policies: what changed"),
        alternate=addresses.SITE_CHANGES, site_url=site_url, generated=generated, words=words,
    )
    files[addresses.REVIEWS_CALENDAR] = reviews_calendar(
        library, site_url=site_url, generated=generated, today=today, words=words,
    )
    return files
