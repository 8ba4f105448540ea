"""The rate limits' memory storage under a worker's request threads (gunicorn's gthread).

limits' MemoryStorage starts an expiry timer when a hit finds it stopped. Two threads that
both find it stopped must not both start one timer: the second start fails, or the timer
runs twice and one copy dies with a traceback in the server's log.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from limits.storage import MemoryStorage, storage_from_string

from feedback_api.limits import LockedMemoryStorage, sign_in_limiter, submission_limiter
from tests.api.conftest import REPORT
from tests.conftest import free_port


def two_hits_at_once(storage_class, monkeypatch) -> tuple[Counter, list, int]:
    """Two threads count a hit together, each finding the expiry timer stopped: the first
    to set a new timer waits (up to half a second) for the second to set one too, which
    is the interleaving that makes both start one timer. Gives how often each timer was
    started, what went wrong in either thread, and the count the two hits made."""
    barrier = threading.Barrier(2, timeout=0.5)
    starts: Counter = Counter()
    problems: list = []

    class CountedTimer(threading.Timer):
        def start(self):
            starts[self.name] += 1
            super().start()

    class Interleaved(storage_class):
        racing = False

        @property
        def timer(self):
            return self.__dict__["timer"]

        @timer.setter
        def timer(self, value):
            self.__dict__["timer"] = value
            if self.racing:
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass

    storage = Interleaved()
    storage.timer.join()  # the timer made at start has run out
    storage.racing = True
    monkeypatch.setattr(threading, "Timer", CountedTimer)
    monkeypatch.setattr("sys.unraisablehook", lambda raised: problems.append(raised.exc_value))

    def hit():
        try:
            storage.incr("LIMITER/198.51.100.7/submit", 60)
        except Exception as error:  # noqa: BLE001 - what went wrong is the finding
            problems.append(error)

    threads = [threading.Thread(target=hit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    storage.timer.join(5)
    return starts, problems, storage.get("LIMITER/198.51.100.7/submit")


def test_two_hits_at_once_start_each_expiry_timer_once(monkeypatch):
    starts, problems, count = two_hits_at_once(LockedMemoryStorage, monkeypatch)
    assert starts and set(starts.values()) == {1}, starts
    assert problems == []
    assert count == 2


def test_limits_own_memory_storage_still_starts_one_timer_twice(monkeypatch):
    """The interleaving above does go wrong on limits' class. When this fails, limits
    starts its timer safely and LockedMemoryStorage can go."""
    starts, problems, count = two_hits_at_once(MemoryStorage, monkeypatch)
    assert max(starts.values()) == 2, starts
    assert problems, "the second start neither failed nor left a traceback"


def test_memory_urls_and_the_redis_fallback_use_the_locked_storage(make_app):
    assert isinstance(storage_from_string("memory://"), LockedMemoryStorage)
    make_app(RATELIMIT_STORAGE_URI="memory://")
    for limiter in (submission_limiter, sign_in_limiter):
        assert isinstance(limiter.limiter.storage, LockedMemoryStorage)
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    assert app.test_client().post("/api/v1/reports", json=REPORT).status_code == 201
    assert isinstance(submission_limiter.limiter.storage, LockedMemoryStorage)


def test_the_locked_storage_counts_and_expires_as_before():
    storage = LockedMemoryStorage()
    for _ in range(3):
        storage.incr("key", 0.05)
    assert storage.get("key") == 3
    storage.timer.join(1)
    time.sleep(0.1)  # past the key's expiry
    storage.incr("other", 60)  # starts the timer again, which expires "key"
    storage.timer.join(1)
    assert storage.get("key") == 0 and storage.get("other") == 1
