"""A real gunicorn on loopback with deploy/gunicorn.conf.py: durability when the server is
killed (and the warning about per-worker limits on memory storage), and one limit across
workers through Redis."""

from __future__ import annotations

import json
import threading
import time
from http.client import HTTPException

import redis

from tests.api.conftest import FEEDBACK, empty, http, rows


def send(url: str, n: int):
    body = json.dumps({**FEEDBACK, "message": f"Comment {n}"}).encode()
    return http("POST", url + "/api/v1/feedback", body=body,
                headers={"Content-Type": "application/json"})


def test_every_acknowledged_submission_survives_the_server_being_killed(gunicorn, database_url):
    server = gunicorn({"DATABASE_URL": database_url, "RATELIMIT_SUBMIT": "100000 per minute"},
                      workers=2, threads=4)
    acknowledged: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(1_000_000))
    stop = threading.Event()

    def resident():
        while not stop.is_set():
            with lock:
                n = next(counter)
            try:
                status, _, body = send(server.url, n)
            except (OSError, HTTPException):
                return  # the server is gone
            if status == 201:
                with lock:
                    acknowledged.append(json.loads(body)["tracking_code"])
            else:
                failures.append(f"{status} {body[:200]!r}")

    residents = [threading.Thread(target=resident) for _ in range(6)]
    for thread in residents:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 60 and time.monotonic() < deadline and not failures:
        time.sleep(0.01)
    server.kill()  # SIGKILL to master and workers, mid-stream
    stop.set()
    for thread in residents:
        thread.join(timeout=20)

    assert not failures, failures[:3]
    assert len(acknowledged) >= 60
    stored = {row["tracking_code"] for row in rows(database_url)}
    missing = [code for code in acknowledged if code not in stored]
    assert missing == [], f"{len(missing)} acknowledged submissions were lost"
    # Two workers on memory storage: gunicorn said at start that the limits are per worker.
    assert "2 worker processes: each worker keeps its own count" in server.read_output()


def test_workers_share_one_limit_through_redis(gunicorn, sqlite_database, redis_url):
    empty(sqlite_database)
    prefix = f"feedback-gunicorn-{time.monotonic_ns()}"
    server = gunicorn({"DATABASE_URL": sqlite_database, "RATELIMIT_STORAGE_URI": redis_url,
                       "RATELIMIT_KEY_PREFIX": prefix}, workers=3, threads=1)
    try:
        answers = [send(server.url, n) for n in range(8)]
        statuses = [status for status, _, _ in answers]
        assert statuses == [201] * 5 + [429] * 3
        _, headers, body = answers[-1]
        assert int(headers["Retry-After"]) > 0
        assert json.loads(body)["error"]["code"] == "rate_limited"
        output = server.stop()
        assert "each worker keeps its own count" not in output
    finally:
        connection = redis.Redis.from_url(redis_url)
        for key in connection.scan_iter(match=f"*{prefix}*"):
            connection.delete(key)
        connection.close()
