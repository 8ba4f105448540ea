"""Work shared between forked processes, for the stages that do the same work per policy.

The build is CPU-bound Python, so a second core needs a second process. Forking shares
what the build has loaded (the library, the histories, MkDocs' configuration and Jinja
environment) without pickling it; each child does its share of the policies and sends
back a report (anything pickle can carry) through a pipe. Where fork is not available,
or one process is asked for, everything runs in this process.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable


class WorkFailed(Exception):
    """A process stopped with an error; the message names each one."""


def workers() -> int:
    """Processes for rendering: $TRANSPARENCY_JOBS, or else one per available core."""
    value = os.environ.get("TRANSPARENCY_JOBS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def in_processes(work: Callable[[list], dict], todo: list, jobs: int) -> list[dict]:
    """`work(share)` for `jobs` shares of `todo` (every jobs-th item); the reports, in the
    order of the shares. This process does the first share; a child's error is raised here
    as WorkFailed once every child has finished."""
    if jobs <= 1 or not hasattr(os, "fork"):
        return [work(todo)]
    children = []
    for share in range(1, jobs):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            status = 0
            try:
                report = {"report": work(todo[share::jobs])}
            except BaseException as error:  # noqa: BLE001 (reported to the parent)
                report = {"error": f"{type(error).__name__}: {error}"}
                status = 1
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(report, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    errors = []
    reports = []
    try:
        reports.append(work(todo[0::jobs]))
    finally:
        for pid, read_end in children:
            with os.fdopen(read_end, "rb") as pipe:
                raw = pipe.read()
            os.waitpid(pid, 0)
            answer = pickle.loads(raw) if raw else {"error": "a process stopped"}
            if "error" in answer:
                errors.append(answer["error"])
            else:
                reports.append(answer["report"])
    if errors:
        raise WorkFailed("; ".join(errors))
    return reports
