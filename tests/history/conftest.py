"""Throwaway git repositories holding a small content tree, with controlled dates."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder import gitlog
from site_builder.content import load_library
from site_builder.history import read_history
from tests.conftest import CONTENT

POLICY = "policies/social-media.md"

FRONT = """\
---
id: {id}
title: {title}
number: "AI 9-99"
kind: administrative-instruction
status: active
department: Department of Technology and Innovation
owner: Department of Technology and Innovation
approved_by: Chief Administrative Officer
effective: {effective}
summary: A short policy used to test versions and redlines.
review:
  interval_months: 12
  last_reviewed: {reviewed}
{extra}---
"""

BODY_1 = """\
## Purpose {#purpose}

This policy sets the rules for City social media accounts.

## Rules {#rules}

A. Departments keep their accounts current.
B. Posts must be accurate and respectful.
    a. Correct errors promptly.
    b. Identify changes to earlier posts.
C. Comments may be removed when they are profane.
"""


def policy_text(
    body: str = BODY_1,
    *,
    id: str = "social-media",
    title: str = "Social Media Test Policy",
    effective: str = "null",
    reviewed: str = "2026-01-15",
    extra: str = "",
) -> str:
    return FRONT.format(id=id, title=title, effective=effective, reviewed=reviewed,
                        extra=extra) + "\n" + body


class Repo:
    """A git repository in a temporary folder; content lives under `content/`."""

    def __init__(self, top: Path, content: str = "content"):
        self.top = top
        self.content = top / content if content else top
        self.clock = 0
        self.content.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test Writer")
        self.git("config", "user.email", "writer@example.org")
        self.git("config", "commit.gpgsign", "false")
        # Not the registries that cite the shipped policies, which this content lacks; and
        # in English alone, unless a test adds languages.yaml (`with_spanish`).
        shutil.copytree(CONTENT / "registries", self.content / "registries",
                        ignore=shutil.ignore_patterns("report-categories.yaml", "outcomes.yaml",
                                                      "citations.yaml", "languages.yaml"))
        (self.content / "policies").mkdir()

    def git(self, *args: str, env: dict | None = None, check: bool = True) -> str:
        result = subprocess.run(
            ["git", *args], cwd=self.top, capture_output=True, text=True,
            env={**os.environ, **(env or {})}, check=False,
        )
        assert result.returncode == 0 or not check, f"git {' '.join(args)}: {result.stderr}"
        return result.stdout + result.stderr

    def write(self, rel: str, text: str) -> Path:
        path = self.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def commit(self, message: str, date: str | None = None) -> str:
        """Commit everything under content/ with a fixed date (default: a day later each)."""
        self.clock += 1
        when = date or (dt.date(2026, 1, 1) + dt.timedelta(days=self.clock)).isoformat()
        stamp = f"{when}T12:00:00+00:00"
        self.git("add", "-A", str(self.content))
        self.git("commit", "-q", "-m", message,
                 env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
        return self.git("rev-parse", "HEAD").strip()

    def with_spanish(self) -> None:
        """The shipped languages registry (English and Spanish), not yet committed."""
        shutil.copy(CONTENT / "registries" / "languages.yaml",
                    self.content / "registries" / "languages.yaml")

    def history(self):
        library, problems = load_library(self.content)
        assert not problems, problems
        histories, warnings = read_history(self.content, library)
        return library, histories, warnings


def assert_same_site(built: Path, fresh: Path) -> None:
    """The same files with the same bytes (compressed copies aside) in both sites."""
    def files_of(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes()
                for p in sorted(site.rglob("*")) if p.is_file() and p.suffix != ".gz"}

    again, new = files_of(built), files_of(fresh)
    assert again.keys() == new.keys()
    assert [rel for rel in again if again[rel] != new[rel]] == []


def every_file(site: Path) -> dict[str, bytes]:
    """Each file of a site, by its site-relative path."""
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in site.rglob("*") if p.is_file()}


def refuse_to_swap(monkeypatch) -> None:
    """From now on publishing fails, as on a full disk, when the new site is swapped in."""
    from site_builder import publish

    def refuse(new, old):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "swap_into_place", refuse)


def archive_counts(lines: list[str]) -> tuple[int, int, int]:
    """From a build's log: archive pages rendered, from the cache, kept from the site."""
    line = next(x for x in lines if "archive pages:" in x)
    found = re.search(r"(\d+) rendered, (\d+) from the cache, (\d+) kept", line)
    assert found, line
    return int(found[1]), int(found[2]), int(found[3])


@pytest.fixture
def published(tmp_path) -> Repo:
    """A content repository with the shipped policies and three versions of one."""
    repo = Repo(tmp_path / "repo")
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    three_versions(repo)
    return repo


@pytest.fixture
def repo(tmp_path) -> Repo:
    return Repo(tmp_path / "repo")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A cache folder of the test's own (TRANSPARENCY_CACHE)."""
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def body_with(*edits: tuple[str, str], body: str = BODY_1) -> str:
    for old, new in edits:
        assert old in body, old
        body = body.replace(old, new)
    return body


# The three versions most tests publish, and what each one changes.
V2_BODY = body_with(("keep their accounts current", "keep their accounts current and secure"))
V3_BODY = body_with(
    ("keep their accounts current", "keep their accounts current and secure"),
    ("Posts must be accurate and respectful.", "Posts must be accurate, respectful and signed."),
    ("    b. Identify changes to earlier posts.\n", ""),
    ("C. Comments may be removed when they are profane.",
     "C. Comments may be removed when they are obscene.\nD. Replies name the department."),
)


def three_versions(repo: Repo) -> list[str]:
    """Publish three versions of the test policy; return their commits."""
    repo.write(POLICY, policy_text(effective="2025-07-01"))
    commits = [repo.commit("Adopt the social media test policy", "2026-01-05")]
    repo.write(POLICY, policy_text(V2_BODY, effective="2026-02-01"))
    commits.append(repo.commit(
        "Accounts must also be secure\n\nSecurity was missing from §A.\n\n"
        "Published-by: Office of Communications", "2026-01-20"))
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-04-01"))
    commits.append(repo.commit("Signed posts; obscene comments; replies name the department",
                               "2026-03-10"))
    return commits


# The front matter of a Spanish translation of the test policy (`{version}`: the version
# it translates).
TRANSLATION = "translations/es/social-media.md"
TRANSLATION_FRONT = """\
---
policy: social-media
lang: es
translates_version: {version}
kind: courtesy
title: Política de prueba de redes sociales
summary: Una política breve para probar las versiones.
---

"""


def build_without_warnings(content: Path, out: Path) -> Path:
    """Build `content` into `out`, whose build log must hold no warning; return `out`."""
    from site_builder.build import build_site

    lines: list[str] = []
    build_site(content, out, log=lines.append)
    assert not [line for line in lines if line.startswith("warning")], lines
    return out


class StaticServer:
    """The built site on a loopback port, as a web server would serve it."""

    def __init__(self, root: Path):
        import functools
        import http.server
        import threading

        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _quiet_handler():
    import http.server

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    return Handler


_QuietHandler = _quiet_handler()


@pytest.fixture
def log_reads(monkeypatch) -> list[str | None]:
    """Where each `git log` of the history started (None: the whole log)."""
    calls: list[str | None] = []
    read_log = gitlog.read_log

    def recording(repo, since=None):
        calls.append(since)
        return read_log(repo, since)

    monkeypatch.setattr(gitlog, "read_log", recording)
    return calls


class Recorded:
    """What the processes of a build record, in order: a build forks (the archive's files
    are made beside the current pages, the archive is rendered on every core), and a
    list would hold only what this process appended. Each item is a line of a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("", encoding="utf-8")

    def append(self, item: str) -> None:
        with self.path.open("a", encoding="utf-8") as file:  # one write: whole lines
            file.write(f"{item}\n")

    def items(self) -> list[str]:
        return self.path.read_text(encoding="utf-8").splitlines()

    def __iter__(self):
        return iter(self.items())

    def __len__(self) -> int:
        return len(self.items())

    def __eq__(self, other) -> bool:
        return self.items() == list(other)

    def __repr__(self) -> str:
        return repr(self.items())


@pytest.fixture
def recorded(tmp_path):
    """`recorded(name)`: a `Recorded` of the test's own."""
    return lambda name: Recorded(tmp_path / f"{name}.recorded")
