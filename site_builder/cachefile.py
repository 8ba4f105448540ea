"""Writing one entry of a build cache: whole or not at all, even with builds at once."""

from __future__ import annotations

import os
from pathlib import Path


def write_cache_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file; a failure only costs time later."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time
