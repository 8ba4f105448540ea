""""What changed" (`changes/`): the latest changes to every policy, and a page for each
year (`changes/<year>/`) with every change of that year.
"""

from __future__ import annotations

from .. import addresses
from ..addresses import md_link
from ..content import Library
from ..history import PolicyHistory
from ..labels import title_of
from ..markup import PageSource, front_matter, page_source
from ..render import escape_md
from .changelog import entry_line

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


def _by_month(here: str, entries: list[tuple]) -> list[str]:
    out = []
    month = None
    for published, pid, entry, policy, history in entries:
        label = f"{published:%B} {published.year}"
        if label != month:
            month = label
            out.append(f"\n## {label}\n")
        link = f"[{escape_md(title_of(policy))}]({md_link(here, addresses.policy(pid))})"
        out.append(entry_line(here, pid, entry, history).replace("- **", f"- {link}, **", 1))
    return out


def _year_links(here: str, years: list[int], skip: int | None = None) -> str:
    return " · ".join(
        str(year) if year == skip else f"[{year}]({md_link(here, addresses.changes_year(year))})"
        for year in years)


def site_changes_files(
    library: Library, histories: dict[str, PolicyHistory],
) -> dict[str, PageSource]:
    """"What changed" (the latest RECENT_CHANGES changes) and a page for each year.

    Every change of every policy on one page made a page of megabytes at a few hundred
    policies, rendered again by every build; a year's page changes only while changes
    are published in that year."""
    here = addresses.SITE_CHANGES
    entries = _site_entries(library, histories)
    years = sorted({e[0].year for e in entries}, reverse=True)
    out = [front_matter("What changed", "The latest changes to the City's social media policies",
                        search=False)]
    out.append("# What changed {#changes--title}\n")
    out.append("The latest new versions, corrections and updates to the City's social media "
               "policies, newest first. Each new version links to its changes, marked as "
               "the Council marks amendments. Follow them in a feed reader: "
               f"[Atom feed]({md_link(here, addresses.SITE_FEED)}). Staff can add review "
               "due dates to a calendar: "
               f"[reviews.ics]({md_link(here, addresses.REVIEWS_CALENDAR)}).\n")
    if not entries:
        out.append("No dated changes are on record in this build.\n")
        return {here: page_source(out)}
    out.append(f"Every change, year by year: {_year_links(here, years)}.\n")
    shown = entries[:RECENT_CHANGES]
    out += _by_month(here, shown)
    if len(entries) > len(shown):
        out.append(f"\n## Earlier changes {{#changes--earlier}}\n\n"
                   f"The {len(shown)} latest of {len(entries):,} changes are above. Every "
                   f"change is on the page of its year: {_year_links(here, years)}.\n")
    files = {here: page_source(out, "\n")}
    for year in years:
        page = addresses.changes_year(year)
        of_year = [e for e in entries if e[0].year == year]
        lines = [front_matter(f"What changed in {year}",
                              f"Every change to the City's social media policies in {year}",
                              search=False)]
        lines.append(f"# What changed in {year} {{#changes--title}}\n")
        noun = "change" if len(of_year) == 1 else "changes"
        lines.append(f"{len(of_year):,} {noun} in {year}, newest first. "
                     f"[The latest changes]({md_link(page, here)}) · "
                     f"Years: {_year_links(page, years, skip=year)}.\n")
        lines += _by_month(page, of_year)
        files[page] = page_source(lines, "\n")
    return files
