"""The site's current pages, one module per page type, each a function from the
library and the histories to a page's Markdown.

Prose, headings and links between pages are Markdown (MkDocs checks the links and their
anchors); tables, badges and the metadata panel are small blocks of HTML, written with
every value escaped and with addresses from `addresses.py`. The archive pages (versions,
redlines, comparisons, changelogs, "What changed") are in the modules named for them and
are written by `versions.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..addresses import (
    ACCOUNTS,
    COMPLIANCE,
    GUIDELINES,
    HOME,
    PLATFORMS,
    POLICY_INDEX,
    REVIEWS,
)
from ..addresses import policy as policy_page
from ..content import Library
from ..files import write_files
from ..history import PolicyHistory
from ..markup import PageSource
from ..render import comment_links
from ..schema import LanguageEntry
from ..stamp import SiteStamp
from .common import Context, PageProblem
from .home import home_md
from .oversight import compliance_md, reviews_md
from .policy import policy_page_md, policy_texts, shown_text
from .policy_index import policy_index_md
from .registries import accounts_md, guidelines_md, platforms_md


def current_pages(
    library: Library,
    histories: dict[str, PolicyHistory],
    stamp: SiteStamp,
    tick: Callable[[str], None] | None = None,
    language: LanguageEntry | None = None,
    html_bodies: bool = False,
) -> dict[str, PageSource]:
    """Every current page, by its path in the docs folder, in `language` (the default
    when None); PageProblem on content the pages cannot be made from. With `html_bodies`,
    the policies' texts may be laid out as HTML (`site.make_site`)."""
    ctx = Context(library, histories, stamp, *((language.code, language.prefix)
                                               if language else ()), html=html_bodies)
    made: dict[str, PageSource] = {}

    def add(path: str, page: PageSource) -> None:
        made[path] = page
        if tick:
            tick(path)

    texts = policy_texts(ctx, ctx.ordered())
    policy_pages = {policy.id: policy_page_md(ctx, policy, texts) for policy in ctx.ordered()}
    for pid, page in policy_pages.items():
        add(policy_page(pid), page)
    add(HOME, home_md(ctx))
    add(POLICY_INDEX, policy_index_md(ctx))
    # What the compliance page says about §1.B: the "Comment on …" links of the texts.
    links = sum(comment_links(shown_text(ctx, policy)) for policy in ctx.ordered())
    add(COMPLIANCE, compliance_md(ctx, policy_pages=len(policy_pages), feedback_links=links))
    add(ACCOUNTS, accounts_md(ctx))
    add(PLATFORMS, platforms_md(ctx))
    add(GUIDELINES, guidelines_md(ctx))
    add(REVIEWS, reviews_md(ctx))
    return made


def write_pages(
    docs_dir: Path, library: Library, histories: dict[str, PolicyHistory], stamp: SiteStamp,
) -> list[Path]:
    """Write every current page under docs_dir (to look at them, or build them alone)."""
    made = current_pages(library, histories, stamp)
    return write_files(docs_dir, {path: page.markdown for path, page in made.items()})


def page_count(library: Library) -> int:
    return len(library.policies) + 7


def nav_policies(library: Library,
                 language: LanguageEntry | None = None) -> list[dict[str, str]]:
    """The policy pages for the navigation's Policies section, in reading order: each by
    its number, or its title in the language."""
    ctx = Context(library, {}, SiteStamp(None, False, dt.datetime.now(dt.UTC)),
                  *((language.code, language.prefix) if language else ()))
    return [{ctx.short_title(p): policy_page(p.id)} for p in ctx.ordered()]


__all__ = ["current_pages", "write_pages", "nav_policies", "page_count", "PageProblem"]
