"""Writing a set of files (path → text) under a folder: the one writer of docs folders."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def write_files(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Write each file under `folder`, making its folders once; the paths written."""
    folder = Path(folder)
    made: set[Path] = set()
    written = []
    for rel, text in files.items():
        path = folder / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
