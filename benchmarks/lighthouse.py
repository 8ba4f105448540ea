"""Benchmark: Lighthouse scores of every page type, as residents get the pages.

    python -m benchmarks.lighthouse [--runs 3]

1. Makes a content repository from `content/` in which AI 1-19 has two versions, so the
   version and redline pages exist, and builds it with `transparency build`.
2. Serves it the way production does: nginx with `deploy/nginx.conf` in front of gunicorn
   with `deploy/gunicorn.conf.py` (HTTPS with a throwaway certificate), with one staff
   member and one report in the app's database, so the status page and the inbox list
   have something to show.
3. Runs Lighthouse (npm, pinned in benchmarks/node/package-lock.json) with Debian's
   Chromium `runs` times per page type, under its default mobile simulation; the inbox
   list is loaded signed in, with the session cookie Lighthouse sends as a header.
4. For comparison, serves a bare Material site (the page `mkdocs new` makes, with the
   same MkDocs and Material) through the same nginx and measures it the same way.
5. Prints the medians and writes them to docs/benchmarks.md with the date and the machine.

Lighthouse scores move from run to run, so they live here and not in the test suite.
Everything happens under benchmarks/.work/ (ignored by git).
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
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.build_history import machine
from benchmarks.report import DOC, write_section

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "lighthouse"
NODE = ROOT / "benchmarks" / "node"
LIGHTHOUSE = NODE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
CATEGORIES = ("performance", "accessibility", "best-practices")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "total-byte-weight")
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0}
STAFF_EMAIL = "ada.admin@cabq.gov"
STAFF_PASSWORD = "lighthouse benchmark password"


def install_lighthouse() -> None:
    if not LIGHTHOUSE.exists():
        print("installing Lighthouse (npm ci in benchmarks/node)", file=sys.stderr)
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                        "--loglevel=error"], cwd=NODE, check=True)


def git(repo: Path, *args: str) -> None:
    stamp = "2026-11-01T12:00:00+00:00"
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
                        "GIT_AUTHOR_NAME": "Benchmark", "GIT_AUTHOR_EMAIL": "b@example.org",
                        "GIT_COMMITTER_NAME": "Benchmark",
                        "GIT_COMMITTER_EMAIL": "b@example.org"})


def content_with_two_versions(repo: Path) -> Path:
    """The shipped content in a repository of its own, AI 1-19 revised once."""
    shutil.rmtree(repo, ignore_errors=True)
    content = repo / "content"
    shutil.copytree(ROOT / "content", content)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The policies as shipped")
    policy = content / "policies" / "ai-1-19.md"
    text = policy.read_text()
    old = "Profane language or content;"
    assert old in text, "AI 1-19 no longer has the clause this benchmark revises"
    policy.write_text(text.replace(old, "Profane or obscene language or content;", 1))
    git(repo, "commit", "-q", "-am", "Obscene content too")
    return content


def build(content: Path, out: Path) -> None:
    from site_builder.build import build_site

    shutil.rmtree(out, ignore_errors=True)
    build_site(content, out, log=lambda line: None)


def bare_material_site(folder: Path) -> Path:
    """The site `mkdocs new` makes, built with Material: what the theme gives by itself."""
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "mkdocs", "new", str(folder)], check=True,
                   capture_output=True)
    config = folder / "mkdocs.yml"
    config.write_text(config.read_text() + "theme:\n  name: material\n  font: false\n")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)],
                   check=True, capture_output=True)
    return folder / "site"


def add_staff(database: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "feedback_api", "users", "create",
                    STAFF_EMAIL, "--role", "admin"], input=STAFF_PASSWORD, text=True,
                   check=True, capture_output=True,
                   env={**os.environ, "DATABASE_URL": database, "FLASK_DEBUG": "0",
                        "INSTANCE_PATH": str(WORK / "instance")})


def send_report(stack) -> str:
    """A report through the API; returns its status page's address."""
    body = json.dumps({"category": "other", "account_id": "city-x-sample",
                       "description": "Measured by the Lighthouse benchmark."}).encode()
    status, _, answer = stack.request("POST", "/api/v1/reports", body=body,
                                      headers={"Content-Type": "application/json"})
    assert status == 201, answer
    return json.loads(answer)["status_url"]


def sign_in(stack) -> str:
    """Sign the staff member in; returns the session cookie (`name=value`)."""
    from http.cookies import SimpleCookie

    def cookies(headers: list[tuple[str, str]]) -> str:
        jar = SimpleCookie()
        for name, value in headers:
            if name.lower() == "set-cookie":
                jar.load(value)
        return "; ".join(f"{k}={v.value}" for k, v in jar.items())

    status, headers, body = stack.request("GET", "/inbox/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": token})
    status, headers, body = stack.request(
        "POST", "/inbox/login", body=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": cookies(headers),
                 "Referer": f"https://{stack_host()}/inbox/login"})
    assert status == 303, body
    return cookies(headers)


def stack_host() -> str:
    from tests.deploy.stack import HOST

    return HOST


def lighthouse(url: str, out: Path, cookie: str | None = None) -> dict:
    flags = [*CHROMIUM_FLAGS, f'--host-resolver-rules="MAP {stack_host()} 127.0.0.1"',
             "--ignore-certificate-errors", f"--user-data-dir={WORK / 'chromium'}"]
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--only-categories={','.join(CATEGORIES)}",
               f"--chrome-flags={' '.join(flags)}"]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "CHROME_PATH": CHROMIUM})
    if done.returncode != 0:
        raise RuntimeError(f"Lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    report = json.loads(out.read_text())
    result = {name: report["categories"][name]["score"] for name in CATEGORIES}
    for metric in METRICS:
        result[metric] = report["audits"][metric]["numericValue"]
    result["failed"] = sorted(
        key for key, audit in report["audits"].items()
        if audit.get("score") is not None and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
    result["version"] = report["lighthouseVersion"]
    result["browser"] = report["environment"]["hostUserAgent"]
    return result


def measure(stack, pages: dict[str, str], runs: int, cookie: str | None) -> dict:
    results: dict[str, list[dict]] = {name: [] for name in pages}
    for run in range(runs):
        for name, path in pages.items():
            url = f"https://{stack_host()}:{stack.https_port}{path}"
            print(f"run {run + 1}/{runs}: {name} ({path})", file=sys.stderr)
            out = WORK / f"{re.sub(r'[^a-z0-9]+', '-', name)}-{run}.json"
            signed_in = cookie if path.startswith("/inbox/") else None
            results[name].append(lighthouse(url, out, signed_in))
    return results


def median_of(runs: list[dict]) -> dict:
    summary = {key: statistics.median(r[key] for r in runs) for key in (*CATEGORIES, *METRICS)}
    summary["failed"] = sorted({audit for r in runs for audit in r["failed"]})
    summary["performance runs"] = [r["performance"] for r in runs]
    return summary


def report(results: dict[str, dict], runs: int, versions: dict) -> str:
    rows = []
    for name, s in results.items():
        marks = [f"{s[c]:.2f}" for c in CATEGORIES]
        rows.append(
            f"| {name} | {marks[0]} | {marks[1]} | {marks[2]} | "
            f"{s['first-contentful-paint'] / 1000:.1f} s | "
            f"{s['largest-contentful-paint'] / 1000:.1f} s | "
            f"{s['total-blocking-time']:.0f} ms | {s['cumulative-layout-shift']:.3f} | "
            f"{s['total-byte-weight'] / 1024:.0f} KiB |")
    ours = {name: s for name, s in results.items() if not name.startswith("bare")}
    met = {c: all(s[c] >= TARGETS[c] for s in ours.values()) for c in CATEGORIES}
    low = [f"{name} ({', '.join(s['failed'])})" for name, s in ours.items() if s["failed"]]
    spread = "; ".join(f"{name} {', '.join(f'{x:.2f}' for x in s['performance runs'])}"
                       for name, s in results.items())
    return "\n".join([
        "## Lighthouse: every page type (`python -m benchmarks.lighthouse`)",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}. Lighthouse "
        f"{versions['lighthouse']}, {versions['browser']}, default mobile simulation "
        "(simulated slow 4G and a 4× slower CPU), "
        f"{runs} runs per page type, medians.",
        "",
        "The pages come as residents get them: nginx with `deploy/nginx.conf` in front of "
        "gunicorn with `deploy/gunicorn.conf.py`, over HTTPS, from a site built from the "
        "shipped content with a second version of AI 1-19. The inbox list is loaded "
        "signed in as an admin. The baseline is the page `mkdocs new` makes, built with "
        "the same MkDocs and Material and served by the same nginx.",
        "",
        "| page type | performance | accessibility | best practices | first contentful "
        "paint | largest contentful paint | total blocking time | layout shift | "
        "page weight |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "Targets for every page type of ours: performance at least 0.95 "
        f"({'met' if met['performance'] else 'not met'}), accessibility 1.00 "
        f"({'met' if met['accessibility'] else 'not met'}), best practices 1.00 "
        f"({'met' if met['best-practices'] else 'not met'}).",
        "",
        f"Performance in each run: {spread}.",
        "",
        "Audits below 0.9 in any run: " + ("; ".join(low) if low else "none") + ".",
    ])


PAGES = {
    "home": "/",
    "policy": "/policies/ai-1-19/",
    "version": "/policies/ai-1-19/versions/1/",
    "redline": "/policies/ai-1-19/versions/2/changes/",
    "accounts": "/accounts/",
    "feedback form": "/feedback/?policy=ai-1-19&section=k-c",
    "report form": "/report/",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.deploy.stack import running

    install_lighthouse()
    WORK.mkdir(parents=True, exist_ok=True)
    content = content_with_two_versions(WORK / "repo")
    site = WORK / "site"
    build(content, site)
    bare = bare_material_site(WORK / "bare")

    results: dict[str, dict] = {}
    versions: dict[str, str] = {}
    env = {"RATELIMIT_SUBMIT": "1000 per minute", "INSTANCE_PATH": str(WORK / "instance")}
    for name in ("stack", "bare-stack"):
        shutil.rmtree(WORK / name, ignore_errors=True)
    with running(WORK / "stack", site, env) as stack:
        add_staff(f"sqlite:///{WORK / 'stack' / 'feedback.sqlite3'}")
        pages = {**PAGES, "status": send_report(stack), "inbox list": "/inbox/"}
        cookie = sign_in(stack)
        for name, runs in measure(stack, pages, args.runs, cookie).items():
            results[name] = median_of(runs)
            versions = {"lighthouse": runs[0]["version"], "browser": runs[0]["browser"]}
    with running(WORK / "bare-stack", bare, env) as stack:
        runs = measure(stack, {"bare Material page": "/"}, args.runs, None)
        results["bare Material page (baseline)"] = median_of(runs["bare Material page"])
    section = report(results, args.runs, versions)
    print(section)
    write_section("lighthouse", section, DOC)
    print(f"wrote the figures to {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
