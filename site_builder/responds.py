"""The public feedback a revision responds to: its commit's `Responds-to:` trailer.

A revision names the tracking codes of the feedback behind it (`transparency revise
--responds-to CODE`). The history keeps them with the version the commit makes or
corrects (`Version.responses`); the version's page and redline say so, and
`data/policies.json` lists them (`responds_to`), which is where the feedback app learns
that a piece of feedback led to a revision.

`transparency check` stops on a code that is not a tracking code, that no submission has,
that is a report rather than feedback, or that is feedback on another policy. The codes
are looked up in the feedback app's database through `lookup`, which the command line
passes in. The build has no database: it publishes only codes that are well formed, and
warns about the others (`history.read_history`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from .content import RESPONSES, Library
from .history import PolicyHistory, Response, Version
from .problem import Problem
from .tracking_codes import EXAMPLE, normalise_tracking_code


class Named(Protocol):
    kind: str
    policy_id: str | None


class LookupFailed(Exception):
    """The codes could not be looked up; the message says why and what to set."""


Lookup = Callable[[list[str]], dict[str, Named]]
FIX = ("correct the trailer with `git commit --amend` while the commit is not pushed yet; "
       f"once pushed, drop the code in {RESPONSES} (see docs/publishing.md)")


def responses(histories: dict[str, PolicyHistory]
              ) -> Iterable[tuple[str, PolicyHistory, Version, Response]]:
    for pid, history in sorted(histories.items()):
        for version in history.versions:
            for response in version.responses:
                yield pid, history, version, response


def _where(pid: str, history: PolicyHistory, version: Version,
           response: Response) -> tuple[str, str]:
    path = history.paths[-1] if history.paths else version.policy.path
    return path, f"commit {response.commit[:7]} (version {version.number} of {pid})"


def dropped_problems(histories: dict[str, PolicyHistory], library: Library) -> list[Problem]:
    """Each entry of registries/responses.yaml must drop a code a commit named."""
    named = {(pid, v.number, r.code) for pid, _, v, r in responses(histories) if r.dropped}
    problems = []
    for item, line in library.dropped_responses:
        code = normalise_tracking_code(item.code) or item.code
        if (item.policy, item.version, code) not in named:
            problems.append(Problem(RESPONSES, line, (
                f"version {item.version} of {item.policy} names no {item.code} in a "
                "Responds-to trailer; check the policy, the version (its page lists the "
                "codes) and the code")))
    return problems


def response_problems(histories: dict[str, PolicyHistory], lookup: Lookup,
                      library: Library | None = None) -> list[Problem]:
    """What stops `check` in the Responds-to trailers, each at its policy file and commit,
    and in registries/responses.yaml, which drops codes named by mistake."""
    problems: list[Problem] = dropped_problems(histories, library) if library else []
    found = [(p, h, v, r) for p, h, v, r in responses(histories) if not r.dropped]
    for pid, history, version, response in found:
        if not response.valid:
            path, commit = _where(pid, history, version, response)
            problems.append(Problem(path, 0, (
                f"{commit}: Responds-to {response.code!r} is not a tracking code (they "
                f"look like {EXAMPLE}); {FIX}")))
    codes = sorted({r.code for *_, r in found if r.valid})
    if not codes:
        return problems
    try:
        named = lookup(codes)
    except LookupFailed as error:
        path, commit = _where(*next((p, h, v, r) for p, h, v, r in found if r.valid))
        return problems + [Problem(path, 0, (
            f"{commit}: the Responds-to codes ({len(codes)}) cannot be checked: {error}"))]
    for pid, history, version, response in found:
        if not response.valid:
            continue
        path, commit = _where(pid, history, version, response)
        item = named.get(response.code)
        if item is None:
            why = "no submission has this tracking code"
        elif item.kind != "feedback":
            why = "it is a report of a possible violation, not feedback on a policy"
        elif item.policy_id != pid:
            why = (f"it is feedback on {item.policy_id}, not on {pid}"
                   if item.policy_id else f"it is general feedback, not feedback on {pid}")
        else:
            continue
        problems.append(Problem(path, 0, f"{commit}: Responds-to {response.code}: {why}; {FIX}"))
    return problems
