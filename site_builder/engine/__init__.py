"""The render stage, and the one place that knows the site engine (MkDocs API and Material).

`render_site(site, site_dir)` turns the site value (`site.Site`) into HTML: the engine's
own pass over the navigable pages (`mkdocs_pass.py`), then the policies' archive pages
with the same configuration and theme, outside that pass (`archive.py`). Everything that
imports MkDocs, touches its objects or relies on its private state is in this package,
and says why where it must.

The engine (`engines.py`: MkDocs, or ProperDocs behind MkDocs' API, or the Zensical
canary) is chosen once per process, so the modules that import `mkdocs` are loaded only
when one of their names is first asked for, after the chosen engine is loaded
(`engines.activate`); the names come from the engine's render module (`Engine.render`:
`mkdocs_pass.py`, or `zensical_pass.py`, which writes the site to disk and runs Zensical).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from .engines import (
    DEFAULT,
    ENGINES,
    SETTING,
    Engine,
    EngineUnavailable,
    activate,
    current,
    select,
)

CONFIG = Path(__file__).resolve().parents[2] / "mkdocs.yml"

_RENDER = ("NAV_POLICY_LIMIT", "MkDocsFailed", "listed_policies", "render_site", "site_url",
           "with_policies")

__all__ = ["CONFIG", "DEFAULT", "ENGINES", "SETTING", "Engine", "EngineUnavailable",
           "activate", "current", "select", *_RENDER]


def __getattr__(name: str):
    if name in _RENDER:
        module = importlib.import_module(f"{__name__}.{activate().render}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
