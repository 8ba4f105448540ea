"""Benchmark: the site build at 50, 200 and 800 policies, against a bare `mkdocs build`.

    python -m benchmarks.build_scale [--sizes 50,200,800] [--versions 10] [--label after]
    python -m benchmarks.build_scale --sizes 800 --label after   # add one size to a label

For each size N, in one run:

1. generates a git repository of N policies × V versions with `git fast-import` (the
   generator of `benchmarks/build_history.py`);
2. builds it with `build_site` from an empty cache (the full build) and reads each stage's
   time from the build log;
3. publishes one new revision of one policy (one commit) and builds again with the cache
   the full build left, over the site it published: the rebuild after a typical
   publication;
4. runs a bare `mkdocs build` (Material, search) of as many plain Markdown pages cut from
   the same texts, N of them in the nav, as `build_history` does.

It also builds the shipped `content/` once. Results are kept per `--label` in
benchmarks/.work/build_scale/; a run adds its sizes to what the label already holds
(replacing the same sizes), so the largest size can be measured on its own. The label
measured last is written to docs/benchmarks.md as the current result (tables, growth,
the targets and a bar chart); earlier labels, and the rows of earlier runs already in
the document, are kept as one compact table. Everything happens under
benchmarks/.work/ (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.build_history import (
    ROOT,
    STAGE,
    bare_once,
    bare_site,
    generate,
    load_average,
    machine,
)
from benchmarks.report import DOC, write_section

WORK = ROOT / "benchmarks" / ".work" / "build_scale"
STAGES = ["load", "history", "pages", "versions", "mkdocs", "archive", "publish"]


def build(content: Path, out: Path, cache: Path, *, fresh: bool = True) -> dict[str, float]:
    """One `build_site` with the given cache folder; the total and each stage's time.

    `fresh` removes the output folder first; otherwise the build replaces the site the
    last one published, as a publication does (and pays for removing the old one)."""
    from site_builder.build import build_site

    os.environ["TRANSPARENCY_CACHE"] = str(cache)
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    lines: list[str] = []
    start = time.perf_counter()
    result = build_site(content, out, log=lines.append)
    times = {"total": time.perf_counter() - start, "pages": 0.0}
    for line in lines:
        match = STAGE.match(line)
        if match:
            times[match.group(1)] = float(match.group(2))
    times["page_count"] = float(result.pages)
    return times


def revise_one(repo: Path) -> None:
    """Publish a new revision of one generated policy: one clause reworded, one commit."""
    path = repo / "content" / "policies" / "gen-000.md"
    text = path.read_text()
    text = text.replace("This section sets out what departments do.",
                        "This section sets out what every department does.", 1)
    path.write_text(text)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Benchmark", "GIT_AUTHOR_EMAIL": "b@example.org",
           "GIT_COMMITTER_NAME": "Benchmark", "GIT_COMMITTER_EMAIL": "b@example.org"}
    subprocess.run(["git", "commit", "-q", "-am",
                    "Reword section 1 of gen-000\n\nPublished-by: Office of Communications"],
                   cwd=repo, check=True, env=env)


def measure(size: int, versions: int, rebuild: bool) -> dict:
    repo = WORK / f"repo-{size}"
    cache = WORK / f"cache-{size}"
    shutil.rmtree(cache, ignore_errors=True)
    started = time.perf_counter()
    commits = generate(repo, size, versions)
    print(f"{size}: generated {commits} commits in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    full = build(repo / "content", WORK / "site", cache)
    print(f"{size}: full build {full['total']:.1f} s", file=sys.stderr)
    result = {"size": size, "versions": versions, "commits": commits, "full": full}
    if rebuild:
        revise_one(repo)
        again = build(repo / "content", WORK / "site", cache, fresh=False)
        print(f"{size}: rebuild after one revision {again['total']:.1f} s", file=sys.stderr)
        result["rebuild"] = again
    pages = int(full["page_count"])
    bare_site(WORK / "bare", repo / "content", pages, size)
    result["bare"] = bare_once(WORK / "bare")
    print(f"{size}: bare mkdocs build of {pages} pages {result['bare']:.1f} s", file=sys.stderr)
    shutil.rmtree(WORK / "bare", ignore_errors=True)
    shutil.rmtree(WORK / "site", ignore_errors=True)
    return result


def bar(value: float, largest: float, width: int = 40) -> str:
    return "█" * max(1, round(width * value / largest)) if largest else ""


TARGET_RATIO = 1.5
TARGET_GROWTH = 4.4
TARGET_REBUILD = 0.10
TARGET_SHIPPED = 10.0


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def section_for(label: str, data: dict) -> list[str]:
    """The current result in full: figures, stage split, growth, targets and chart."""
    runs = sorted(data["runs"], key=lambda r: r["size"])
    out = [f"### Current: {label}", "",
           f"Measured {data['date']} on {data['machine']}; load average "
           f"{' → '.join(data['loads'])} during the run. One run per figure (each takes "
           "minutes); compare the ratios, which come from the same run.", ""]
    out += ["| policies × versions | pages | full build | bare `mkdocs build` | full / bare "
            "| rebuild after one revision | rebuild / full |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in runs:
        full, bare = r["full"]["total"], r["bare"]
        rebuild = r.get("rebuild", {}).get("total")
        out.append(
            f"| {r['size']} × {r['versions']} | {int(r['full']['page_count']):,} "
            f"| {full:.1f} s | {bare:.1f} s | {full / bare:.2f}× "
            + (f"| {rebuild:.1f} s | {100 * rebuild / full:.0f}% |" if rebuild else "| – | – |")
        )
    for name, key in (("full build", "full"), ("rebuild after one revision", "rebuild")):
        if not any(key in r for r in runs):
            continue
        out += ["", f"Time of each stage in the {name}:", "",
                "| policies | total | " + " | ".join(STAGES) + " |",
                "| --- | ---: |" + " ---: |" * len(STAGES)]
        for r in runs:
            if key not in r:
                continue
            times = r[key]
            total = times["total"]
            out.append(f"| {r['size']} | {total:.1f} s | " + " | ".join(
                f"{times[s]:.1f} s ({100 * times[s] / total:.0f}%)" if s in times else "–"
                for s in STAGES) + " |")
    out += ["", "Targets:", ""]
    for r in runs:
        ratio = r["full"]["total"] / r["bare"]
        out.append(f"- full / bare ≤ {TARGET_RATIO}× at {r['size']}: {ratio:.2f}×, "
                   f"{_met(ratio <= TARGET_RATIO)}")
    for a, b in zip(runs, runs[1:], strict=False):
        growth = b["full"]["total"] / a["full"]["total"]
        step = b["size"] / a["size"]
        limit = TARGET_GROWTH * step / 4
        out.append(f"- growth {a['size']} → {b['size']} policies ({step:.0f}× the content) "
                   f"≤ {limit:.1f}× the time: {growth:.2f}× (bare MkDocs: "
                   f"{b['bare'] / a['bare']:.2f}×), {_met(growth <= limit)}")
    for r in runs:
        if "rebuild" in r:
            share = r["rebuild"]["total"] / r["full"]["total"]
            out.append(f"- rebuild ≤ {100 * TARGET_REBUILD:.0f}% of the full build at "
                       f"{r['size']}: {100 * share:.0f}%"
                       + (f", {_met(share <= TARGET_REBUILD)}" if r["size"] >= 800
                          else " (the target is set at 800)"))
    if data.get("shipped"):
        out.append(f"- the shipped `content/` under {TARGET_SHIPPED:.0f} s: "
                   f"{data['shipped']:.1f} s from an empty cache, "
                   f"{data.get('shipped_warm', 0.0):.1f} s with the cache of that build, "
                   f"{_met(data['shipped'] < TARGET_SHIPPED)}")
    largest = max(max(r["full"]["total"], r["bare"]) for r in runs)
    chart = []
    for r in runs:
        chart.append(f"{r['size']:>4} full  {bar(r['full']['total'], largest)} "
                     f"{r['full']['total']:.0f} s")
        chart.append(f"{'':>4} bare  {bar(r['bare'], largest)} {r['bare']:.0f} s")
        if "rebuild" in r:
            chart.append(f"{'':>4} again {bar(r['rebuild']['total'], largest)} "
                         f"{r['rebuild']['total']:.0f} s")
    out += ["", "```text", *chart, "```"]
    return out


EARLIER_HEAD = ("| label | measured | policies × versions | pages | full build | bare "
                "`mkdocs build` | full / bare | rebuild | rebuild / full |")


def compact_rows(label: str, data: dict) -> list[str]:
    rows = []
    for r in sorted(data["runs"], key=lambda r: r["size"]):
        full, bare = r["full"]["total"], r["bare"]
        rebuild = r.get("rebuild", {}).get("total")
        rows.append(
            f"| {label} | {data['date']} | {r['size']} × {r['versions']} "
            f"| {int(r['full']['page_count']):,} | {full:.1f} s | {bare:.1f} s "
            f"| {full / bare:.2f}× "
            + (f"| {rebuild:.1f} s | {100 * rebuild / full:.0f}% |" if rebuild else "| – | – |"))
    return rows


_ROW = re.compile(r"^\| (\d+ × \d+) \| ([\d,]+) \| (.*) \|$")


def rows_in_doc(text: str) -> dict[str, list[str]]:
    """The rows of earlier runs already in the document's section, by label.

    Reads both the compact table and the older layout (a `### label` heading, a
    "Measured <date> on …" line and a table per label), so runs whose results files are
    gone (another machine, a cleaned work folder) stay in the document.
    """
    start, end = "<!-- build_scale:start -->", "<!-- build_scale:end -->"
    if start not in text or end not in text:
        return {}
    section = text[text.index(start):text.index(end)]
    rows: dict[str, list[str]] = {}
    label, date = None, "?"
    for line in section.splitlines():
        if line.startswith("### "):
            label = line[4:].strip().removeprefix("Current: ")
            date = "?"
        elif line.startswith("Measured ") and label:
            date = line.split()[1]
        elif line.startswith("| ") and not line.startswith(("| label", "| policies", "| ---")):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) == 9 and re.fullmatch(r"\d+ × \d+", cells[2]):  # compact
                rows.setdefault(cells[0], []).append(line)
            elif label and _ROW.match(line) and len(cells) == 7:
                rows.setdefault(label, []).append(f"| {label} | {date} | " + " | ".join(cells)
                                                  + " |")
    return rows


def write_doc(doc: Path = DOC) -> str:
    results = sorted(WORK.glob("results-*.json"), key=lambda p: p.stat().st_mtime)
    datas = [json.loads(p.read_text()) for p in results]
    earlier = rows_in_doc(doc.read_text()) if doc.exists() else {}
    lines = ["## Building at scale (`python -m benchmarks.build_scale`)", "",
             "Generated repositories of N policies × 10 versions (plus the shipped content), "
             "each built in full from an empty cache, then again after one new revision of one "
             "policy; the baseline is a bare `mkdocs build` (Material, search) of as many plain "
             "pages, N of them in the nav. `full` is the full build, `bare` the baseline, "
             "`again` the rebuild after one revision. Targets: full / bare ≤ 1.5×, 4× the "
             "content ≤ 4.4× the time, the rebuild ≤ 10% of the full build at 800 policies, "
             "the shipped content under 10 s.", ""]
    if datas:
        lines += section_for(datas[-1]["label"], datas[-1]) + [""]
    for data in datas:
        earlier[data["label"]] = compact_rows(data["label"], data)
    if datas:
        earlier.pop(datas[-1]["label"], None)
    if earlier:
        lines += ["### Earlier runs", "",
                  "Older labels, oldest first, on the same kind of machine unless noted; "
                  "the current result above is not repeated.", "", EARLIER_HEAD,
                  "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for rows in earlier.values():
            lines += rows
        lines.append("")
    return write_section("build_scale", "\n".join(lines), doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50,200,800")
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--rebuild-max", type=int, default=10**9,
                        help="measure the rebuild after one revision only up to this size")
    parser.add_argument("--label", default="Current build")
    parser.add_argument("--fresh", action="store_true",
                        help="forget what the label holds instead of adding to it")
    parser.add_argument("--no-shipped", action="store_true",
                        help="do not build the shipped content (keep the label's figure)")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    slug = "".join(c if c.isalnum() else "-" for c in args.label.lower())
    results = WORK / f"results-{slug}.json"

    loads = [load_average()]
    data: dict = {"label": args.label, "date": dt.date.today().isoformat(),
                  "machine": machine(), "loads": loads, "runs": []}
    if results.exists() and not args.fresh:
        kept = json.loads(results.read_text())
        data["runs"] = kept["runs"]
        data["loads"] = loads = kept["loads"] + loads
        for key in ("shipped", "shipped_warm"):
            if key in kept:
                data[key] = kept[key]
    if not args.no_shipped:
        shipped_cache = WORK / "cache-shipped"
        shutil.rmtree(shipped_cache, ignore_errors=True)
        data["shipped"] = build(ROOT / "content", WORK / "site", shipped_cache)["total"]
        data["shipped_warm"] = build(ROOT / "content", WORK / "site", shipped_cache)["total"]
        print(f"shipped content: {data['shipped']:.1f} s, warm {data['shipped_warm']:.1f} s",
              file=sys.stderr)
    for size in (int(s) for s in args.sizes.split(",")):
        run = measure(size, args.versions, size <= args.rebuild_max)
        data["runs"] = [r for r in data["runs"] if r["size"] != size] + [run]
        data["runs"].sort(key=lambda r: r["size"])
        loads.append(load_average())
        results.write_text(json.dumps(data, indent=1))
    if not args.no_write:
        print(write_doc())
    return 0


if __name__ == "__main__":
    sys.exit(main())
