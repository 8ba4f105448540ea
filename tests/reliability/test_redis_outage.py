"""Redis, where the workers share their rate-limit counts, goes away under load and comes
back (a redis-server of the test's own, killed and started again, empty).

While it is down intake keeps accepting: no resident sees an error, the limits still hold
(Flask-Limiter's in-memory fallback: each worker process counts on its own), and the
server's log says what happened. Once Redis is back,
the limits are kept in Redis again: a client gets exactly the limit and every accepted
submission is counted there.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter

import pytest
import redis

from tests.conftest import need
from tests.reliability.servers import REDIS_SERVER, ThrowawayRedis, serving
from tests.reliability.traffic import (
    Answer,
    Residents,
    acknowledged,
    check_nothing_lost,
    fresh_address,
)

LIMIT = 5  # RATELIMIT_SUBMIT: 5 per hour per address
WORKERS = 2
# Flask-Limiter tries Redis again 1, 2, 4, 8, 16 and 32 s after the failure, then from 1 s
# again: back in Redis at most 32 s after it answers.
RECOVERY_SECONDS = 45
FALLBACK_LOG = "Rate limit storage unreachable - falling back to in-memory storage"
RECOVERED_LOG = "Rate limit storage recovered"


@pytest.fixture
def store(tmp_path):
    need(REDIS_SERVER is not None, "redis-server")
    server = ThrowawayRedis(tmp_path)
    yield server
    server.stop()


def test_intake_keeps_accepting_without_redis_and_limits_return_with_it(gunicorn, sqlite_file,
                                                                        store):
    server = gunicorn({
        "DATABASE_URL": sqlite_file,
        "RATELIMIT_STORAGE_URI": store.url,
        "RATELIMIT_KEY_PREFIX": f"reliability-redis-{secrets.token_hex(4)}",
        "RATELIMIT_SUBMIT": f"{LIMIT} per hour",
        "TRUSTED_PROXIES": "1",
    }, workers=WORKERS, threads=4)
    assert serving(server)
    counts = redis.Redis(port=store.port, socket_timeout=2, socket_connect_timeout=2)
    everyone: list[Residents] = []
    addresses = iter(f"203.0.113.{n}" for n in range(1, 255))

    def one_client(requests: int) -> tuple[str, list[int]]:
        """A new address sending `requests` submissions one after another."""
        address = next(addresses)
        client = Residents(server.url, 1, requests, address=lambda _r, _n: address,
                           time_limit=30)
        everyone.append(client)
        client.start()
        client.join(45)
        return address, [a.status for a in sorted(client.snapshot(), key=lambda a: a.n)]

    def counted(address: str) -> int:
        keys = list(counts.scan_iter(match=f"*/{address}/*"))
        return sum(int(counts.get(key) or 0) for key in keys)

    # Everyone else: a steady stream from fresh addresses, which no limit ever touches.
    background = Residents(server.url, 6, 100_000, address=fresh_address, pause=0.02,
                           time_limit=90)
    everyone.append(background)
    background.start()
    try:
        address, seen = one_client(LIMIT + 3)
        assert seen == [201] * LIMIT + [429] * 3
        assert counted(address) == LIMIT

        store.stop()
        down = time.monotonic()
        # Limits still hold, per worker: between one and WORKERS times the limit.
        _, seen = one_client(WORKERS * LIMIT + 3)
        assert set(seen) == {201, 429}, seen
        assert LIMIT <= seen.count(201) <= WORKERS * LIMIT, seen
        assert background.wait_for(lambda a: len(acknowledged(a, after=down)) >= 20, 20)

        store.start()
        back = time.monotonic()
        deadline = back + RECOVERY_SECONDS
        recovered = None
        while time.monotonic() < deadline:
            address, seen = one_client(LIMIT + 2)
            if seen == [201] * LIMIT + [429] * 2 and counted(address) == LIMIT:
                recovered = time.monotonic() - back
                break
            time.sleep(0.5)
        assert recovered is not None, \
            f"limits were not kept in Redis again {RECOVERY_SECONDS} s after it came back"
    finally:
        background.stop()
        counts.close()
    output = server.stop()

    answers: list[Answer] = [a for client in everyone for a in client.snapshot()]
    stream = Counter(a.status for a in background.snapshot())
    assert set(stream) == {201}, f"the steady stream met {stream}"
    assert all(a.status in (201, 429) for a in answers), Counter(a.status for a in answers)
    assert FALLBACK_LOG in output, "the server did not log that Redis was unreachable"
    assert RECOVERED_LOG in output, "the server did not log that Redis was back"
    assert "203.0.113." not in output, "the server's log names a client's address"
    check_nothing_lost(answers, sqlite_file)
