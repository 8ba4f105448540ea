"""build_scale shows the label measured last in full and earlier ones in one table.

The figures are made up: these tests check the document, not a build.
"""

import json
import os

import yaml

import benchmarks.build_scale as build_scale

OLD_HEADER = ("| policies × versions | pages | full build | bare `mkdocs build` | full / bare "
              "| rebuild after one revision | rebuild / full |")
OLD_COMPACT = ("| label | measured | policies × versions | pages | full build | bare "
               "`mkdocs build` | full / bare | rebuild | rebuild / full |")
OLD_SECTION = f"""# Benchmarks

Measured speed, newest first.

<!-- build_scale:start -->
## Building at scale

### Before: every page through MkDocs

Measured 2026-11-20 on AMD EPYC, 2 cores; load average 1.0 → 2.0 during the run.

{OLD_HEADER}
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| 50 × 10 | 1,583 | 69.4 s | 19.8 s | 3.51× | 41.7 s | 60% |

### Earlier runs

{OLD_COMPACT}
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
| nav limit | 2026-11-22 | 50 × 10 | 1,583 | 24.7 s | 14.7 s | 1.68× | 9.1 s | 37% |
<!-- build_scale:end -->

notes written by hand
"""


def times(total: float, pages: float) -> dict:
    stages = {name: total / (len(build_scale.STAGES) + 1) for name in build_scale.STAGES}
    return {**stages, "process": total / (len(build_scale.STAGES) + 1), "total": total,
            "page_count": pages}


def run(size: int, full: list[float], bare: list[float], rebuild: list[float], *,
        old: list[float] = (), old_rebuild: list[float] = (),
        all_in_nav: float | None = None) -> dict:
    pages = size * 31.0
    result = {"size": size, "versions": 10, "commits": size * 10,
              "full": {"new": [times(t, pages) for t in full]},
              "rebuild": {"new": [times(t, pages) for t in rebuild]},
              "bare": bare, "bare_all_in_nav": [all_in_nav] if all_in_nav else []}
    if old:
        result["full"]["old"] = [times(t, pages) for t in old]
        result["rebuild"]["old"] = [times(t, pages) for t in old_rebuild]
    return result


def results(work, label: str, runs: list[dict], mtime: int, **extra) -> None:
    path = work / f"results-{label}.json"
    path.write_text(json.dumps({"schema": build_scale.SCHEMA, "label": label,
                                "date": "2026-11-23", "machine": "test box",
                                "loads": ["0.5", "0.7"], "runs": runs,
                                "shipped": 1.5, "shipped_warm": 0.8, **extra}))
    os.utime(path, (mtime, mtime))


def old_results(work, label: str, mtime: int) -> None:
    """A results file from before `--compare`: one figure each, one baseline."""
    full = {**times(30.0, 1550.0), "total": 30.0}
    path = work / f"results-{label}.json"
    path.write_text(json.dumps({"label": label, "date": "2026-11-22", "machine": "test box",
                                "loads": ["0.5"], "runs": [
                                    {"size": 50, "versions": 10, "commits": 500, "full": full,
                                     "bare": 15.0, "rebuild": times(9.0, 1550.0)}]}))
    os.utime(path, (mtime, mtime))


def compared(tmp_path) -> None:
    results(tmp_path, "second", [
        run(50, [9.0, 10.0, 11.0], [12.0, 12.5, 13.0], [1.0, 1.2, 1.1],
            old=[10.0, 10.5, 11.0], old_rebuild=[1.5, 1.6, 1.7], all_in_nav=15.0),
        run(200, [40.0], [38.0], [2.0], old=[36.0], old_rebuild=[2.2], all_in_nav=98.0),
        run(800, [150.0], [160.0], [2.9], old=[190.0], old_rebuild=[16.0],
            all_in_nav=900.0),
    ], 2_000, repeat=3, new="this work tree at 69a2ea2",
        old="9f4d4eb (9f4d4eb1234, “Tidy”)")


def test_the_latest_label_in_full_earlier_ones_compact(tmp_path, monkeypatch):
    monkeypatch.setattr(build_scale, "WORK", tmp_path)
    doc = tmp_path / "benchmarks.md"
    doc.write_text(OLD_SECTION)
    old_results(tmp_path, "first", 1_000)
    compared(tmp_path)
    build_scale.write_doc(doc)
    text = doc.read_text()
    assert text.count("### ") == 2  # the current result and the earlier runs
    assert "### Current: second" in text
    current = text[text.index("### Current"):text.index("### Earlier runs")]
    assert "Median of 3 runs per figure, old and new taking turns" in current
    assert "Old: 9f4d4eb (9f4d4eb1234, “Tidy”), in a git worktree" in current
    assert build_scale.CURRENT_HEAD in current
    # medians: full 10.0 s (new) and 10.5 s (old), fair bare 12.5 s, rebuild 1.1 / 1.6 s
    assert ("| 50 × 10 | 1,550 | 10.0 s | 10.5 s | 12.5 s | 15.0 s | 0.80× | 0.95× "
            "| 1.1 s | 1.6 s |") in current
    assert ("| 800 × 10 | 24,800 | 150.0 s | 190.0 s | 160.0 s | 900.0 s | 0.94× | 0.79× "
            "| 2.9 s | 16.0 s |") in current
    assert "| 800 | old | 190.0 s |" in current  # the stage tables have both codes
    assert "full build ≤ 1.0× the bare build with the site's nav at 50: 0.80×, met" in current
    assert ("full build ≤ 1.0× the bare build with the site's nav at 200: 1.05×, **missed**"
            in current)
    assert "rebuild after one revision ≤ 3 s at 800: 2.9 s, met" in current
    assert "full build not worse than the old commit at 50 (new ≤ 1.05 × old" in current
    assert "at 200 (new ≤ 1.05 × old, an allowance for the machine's noise): 1.11×, " \
           "**missed**" in current
    assert "rebuild not worse than the old commit at 800" in current
    assert "the shipped `content/`: 1.5 s from an empty cache" in current
    earlier = text[text.index("### Earlier runs"):]
    assert build_scale.EARLIER_HEAD in earlier
    assert build_scale.OLD_EARLIER_HEAD not in earlier
    # rows of the older layouts: their baseline was the all-in-nav one
    assert ("| Before: every page through MkDocs | 2026-11-20 | 50 × 10 | 1,583 | 69.4 s "
            "| – | – | 19.8 s | 41.7 s |") in earlier
    assert "| nav limit | 2026-11-22 | 50 × 10 | 1,583 | 24.7 s | – | – | 14.7 s | 9.1 s |" \
        in earlier
    assert "| first | 2026-11-22 | 50 × 10 | 1,550 | 30.0 s | – | – | 15.0 s | 9.0 s |" \
        in earlier
    assert "| second |" not in earlier
    assert text.rstrip().endswith("notes written by hand")

    build_scale.write_doc(doc)  # written again: the rows read back are not doubled
    assert doc.read_text() == text


def test_the_current_table_is_read_back_when_its_results_file_is_gone(tmp_path, monkeypatch):
    monkeypatch.setattr(build_scale, "WORK", tmp_path)
    doc = tmp_path / "benchmarks.md"
    doc.write_text(OLD_SECTION)
    compared(tmp_path)
    build_scale.write_doc(doc)
    (tmp_path / "results-second.json").unlink()
    rows = build_scale.rows_in_doc(doc.read_text())
    assert rows["second"] == [
        "| second | 2026-11-23 | 50 × 10 | 1,550 | 10.0 s | 12.5 s | 0.80× | 15.0 s | 1.1 s |",
        "| second | 2026-11-23 | 200 × 10 | 6,200 | 40.0 s | 38.0 s | 1.05× | 98.0 s | 2.0 s |",
        "| second | 2026-11-23 | 800 × 10 | 24,800 | 150.0 s | 160.0 s | 0.94× | 900.0 s "
        "| 2.9 s |"]
    assert list(rows) == ["second", "Before: every page through MkDocs", "nav limit"]


def test_without_compare_the_old_columns_are_empty(tmp_path, monkeypatch):
    monkeypatch.setattr(build_scale, "WORK", tmp_path)
    doc = tmp_path / "benchmarks.md"
    results(tmp_path, "alone", [run(5, [4.0], [2.0], [4.5], all_in_nav=2.5)], 1_000,
            repeat=1, new="this work tree at 69a2ea2")
    build_scale.write_doc(doc)
    text = doc.read_text()
    assert "One run per figure" in text
    assert "Old: not measured (no `--compare`)." in text
    assert "| 5 × 10 | 155 | 4.0 s | – | 2.0 s | 2.5 s | 2.00× | – | 4.5 s | – |" in text
    assert "at 50: not measured in this run" in text
    assert "≤ 3 s at 800: not measured in this run" in text
    assert "not worse than the old commit (new ≤ 1.05 × old, an allowance for the " \
           "machine's noise): not measured in this run (`--compare REF`)" in text
    assert "### Earlier runs" not in text


def test_the_fair_baseline_has_the_sites_nav(tmp_path):
    site = yaml.safe_load((build_scale.ROOT / "mkdocs.yml").read_text())["nav"]

    def content(policies: int):
        folder = tmp_path / f"content-{policies}"
        (folder / "policies").mkdir(parents=True)
        for i in range(policies):
            (folder / "policies" / f"gen-{i:03d}.md").write_text(
                f"---\nid: gen-{i:03d}\n---\n\n## Section {i}\n\nText.\n")
        return folder

    few, many = content(3), content(41)  # NAV_POLICY_LIMIT is 40
    nav = build_scale.site_nav(few)
    listed = [page for page in build_scale.nav_pages(nav) if page.startswith("policies/gen")]
    assert listed == [f"policies/gen-{i:03d}/index.md" for i in range(3)]
    assert build_scale.site_nav(many) == site  # past the limit: mkdocs.yml's nav alone

    bare = tmp_path / "bare"
    build_scale.fair_bare_site(bare, many, 100, build_scale.site_nav(many))
    config = yaml.safe_load((bare / "mkdocs.yml").read_text())
    assert config["nav"] == site
    assert config["not_in_nav"].strip() == "/plain/"
    in_nav = build_scale.nav_pages(site)
    assert "index.md" in in_nav and not any(page.startswith("/") for page in in_nav)
    assert all((bare / "docs" / page).is_file() for page in in_nav)
    pages = list((bare / "docs").rglob("*.md"))
    assert len(pages) == 100
    assert len(list((bare / "docs" / "plain").glob("*.md"))) == 100 - len(in_nav)
