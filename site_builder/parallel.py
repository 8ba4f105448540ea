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
import signal
from collections.abc import Callable, Iterator


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
    helpers = Helpers([lambda share=share: work(todo[share::jobs]) for share in range(1, jobs)])
    try:
        report = work(todo[0::jobs])
    except BaseException:
        helpers.wait()
        raise
    return [report, *helpers.reports()]


class Alongside:
    """`work()` in a forked process while this one goes on; `result()` waits for what it
    returns (anything pickle can carry), `stop()` ends it unwanted. Without a second core
    or fork, `work` runs in this process when its result is asked for."""

    def __init__(self, work: Callable[[], object]) -> None:
        self.work = work
        self.helpers = (Helpers([lambda: {"result": work()}])
                        if workers() > 1 and hasattr(os, "fork") else None)

    def result(self):
        if self.helpers is None:
            return self.work()
        return self.helpers.reports()[0]["result"]

    def stop(self) -> None:
        if self.helpers is not None:
            self.helpers.stop()


class Turns:
    """Hands out 0, 1, 2, … to whichever process asks next, across forked processes (a
    counter in shared memory), so that processes that start at different times share a
    list of work by taking its items in turn."""

    def __init__(self, count: int) -> None:
        import multiprocessing

        self.count = count
        self._next = multiprocessing.get_context("fork").Value("q", 0)

    def __iter__(self) -> Iterator[int]:
        while True:
            with self._next.get_lock():
                index = self._next.value
                self._next.value += 1
            if index >= self.count:
                return
            yield index


class Helpers:
    """Forked processes, one per `work` callable, each sending back its report (anything
    pickle can carry) through a pipe; `reports` waits for them all."""

    def __init__(self, works: list[Callable[[], dict]]) -> None:
        self.children: list[tuple[int, int]] = []
        for work in works:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child
                os.close(read_end)
                status = 0
                try:
                    report = {"report": work()}
                except BaseException as error:  # noqa: BLE001 (reported to the parent)
                    report = {"error": f"{type(error).__name__}: {error}"}
                    status = 1
                with os.fdopen(write_end, "wb") as pipe:
                    pickle.dump(report, pipe, protocol=pickle.HIGHEST_PROTOCOL)
                os._exit(status)
            os.close(write_end)
            self.children.append((pid, read_end))

    def reports(self) -> list[dict]:
        """Each child's report, in order; WorkFailed naming every child's error."""
        errors = []
        reports = []
        for pid, read_end in self.children:
            with os.fdopen(read_end, "rb") as pipe:
                raw = pipe.read()
            os.waitpid(pid, 0)
            answer = pickle.loads(raw) if raw else {"error": "a process stopped"}
            if "error" in answer:
                errors.append(answer["error"])
            else:
                reports.append(answer["report"])
        self.children = []
        if errors:
            raise WorkFailed("; ".join(errors))
        return reports

    def stop(self) -> None:
        """End the children now, without their reports."""
        for pid, read_end in self.children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            os.close(read_end)
        self.children = []

    def wait(self) -> None:
        """Wait for the children without their reports (this process failed already)."""
        try:
            self.reports()
        except WorkFailed:
            pass
