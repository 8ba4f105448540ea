"""Version pages: each published version at its own address, redlines, changelogs, feeds.

Called by the build after the current pages are written; returns the files it wrote.
"""

from __future__ import annotations

from pathlib import Path

from .content import Library
from .history import PolicyHistory


def write_version_pages(
    docs_dir: Path, library: Library, histories: dict[str, PolicyHistory], site: dict
) -> list[Path]:
    """Write version, redline, changelog and feed files under docs_dir. Not yet built."""
    return []
