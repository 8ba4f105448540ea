"""build_scale shows the label measured last in full and earlier ones in one table."""

import json
import os

import benchmarks.build_scale as build_scale

HEADER = ("| policies × versions | pages | full build | bare `mkdocs build` | full / bare "
          "| rebuild after one revision | rebuild / full |")
OLD_SECTION = f"""# Benchmarks

Measured speed, newest first.

<!-- build_scale:start -->
## Building at scale

### Before: every page through MkDocs

Measured 2026-11-20 on AMD EPYC, 2 cores; load average 1.0 → 2.0 during the run.

{HEADER}
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| 50 × 10 | 1,583 | 69.4 s | 19.8 s | 3.51× | 41.7 s | 60% |
<!-- build_scale:end -->

notes written by hand
"""


def run(size: int, full: float, bare: float, rebuild: float) -> dict:
    stages = {name: full / len(build_scale.STAGES) for name in build_scale.STAGES}
    again = {name: rebuild / len(build_scale.STAGES) for name in build_scale.STAGES}
    return {"size": size, "versions": 10, "commits": size * 10, "bare": bare,
            "full": {**stages, "total": full, "page_count": size * 31.0},
            "rebuild": {**again, "total": rebuild, "page_count": size * 31.0}}


def results(work, label: str, runs: list[dict], mtime: int) -> None:
    path = work / f"results-{label}.json"
    path.write_text(json.dumps({"label": label, "date": "2026-11-22", "machine": "test box",
                                "loads": ["0.5", "0.7"], "runs": runs,
                                "shipped": 1.5, "shipped_warm": 0.8}))
    os.utime(path, (mtime, mtime))


def test_the_latest_label_in_full_earlier_ones_compact(tmp_path, monkeypatch):
    monkeypatch.setattr(build_scale, "WORK", tmp_path)
    doc = tmp_path / "benchmarks.md"
    doc.write_text(OLD_SECTION)
    results(tmp_path, "first", [run(50, 30.0, 15.0, 9.0)], 1_000)
    results(tmp_path, "second", [run(50, 18.0, 15.0, 3.0), run(200, 60.0, 98.0, 10.0),
                                 run(800, 250.0, 900.0, 20.0)], 2_000)
    build_scale.write_doc(doc)
    text = doc.read_text()
    assert text.count("### ") == 2  # the current result and the earlier runs
    assert "### Current: second" in text
    current = text[text.index("### Current"):text.index("### Earlier runs")]
    assert "| 800 × 10 | 24,800 | 250.0 s | 900.0 s | 0.28× | 20.0 s | 8% |" in current
    assert "rebuild ≤ 10% of the full build at 800: 8%, met" in current
    assert "full / bare ≤ 1.5× at 50: 1.20×, met" in current
    assert "growth 200 → 800 policies (4× the content) ≤ 4.4× the time: 4.17×" in current
    earlier = text[text.index("### Earlier runs"):]
    assert "| Before: every page through MkDocs | 2026-11-20 | 50 × 10 | 1,583 |" in earlier
    assert "| first | 2026-11-22 | 50 × 10 |" in earlier
    assert "| second |" not in earlier
    assert text.rstrip().endswith("notes written by hand")

    build_scale.write_doc(doc)  # written again: the rows read back are not doubled
    assert doc.read_text() == text
