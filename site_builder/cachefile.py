"""Build cache entries: written whole or not at all (even with builds at once), and
keyed, among other things, by the source of the code that made them."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write_cache_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file; a failure only costs time later."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time


@functools.cache
def source_hash(*modules: str) -> str:
    """A digest of these modules' source (file names in site_builder/), read once per
    process: a cache entry made by other code is not taken for this code's."""
    digest = hashlib.sha256()
    for name in modules:
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()
