"""PostgreSQL stopped and started again under load, on a cluster the test makes for itself
(never the machine's shared server).

While the database is down every submission gets a 503 with a JSON error saying nothing was
saved, and the health check says so too; before and after, every submission is accepted;
nothing acknowledged is lost; and the app recovers by itself, with the same gunicorn master
and workers, as soon as PostgreSQL is back.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.api.conftest import http
from tests.conftest import need
from tests.reliability.conftest import migrated
from tests.reliability.servers import (
    ThrowawayCluster,
    child_pids,
    postgres_missing,
    serving,
    wait_until,
)
from tests.reliability.traffic import (
    Residents,
    acknowledged,
    check_nothing_lost,
    integrity_problems,
)

RESIDENTS = 12
ACCEPTED = 60  # acknowledged submissions before the outage, and again after it
REFUSED = 20  # 503 answers during it
WAIT = 30  # seconds, at most, for each phase


@pytest.fixture
def cluster():
    missing = postgres_missing()
    need(missing is None, missing or "")
    cluster = ThrowawayCluster()
    yield cluster
    cluster.destroy()


def database_down(answer) -> bool:
    error = (answer.json() or {}).get("error", {}) if answer.status == 503 else {}
    return error.get("code") == "database_unavailable" and "nothing could be saved" in \
        error.get("message", "")


def test_requests_during_a_database_outage_get_503_and_the_app_recovers(gunicorn, cluster):
    database = migrated(cluster.url)
    server = gunicorn({"DATABASE_URL": database, "RATELIMIT_SUBMIT": "100000 per hour"},
                      workers=2, threads=4)
    assert serving(server)
    assert wait_until(lambda: len(child_pids(server.process.pid)) == 2, 20)
    workers = child_pids(server.process.pid)
    residents = Residents(server.url, RESIDENTS, 100_000, pause=0.01, time_limit=90)
    residents.start()
    try:
        assert residents.wait_for(lambda a: len(acknowledged(a)) >= ACCEPTED, WAIT)
        stopping = time.monotonic()
        cluster.stop("fast")
        stopped = time.monotonic()
        assert residents.wait_for(
            lambda a: sum(x.status == 503 and x.sent > stopped for x in a) >= REFUSED, WAIT), \
            "no 503 answers while the database was down"
        health_down = http("GET", server.url + "/api/v1/health")
        starting = time.monotonic()
        cluster.start()
        started = time.monotonic()
        assert residents.wait_for(lambda a: len(acknowledged(a, after=started)) >= ACCEPTED,
                                  WAIT), \
            "the app did not accept submissions again after PostgreSQL came back"
        health_up = http("GET", server.url + "/api/v1/health")
    finally:
        residents.stop()
    answers = residents.snapshot()

    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {201, 503}, statuses  # never a 500, never a dropped connection
    assert all(database_down(a) for a in answers if a.status == 503)
    before = Counter(a.status for a in answers if a.answered < stopping)
    assert set(before) == {201}, before
    during = Counter(a.status for a in answers if a.sent > stopped and a.answered < starting)
    assert set(during) == {503}, during
    after = Counter(a.status for a in answers if a.sent > started)
    assert set(after) == {201}, f"answers after PostgreSQL was back: {after}"

    status, _, body = health_down
    assert status == 503 and b"database_unavailable" in body
    assert health_up[0] == 200

    # Recovered without a restart: the same master and the same workers.
    assert server.process.poll() is None
    assert child_pids(server.process.pid) == workers

    # A 503 means nothing was saved, except for requests cut off as the database went down.
    cut_off = {a.marker for a in answers if a.status == 503 and a.sent < stopped}
    check_nothing_lost(answers, database, may_be_stored=cut_off)
    assert integrity_problems(database) == []
    assert "database unavailable" in server.stop()  # the outage is in the server's log
