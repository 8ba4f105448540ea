"""The server killed mid-stream (SIGKILL to gunicorn's master and workers, no clean-up) and
started again, on SQLite and on PostgreSQL.

Residents keep sending throughout. Afterwards every submission that was acknowledged is in
the database under the code it was given, no row is half-written, the only rows nobody was
told about are requests cut off by the kill, the database passes its own integrity check,
and the restarted server answers status look-ups for codes handed out before the kill.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.api.conftest import http
from tests.reliability.servers import serving
from tests.reliability.traffic import (
    Residents,
    acknowledged,
    check_nothing_lost,
    integrity_problems,
)

RESIDENTS = 20
BEFORE = 120  # acknowledged submissions before the kill...
AFTER = 120  # ...and after the restart
WAIT = 40  # seconds, at most, for each of those


@pytest.fixture(params=["sqlite", "postgres"])
def database(request) -> str:
    return request.getfixturevalue(
        "sqlite_file" if request.param == "sqlite" else "shared_postgres_database")


def test_a_killed_and_restarted_server_loses_nothing(gunicorn, database):
    env = {"DATABASE_URL": database, "RATELIMIT_SUBMIT": "100000 per hour"}
    running = {"server": gunicorn(env, workers=2, threads=4)}
    assert serving(running["server"])
    residents = Residents(lambda: running["server"].url, RESIDENTS, 100_000, time_limit=90)
    residents.start()
    try:
        assert residents.wait_for(lambda a: len(acknowledged(a)) >= BEFORE, WAIT), \
            f"fewer than {BEFORE} submissions acknowledged in {WAIT} s"
        killed = running["server"]
        killed.kill()  # SIGKILL to the whole process group, mid-request
        assert residents.wait_for(lambda a: any(x.status is None for x in a), 10)
        running["server"] = gunicorn(env, workers=2, threads=4)
        assert serving(running["server"])
        restarted = time.monotonic()
        assert residents.wait_for(lambda a: len(acknowledged(a, after=restarted)) >= AFTER,
                                  WAIT), f"fewer than {AFTER} acknowledged after the restart"
    finally:
        residents.stop()
    answers = residents.snapshot()

    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {201, None}, statuses  # no 5xx, no refusals
    after_restart = [a.status for a in answers if a.sent > restarted]
    assert set(after_restart) == {201}, Counter(after_restart)
    cut_off = {a.marker for a in answers if a.status is None}
    check_nothing_lost(answers, database, may_be_stored=cut_off)
    assert integrity_problems(database) == []

    # A resident who was given a code before the crash can still look it up.
    server = running["server"]
    before_kill = [a for a in acknowledged(answers) if a.answered < restarted][-10:]
    for answer in before_kill:
        status, _, body = http("GET", f"{server.url}/api/v1/status/{answer.tracking_code}")
        assert status == 200, body
    output = server.stop()
    assert "Traceback" not in output, output[-3000:]
