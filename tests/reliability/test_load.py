"""A viral post: 5,000 submissions from 100 residents at once, on the production set-up.

A real gunicorn (four workers) on loopback, PostgreSQL, limits shared through Redis, and
TRUSTED_PROXIES=1 with each resident's address in X-Forwarded-For as nginx would add it.
Most residents send fewer submissions than the limit; a few send far more. Afterwards:
no 5xx, only the few were refused (429, saying when to come back), each of them after
exactly the limit, and every tracking code handed out is in the database, whole.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict

import redis

from tests.reliability.servers import serving
from tests.reliability.traffic import Residents, check_nothing_lost, integrity_problems

RESIDENTS = 100
LIMIT = 50  # RATELIMIT_SUBMIT: 50 per hour per address
EACH = 45  # most residents stay under the limit...
HEAVY = {7, 29, 51, 73, 95}  # ...these five do not
HEAVY_EACH = 145
TOTAL = (RESIDENTS - len(HEAVY)) * EACH + len(HEAVY) * HEAVY_EACH
TIME_LIMIT = 150  # seconds for all 5,000; the residents stop by themselves after it


def test_five_thousand_submissions_from_a_hundred_residents(gunicorn, shared_postgres_database,
                                                            redis_url):
    assert TOTAL == 5000
    prefix = f"reliability-load-{secrets.token_hex(4)}"
    server = gunicorn({
        "DATABASE_URL": shared_postgres_database,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_SUBMIT": f"{LIMIT} per hour",
        "TRUSTED_PROXIES": "1",
    }, workers=4, threads=4)
    assert serving(server), "gunicorn did not answer its health check"
    plan = [HEAVY_EACH if r in HEAVY else EACH for r in range(RESIDENTS)]
    residents = Residents(server.url, RESIDENTS, plan, time_limit=TIME_LIMIT)
    try:
        residents.start()
        residents.join(TIME_LIMIT + 30)
    finally:
        residents.stop()
        keys = redis.Redis.from_url(redis_url)
        used_redis = False
        for key in keys.scan_iter(match=f"*{prefix}*", count=1000):
            used_redis = True
            keys.delete(key)
        keys.close()
    answers = residents.snapshot()

    assert len(answers) == TOTAL, f"only {len(answers)} of {TOTAL} requests were answered " \
                                  f"in {TIME_LIMIT} s"
    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {201, 429}, statuses
    assert used_redis, "the limits were not kept in Redis"

    by_resident = defaultdict(list)
    for answer in sorted(answers, key=lambda a: a.n):
        by_resident[answer.resident].append(answer.status)
    for resident, seen in by_resident.items():
        if resident in HEAVY:
            # Shared across the four workers: exactly the limit, then refusals only.
            assert seen == [201] * LIMIT + [429] * (HEAVY_EACH - LIMIT), (resident, seen)
        else:
            assert seen == [201] * EACH, (resident, Counter(seen))
    for refusal in (a for a in answers if a.status == 429):
        error = refusal.json()["error"]
        assert error["code"] == "rate_limited" and "wait" in error["message"]
        assert int(refusal.headers["Retry-After"]) > 0

    stored = check_nothing_lost(answers, shared_postgres_database)
    accepted = (RESIDENTS - len(HEAVY)) * EACH + len(HEAVY) * LIMIT
    assert len(stored) == accepted == statuses[201]
    assert integrity_problems(shared_postgres_database) == []
