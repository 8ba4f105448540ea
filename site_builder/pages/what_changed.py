""""What changed" (`changes/`): the latest changes to every policy, and a page for each
year (`changes/<year>/`) with every change of that year.
"""

from __future__ import annotations

import datetime as dt

from babel import dates

from .. import addresses, render_html
from ..addresses import md_link
from ..content import Library
from ..history import PolicyHistory
from ..labels import ENGLISH, Wording
from ..languages import whole_number
from ..markup import PageSource, front_matter, page_source
from .changelog import entry_line
from .version import policy_title_md

RECENT_CHANGES = 100  # changes listed on "What changed"; every one is on its year's page


def _site_entries(library: Library, histories: dict[str, PolicyHistory]) -> list[tuple]:
    """Every change to every policy: (published, id, entry, policy, history), newest first."""
    entries = []
    for pid, history in histories.items():
        policy = library.policies.get(pid)
        if policy is None:
            continue
        for entry in history.changes:
            entries.append((entry.published, pid, entry, policy, history))
    entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    return entries


def _month(day: dt.date, words: Wording) -> str:
    """"March 2026" / "Marzo de 2026"."""
    if words.english:
        return f"{day:%B} {day.year}"
    month = dates.format_skeleton("yMMMM", day, locale=words.lang.replace("-", "_"))
    return month[:1].upper() + month[1:]


def _number(n: int, words: Wording) -> str:
    return f"{n:,}" if words.english else whole_number(n, words.lang)


def _by_month(here: str, entries: list[tuple], words: Wording, html: bool = False) -> list[str]:
    """The entries under a heading for each month, each line led by a link to its policy.
    A month's name and a policy's link are made once: a year's page lists every change
    of every policy, and Babel takes a while to name a month in another language. With
    `html`, each month's list is HTML converted on its own (`render_html.list_block`)."""
    link_to = addresses.href if html else md_link
    months: dict[tuple[int, int], str] = {}
    lists: dict[str, list[str]] = {}  # a month's heading → its lines, in order
    links: dict[str, str] = {}
    for published, pid, entry, policy, history in entries:
        label = months.get((published.year, published.month))
        if label is None:
            label = months[published.year, published.month] = _month(published, words)
        link = links.get(pid)
        if link is None:
            link = links[pid] = (f"[{policy_title_md(words, policy)}]"
                                 f"({link_to(here, addresses.policy(pid))})")
        lists.setdefault(label, []).append(
            entry_line(here, pid, entry, history, words, link_to)
            .replace("- **", f"- {link}, **", 1))
    out = []
    for label, lines in lists.items():
        out.append(f"\n## {label}\n")
        block = render_html.list_block(lines) if html else None
        if block is None and html:  # an item that must stay Markdown: the whole month does
            return _by_month(here, entries, words)
        out += [block] if block is not None else lines
    return out


def _year_links(here: str, years: list[int], skip: int | None = None) -> str:
    return " · ".join(
        str(year) if year == skip else f"[{year}]({md_link(here, addresses.changes_year(year))})"
        for year in years)


def site_changes_files(
    library: Library, histories: dict[str, PolicyHistory], words: Wording = ENGLISH,
    *, html: bool = False,
) -> dict[str, PageSource]:
    """"What changed" (the latest RECENT_CHANGES changes) and a page for each year, in
    the language of `words` (an `ArchiveContext` gives the policies' titles in it too);
    with `html`, their lists of changes as HTML (`_by_month`).

    Every change of every policy on one page made a page of megabytes at a few hundred
    policies, rendered again by every build; a year's page changes only while changes
    are published in that year."""
    _ = words._
    here = addresses.SITE_CHANGES
    entries = _site_entries(library, histories)
    years = sorted({e[0].year for e in entries}, reverse=True)
    out = [front_matter(_("What changed"),
                        _("The latest changes to the City's social media policies"),
                        search=False)]
    out.append("# " + _("What changed") + " {#changes--title}\n")
    out.append(_("The latest new versions, corrections and updates to the City's social "
                 "media policies, newest first. Each new version links to its changes, "
                 "marked as the Council marks amendments. Follow them in a feed reader: "
                 "[Atom feed](%(feed)s). Staff can add review due dates to a calendar: "
                 "[reviews.ics](%(calendar)s).",
                 feed=md_link(here, addresses.SITE_FEED),
                 calendar=md_link(here, addresses.REVIEWS_CALENDAR)) + "\n")
    if not entries:
        out.append(_("No dated changes are on record in this build.") + "\n")
        return {here: page_source(out)}
    out.append(_("Every change, year by year: %(years)s.", years=_year_links(here, years))
               + "\n")
    shown = entries[:RECENT_CHANGES]
    out += _by_month(here, shown, words, html)
    if len(entries) > len(shown):
        out.append("\n## " + _("Earlier changes") + " {#changes--earlier}\n\n"
                   + _("The %(shown)s latest of %(total)s changes are above. Every change is "
                       "on the page of its year: %(years)s.", shown=len(shown),
                       total=_number(len(entries), words), years=_year_links(here, years))
                   + "\n")
    files = {here: page_source(out, "\n")}
    for year in years:
        page = addresses.changes_year(year)
        of_year = [e for e in entries if e[0].year == year]
        lines = [front_matter(_("What changed in %(year)s", year=year),
                              _("Every change to the City's social media policies in "
                                "%(year)s", year=year),
                              search=False)]
        lines.append("# " + _("What changed in %(year)s", year=year) + " {#changes--title}\n")
        count = words.n_("%(total)s change in %(year)s, newest first.",
                         "%(total)s changes in %(year)s, newest first.", len(of_year),
                         total=_number(len(of_year), words), year=year)
        lines.append(count + " " + _("[The latest changes](%(link)s) · Years: %(years)s.",
                                     link=md_link(page, here),
                                     years=_year_links(page, years, skip=year)) + "\n")
        lines += _by_month(page, of_year, words, html)
        files[page] = page_source(lines, "\n")
    return files
