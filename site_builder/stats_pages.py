"""The "Feedback and reports received" section of the home and compliance pages.

The site is static and its figures change every day, so the page carries a placeholder,
`<div id="intake-stats">`, that `theme/assets/javascripts/stats.js` fills in the browser
from the feedback service's `GET /api/v1/stats` (a chart with the same numbers in tables).
Without JavaScript, or without the service, the placeholder's own text stays: it says what
the figures are and links to them.

On a page in another language than English the placeholder also carries the script's
words in that language (`data-words`, JSON) and the language (`data-lang`), which the
script asks the service for (`Accept-Language`); an English page carries neither, and
the script writes its English as before.
"""

from __future__ import annotations

import json
from html import escape

from .labels import ENGLISH, Wording

STATS_API = "/api/v1/stats"


def stats_section(heading: str | None = None, level: int = 2, anchor: str = "received",
                  words: Wording = ENGLISH) -> str:
    """Markdown for the section: a heading (`heading`, already in the language, or
    "Feedback and reports received") and the placeholder the script fills."""
    _ = words._
    heading = heading or _("Feedback and reports received")
    link = f'<a href="{STATS_API}">' + escape(_("See the current figures")) + "</a>"
    what = _("The City counts the feedback and the reports of possible violations it "
             "receives through this site, and what became of them. Spam is left out, and "
             "counts below five are not published, so that no one can be singled out.")
    more = _("%(link)s (JSON, from the City's feedback service).", link="\0")
    return (
        f"{'#' * level} {heading} {{#{anchor}}}\n\n"
        f'<div id="intake-stats" class="intake-stats" data-stats-url="{STATS_API}"'
        f"{stats_words(words)}>\n"
        f"<p>{escape(what, quote=False)} "
        f"{escape(more, quote=False).replace(chr(0), link)}</p>\n"
        "</div>\n"
    )


def stats_words(words: Wording) -> str:
    """The attributes that give `stats.js` its words in the page's language ("" in
    English: the script's own)."""
    if words.english:
        return ""
    _ = words._
    table = {
        "notPublished": _("not published"),
        "hidden": _("hidden"),
        "chartTitle": _("Bar chart of feedback and reports received per month; the numbers "
                        "are in the table."),
        "total": _("Received in all: %(total)s (spam left out)."),
        "perMonth": _("Received per month, last %(num)s months"),
        "month": _("Month"),
        "number": _("Number"),
        "byType": _("By type"),
        "type": _("Type"),
        "byState": _("By state"),
        "state": _("State"),
        "byCategory": _("Reports by kind of problem"),
        "category": _("Kind of problem"),
        "source": _("Source: %(link)s, updated %(time)s UTC."),
        "sourceLink": _("the statistics as JSON"),
    }
    return (f' data-lang="{escape(words.lang)}"'
            f' data-words="{escape(json.dumps(table, ensure_ascii=False))}"')
