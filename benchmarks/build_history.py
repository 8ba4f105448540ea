"""Benchmark: building a site with deep git history, against a bare `mkdocs build`.

    python -m benchmarks.build_history [--policies 200] [--versions 10] [--runs 3]

1. Generates a git repository with `git fast-import`: N policies, each published in V
   versions (one commit per version, commit dates one hour apart), plus the registries.
2. Runs the full `build_site` on it `runs` times (a cold page cache each time) and once
   more with a warm cache; reports the total and each stage's share (from the build log).
3. Runs a bare `mkdocs build` (Material, search, the same number of pages, the same size
   of navigation, plain Markdown pages cut from the same policy texts) `runs` times.
4. Prints medians and ratios and writes them to docs/benchmarks.md (machine and date).

Everything happens under benchmarks/.work/ (ignored by git). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import DOC, write_section

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "build_history"
STAGE = re.compile(r"^(\w+)\s+([\d.]+) s$")

WORDS = (
    "department account post comment review public record City staff director "
    "communications content site social media policy resident approval response "
    "information official platform employee timely accurate respectful removed "
    "within days request guidance training"
).split()

FRONT = """\
---
id: {id}
title: Generated policy {n}
number: "GEN {n}"
kind: administrative-instruction
status: active
department: Department of Technology and Innovation
owner: Department of Technology and Innovation
approved_by: Chief Administrative Officer
effective: {effective}
summary: A generated policy for the history benchmark.
review:
  interval_months: 12
  last_reviewed: 2026-01-15
---

"""


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def first_body(rng: random.Random) -> list[list[str]]:
    """Sections of clauses (each clause a sentence); nested items as '    a. …'."""
    sections = []
    for _ in range(5):
        clauses = []
        for _ in range(6):
            clauses.append(sentence(rng, rng.randint(8, 20)))
        sections.append(clauses)
    return sections


def revise(rng: random.Random, sections: list[list[str]]) -> None:
    """A typical revision: a few words changed, a clause added or removed."""
    for _ in range(3):
        clauses = rng.choice(sections)
        i = rng.randrange(len(clauses))
        words = clauses[i].rstrip(".").split()
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        clauses[i] = " ".join(words) + "."
    clauses = rng.choice(sections)
    if len(clauses) > 4 and rng.random() < 0.3:
        clauses.pop(rng.randrange(len(clauses)))
    else:
        clauses.append(sentence(rng, rng.randint(8, 20)))


def render(pid: str, n: int, sections: list[list[str]], effective: str) -> str:
    out = [FRONT.format(id=pid, n=n, effective=effective)]
    letters = "abcdefghijklmnopqrstuvwxyz"
    for s, clauses in enumerate(sections):
        out.append(f"## Section {s + 1} {{#section-{s + 1}}}\n")
        out.append("This section sets out what departments do.\n")
        items = [f"{letters[s].upper()}. Departments shall follow these rules:"]
        items += [f"    {letters[i]}. {text}" for i, text in enumerate(clauses)]
        out.append("\n".join(items) + "\n")
    return "\n".join(out)


def generate(repo: Path, policies: int, versions: int, seed: int = 19, *,
             shipped: Path = ROOT / "content") -> int:
    """Write the repository with git fast-import; return the number of commits.

    The first commit also holds the registries and policies of `shipped`."""
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    rng = random.Random(seed)
    bodies = {f"gen-{i:03d}": first_body(rng) for i in range(policies)}
    when = int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp())
    stream: list[bytes] = []

    def data(text: str) -> bytes:
        raw = text.encode("utf-8")
        return b"data %d\n" % len(raw) + raw + b"\n"

    mark = 0
    registries = shipped / "registries"

    def commit(message: str, files: dict[str, str]) -> None:
        nonlocal mark, when
        mark += 1
        when += 3600
        head = [b"commit refs/heads/main\n", b"mark :%d\n" % mark]
        who = b"Benchmark <benchmark@example.org> %d +0000\n" % when
        head += [b"author " + who, b"committer " + who, data(message)]
        if mark > 1:
            head.append(b"from :%d\n" % (mark - 1))
        for path, text in files.items():
            head.append(f"M 100644 inline {path}\n".encode())
            head.append(data(text))
        stream.append(b"".join(head) + b"\n")

    # The shipped content too: the site's pages expect AI 1-19 and the resolution.
    files = {f"content/registries/{f.name}": f.read_text() for f in registries.iterdir()}
    files.update({f"content/policies/{f.name}": f.read_text()
                  for f in (shipped / "policies").glob("*.md")})
    for v in range(1, versions + 1):
        for n, (pid, sections) in enumerate(bodies.items()):
            if v > 1:
                revise(rng, sections)
            effective = (dt.date(2024, 1, 1) + dt.timedelta(days=30 * v)).isoformat()
            files[f"content/policies/{pid}.md"] = render(pid, n, sections, effective)
            commit(f"Version {v} of {pid}\n\nPublished-by: Office of Communications\n", files)
            files = {}
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream),
                   check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    return mark


def build_once(content: Path, out: Path, cache: Path | None) -> dict[str, float]:
    from site_builder.build import build_site

    if cache is None:
        os.environ.pop("TRANSPARENCY_CACHE", None)
    else:
        os.environ["TRANSPARENCY_CACHE"] = str(cache)
    shutil.rmtree(out, ignore_errors=True)  # deleting a previous site is not building
    lines: list[str] = []
    start = time.perf_counter()
    result = build_site(content, out, log=lines.append)
    stages = {"total": time.perf_counter() - start, "page_count": float(result.pages)}
    for line in lines:
        match = STAGE.match(line)
        if match:
            stages[match.group(1)] = float(match.group(2))
    return stages


BARE_CONFIG = """\
site_name: Bare MkDocs baseline
docs_dir: docs
site_dir: site
theme:
  name: material
  font: false
plugins:
  - search
nav:
{nav}
not_in_nav: |
  /plain/
"""


def bare_site(folder: Path, content: Path, pages: int, nav_pages: int) -> None:
    """The same number of pages as plain Markdown, the same size of navigation."""
    if folder.exists():
        shutil.rmtree(folder)
    docs = folder / "docs"
    (docs / "plain").mkdir(parents=True)
    texts = []
    for file in sorted((content / "policies").glob("*.md")):
        text = file.read_text()
        texts.append(text.split("\n---\n", 1)[1])
    (docs / "index.md").write_text("# Baseline\n")
    nav = ["  - Home: index.md"]
    for i in range(pages - 1):
        body = f"# Page {i}\n\n" + texts[i % len(texts)]
        if i < nav_pages:
            (docs / f"p{i:05d}.md").write_text(body)
            nav.append(f"  - Page {i}: p{i:05d}.md")
        else:
            (docs / "plain" / f"p{i:05d}.md").write_text(body)
    (folder / "mkdocs.yml").write_text(BARE_CONFIG.format(nav="\n".join(nav)))


def bare_once(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                    str(folder / "mkdocs.yml")], check=True, capture_output=True)
    return time.perf_counter() - start


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, " \
           f"{platform.system()} {platform.release()}"


def stage_runs(content: Path, runs: int) -> dict[str, list[float]]:
    """The history and version stages alone, in this process, `runs` times each."""
    from site_builder import store
    from site_builder.content import load_library
    from site_builder.history import read_history
    from site_builder.versions import write_version_pages

    library, problems = load_library(content)
    assert not problems, problems[:3]
    site = {"today": dt.date.today().isoformat(), "generated": "2026-01-01T00:00:00Z"}
    times: dict[str, list[float]] = {"history": [], "versions": [], "versions (warm)": []}
    histories = {}
    for _ in range(runs):
        start = time.perf_counter()
        histories, _ = read_history(content, library)
        times["history"].append(time.perf_counter() - start)
    for _ in range(runs):
        out = WORK / "docs-cold"
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        write_version_pages(out, library, histories, site)
        times["versions"].append(time.perf_counter() - start)
    cache = WORK / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    with store.opened(cache):
        write_version_pages(WORK / "docs-warm", library, histories, site)
        for _ in range(runs):
            out = WORK / "docs-warm"
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            write_version_pages(out, library, histories, site)
            times["versions (warm)"].append(time.perf_counter() - start)
    return times


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--policies", type=int, default=200)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of the history and version stages (median)")
    parser.add_argument("--full-runs", type=int, default=1,
                        help="runs of the full build and of the bare mkdocs build (median)")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    args = parser.parse_args(argv)

    WORK.mkdir(parents=True, exist_ok=True)
    repo = WORK / "repo"
    started = time.perf_counter()
    commits = generate(repo, args.policies, args.versions)
    generated = time.perf_counter() - started
    print(f"generated {commits} commits ({args.policies} policies × {args.versions} versions) "
          f"in {generated:.1f} s", file=sys.stderr)
    content = repo / "content"
    loads = [load_average()]

    times = stage_runs(content, args.runs)
    for name, values in times.items():
        print(f"{name}: {', '.join(f'{v:.2f}' for v in values)} s", file=sys.stderr)

    full: list[dict[str, float]] = []
    for run in range(args.full_runs):
        full.append(build_once(content, WORK / "site", None))
        print(f"full build {run + 1}: {full[-1]['total']:.1f} s", file=sys.stderr)
    loads.append(load_average())
    pages = int(full[0]["page_count"])
    bare_site(WORK / "bare", content, pages, args.policies)
    bare = []
    for run in range(args.full_runs):
        bare.append(bare_once(WORK / "bare"))
        print(f"bare mkdocs build {run + 1}: {bare[-1]:.1f} s", file=sys.stderr)
    loads.append(load_average())

    def median(key: str) -> float:
        return statistics.median(run.get(key, 0.0) for run in full)

    total = median("total")
    bare_median = statistics.median(bare)
    stages = ["load", "history", "pages", "versions", "mkdocs", "archive", "publish"]
    rows = [f"| {name} | {median(name):.2f} s | {100 * median(name) / total:.0f}% |"
            for name in stages]
    history_s = statistics.median(times["history"])
    versions_s = statistics.median(times["versions"])
    warm_s = statistics.median(times["versions (warm)"])
    section = "\n".join([
        "## Building with history (`python -m benchmarks.build_history`)",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}; load average "
        f"{' → '.join(loads)} during the run (other work on the machine slows every figure "
        "alike; compare the ratios).",
        "",
        f"A generated repository of {args.policies} policies × {args.versions} versions plus "
        f"the shipped content ({commits} commits, written with `git fast-import` in "
        f"{generated:.1f} s). The full `build_site` writes {pages} pages: each version, each "
        "redline, each older version against the current one, the lists, changelogs and "
        "compare pages.",
        "",
        f"Full build, median of {args.full_runs} run(s), each stage's share:",
        "",
        "| stage | time | share |",
        "| --- | --- | --- |",
        *rows,
        f"| **total** | **{total:.2f} s** | 100% |",
        "",
        f"Baseline in the same run: a bare `mkdocs build` (Material, search) of {pages} plain "
        f"Markdown pages cut from the same texts, {args.policies} of them in the nav, median "
        f"of {args.full_runs}: **{bare_median:.2f} s**. Full build / bare MkDocs: "
        f"**{total / bare_median:.2f}×**.",
        "",
        f"The stages this issue adds, alone, median of {args.runs} runs:",
        "",
        f"- reading the history: **{history_s:.2f} s**, {1000 * history_s / commits:.2f} ms "
        "per commit (one `git log`, one `git cat-file --batch`, each version outlined);",
        f"- writing the version, redline, changelog, data and feed files: **{versions_s:.2f} "
        f"s** with an empty cache, **{warm_s:.2f} s** when the rendered versions and "
        f"redlines come from the cache (`TRANSPARENCY_CACHE`), "
        f"{versions_s / max(warm_s, 1e-9):.1f}× faster.",
        "",
        f"MkDocs' pass (the navigable pages) and the archive step (version, redline, compare "
        f"and changelog pages, rendered outside that pass and cached) take "
        f"{(median('mkdocs') + median('archive')) / bare_median:.1f}× as long as the bare "
        "build of as many plain pages; `python -m benchmarks.build_scale` measures the "
        "build at several sizes and the rebuild after one new revision.",
    ])
    print(section)
    if not args.no_write:
        write_section("build_history", section)
        print(f"\nwritten to {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
