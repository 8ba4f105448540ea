"""Credentials in the history, and withdrawn versions.

Every version stays public, so a credential committed by mistake stops the build until
the version holding it is withdrawn in registries/withdrawn.yaml (docs/publishing.md, "A
credential committed by mistake"). `leaks` finds what looks like a credential in any
commit of a policy, `withdraw` takes a withdrawn version's text and notes out of its
history, and `history_problems` and `withdrawal_problems` report what stops a build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from . import addresses, schema
from .content import WITHDRAWN, Library, Policy, Problem
from .history_types import ChangeEntry, Leak, PolicyHistory, Version
from .lineage import Draft
from .outline import parse_outline


def leaks(drafts: list[Draft], prefix: str) -> tuple[Leak, ...]:
    """Every credential in any commit of each version (file or message), once a version."""
    found: dict[tuple, Leak] = {}
    for number, draft in enumerate(drafts, start=1):
        for state in draft.states:
            rel = state.path[len(prefix):]
            seen = [(line, what) for line, what in state.secrets]
            if state.commit.leak:
                seen.append((0, f"its message looks like it contains {state.commit.leak}"))
            for line, what in seen:
                found.setdefault((number, rel, line, what),
                                 Leak(number, state.commit.sha, rel, line, what))
    return tuple(found.values())


def withdraw(versions: tuple[Version, ...], entries: list[ChangeEntry],
             withdrawn: dict[int, schema.Withdrawal], current: Policy,
             ) -> tuple[tuple[Version, ...], list[ChangeEntry]]:
    """The versions and changelog with the withdrawn versions' text and notes taken out.

    A withdrawn version keeps its number and dates (its address leads to a tombstone);
    its text, metadata, note and corrections are gone, and so are the changelog entries
    of its commits but the one that published it, whose note goes. One entry says when
    it was withdrawn and why."""
    withdrawn = {n: w for n, w in withdrawn.items() if n <= len(versions)}
    if not withdrawn:
        return versions, entries
    blank = replace(current, body="", outline=parse_outline("", 1), front_matter="")
    versions = tuple(
        replace(v, policy=blank, note="", corrections=(), withdrawn=withdrawn[v.number])
        if v.number in withdrawn else v
        for v in versions
    )
    kept = [e if e.version not in withdrawn else replace(e, note="", fields=())
            for e in entries if e.version not in withdrawn or e.kind == "version"]
    for number, item in sorted(withdrawn.items()):
        kept.append(ChangeEntry(dt.datetime.combine(item.withdrawn, dt.time(), dt.UTC),
                                "withdrawn", item.reason, number, ""))
    return versions, kept


def history_problems(library: Library, histories: dict[str, PolicyHistory]) -> list[Problem]:
    """What stops a build after the history is read: a credential in a version that is
    not withdrawn, and a withdrawal that names no version that can be withdrawn."""
    problems = withdrawal_problems(library, histories)
    for pid, history in sorted(histories.items()):
        for leak in history.leaks:
            version = history.version(leak.version)
            if version is None or version.withdrawn is not None:
                continue
            then = ("commit the file without it (a new version), then "
                    if leak.version == len(history.versions) else "then ")
            published = f", published {version.published:%Y-%m-%d}" if version.published else ""
            problems.append(Problem(leak.path, leak.line, (
                f"commit {leak.commit[:7]} (version {leak.version} of {pid}{published}): "
                f"{leak.what}, and every version is published; rotate the credential, "
                f"{then}withdraw version {leak.version} in {WITHDRAWN} (see "
                "docs/publishing.md, \"A credential committed by mistake\")")))
    return problems


def withdrawal_problems(library: Library, histories: dict[str, PolicyHistory]) -> list[Problem]:
    """Withdrawals (registries/withdrawn.yaml) that name no version that can be withdrawn:
    one past the last, or the latest, whose text is still the current page's."""
    problems = []
    for item in library.withdrawals:
        history = histories.get(item.policy)
        if history is None or not history.complete:
            continue  # no policy (reported by the check) or no history to number versions
        line = library.withdrawal_lines.get((item.policy, item.version), 1)
        count = len(history.versions)
        if item.version > count:
            problems.append(Problem(WITHDRAWN, line, (
                f"{item.policy} has no version {item.version} (it has "
                f"{'one version' if count == 1 else f'versions 1 to {count}'}); see "
                f"{addresses.url(addresses.versions(item.policy))} for the numbers")))
        elif item.version == count:
            problems.append(Problem(WITHDRAWN, line, (
                f"version {count} is the latest version of {item.policy}, and its text is "
                "the current page's: commit the file without what must go first (a new "
                f"version), then withdraw version {count}")))
    return problems
