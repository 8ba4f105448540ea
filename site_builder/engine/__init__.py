"""The render stage, and the one place that knows the site engine (MkDocs and Material).

`render_site(site, site_dir)` turns the site value (`site.Site`) into HTML: MkDocs' own
pass over the navigable pages (`mkdocs_pass.py`), then the policies' archive pages with
the same configuration and theme, outside that pass (`archive.py`). Everything that
imports MkDocs, touches its objects or relies on its private state is in this package,
and says why where it must.
"""

from __future__ import annotations

from .mkdocs_pass import (
    CONFIG,
    NAV_POLICY_LIMIT,
    MkDocsFailed,
    listed_policies,
    render_site,
    site_url,
    with_policies,
)

__all__ = ["CONFIG", "NAV_POLICY_LIMIT", "MkDocsFailed", "listed_policies", "render_site",
           "site_url", "with_policies"]
