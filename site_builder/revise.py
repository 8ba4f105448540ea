"""`transparency revise`: record a new version of a policy the way the history reads it.

Staff edit the policy's text, then run

    transparency revise ai-1-19 --note "Adds §M.d on replies to residents." \
        --effective 2026-03-01 --published-by "Office of Communications"

which checks the content, writes `change_note` (and `effective`) into the policy's front
matter, stages the file and prints the `git commit` command with the right message and
trailers, or makes the commit itself with `--commit`. `--editorial` marks a correction
that amends the current version instead of making a new one.

Exit codes: 0 done, 1 content or git problems, 2 usage mistakes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import schema
from .content import load_library, parse_policy, read_text, split_front_matter
from .gitlog import EDITORIAL_TRAILER, RESPONDS_TRAILER, ROLE_TRAILER, GitError, git, locate
from .responds import Lookup, LookupFailed
from .tracking_codes import EXAMPLE, normalise_tracking_code

MAX_NOTE = 2000


class ReviseUsageError(Exception):
    """A mistake in the command line: exit 2."""


class ReviseFailed(Exception):
    """The content or git stopped the revision: exit 1."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Revision:
    path: Path  # the policy file
    message: str  # the commit message
    kind: str  # "version" | "editorial" | "details" | "first"
    command: str  # the git commit command to run (when not committed)
    commit: str | None  # the commit made with --commit


def set_field(text: str, key: str, value) -> str:
    """Set a top-level front matter field, keeping every other line as it was written."""
    parts = split_front_matter(text)
    if parts is None:
        raise ReviseFailed("the policy has no front matter")
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    dumped = yaml.safe_dump({key: value}, allow_unicode=True, width=10**6,
                            sort_keys=False).rstrip("\n")
    new = dumped.split("\n")
    for i in range(1, end):
        if re.match(rf"^{re.escape(key)}\s*:", lines[i]):
            j = i + 1
            while j < end and (lines[j].startswith((" ", "\t")) or not lines[j].strip()):
                j += 1
            return "\n".join(lines[:i] + new + lines[j:])
    return "\n".join(lines[:end] + new + lines[end:])


def commit_message(note: str, policy_id: str, *, role: str | None, editorial: bool,
                   responds_to: list[str] = ()) -> str:
    trailers = [f"Policy: {policy_id}"]
    if role:
        trailers.append(f"{ROLE_TRAILER}: {role}")
    if editorial:
        trailers.append(f"{EDITORIAL_TRAILER}: true")
    if responds_to:
        trailers.append(f"{RESPONDS_TRAILER}: {', '.join(responds_to)}")
    return f"{note}\n\n" + "\n".join(trailers) + "\n"


def _check_inputs(note: str, effective: str | None, role: str | None) -> dt.date | None:
    if not note.strip():
        raise ReviseUsageError("--note is empty; say in a sentence what this version changes")
    if len(note) > MAX_NOTE:
        raise ReviseUsageError(f"--note is {len(note)} characters; keep it under {MAX_NOTE}")
    if "\n\n" in note.strip():
        raise ReviseUsageError("--note must be one paragraph (it is the version's public note)")
    what = schema.secret_in_value(note)
    if what:
        raise ReviseUsageError(f"--note looks like it contains {what}; notes are public")
    date = None
    if effective is not None:
        try:
            date = dt.date.fromisoformat(effective)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", effective):
                raise ValueError
        except ValueError:
            raise ReviseUsageError(
                f"--effective {effective!r} is not a date; write YYYY-MM-DD, e.g. 2026-03-01"
            ) from None
    if role is not None:
        if "@" in role or not role.strip():
            raise ReviseUsageError(
                "--published-by takes a role, such as 'Office of Communications', never a "
                "person's email address"
            )
    return date


def _codes(given: list[str]) -> list[str]:
    """--responds-to's codes in canonical form, each once."""
    codes = []
    for text in given:
        code = normalise_tracking_code(text)
        if code is None:
            raise ReviseUsageError(f"--responds-to {text!r} is not a tracking code; they look "
                                   f"like {EXAMPLE}")
        codes.append(code)
    return list(dict.fromkeys(codes))


def _check_codes(codes: list[str], policy_id: str, lookup: Lookup | None,
                 say: Callable[[str], None]) -> None:
    """Each code must be feedback on this policy; when the feedback database cannot be
    read, say so and go on (`transparency check` checks them again)."""
    if not codes or lookup is None:
        return
    try:
        named = lookup(codes)
    except LookupFailed as error:
        say(f"The --responds-to codes were not checked: {error}. `transparency check` "
            "checks them once the database can be read.")
        return
    wrong = []
    for code in codes:
        item = named.get(code)
        if item is None:
            wrong.append(f"{code}: no submission has this tracking code")
        elif item.kind != "feedback":
            wrong.append(f"{code}: it is a report of a possible violation, not feedback")
        elif item.policy_id != policy_id:
            wrong.append(f"{code}: it is feedback on {item.policy_id or 'no particular policy'}"
                         f", not on {policy_id}")
    if wrong:
        raise ReviseUsageError("--responds-to names feedback this revision cannot respond to: "
                               + "; ".join(wrong))


def revise(
    content_dir: Path,
    policy_id: str,
    note: str,
    *,
    effective: str | None = None,
    role: str | None = None,
    editorial: bool = False,
    commit: bool = False,
    responds_to: list[str] | None = None,
    lookup: Lookup | None = None,
    say: Callable[[str], None] = print,
) -> Revision:
    """Prepare (and with commit=True, make) the commit that publishes a revision.

    `responds_to`: tracking codes of the feedback on this policy behind the revision,
    checked with `lookup` (the feedback database) when it is given."""
    date = _check_inputs(note, effective, role)
    codes = _codes(responds_to or [])
    note = " ".join(note.split())
    content_dir = Path(content_dir)
    library, problems = load_library(content_dir)
    if problems:
        raise ReviseFailed(f"{len(problems)} problem(s) in {content_dir}/; fix them first",
                           [str(p) for p in problems])
    policy = library.policies.get(policy_id)
    if policy is None:
        close = difflib.get_close_matches(policy_id, sorted(library.policies), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else (
            f"; the policies are {', '.join(sorted(library.policies))}")
        raise ReviseUsageError(f"no policy with id {policy_id!r}{hint}")
    _check_codes(codes, policy_id, lookup, say)
    repo, reason = locate(content_dir)
    if repo is None:
        raise ReviseFailed(f"{content_dir} is not in a git repository ({reason}); versions are "
                           "published by committing to git")

    path = content_dir / policy.path
    original, read_problems = read_text(path, policy.path)
    if original is None:
        raise ReviseFailed("cannot read the policy", [str(p) for p in read_problems])
    text = set_field(original, "change_note", note)
    if date is not None:
        text = set_field(text, "effective", date)
    revised, problems = parse_policy(text, policy.path)
    if revised is None or problems:
        raise ReviseFailed("the revised front matter does not pass the checks",
                           [str(p) for p in problems])

    rel = f"{repo.prefix}{policy.path}"
    kind = "first"
    if repo.head is not None:
        try:
            before = git(repo.top, "show", f"HEAD:{rel}")
        except GitError:
            before = None
        if before is not None:
            old = split_front_matter(before.replace("\r\n", "\n"))
            old_body = old[1] if old else before
            same = _norm(old_body) == _norm(policy.body)
            kind = "details" if same else ("editorial" if editorial else "version")
    if kind == "details" and codes:
        raise ReviseUsageError(
            f"the text of {policy_id} is unchanged since the last commit, so this is no "
            "revision for --responds-to to cite; edit the text first")
    path.write_text(text, encoding="utf-8")

    try:
        git(repo.top, "add", "--", rel)
    except GitError as error:
        path.write_text(original, encoding="utf-8")
        raise ReviseFailed(f"git add failed: {error}") from None

    message = commit_message(note, policy_id, role=role, editorial=editorial,
                             responds_to=codes)
    args = ["git", "commit", "-m", note]
    for trailer in message.strip().split("\n\n", 1)[1].split("\n"):
        args += ["--trailer", trailer]
    args += ["--", rel]
    command = " ".join(shlex.quote(a) for a in args)
    explain = {
        "first": f"This commit publishes version 1 of {policy_id}.",
        "version": f"This commit publishes a new version of {policy_id}.",
        "editorial": f"This commit corrects the current version of {policy_id} "
                     "(an editorial correction: no new version).",
        "details": f"The text of {policy_id} is unchanged since the last commit, so this "
                   "commit updates its details and is listed in the changelog; it is not a "
                   "new version. Edit the text first to publish a new version.",
    }[kind]
    say(explain)
    made = None
    if commit:
        try:
            result = subprocess.run(
                ["git", "commit", "-q", "-F", "-", "--", rel], cwd=repo.top,
                input=message.encode("utf-8"), capture_output=True, check=False,
            )
        except OSError as error:
            raise ReviseFailed(f"git commit could not run: {error}") from None
        if result.returncode != 0:
            detail = result.stderr.decode("utf-8", "replace").strip()
            raise ReviseFailed(f"git commit failed: {detail}")
        made = git(repo.top, "rev-parse", "HEAD").strip()
        say(f"Committed {made[:7]}: {note}")
    else:
        say(f"Staged {rel} (run from {repo.top}). Commit it with:\n\n  {command}\n")
    return Revision(path, message, kind, command, made)


def _norm(body: str) -> str:
    return "\n".join(line.rstrip() for line in body.strip("\n").split("\n")).strip()
