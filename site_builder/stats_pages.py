"""The "Feedback and reports received" section of the home and compliance pages.

The site is static and its figures change every day, so the page carries a placeholder,
`<div id="intake-stats">`, that `theme/assets/javascripts/stats.js` fills in the browser
from the feedback service's `GET /api/v1/stats` (a chart with the same numbers in tables).
Without JavaScript, or without the service, the placeholder's own text stays: it says what
the figures are and links to them.
"""

from __future__ import annotations

STATS_API = "/api/v1/stats"


def stats_section(heading: str = "Feedback and reports received", level: int = 2,
                  anchor: str = "received") -> str:
    """Markdown for the section: a heading and the placeholder the script fills."""
    return (
        f"{'#' * level} {heading} {{#{anchor}}}\n\n"
        f'<div id="intake-stats" class="intake-stats" data-stats-url="{STATS_API}">\n'
        "<p>The City counts the feedback and the reports of possible violations it receives "
        "through this site, and what became of them. Spam is left out, and counts below five "
        "are not published, so that no one can be singled out. "
        f'<a href="{STATS_API}">See the current figures</a> (JSON, from the City\'s '
        "feedback service).</p>\n"
        "</div>\n"
    )
