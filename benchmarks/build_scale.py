"""Benchmark: the site build at 50, 200 and 800 policies, against a bare `mkdocs build`
and, with `--compare REF`, against the build of an earlier commit; with `--languages`,
the build in English alone against the build in English and Spanish.

    python -m benchmarks.build_scale [--sizes 50,200,800] [--versions 10] [--label after]
    python -m benchmarks.build_scale --compare 9f4d4eb --repeat 3 --label "labels.py"
    python -m benchmarks.build_scale --sizes 800 --label after   # add one size to a label
    python -m benchmarks.build_scale --languages-only --sizes 50,200 --repeat 3 --label es

For each size N, in one run:

1. generates a git repository of N policies × V versions with `git fast-import` (the
   generator of `benchmarks/build_history.py`), with the registries and policies of the
   shipped `content/` (REF's with `--compare`: newer code reads older content, not the
   other way round), but not its registries/languages.yaml: these figures are of the
   site in English alone, as they were before the site had other languages, so that
   they stay comparable with earlier runs (the languages have a measurement of their
   own, below);
2. builds it with `build_site` from an empty cache (the full build), with the code of
   this work tree (`new`) and, with `--compare REF`, with REF's code (`old`), checked out
   in a git worktree under benchmarks/.work/worktrees/. Each build runs in a Python
   process of its own (PYTHONPATH and working folder of its tree, its tree's mkdocs.yml,
   its own cache folder through TRANSPARENCY_CACHE) and is timed from the process' start
   to its end, as the bare `mkdocs build` is; each stage's time comes from the build log;
3. publishes one new revision of one policy (one commit) and builds again with the cache
   the full build left, over the site it published: the rebuild after a typical
   publication, again new and old;
4. runs two bare `mkdocs build`s (Material, search) of as many plain Markdown pages cut
   from the same texts. The fair one has the site's navigation: mkdocs.yml's nav with
   the policies the site would list (none past `NAV_POLICY_LIMIT`), every other page
   `not_in_nav`. The other, the baseline of earlier runs, lists all N policies in its
   nav; MkDocs writes the nav into every page, so it grows with N².

With `--repeat R` every build and the fair baseline run R times and the tables show
medians; old and new take turns going first, so that neither always meets the machine
in the same state. The all-in-nav baseline runs once (ten minutes at 800 policies).

It also builds the shipped `content/` once (new code), as it ships: with its
languages.yaml and translations, in every language it lists. Results are kept per
`--label` in benchmarks/.work/build_scale/; a run adds its sizes to what the label
already holds (replacing the same sizes), so the largest size can be measured on its
own. The label measured last is written to docs/benchmarks.md (or `--doc`) as the
current result (tables, targets and a bar chart); earlier labels, and the rows of
earlier runs already in the document, are kept as one compact table. Everything happens
under benchmarks/.work/ (ignored by git).

Languages (`--languages`, with the rest; `--languages-only`, alone). For each size, one
more generated repository (as in 1., English alone) is built with this work tree's code
side by side, each build from an empty cache and timed the same way:

- English only: the repository as generated;
- English + Spanish: the same repository with one more commit, which adds the shipped
  registries/languages.yaml, the shipped Spanish translations (content/translations/es/,
  naming version 1, the only version of a shipped policy there) and a translation of
  every generated policy that names its latest version: title, summary and a full body
  made from that version's text line by line (the generator's words through a small
  glossary), with its headings' `{#id}` anchors and its clause markers as they are, so
  that `transparency check` accepts it and the Spanish pages are as many as the English
  ones and about as long (the Spanish words run a little longer, as real Spanish does).

Each shows its total, the pages it built (`BuildResult.pages`, both languages together)
and the seconds per page; the target is the issue's: with Spanish, no more per page than
in English alone (≤ 1.10×). With `--repeat R` both run R times (medians), taking turns
to go first. They are kept per label in languages-<label>.json and written to their own
section of the document (`<!-- build_scale_languages -->`), earlier labels as a compact
table below the label measured last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from benchmarks.build_history import (
    ROOT,
    WORDS,
    bare_once,
    bare_site,
    generate,
    load_average,
    machine,
)
from benchmarks.report import DOC, write_section

WORK = ROOT / "benchmarks" / ".work" / "build_scale"
WORKTREES = ROOT / "benchmarks" / ".work" / "worktrees"
STAGES = ["load", "history", "pages", "versions", "mkdocs", "archive", "publish"]
SCHEMA = 2  # results files: full/rebuild per tree, lists of runs, two baselines
LANGUAGES_SCHEMA = 1  # languages-<label>.json: per size, lists of runs in "en" and "es"
LANGUAGES = "languages.yaml"
# A stage's line in the build log: "mkdocs      2.41 s", or "mkdocs es   2.38 s" for a
# language but the default (which gives "mkdocs es" its own figure).
STAGE = re.compile(r"^(\w+(?: [a-z]{2,3}(?:-[A-Za-z0-9]+)*)?)\s+([\d.]+) s$")

# What a build of the given tree runs, in a fresh interpreter: argv is the tree, the
# content, the output folder and the file the figures go to.
RUNNER = """\
import json, sys, time
start = time.perf_counter()
from pathlib import Path
root = Path(sys.argv[1]).resolve()
import site_builder
from site_builder.build import build_site
if Path(site_builder.__file__).resolve().parent.parent != root:
    sys.exit(f"site_builder came from {site_builder.__file__}, not from {root}")
imported = time.perf_counter()
lines = []
try:
    result = build_site(Path(sys.argv[2]), Path(sys.argv[3]), lines.append,
                        config_file=root / "mkdocs.yml")
except Exception as error:
    print(*lines, *map(str, getattr(error, "problems", [])), sep="\\n", file=sys.stderr)
    raise
done = time.perf_counter()
Path(sys.argv[4]).write_text(json.dumps(
    {"imports": imported - start, "build_site": done - imported, "pages": result.pages,
     "log": lines}))
from site_builder import cli  # the process ends as `transparency build` ends it
if hasattr(cli, "end_process"):
    cli.end_process(0)
"""


@dataclass(frozen=True)
class Tree:
    """The code one column of figures is measured with."""

    name: str  # "new" or "old"
    root: Path
    description: str


def git(*args: str | Path, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", "--no-optional-locks", *map(str, args)], cwd=cwd,
                          check=True, capture_output=True, text=True)
    return done.stdout.strip()


def this_tree() -> Tree:
    head = git("rev-parse", "--short=10", "HEAD")
    changed = git("status", "--porcelain", "--", "site_builder", "mkdocs.yml", "theme")
    return Tree("new", ROOT, f"this work tree at {head}"
                + (", with uncommitted changes to the build" if changed else ""))


def worktree(ref: str) -> Tree:
    """REF's code in a git worktree of its own (`git worktree add --detach`), reused
    when one is already there at that commit."""
    sha = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    path = WORKTREES / sha[:12]
    if (path / ".git").is_file():
        clean = git("status", "--porcelain", "--untracked-files=no", cwd=path) == ""
        if not clean or git("rev-parse", "HEAD", cwd=path) != sha:
            git("worktree", "remove", "--force", path)
    elif path.exists():  # not a worktree (any more): a folder left behind
        shutil.rmtree(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        git("worktree", "add", "--force", "--detach", path, sha)
    subject = git("log", "-1", "--format=%s", sha)
    if len(subject) > 72:
        subject = subject[:71] + "…"
    for name in ("pyproject.toml", "requirements.lock"):
        if (path / name).read_bytes() != (ROOT / name).read_bytes():
            print(f"note: {name} differs between {ref} and this work tree; both are run "
                  f"with the packages of {sys.executable}", file=sys.stderr)
    return Tree("old", path, f"{ref} ({sha[:10]}, “{subject}”)")


def build(tree: Tree, content: Path, out: Path, cache: Path, *,
          fresh: bool = True) -> dict[str, float]:
    """One `build_site` of `tree` in a process of its own with the given cache folder:
    the total (the process, start to end), what is not `build_site` (Python's start, the
    imports, the exit), and each stage's time.

    `fresh` removes the output folder first; otherwise the build replaces the site the
    last one published, as a publication does (and pays for removing the old one)."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    figures_file = out.parent / f"{out.name}.figures.json"
    figures_file.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree.root), "TRANSPARENCY_CACHE": str(cache)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUNNER, str(tree.root), str(content),
                           str(out), str(figures_file)],
                          cwd=tree.root, env=env, capture_output=True, text=True)
    total = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"the {tree.name} build ({tree.description}) failed:\n"
                         f"{done.stderr[-4000:]}")
    figures = json.loads(figures_file.read_text())
    figures_file.unlink()
    times = {"total": total, "process": total - figures["build_site"],
             "imports": figures["imports"], "page_count": float(figures["pages"])}
    for line in figures["log"]:
        match = STAGE.match(line)
        if match:
            times[match.group(1)] = float(match.group(2))
    return times


def precompile(tree: Tree) -> None:
    """Byte-compile the tree's code once, so that no measured build pays for it."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree.root / "site_builder")],
                   check=True, capture_output=True)


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


def site_nav(content: Path, config: Path = ROOT / "mkdocs.yml") -> list:
    """The nav the site has for this content: mkdocs.yml's, with the policy pages the
    build lists in it (`listed_policies`: all of them up to NAV_POLICY_LIMIT, else none)."""
    from site_builder.engine import listed_policies, with_policies

    nav = yaml.safe_load(config.read_text())["nav"]
    policies = [{file.stem: f"policies/{file.stem}/index.md"}
                for file in sorted((content / "policies").glob("*.md"))]
    return with_policies(nav, listed_policies(policies))


def nav_pages(nav: list | dict | str) -> list[str]:
    """The docs-relative pages a nav names, in order (links elsewhere left out)."""
    if isinstance(nav, str):
        return [] if nav.startswith("/") or "://" in nav else [nav]
    items = nav.values() if isinstance(nav, dict) else nav
    return [page for item in items for page in nav_pages(item)]


def fair_bare_site(folder: Path, content: Path, pages: int, nav: list) -> None:
    """`pages` plain Markdown pages with the site's nav: the pages it names at their
    places, every other page under plain/, which is `not_in_nav`. Like `bare_site`
    otherwise: Material with search, the texts cut from the same policies."""
    shutil.rmtree(folder, ignore_errors=True)
    docs = folder / "docs"
    (docs / "plain").mkdir(parents=True)
    texts = [file.read_text().split("\n---\n", 1)[1]
             for file in sorted((content / "policies").glob("*.md"))]
    listed = nav_pages(nav)
    for i, page in enumerate(listed):
        (docs / page).parent.mkdir(parents=True, exist_ok=True)
        (docs / page).write_text(f"# Page {i}\n\n" + texts[i % len(texts)])
    for i in range(len(listed), pages):
        (docs / "plain" / f"p{i:05d}.md").write_text(f"# Page {i}\n\n" + texts[i % len(texts)])
    config = {"site_name": "Bare MkDocs baseline, the site's nav", "docs_dir": "docs",
              "site_dir": "site", "theme": {"name": "material", "font": False},
              "plugins": ["search"], "nav": nav, "not_in_nav": "/plain/\n"}
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True,
                                                      sort_keys=False))


def measure(size: int, versions: int, trees: list[Tree], *, repeat: int, rebuild: bool,
            all_in_nav: bool, turn: int = 0) -> dict:
    """Every figure of one size; `turn` picks which tree goes first in the first repeat."""
    repo = WORK / f"repo-{size}"
    started = time.perf_counter()
    commits = generate(repo, size, versions, shipped=english_only(trees[-1].root / "content"))
    head = git("rev-parse", "HEAD", cwd=repo)
    print(f"{size}: generated {commits} commits in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    names = [tree.name for tree in trees]
    result: dict = {"size": size, "versions": versions, "commits": commits,
                    "full": {name: [] for name in names}, "bare": [], "bare_all_in_nav": []}
    if rebuild:
        result["rebuild"] = {name: [] for name in names}
    for i in range(repeat):
        order = trees if (turn + i) % 2 == 0 else trees[::-1]
        subprocess.run(["git", "reset", "-q", "--hard", head], cwd=repo, check=True)
        for tree in order:
            cache = WORK / f"cache-{size}-{tree.name}"
            shutil.rmtree(cache, ignore_errors=True)
            times = build(tree, repo / "content", WORK / f"site-{tree.name}", cache)
            result["full"][tree.name].append(times)
            print(f"{size}: full build, {tree.name}: {times['total']:.1f} s", file=sys.stderr)
        if rebuild:
            revise_one(repo)
            for tree in order:
                times = build(tree, repo / "content", WORK / f"site-{tree.name}",
                              WORK / f"cache-{size}-{tree.name}", fresh=False)
                result["rebuild"][tree.name].append(times)
                print(f"{size}: rebuild after one revision, {tree.name}: "
                      f"{times['total']:.1f} s", file=sys.stderr)
        if i == 0:
            pages = int(result["full"]["new"][0]["page_count"])
            fair_bare_site(WORK / "bare", repo / "content", pages, site_nav(repo / "content"))
        result["bare"].append(bare_once(WORK / "bare"))
        print(f"{size}: bare mkdocs build, the site's nav: {result['bare'][-1]:.1f} s",
              file=sys.stderr)
        if i == 0 and all_in_nav:
            bare_site(WORK / "bare-all-in-nav", repo / "content", pages, size)
            result["bare_all_in_nav"].append(bare_once(WORK / "bare-all-in-nav"))
            print(f"{size}: bare mkdocs build, all in nav: "
                  f"{result['bare_all_in_nav'][-1]:.1f} s", file=sys.stderr)
    for folder in ("bare", "bare-all-in-nav", *(f"site-{name}" for name in names)):
        shutil.rmtree(WORK / folder, ignore_errors=True)
    return result


# Languages -----------------------------------------------------------------------------

def english_only(shipped: Path) -> Path:
    """What `generate` takes from `shipped` (its registries and policies) without
    registries/languages.yaml: the content of a site in English alone."""
    folder = WORK / "shipped-english"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "registries").mkdir(parents=True)
    for file in sorted((shipped / "registries").iterdir()):
        if file.is_file() and file.name != LANGUAGES:
            shutil.copyfile(file, folder / "registries" / file.name)
    shutil.copytree(shipped / "policies", folder / "policies")
    return folder


def shipped_languages(content: Path) -> list[str]:
    """The codes of the languages a content folder's site is built in."""
    registry = content / "registries" / LANGUAGES
    if not registry.is_file():
        return ["en"]
    return [language["code"] for language in yaml.safe_load(registry.read_text())["languages"]]


# The generator's words (benchmarks/build_history.py) and the fixed lines of its policies
# in Spanish, so that a generated translation reads like one and is as long; a word not
# here stays as it is.
GLOSSARY = dict(zip((word.lower() for word in WORDS), (
    "departamento cuenta publicación comentario revisión público registro Ciudad "
    "personal director comunicaciones contenido sitio redes sociales política residente "
    "aprobación respuesta información oficial plataforma empleado oportuno exacto "
    "respetuoso retirado dentro días solicitud orientación capacitación").split(),
    strict=True))
GLOSSARY |= {"section": "sección", "generated": "generada", "every": "cada",
             "does": "hace", "rules": "reglas"}
PHRASES = {
    "This section sets out what departments do.":
        "Esta sección establece lo que hacen los departamentos.",
    "This section sets out what every department does.":
        "Esta sección establece lo que hace cada departamento.",
    "Departments shall follow these rules:": "Los departamentos deben seguir estas reglas:",
    "Generated policy": "Política generada",
}
HEADING = re.compile(r"^(#{1,6}[ \t]+)(.*?)([ \t]+\{#[^}]*\})?[ \t]*$")
# A clause's marker, as site_builder/outline.py reads them: kept exactly
MARKER = re.compile(r"^([ ]*(?:[A-Za-z]|[ivxlc]{1,6}|[IVXLC]{1,6}|\d{1,3})\.[ \t]+)(\S.*)$")
BULLET = re.compile(r"^([ ]*[-*+][ \t]+)(.*)$")


def in_spanish(text: str) -> str:
    """A line of prose "in Spanish": the fixed phrases and the glossary's words replaced,
    every other word kept, capitals kept."""
    for english, spanish in PHRASES.items():
        text = text.replace(english, spanish)

    def word(match: re.Match) -> str:
        found = match.group(0)
        spanish = GLOSSARY.get(found.lower())
        if spanish is None:
            return found
        return spanish[0].upper() + spanish[1:] if found[0].isupper() else spanish

    return re.sub(r"[A-Za-z]+", word, text)


def spanish_body(body: str) -> str:
    """A policy body line by line in "Spanish", with the same structure: each heading's
    `{#id}` (a heading without one gets the id its English text gave it), each clause's
    marker and indentation, the blank lines and fenced blocks as they are."""
    from site_builder.outline import slugify

    out = []
    fenced = False
    for line in body.split("\n"):
        fence = line.lstrip().startswith(("```", "~~~"))
        fenced = fenced != fence
        if fence or fenced or not line.strip():
            out.append(line)
        elif heading := HEADING.match(line):
            opening, title, anchor = heading.groups()
            anchor = anchor or f" {{#{slugify(title)}}}"
            out.append(opening + in_spanish(title) + anchor)
        elif clause := MARKER.match(line) or BULLET.match(line):
            out.append(clause.group(1) + in_spanish(clause.group(2)))
        else:
            out.append(in_spanish(line))
    return "\n".join(out)


def spanish_translation(policy: str, version: int) -> str:
    """The Spanish translation file (content/translations/es/<id>.md) of a policy file's
    text, naming `version`: its title, summary and body (`spanish_body`)."""
    _, front, body = policy.split("---\n", 2)
    meta = yaml.safe_load(front)
    fields = {"policy": meta["id"], "lang": "es", "translates_version": version,
              "kind": "courtesy", "sample": bool(meta.get("sample", False)),
              "title": in_spanish(meta["title"]),
              "summary": "Una política generada para la prueba de rendimiento del sitio, "
                         "traducida para medir la compilación en dos idiomas."}
    if meta.get("incomplete"):  # a translation with a body must translate the note
        fields["incomplete"] = in_spanish(str(meta["incomplete"]))
    return ("---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=88)
            + "---\n" + spanish_body(body))


def add_spanish(repo: Path, shipped: Path, versions: int) -> int:
    """One commit that adds Spanish to a generated repository: the shipped languages.yaml
    and Spanish translations, and a translation of each generated policy's latest
    version (`versions`). Returns the number of translations."""
    content = repo / "content"
    shutil.copyfile(shipped / "registries" / LANGUAGES, content / "registries" / LANGUAGES)
    folder = content / "translations" / "es"
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for file in sorted((shipped / "translations" / "es").glob("*.md")):
        # a shipped policy has one version in a generated repository: its current text
        text = re.sub(r"(?m)^translates_version: \d+$", "translates_version: 1",
                      file.read_text(), count=1)
        (folder / file.name).write_text(text)
        count += 1
    for file in sorted((content / "policies").glob("gen-*.md")):
        (folder / file.name).write_text(spanish_translation(file.read_text(), versions))
        count += 1
    env = {**os.environ, "GIT_AUTHOR_NAME": "Benchmark", "GIT_AUTHOR_EMAIL": "b@example.org",
           "GIT_COMMITTER_NAME": "Benchmark", "GIT_COMMITTER_EMAIL": "b@example.org"}
    subprocess.run(["git", "add", "content"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "Spanish: the site's second language and "
                    "its translations\n\nPublished-by: Office of Communications"],
                   cwd=repo, check=True, env=env)
    return count


def measure_languages(size: int, versions: int, tree: Tree, *, repeat: int,
                      turn: int = 0) -> dict:
    """English only and English + Spanish, the same generated repository (the second one
    commit later), each built from an empty cache `repeat` times, taking turns first."""
    repo = WORK / f"repo-{size}-languages"
    started = time.perf_counter()
    commits = generate(repo, size, versions, shipped=english_only(tree.root / "content"))
    heads = {"en": git("rev-parse", "HEAD", cwd=repo)}
    translations = add_spanish(repo, tree.root / "content", versions)
    heads["es"] = git("rev-parse", "HEAD", cwd=repo)
    print(f"{size}: generated {commits} commits and {translations} Spanish translations in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    result: dict = {"size": size, "versions": versions, "commits": commits,
                    "translations": translations, "en": [], "es": []}
    for i in range(repeat):
        for name in ("en", "es") if (turn + i) % 2 == 0 else ("es", "en"):
            subprocess.run(["git", "reset", "-q", "--hard", heads[name]], cwd=repo, check=True)
            cache = WORK / f"cache-{size}-{name}"
            shutil.rmtree(cache, ignore_errors=True)
            times = build(tree, repo / "content", WORK / f"site-{name}", cache)
            result[name].append(times)
            print(f"{size}: {LANGUAGE_BUILDS[name]}: {times['total']:.1f} s, "
                  f"{int(times['page_count']):,} pages", file=sys.stderr)
    for name in ("en", "es"):
        shutil.rmtree(WORK / f"site-{name}", ignore_errors=True)
        shutil.rmtree(WORK / f"cache-{size}-{name}", ignore_errors=True)
    return result


# The document ------------------------------------------------------------------------

TARGET_RATIO = 1.0  # full build / the bare build with the site's nav
TARGET_SIZES = (50, 200, 800)
TARGET_REBUILD = 3.0  # seconds, at TARGET_REBUILD_SIZE policies
TARGET_REBUILD_SIZE = 800
NOISE = 0.05  # "not worse than the old commit": new ≤ (1 + NOISE) × old


def normalised(data: dict) -> dict:
    """A results file in the current layout: a file from before `--compare` had one
    in-process build per figure and a single baseline (all policies in the nav)."""
    if data.get("schema") == SCHEMA:
        return data
    runs = []
    for r in data["runs"]:
        run = {**r, "full": {"new": [r["full"]]}, "bare": [], "bare_all_in_nav": [r["bare"]]}
        if "rebuild" in r:
            run["rebuild"] = {"new": [r["rebuild"]]}
        runs.append(run)
    return {**data, "schema": SCHEMA, "runs": runs, "repeat": 1}


def median_times(runs: list[dict]) -> dict[str, float]:
    """Each figure's median over the runs that have it."""
    keys = dict.fromkeys(key for run in runs for key in run)
    return {key: statistics.median(run[key] for run in runs if key in run) for key in keys}


def figures(r: dict) -> dict[str, float | None]:
    """One size's medians: full and rebuild (new, old), the two baselines, pages."""
    out: dict[str, float | None] = {}
    for kind in ("full", "rebuild"):
        for name in ("new", "old"):
            runs = r.get(kind, {}).get(name) or []
            out[f"{kind}_{name}"] = median_times(runs)["total"] if runs else None
    for key in ("bare", "bare_all_in_nav"):
        out[key] = statistics.median(r[key]) if r.get(key) else None
    new = r["full"]["new"][0]["page_count"]
    out["pages"] = new
    old = r["full"].get("old")
    out["pages_old"] = old[0]["page_count"] if old and old[0]["page_count"] != new else None
    return out


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or not b else f"{a / b:.2f}×"


def bar(value: float, largest: float, width: int = 40) -> str:
    return "█" * max(1, round(width * value / largest)) if largest else ""


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


CURRENT_HEAD = ("| policies × versions | pages | full build, new | full build, old "
                "| bare `mkdocs build`, site's nav | bare, all policies in nav "
                "| new / fair bare | new / old | rebuild after one revision, new "
                "| rebuild, old |")


def section_for(label: str, data: dict) -> list[str]:
    """The current result in full: figures, stage split, targets and chart."""
    data = normalised(data)
    runs = sorted(data["runs"], key=lambda r: r["size"])
    sizes = {r["size"]: figures(r) for r in runs}
    repeat = data.get("repeat", 1)
    compared = "old" in data
    out = [f"### Current: {label}", "",
           f"Measured {data['date']} on {data['machine']}; load average "
           f"{' → '.join(data['loads'])} during the run. "
           + (f"Median of {repeat} runs per figure"
              + (", old and new taking turns to go first" if compared else "")
              + "; the all-in-nav baseline ran once. " if repeat > 1 else
              "One run per figure (each takes minutes); compare the ratios, which come "
              "from the same run. ")
           + "Each build is a Python process of its own, timed from start to end like "
           "the bare `mkdocs build`.", ""]
    if "new" in data:
        out += [f"New: {data['new']}. "
                + (f"Old: {data['old']}, in a git worktree, with the same Python and "
                   "packages; the generated repositories carry its shipped content, which "
                   "both build." if compared else "Old: not measured (no `--compare`)."), ""]
    out += [CURRENT_HEAD, "| --- | ---: |" + " ---: |" * 8]
    for r in runs:
        f = sizes[r["size"]]
        pages = f"{int(f['pages']):,}" + (f" (old {int(f['pages_old']):,})"
                                           if f["pages_old"] else "")
        out.append(
            f"| {r['size']} × {r['versions']} | {pages} | {seconds(f['full_new'])} "
            f"| {seconds(f['full_old'])} | {seconds(f['bare'])} "
            f"| {seconds(f['bare_all_in_nav'])} | {ratio(f['full_new'], f['bare'])} "
            f"| {ratio(f['full_new'], f['full_old'])} | {seconds(f['rebuild_new'])} "
            f"| {seconds(f['rebuild_old'])} |")
    for name, key in (("full build", "full"), ("rebuild after one revision", "rebuild")):
        if not any(key in r for r in runs):
            continue
        out += ["", f"Time of each stage in the {name}"
                + (" (medians)" if repeat > 1 else "")
                + "; `process` is Python's start, the imports and the exit:", "",
                "| policies | code | total | process | " + " | ".join(STAGES) + " |",
                "| --- | --- | ---: | ---: |" + " ---: |" * len(STAGES)]
        for r in runs:
            for tree, tree_runs in r.get(key, {}).items():
                if not tree_runs:
                    continue
                times = median_times(tree_runs)
                total = times["total"]
                out.append(f"| {r['size']} | {tree} | {total:.1f} s | " + " | ".join(
                    f"{times[s]:.1f} s ({100 * times[s] / total:.0f}%)" if s in times
                    else "–" for s in ["process", *STAGES]) + " |")
    out += ["", "Targets:", ""]
    for size in TARGET_SIZES:
        f = sizes.get(size)
        target = f"- full build ≤ {TARGET_RATIO:.1f}× the bare build with the site's nav " \
                 f"at {size}: "
        if f is None or f["bare"] is None:
            out.append(target + "not measured in this run")
        else:
            value = f["full_new"] / f["bare"]
            out.append(target + f"{value:.2f}×, {_met(value <= TARGET_RATIO)}")
    f = sizes.get(TARGET_REBUILD_SIZE)
    target = f"- rebuild after one revision ≤ {TARGET_REBUILD:.0f} s at {TARGET_REBUILD_SIZE}: "
    if f is None or f["rebuild_new"] is None:
        out.append(target + "not measured in this run")
    else:
        out.append(target + f"{f['rebuild_new']:.1f} s, "
                   f"{_met(f['rebuild_new'] <= TARGET_REBUILD)}")
    allowance = f"new ≤ {1 + NOISE:.2f} × old, an allowance for the machine's noise"
    if not compared:
        out.append(f"- full build and rebuild not worse than the old commit ({allowance}): "
                   "not measured in this run (`--compare REF`)")
    for r in runs if compared else []:
        f = sizes[r["size"]]
        for kind, name in (("full", "full build"), ("rebuild", "rebuild")):
            new, old = f[f"{kind}_new"], f[f"{kind}_old"]
            if new is None or old is None:
                continue
            out.append(f"- {name} not worse than the old commit at {r['size']} ({allowance}): "
                       f"{new / old:.2f}×, {_met(new <= (1 + NOISE) * old)}")
    notes = []
    for a, b in zip(runs, runs[1:], strict=False):
        fa, fb = sizes[a["size"]], sizes[b["size"]]
        notes.append(f"- {a['size']} → {b['size']} policies ({b['size'] / a['size']:.0f}× "
                     f"the content): the full build takes {ratio(fb['full_new'], fa['full_new'])} "
                     f"the time, the bare build with the site's nav "
                     f"{ratio(fb['bare'], fa['bare'])}, with all policies in the nav "
                     f"{ratio(fb['bare_all_in_nav'], fa['bare_all_in_nav'])}")
    if data.get("shipped"):
        codes = data.get("shipped_languages")
        notes.append("- the shipped `content/`"
                     + (f" (in {' and '.join(codes)})" if codes else "")
                     + f": {data['shipped']:.1f} s from an empty "
                     f"cache, {data.get('shipped_warm', 0.0):.1f} s with the cache of that "
                     "build")
    if notes:
        out += ["", "Growth and the shipped content:", "", *notes]
    rows = [("new", "full_new"), ("old", "full_old"), ("bare", "bare"),
            ("all-nav", "bare_all_in_nav"), ("again", "rebuild_new"),
            ("again old", "rebuild_old")]
    largest = max(value for f in sizes.values() for _, key in rows
                  if (value := f[key]) is not None)
    chart = []
    for size, f in sizes.items():
        first = True
        for name, key in rows:
            if f[key] is None:
                continue
            chart.append(f"{size if first else '':>4} {name:<9} {bar(f[key], largest)} "
                         f"{f[key]:.0f} s")
            first = False
    out += ["", "```text", *chart, "```"]
    return out


EARLIER_HEAD = ("| label | measured | policies × versions | pages | full build "
                "| bare, site's nav | full / bare, site's nav | bare, all in nav "
                "| rebuild after one revision |")
# The compact table and the current one as earlier versions of this benchmark wrote them.
OLD_EARLIER_HEAD = ("| label | measured | policies × versions | pages | full build | bare "
                    "`mkdocs build` | full / bare | rebuild | rebuild / full |")
OLD_CURRENT_HEAD = ("| policies × versions | pages | full build | bare `mkdocs build` "
                    "| full / bare | rebuild after one revision | rebuild / full |")


def compact_rows(label: str, data: dict) -> list[str]:
    rows = []
    for r in sorted(normalised(data)["runs"], key=lambda r: r["size"]):
        f = figures(r)
        rows.append(
            f"| {label} | {data['date']} | {r['size']} × {r['versions']} "
            f"| {int(f['pages']):,} | {seconds(f['full_new'])} | {seconds(f['bare'])} "
            f"| {ratio(f['full_new'], f['bare'])} | {seconds(f['bare_all_in_nav'])} "
            f"| {seconds(f['rebuild_new'])} |")
    return rows


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _compact(label: str | None, date: str, head: str, cells: list[str]) -> list[str] | None:
    """A row of any table this benchmark wrote, as the cells of a compact row."""
    if head == EARLIER_HEAD and len(cells) == 9:
        return cells
    if head == OLD_EARLIER_HEAD and len(cells) == 9:
        lbl, when, size, pages, full, bare, _, rebuild, _ = cells
        return [lbl, when, size, pages, full, "–", "–", bare, rebuild]
    if label is None:
        return None
    if head == OLD_CURRENT_HEAD and len(cells) == 7:
        size, pages, full, bare, _, rebuild, _ = cells
        return [label, date, size, pages, full, "–", "–", bare, rebuild]
    if head == CURRENT_HEAD and len(cells) == 10:
        size, pages, full, _, bare, all_in_nav, fair, _, rebuild, _ = cells
        return [label, date, size, pages.split(" (")[0], full, bare, fair, all_in_nav, rebuild]
    return None


def rows_in_doc(text: str) -> dict[str, list[str]]:
    """The rows of earlier runs already in the document's section, by label.

    Reads every layout this benchmark wrote: the compact table (before and after the
    fair baseline) and the current result's table (a `### label` heading, a
    "Measured <date> on …" line and a table), so runs whose results files are gone
    (another machine, a cleaned work folder) stay in the document. The figures an older
    layout did not have (the baseline with the site's nav) are shown as "–".
    """
    start, end = "<!-- build_scale:start -->", "<!-- build_scale:end -->"
    if start not in text or end not in text:
        return {}
    section = text[text.index(start):text.index(end)]
    rows: dict[str, list[str]] = {}
    label, date, head = None, "?", ""
    for line in section.splitlines():
        if line.startswith("### "):
            label = line[4:].strip().removeprefix("Current: ")
            date, head = "?", ""
        elif line.startswith("Measured ") and label:
            date = line.split()[1].rstrip(";")
        elif line.startswith("| ---"):
            continue
        elif line.startswith(("| label", "| policies")):
            head = line.strip()
        elif line.startswith("| ") and (cells := _compact(label, date, head, _cells(line))):
            rows.setdefault(cells[0], []).append("| " + " | ".join(cells) + " |")
    return rows


def write_doc(doc: Path = DOC) -> str:
    results = sorted(WORK.glob("results-*.json"), key=lambda p: p.stat().st_mtime)
    datas = [json.loads(p.read_text()) for p in results]
    earlier = rows_in_doc(doc.read_text()) if doc.exists() else {}
    lines = [
        "## Building at scale (`python -m benchmarks.build_scale`)", "",
        "Generated repositories of N policies × 10 versions (plus the shipped content), each "
        "built in full from an empty cache, then again after one new revision of one policy. "
        "`new` is the code of this repository, `old` an earlier commit's "
        "(`--compare REF`), each run as a Python process of its own. The fair baseline is a "
        "bare `mkdocs build` (Material, search) of as many plain pages with the site's "
        "navigation: mkdocs.yml's nav plus the policies the site lists in it (none past "
        "40), every other page `not_in_nav`. The baseline of earlier runs listed all N "
        "policies in the nav; MkDocs writes the nav into every page, so that baseline "
        "grows with N² and is kept only as a second column. Targets: the full build ≤ 1.0× "
        "the fair baseline at 50, 200 and 800 policies; the rebuild after one revision "
        "≤ 3 s at 800; neither worse than the old commit.", ""]
    if datas:
        lines += section_for(datas[-1]["label"], datas[-1]) + [""]
    for data in datas:
        earlier[data["label"]] = compact_rows(data["label"], data)
    if datas:
        earlier.pop(datas[-1]["label"], None)
    if earlier:
        lines += ["### Earlier runs", "",
                  "Older labels, oldest first, on the same kind of machine unless noted; "
                  "the current result above is not repeated. Before the fair baseline "
                  "(\"–\"), a build was timed inside the process that ran it.", "",
                  EARLIER_HEAD, "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for rows in earlier.values():
            lines += rows
        lines.append("")
    return write_section("build_scale", "\n".join(lines), doc)


# The languages' section ----------------------------------------------------------------

LANGUAGE_BUILDS = {"en": "English only", "es": "English + Spanish"}
TARGET_PER_PAGE = 1.10  # English + Spanish / English only, seconds per page
LANGUAGES_SECTION = "build_scale_languages"
LANGUAGES_HEAD = ("| policies × versions | English only: pages | total | per page "
                  "| English + Spanish: pages | total | per page "
                  "| Spanish / English, per page |")
LANGUAGES_EARLIER_HEAD = "| label | measured " + LANGUAGES_HEAD


def language_figures(r: dict) -> dict:
    """One size's medians for each build: total, pages, seconds per page; and the ratio."""
    out: dict = {}
    for name in LANGUAGE_BUILDS:
        total = statistics.median(t["total"] for t in r[name])
        pages = statistics.median(t["page_count"] for t in r[name])
        out[name] = {"total": total, "pages": pages, "per_page": total / pages}
    out["ratio"] = out["es"]["per_page"] / out["en"]["per_page"]
    return out


def per_page(value: float) -> str:
    return f"{1000 * value:.1f} ms"


def language_cells(r: dict) -> list[str]:
    f = language_figures(r)
    cells = [f"{r['size']} × {r['versions']}"]
    for name in LANGUAGE_BUILDS:
        cells += [f"{int(f[name]['pages']):,}", seconds(f[name]["total"]),
                  per_page(f[name]["per_page"])]
    return cells + [f"{f['ratio']:.2f}×"]


def stage_cell(times: dict[str, float], name: str) -> str:
    """A stage's time; with other languages, the default's + theirs ("2.1 + 2.0 s")."""
    others = [value for key, value in times.items() if key.startswith(name + " ")]
    if name not in times:
        return "–"
    return f"{times[name]:.1f}" + "".join(f" + {value:.1f}" for value in others) + " s"


def languages_section(label: str, data: dict) -> list[str]:
    runs = sorted(data["runs"], key=lambda r: r["size"])
    repeat = data.get("repeat", 1)
    out = [f"### Current: {label}", "",
           f"Measured {data['date']} on {data['machine']}; load average "
           f"{' → '.join(data['loads'])} during the run. "
           + (f"Median of {repeat} runs per figure, the two builds taking turns to go first. "
              if repeat > 1 else "One run per figure. ")
           + f"Code: {data['new']}. Each build is a Python process of its own from an empty "
           "cache, timed from start to end; its pages are the Markdown pages it built "
           "(`BuildResult.pages`, both languages in the second build).", "",
           "Spanish translations: " + ", ".join(
               f"{r['translations']} at {r['size']} policies ({r['size']} generated, "
               f"{r['translations'] - r['size']} shipped)" for r in runs)
           + "; the second build is of the same repository, one commit later.", "",
           LANGUAGES_HEAD, "| --- |" + " ---: |" * 7]
    out += ["| " + " | ".join(language_cells(r)) + " |" for r in runs]
    out += ["", "Time of each stage" + (" (medians)" if repeat > 1 else "")
            + "; with Spanish, a stage run for each language shows the English part + the "
            "Spanish part, and `process` is Python's start, the imports and the exit:", "",
            "| policies | build | total | process | " + " | ".join(STAGES) + " |",
            "| --- | --- | ---: | ---: |" + " ---: |" * len(STAGES)]
    for r in runs:
        for name, build_name in LANGUAGE_BUILDS.items():
            times = median_times(r[name])
            out.append(f"| {r['size']} | {build_name} | {times['total']:.1f} s | "
                       + " | ".join(stage_cell(times, s) for s in ["process", *STAGES]) + " |")
    out += ["", "Targets:", ""]
    for r in runs:
        ratio_ = language_figures(r)["ratio"]
        out.append(f"- English + Spanish ≤ {TARGET_PER_PAGE:.2f}× the English-only build's "
                   f"time per page at {r['size']} policies: {ratio_:.2f}×, "
                   f"{_met(ratio_ <= TARGET_PER_PAGE)}")
    return out


def languages_rows_in_doc(text: str) -> dict[str, list[str]]:
    """The rows of earlier runs already in the languages' section, by label: its compact
    table and the current result's table (under `### Current: label`)."""
    start, end = f"<!-- {LANGUAGES_SECTION}:start -->", f"<!-- {LANGUAGES_SECTION}:end -->"
    if start not in text or end not in text:
        return {}
    rows: dict[str, list[str]] = {}
    label, date, head = None, "?", ""
    for line in text[text.index(start):text.index(end)].splitlines():
        if line.startswith("### "):
            label, date, head = line[4:].strip().removeprefix("Current: "), "?", ""
        elif line.startswith("Measured ") and label:
            date = line.split()[1].rstrip(";")
        elif line.startswith("| ---"):
            continue
        elif line.startswith(("| label", "| policies")):
            head = line.strip()
        elif line.startswith("| "):
            cells = _cells(line)
            if head == LANGUAGES_HEAD and label and len(cells) == 8:
                cells = [label, date, *cells]
            elif head != LANGUAGES_EARLIER_HEAD or len(cells) != 10:
                continue
            rows.setdefault(cells[0], []).append("| " + " | ".join(cells) + " |")
    return rows


def write_languages_doc(doc: Path = DOC) -> str:
    results = sorted(WORK.glob("languages-*.json"), key=lambda p: p.stat().st_mtime)
    datas = [json.loads(p.read_text()) for p in results]
    earlier = languages_rows_in_doc(doc.read_text()) if doc.exists() else {}
    lines = [
        "## Building in two languages (`python -m benchmarks.build_scale --languages`)", "",
        "The same generated repository of N policies × V versions (plus the shipped "
        "content) built side by side with the code of this repository, each from an empty "
        "cache: in English alone, and in English and Spanish (the shipped languages.yaml, "
        "the shipped Spanish translations and a full translation of every generated "
        "policy's latest version, of the same structure and about the same length). The "
        "site is built once per language, so the second build has about twice the pages; "
        "the load and the history are read once for both. Target: with Spanish, no more "
        "time per page "
        f"than in English alone (≤ {TARGET_PER_PAGE:.2f}×).", ""]
    if datas:
        lines += languages_section(datas[-1]["label"], datas[-1]) + [""]
    for data in datas:
        earlier[data["label"]] = [
            f"| {data['label']} | {data['date']} | " + " | ".join(language_cells(r)) + " |"
            for r in sorted(data["runs"], key=lambda r: r["size"])]
    if datas:
        earlier.pop(datas[-1]["label"], None)
    if earlier:
        lines += ["### Earlier runs", "", "Older labels, oldest first; the current result "
                  "above is not repeated.", "",
                  LANGUAGES_EARLIER_HEAD, "| --- | --- | --- |" + " ---: |" * 7]
        for rows in earlier.values():
            lines += rows
        lines.append("")
    return write_section(LANGUAGES_SECTION, "\n".join(lines), doc)


def kept_results(path: Path, data: dict, schema: int, *, fresh: bool) -> dict | None:
    """What a label's results file already holds, if it was measured the same way."""
    kept = json.loads(path.read_text()) if path.exists() and not fresh else None
    if kept and (kept.get("schema") != schema or kept.get("old") != data.get("old")
                 or kept.get("repeat") != data["repeat"]):
        print(f"{path.name} was measured another way (older layout, another "
              "--compare or --repeat); starting the label afresh", file=sys.stderr)
        kept = None
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50,200,800",
                        help="numbers of generated policies, comma-separated")
    parser.add_argument("--versions", type=int, default=10,
                        help="versions of each generated policy")
    parser.add_argument("--compare", metavar="REF",
                        help="also build with this commit's code (a git worktree)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each build and of the fair baseline (medians)")
    parser.add_argument("--rebuild-max", type=int, default=10**9,
                        help="measure the rebuild after one revision only up to this size")
    parser.add_argument("--all-in-nav-max", type=int, default=10**9,
                        help="run the all-in-nav baseline only up to this size")
    parser.add_argument("--languages", action="store_true",
                        help="also build each size in English only and in English + Spanish "
                             "(this tree's code, side by side, from an empty cache each) and "
                             "compare the time per page; written to a section of its own")
    parser.add_argument("--languages-only", action="store_true",
                        help="only that languages measurement: no full build, rebuild, "
                             "baselines or shipped content")
    parser.add_argument("--label", default="Current build",
                        help="the name the results are kept and shown under")
    parser.add_argument("--fresh", action="store_true",
                        help="forget what the label holds instead of adding to it")
    parser.add_argument("--no-shipped", action="store_true",
                        help="do not build the shipped content (keep the label's figure)")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    parser.add_argument("--doc", type=Path, default=DOC,
                        help="the document to write the sections to (docs/benchmarks.md)")
    args = parser.parse_args(argv)
    scale = not args.languages_only
    languages = args.languages or args.languages_only
    if args.compare and not scale:
        parser.error("--compare is for the full build and rebuild; the languages are "
                     "measured with this tree's code alone")
    WORK.mkdir(parents=True, exist_ok=True)
    slug = "".join(c if c.isalnum() else "-" for c in args.label.lower())
    results = WORK / f"results-{slug}.json"
    language_results = WORK / f"languages-{slug}.json"
    trees = [this_tree()] + ([worktree(args.compare)] if args.compare else [])
    for tree in trees:
        precompile(tree)

    today, where = dt.date.today().isoformat(), machine()
    loads = [load_average()]
    data: dict = {"schema": SCHEMA, "label": args.label, "date": today,
                  "machine": where, "loads": loads, "repeat": args.repeat,
                  "new": trees[0].description, "runs": []}
    if args.compare:
        data["old"] = trees[1].description
    kept = kept_results(results, data, SCHEMA, fresh=args.fresh) if scale else None
    if kept:
        data["runs"] = kept["runs"]
        data["loads"] = loads = kept["loads"] + loads
        for key in ("shipped", "shipped_warm", "shipped_languages"):
            if key in kept:
                data[key] = kept[key]
    language_loads = [loads[-1]]
    language_data: dict = {"schema": LANGUAGES_SCHEMA, "label": args.label, "date": today,
                           "machine": where, "loads": language_loads,
                           "repeat": args.repeat, "new": trees[0].description, "runs": []}
    kept = kept_results(language_results, language_data, LANGUAGES_SCHEMA,
                        fresh=args.fresh) if languages else None
    if kept:
        language_data["runs"] = kept["runs"]
        language_data["loads"] = language_loads = kept["loads"] + language_loads
    if scale and not args.no_shipped:
        shipped_cache = WORK / "cache-shipped"
        shutil.rmtree(shipped_cache, ignore_errors=True)
        site = WORK / "site-shipped"
        data["shipped"] = build(trees[0], ROOT / "content", site, shipped_cache)["total"]
        data["shipped_warm"] = build(trees[0], ROOT / "content", site, shipped_cache)["total"]
        data["shipped_languages"] = shipped_languages(ROOT / "content")
        shutil.rmtree(site, ignore_errors=True)
        print(f"shipped content: {data['shipped']:.1f} s, warm {data['shipped_warm']:.1f} s",
              file=sys.stderr)
    for turn, size in enumerate(int(s) for s in args.sizes.split(",")):
        if scale:
            run = measure(size, args.versions, trees, repeat=args.repeat,
                          rebuild=size <= args.rebuild_max,
                          all_in_nav=size <= args.all_in_nav_max, turn=turn)
            data["runs"] = [r for r in data["runs"] if r["size"] != size] + [run]
            data["runs"].sort(key=lambda r: r["size"])
            loads.append(load_average())
            results.write_text(json.dumps(data, indent=1))
        if languages:
            run = measure_languages(size, args.versions, trees[0], repeat=args.repeat,
                                    turn=turn)
            language_data["runs"] = [r for r in language_data["runs"]
                                     if r["size"] != size] + [run]
            language_data["runs"].sort(key=lambda r: r["size"])
            language_loads.append(load_average())
            language_results.write_text(json.dumps(language_data, indent=1))
            for r in language_data["runs"]:
                if r["size"] == size:
                    f = language_figures(r)
                    print(f"{size}: per page {per_page(f['en']['per_page'])} in English "
                          f"only, {per_page(f['es']['per_page'])} with Spanish: "
                          f"{f['ratio']:.2f}× (target ≤ {TARGET_PER_PAGE:.2f}×)",
                          file=sys.stderr)
    if not args.no_write:
        if scale:
            print(write_doc(args.doc))
        if languages:
            print(write_languages_doc(args.doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
