"""Run every benchmark in this folder (`make benchmarks`): each module with a `main()`.

Each benchmark prints its figures and records them in docs/benchmarks.md.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    status = 0
    folder = Path(__file__).parent
    for module in sorted(m.name for m in pkgutil.iter_modules([str(folder)])):
        if module.startswith("_"):
            continue
        benchmark = importlib.import_module(f"benchmarks.{module}")
        if hasattr(benchmark, "main"):
            print(f"== benchmarks.{module}", file=sys.stderr)
            status = benchmark.main([]) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
