"""Benchmark: the site build at 50, 200 and 800 policies, against a bare `mkdocs build`.

    python -m benchmarks.build_scale [--sizes 50,200,800] [--versions 10] [--label after]

For each size N, in one run:

1. generates a git repository of N policies × V versions with `git fast-import` (the
   generator of `benchmarks/build_history.py`);
2. builds it with `build_site` from an empty cache (the full build) and reads each stage's
   time from the build log;
3. publishes one new revision of one policy (one commit) and builds again with the cache
   the full build left: the rebuild after a typical publication;
4. runs a bare `mkdocs build` (Material, search) of as many plain Markdown pages cut from
   the same texts, N of them in the nav, as `build_history` does.

It also builds the shipped `content/` once. Results are kept per `--label` in
benchmarks/.work/build_scale/ and every label measured so far is written to
docs/benchmarks.md (a table and a bar chart each), so a "before" and an "after" run of a
change sit side by side. Everything happens under benchmarks/.work/ (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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
from benchmarks.report import write_section

WORK = ROOT / "benchmarks" / ".work" / "build_scale"
STAGES = ["load", "history", "pages", "versions", "mkdocs", "archive", "publish"]


def build(content: Path, out: Path, cache: Path) -> dict[str, float]:
    """One `build_site` with the given cache folder; the total and each stage's time."""
    from site_builder.build import build_site

    os.environ["TRANSPARENCY_CACHE"] = str(cache)
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
        again = build(repo / "content", WORK / "site", cache)
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


def section_for(label: str, data: dict) -> list[str]:
    runs = data["runs"]
    out = [f"### {label}", "",
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
    out += ["", "Share of each stage in the full build:", "",
            "| policies | " + " | ".join(STAGES) + " |",
            "| --- |" + " ---: |" * len(STAGES)]
    for r in runs:
        total = r["full"]["total"]
        out.append(f"| {r['size']} | " + " | ".join(
            f"{r['full'].get(s, 0.0):.1f} s ({100 * r['full'].get(s, 0.0) / total:.0f}%)"
            if s in r["full"] else "–" for s in STAGES) + " |")
    if len(runs) > 1:
        a, b = runs[0], runs[-1]
        growth = b["full"]["total"] / a["full"]["total"]
        out += ["", f"Growth: {b['size'] / a['size']:.0f}× the content ({a['size']} → "
                f"{b['size']} policies) costs {growth:.2f}× the time "
                f"(bare MkDocs: {b['bare'] / a['bare']:.2f}×)."]
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
    if data.get("shipped"):
        out += ["", f"The shipped `content/` (with its own git history): "
                f"**{data['shipped']:.1f} s** from an empty cache, "
                f"**{data.get('shipped_warm', 0.0):.1f} s** with the cache of that build."]
    return out


def write_doc() -> str:
    results = sorted(WORK.glob("results-*.json"), key=lambda p: p.stat().st_mtime)
    lines = ["## Building at scale (`python -m benchmarks.build_scale`)", "",
             "Generated repositories of N policies × 10 versions (plus the shipped content), "
             "each built in full from an empty cache, then again after one new revision of one "
             "policy; the baseline is a bare `mkdocs build` (Material, search) of as many plain "
             "pages, N of them in the nav. `full` is the full build, `bare` the baseline, "
             "`again` the rebuild after one revision. Targets: full / bare ≤ 1.5×, 4× the "
             "content ≤ 4.4× the time, the rebuild ≤ 10% of the full build, the shipped "
             "content under 10 s.", ""]
    for path in results:
        data = json.loads(path.read_text())
        lines += section_for(data["label"], data) + [""]
    return write_section("build_scale", "\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50,200,800")
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--rebuild-max", type=int, default=10**9,
                        help="measure the rebuild after one revision only up to this size")
    parser.add_argument("--label", default="Current build")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)

    loads = [load_average()]
    data: dict = {"label": args.label, "date": dt.date.today().isoformat(),
                  "machine": machine(), "loads": loads, "runs": []}
    shipped_cache = WORK / "cache-shipped"
    shutil.rmtree(shipped_cache, ignore_errors=True)
    data["shipped"] = build(ROOT / "content", WORK / "site", shipped_cache)["total"]
    data["shipped_warm"] = build(ROOT / "content", WORK / "site", shipped_cache)["total"]
    print(f"shipped content: {data['shipped']:.1f} s, warm {data['shipped_warm']:.1f} s",
          file=sys.stderr)
    for size in (int(s) for s in args.sizes.split(",")):
        data["runs"].append(measure(size, args.versions, size <= args.rebuild_max))
        loads.append(load_average())
        slug = "".join(c if c.isalnum() else "-" for c in args.label.lower())
        (WORK / f"results-{slug}.json").write_text(json.dumps(data, indent=1))
    if not args.no_write:
        print(write_doc())
    return 0


if __name__ == "__main__":
    sys.exit(main())
