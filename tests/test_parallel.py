"""Work beside the build in a forked process (`parallel.Alongside`)."""

from __future__ import annotations

import os
import time

import pytest

from site_builder.parallel import Alongside, WorkFailed


def test_the_work_runs_in_another_process_while_this_one_goes_on(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSPARENCY_JOBS", "2")
    started = tmp_path / "started"

    def work():
        started.write_text(str(os.getpid()))
        return {"pid": os.getpid(), "words": ["a", "b"]}

    beside = Alongside(work)
    for _ in range(500):  # it starts without being asked for its result
        if started.exists() and started.read_text():
            break
        time.sleep(0.01)
    assert started.read_text() != str(os.getpid())
    result = beside.result()
    assert result["pid"] != os.getpid() and result["words"] == ["a", "b"]


def test_with_one_core_the_work_runs_here_when_its_result_is_asked_for(monkeypatch):
    monkeypatch.setenv("TRANSPARENCY_JOBS", "1")
    ran = []
    beside = Alongside(lambda: ran.append(os.getpid()) or "done")

    assert ran == []
    assert beside.result() == "done" and ran == [os.getpid()]


def test_an_error_in_the_other_process_is_raised_here_by_name(monkeypatch):
    monkeypatch.setenv("TRANSPARENCY_JOBS", "2")

    def work():
        raise ValueError("the archive could not be made")

    with pytest.raises(WorkFailed, match="ValueError: the archive could not be made"):
        Alongside(work).result()


def test_stop_ends_work_that_is_no_longer_wanted(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSPARENCY_JOBS", "2")
    done = tmp_path / "done"

    def work():
        time.sleep(1)
        done.write_text("finished")

    started = time.perf_counter()
    Alongside(work).stop()
    assert time.perf_counter() - started < 1  # it did not wait for the work
    time.sleep(2)  # long past the time the work would have finished
    assert not done.exists()
