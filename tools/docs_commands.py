"""The command examples of README.md and docs/publishing.md, made by running `transparency`.

Each example copies content/ into a new git repository in a temporary folder, makes the
commits its story needs (dated, by "City Staff"), and runs the `transparency` command
installed with this project in the repository's top folder, as staff would. It shows the
command line, then what the command printed, standard output and standard error in the
order a terminal shows them, with stand-ins (`tools.standins`) for the folder, the commits
and the times taken. A command that does not end with the exit status its example expects
stops `make docs`, so a traceback is never documented as the answer.

In the Markdown, each block is one call:

    <!-- [[[cog
    from tools import docs_commands
    cog.out(docs_commands.check())
    ]]] -->
    <!-- [[[end]]] -->
"""

from __future__ import annotations

import os
import random
import re
import shlex
import shutil
import string
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from tools.standins import StandIns

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
WIDTH = 92
# The environment the commands run in: the same whatever the machine's git settings, the
# terminal's width or a cache folder set for the real content.
ENVIRONMENT = {
    "COLUMNS": "80",
    "NO_COLOR": "1",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONUNBUFFERED": "1",  # stdout and stderr in the order they were written
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "City Staff",
    "GIT_AUTHOR_EMAIL": "staff@example.org",
    "GIT_COMMITTER_NAME": "City Staff",
    "GIT_COMMITTER_EMAIL": "staff@example.org",
}
LEFT_OUT = ("TRANSPARENCY_CACHE", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")


# ---------------------------------------------------------------------------------------
# The examples


def top_help(indent: int = 0) -> str:
    with ContentRepo() as repo:
        return repo.console("--help", indent=indent)


def check(indent: int = 0) -> str:
    with ContentRepo() as repo:
        return repo.console("check", indent=indent)


def build(indent: int = 0) -> str:
    with ContentRepo() as repo:
        return repo.console("build", indent=indent)


REVISION_NOTE = "§M.a: no personal attacks in replies."


def revise(indent: int = 0) -> str:
    """Staff edit §M.a of AI 1-19, then record the revision."""
    with ContentRepo() as repo:
        repo.edit("ai-1-19", lambda text: add_to_clause(
            text, "M", "a", "Do not make personal attacks in replies."))
        return repo.console("revise", "ai-1-19", "--note", REVISION_NOTE,
                            "--effective", "2026-03-01",
                            "--published-by", "Office of Communications", indent=indent)


def revise_bad_date(indent: int = 0) -> str:
    with ContentRepo() as repo:
        return repo.console("revise", "ai-1-19", "--note", "x", "--effective", "2026-02-30",
                            expect=2, indent=indent)


def credential_in_history(indent: int = 0) -> str:
    """Version 4 of AI 1-19 (published 2026-03-02) held a token; version 5 took it out."""
    token = "ghp_" + "".join(random.Random("token").choices(
        string.ascii_letters + string.digits, k=36))
    with ContentRepo() as repo:
        repo.edit("ai-1-19", lambda text: add_to_clause(
            text, "M", "a", "Do not make personal attacks in replies."))
        repo.commit(REVISION_NOTE, "2026-01-20")
        repo.edit("ai-1-19", lambda text: add_to_clause(
            text, "M", "b", "Corrections are made within one business day."))
        repo.commit("§M.b: corrections within one business day.", "2026-02-10")
        before = repo.policy("ai-1-19").read_text(encoding="utf-8")
        repo.edit("ai-1-19", lambda text: add_to_clause(
            text, "M", "c", f"Scheduled posts are sent with the publishing tool ({token})."))
        repo.commit("§M.c: scheduled posts.", "2026-03-02")
        repo.policy("ai-1-19").write_text(before, encoding="utf-8")
        repo.commit("§M.c: take out the publishing tool's details.", "2026-03-03")
        return repo.console("build", expect=1, indent=indent)


# ---------------------------------------------------------------------------------------
# The repository the commands run in


class ContentRepo:
    """A copy of content/ in a new git repository, in a temporary folder."""

    def __init__(self, content: Path = CONTENT) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="docs-content-")
        self.top = Path(self._folder.name) / "transparency"
        shutil.copytree(content, self.top / "content")
        self.env = {**{k: v for k, v in os.environ.items() if k not in LEFT_OUT},
                    **ENVIRONMENT}
        self.stand_ins = StandIns()
        self.stand_ins.folder(self.top)
        self.git("init", "-q", "-b", "main")
        self.commit("Import the policies", "2026-01-05")

    def __enter__(self) -> ContentRepo:
        return self

    def __exit__(self, *_exc) -> None:
        self._folder.cleanup()

    def git(self, *args: str, date: str | None = None) -> str:
        env = dict(self.env)
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
        result = subprocess.run(["git", *args], cwd=self.top, env=env, capture_output=True,
                                text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {result.stderr}")
        return result.stdout

    def commit(self, message: str, date: str) -> None:
        self.git("add", "-A", "content")
        self.git("commit", "-q", "-m", message, date=date)

    def policy(self, policy_id: str) -> Path:
        """The file of the policy with this id (its `id:` in the front matter)."""
        for path in sorted((self.top / "content" / "policies").glob("*.md")):
            if re.search(rf"^id:\s*{re.escape(policy_id)}\s*$",
                         path.read_text(encoding="utf-8"), re.MULTILINE):
                return path
        raise LookupError(f"no policy with the id {policy_id!r} in content/policies/")

    def edit(self, policy_id: str, change) -> None:
        path = self.policy(policy_id)
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    def console(self, *args: str, expect: int = 0, indent: int = 0) -> str:
        """A console block: `transparency ARGS` run at the top, and what it printed; each
        line indented by `indent` spaces (for a block inside a list item)."""
        result = subprocess.run(
            [*transparency(), *args], cwd=self.top, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", timeout=300, check=False)
        if result.returncode != expect:
            raise RuntimeError(f"transparency {' '.join(args)} exited with "
                               f"{result.returncode}, not {expect}:\n{result.stdout}")
        self.stand_ins.commits(self.git("rev-list", "--reverse", "--all").split())
        text = command_line(["transparency", *args]) + "\n" + result.stdout.rstrip("\n")
        text = self.stand_ins.durations(self.stand_ins.apply(text))
        block = f"```console\n{text}\n```\n"
        return textwrap.indent(block, " " * indent, lambda line: line.strip() != "")


def transparency() -> list[str]:
    """The `transparency` command installed beside this Python, or its module."""
    script = Path(sys.executable).with_name("transparency")
    return [str(script)] if script.exists() else [sys.executable, "-m", "site_builder.cli"]


def add_to_clause(text: str, section: str, clause: str, sentence: str) -> str:
    """`text` with `sentence` added at the end of clause `clause` of section `section`
    (the line `    a. …` under `M. …`)."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith(f"{section}. ")), None)
    for i in range(start + 1 if start is not None else len(lines), len(lines)):
        if re.match(r"[A-Z]\. |#", lines[i]):
            break
        if re.match(rf"\s+{re.escape(clause)}\. ", lines[i]):
            lines[i] = lines[i].rstrip() + " " + sentence
            return "\n".join(lines)
    raise LookupError(f"no clause {section}.{clause} in the policy, which the examples in "
                      "tools/docs_commands.py edit; choose another clause there")


def command_line(words: list[str]) -> str:
    """`$ words…` as typed in a shell, an option and its value kept on one line."""
    units: list[str] = []
    for word in map(_shell_word, words):
        if units and units[-1].startswith("-") and " " not in units[-1] \
                and not word.startswith("-"):
            units[-1] += " " + word
        else:
            units.append(word)
    lines = ["$ " + units[0]]
    for unit in units[1:]:
        if len(lines[-1]) + 1 + len(unit) + 2 <= WIDTH:
            lines[-1] += " " + unit
        else:
            lines[-1] += " \\"
            lines.append("    " + unit)
    return "\n".join(lines)


def _shell_word(word: str) -> str:
    if re.fullmatch(r"[\w@%+=:,./-]+", word):
        return word
    if not re.search(r'["$`\\!]', word):
        return f'"{word}"'
    return shlex.quote(word)
