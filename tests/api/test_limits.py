"""Rate limits on every public write (Flask-Limiter), on memory and Redis storage."""

from __future__ import annotations

import time

import pytest
import redis

from tests.api.conftest import FEEDBACK, REPORT, read_form, rows, send_form
from tests.conftest import free_port


def feedback(n: int) -> dict:
    return {**FEEDBACK, "message": f"Comment number {n}"}


def post(client, n: int, **environ):
    return client.post("/api/v1/feedback", json=feedback(n), environ_base=environ)


def test_the_sixth_submission_in_a_minute_is_refused_with_retry_after(client):
    for n in range(5):
        accepted = post(client, n)
        assert accepted.status_code == 201
        assert "Retry-After" not in accepted.headers
        assert accepted.headers["X-RateLimit-Remaining"] == str(4 - n)
    refused = post(client, 5)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    for name in ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                 "X-RateLimit-Reset"):
        assert len(refused.headers.getlist(name)) == 1, name
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert "5 per minute" in error["message"] and "wait a minute" in error["message"]


def test_the_limit_is_per_client_and_shared_by_forms_and_api(client):
    for n in range(3):
        assert post(client, n).status_code == 201
    assert client.post("/api/v1/reports", json=REPORT).status_code == 201
    assert send_form(client, "/feedback/", policy_id="ai-1-19", message="By form").status_code \
        == 303
    assert client.post("/api/v1/reports", json={**REPORT, "description": "x"}).status_code == 429
    assert post(client, 9, REMOTE_ADDR="198.51.100.20").status_code == 201


def test_rejected_submissions_do_not_use_up_the_limit(client):
    for _ in range(8):
        assert client.post("/api/v1/feedback", json={"policy_id": "nope"}).status_code == 422
        assert client.post("/api/v1/feedback", data="x").status_code == 415
    for _ in range(3):
        assert send_form(client, "/feedback/", message="").status_code == 422
    for n in range(5):
        assert post(client, n).status_code == 201


def test_a_refused_form_keeps_what_was_typed(make_app, database_url):
    client = make_app(RATELIMIT_SUBMIT="1 per minute").test_client()
    assert send_form(client, "/report/", category="other", description="First",
                     account_id="city-x-sample").status_code == 303
    response = send_form(client, "/report/", category="false-information",
                         description="Second, typed with care", account_id="city-x-sample")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert "Please wait a minute and send it again" in html and 'role="alert"' in html
    form = read_form(html)
    assert form.values["description"] == "Second, typed with care"
    assert form.values["category"] == "false-information"
    assert len(rows(database_url)) == 1


def test_a_made_up_forwarded_for_header_buys_no_fresh_limit(client):
    for n in range(5):
        assert post(client, n).status_code == 201
    for n, fake in enumerate(("203.0.113.1", "203.0.113.2", "10.0.0.1, 203.0.113.3")):
        response = client.post("/api/v1/feedback", json=feedback(10 + n),
                               headers={"X-Forwarded-For": fake})
        assert response.status_code == 429


def test_behind_one_proxy_the_limit_follows_the_address_the_proxy_saw(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def through_proxy(n, forwarded):
        return client.post("/api/v1/feedback", json=feedback(n), environ_base=proxy,
                           headers={"X-Forwarded-For": forwarded})

    # nginx appends the address it saw; anything before it is what the client claimed.
    for n in range(5):
        assert through_proxy(n, f"198.51.100.{n}, 203.0.113.7").status_code == 201
    assert through_proxy(20, "198.51.100.99, 203.0.113.7").status_code == 429
    assert through_proxy(21, "203.0.113.8").status_code == 201  # another resident


def test_the_limit_is_the_configured_one(make_app):
    client = make_app(RATELIMIT_SUBMIT="2 per minute;3 per day").test_client()
    assert [post(client, n).status_code for n in range(3)] == [201, 201, 429]


def test_the_daily_limit_says_how_long_to_wait(make_app):
    client = make_app(RATELIMIT_SUBMIT="2 per day").test_client()
    assert [post(client, n).status_code for n in range(3)] == [201, 201, 429]
    refused = post(client, 3)
    assert int(refused.headers["Retry-After"]) > 3600
    assert "2 per day" in refused.get_json()["error"]["message"]
    assert "hours" in refused.get_json()["error"]["message"]


# ---------------------------------------------------------------------------------------
# Redis


def test_workers_sharing_redis_share_one_limit(make_app, redis_url, redis_prefix):
    one = make_app(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=redis_prefix)
    two = make_app(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=redis_prefix)
    answers = [post((one if n % 2 else two).test_client(), n).status_code for n in range(7)]
    assert answers == [201] * 5 + [429] * 2
    assert redis.Redis.from_url(redis_url).keys(f"*{redis_prefix}*")


def test_intake_keeps_accepting_when_redis_is_down(make_app, database_url, caplog):
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    client = app.test_client()
    answers = [post(client, n).status_code for n in range(7)]
    assert answers[:5] == [201] * 5
    assert answers[5:] == [429, 429]  # limits still hold, from memory
    assert len(rows(database_url)) == 5
    assert "falling back to in-memory storage" in caplog.text


# ---------------------------------------------------------------------------------------
# The same behaviour on both storages: memory (one process) and Redis (shared)


@pytest.fixture(params=["memory", "redis"])
def storage(request) -> dict:
    """Limiter settings for memory or for the real Redis, on a prefix of the test's own."""
    if request.param == "memory":
        return {"RATELIMIT_STORAGE_URI": "memory://"}
    redis_url = request.getfixturevalue("redis_url")
    return {"RATELIMIT_STORAGE_URI": redis_url,
            "RATELIMIT_KEY_PREFIX": request.getfixturevalue("redis_prefix")}


def counted_in_redis(storage: dict, address: str = "127.0.0.1") -> dict[str, int]:
    """The counts Redis holds for one client: {key: count}."""
    connection = redis.Redis.from_url(storage["RATELIMIT_STORAGE_URI"])
    try:
        return {key.decode(): int(connection.get(key) or 0) for key in connection.scan_iter(
            match=f"*{storage['RATELIMIT_KEY_PREFIX']}/{address}/*")}
    finally:
        connection.close()


def test_answers_say_how_many_submissions_are_left_and_when_the_count_starts_again(
        make_app, storage):
    client = make_app(RATELIMIT_SUBMIT="3 per minute;10 per day", **storage).test_client()
    started = time.time()
    first = post(client, 0)
    assert first.status_code == 201
    # The shortest window heads the answer: 3 per minute, one of them used.
    assert first.headers["X-RateLimit-Limit"] == "3"
    assert first.headers["X-RateLimit-Remaining"] == "2"
    reset = int(first.headers["X-RateLimit-Reset"])
    assert started + 59 <= reset <= time.time() + 61
    assert "Retry-After" not in first.headers

    rejected = client.post("/api/v1/feedback", json={"policy_id": "ai-1-19"})
    assert rejected.status_code == 422
    assert rejected.headers["X-RateLimit-Remaining"] == "2"  # nothing was recorded

    assert [post(client, n).headers["X-RateLimit-Remaining"] for n in (1, 2)] == ["1", "0"]
    refused = post(client, 3)
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert abs(int(refused.headers["X-RateLimit-Reset"]) - reset) <= 1
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "(the limit is 3 per minute)" in refused.get_json()["error"]["message"]
    if storage["RATELIMIT_STORAGE_URI"].startswith("redis"):
        assert sorted(counted_in_redis(storage).values()) == [3, 3]


def test_a_full_window_opens_again_when_it_ends(make_app, storage):
    client = make_app(RATELIMIT_SUBMIT="2 per 2 seconds", **storage).test_client()
    assert [post(client, n).status_code for n in range(3)] == [201, 201, 429]
    refused = post(client, 3)
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 2
    time.sleep(wait + 0.05)
    again = post(client, 4)
    assert again.status_code == 201
    assert again.headers["X-RateLimit-Remaining"] == "1"


def test_only_recorded_submissions_use_up_the_limit(make_app, storage, database_url):
    client = make_app(RATELIMIT_SUBMIT="2 per minute", **storage).test_client()
    for _ in range(4):
        assert client.post("/api/v1/feedback", json={"policy_id": "nope"}).status_code == 422
        assert client.post("/api/v1/feedback", data="x").status_code == 415
        assert send_form(client, "/feedback/", message="").status_code == 422
    if storage["RATELIMIT_STORAGE_URI"].startswith("redis"):
        assert counted_in_redis(storage) == {}
    assert send_form(client, "/feedback/", policy_id="ai-1-19", message="By form").status_code \
        == 303
    assert post(client, 1).status_code == 201
    assert post(client, 2).status_code == 429
    assert len(rows(database_url)) == 2


def test_a_refused_form_keeps_what_was_typed_on_either_storage(make_app, storage,
                                                               database_url):
    client = make_app(RATELIMIT_SUBMIT="1 per minute", **storage).test_client()
    assert send_form(client, "/feedback/", policy_id="ai-1-19", message="First").status_code \
        == 303
    response = send_form(client, "/feedback/", policy_id="ai-1-19", section="k-c",
                         message="Second, typed with care", name="Ana", email="ana@example.com")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Remaining"] == "0"
    html = response.get_data(as_text=True)
    assert "Please wait a minute and send it again" in html
    form = read_form(html)
    assert form.values["message"] == "Second, typed with care"
    assert form.values["name"] == "Ana" and form.values["email"] == "ana@example.com"
    assert len(rows(database_url)) == 1


def test_limits_are_shared_through_redis_again_once_it_is_back(make_app, database_url, tmp_path,
                                                               caplog):
    from tests.conftest import need
    from tests.reliability.servers import REDIS_SERVER, ThrowawayRedis

    need(REDIS_SERVER is not None, "redis-server")
    store = ThrowawayRedis(tmp_path)
    try:
        storage = {"RATELIMIT_STORAGE_URI": store.url, "RATELIMIT_KEY_PREFIX": "back"}
        client = make_app(RATELIMIT_SUBMIT="2 per minute", **storage).test_client()
        assert [post(client, n).status_code for n in range(3)] == [201, 201, 429]
        assert list(counted_in_redis(storage).values()) == [2]

        store.stop()
        # Counted in memory now, from nothing: the resident is not turned away for it.
        away = {"REMOTE_ADDR": "198.51.100.7"}
        assert [post(client, n, **away).status_code for n in range(10, 13)] == [201, 201, 429]
        assert "Rate limit storage unreachable - falling back to in-memory storage" \
            in caplog.text

        store.start()  # empty
        # Redis is tried again 1, 2, 4, ... seconds after the failure; a client whose
        # submissions straddle the switch is counted partly in memory, so each try is a new
        # client.
        deadline = time.monotonic() + 20
        shared = False
        for n in range(20, 200):
            address = f"198.51.100.{n}"
            answers = [post(client, k, REMOTE_ADDR=address).status_code for k in range(3)]
            if answers == [201, 201, 429] and \
                    list(counted_in_redis(storage, address).values()) == [2]:
                shared = True
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert shared, "the limits were not kept in Redis again after it came back"
        assert "Rate limit storage recovered" in caplog.text
    finally:
        store.stop()



def test_a_submission_the_database_could_not_take_uses_up_nothing(catalog, tmp_path, storage):
    from feedback_api import create_app
    from tests.api.conftest import app_config

    unwritable = f"sqlite:///{tmp_path}/missing-folder/feedback.sqlite3"
    app = create_app(app_config(unwritable, catalog, RATELIMIT_SUBMIT="1 per minute",
                                **storage))
    client = app.test_client()
    for n in range(3):  # the resident tries again: never told to wait for a failure
        answer = post(client, n)
        assert answer.status_code == 503
        assert answer.get_json()["error"]["code"] == "database_unavailable"
        assert answer.headers["X-RateLimit-Remaining"] == "1"
    if storage["RATELIMIT_STORAGE_URI"].startswith("redis"):
        assert counted_in_redis(storage) == {}
    app.extensions["db_engine"].dispose()


# ---------------------------------------------------------------------------------------
# What counts: recorded submissions only


def test_a_form_whose_session_expired_uses_up_nothing(make_app, database_url):
    client = make_app(RATELIMIT_SUBMIT="1 per minute").test_client()
    values = {**FEEDBACK, "message": "Typed before lunch", "csrf_token": "expired-long-ago"}
    for _ in range(3):
        expired = client.post("/feedback/", data=values)
        assert expired.status_code == 400
        assert "Your session timed out" in expired.get_data(as_text=True)
        assert "Retry-After" not in expired.headers
        assert expired.headers["X-RateLimit-Remaining"] == "1"
    assert send_form(client, "/feedback/", policy_id="ai-1-19",
                     message="Sent again").status_code == 303
    assert len(rows(database_url)) == 1


def test_a_submission_flagged_as_spam_is_recorded_and_counts(make_app, database_url):
    # The honeypot's submissions are stored (marked as spam) like any other, so they use
    # up the allowance: otherwise a robot could fill the database without limit.
    client = make_app(RATELIMIT_SUBMIT="2 per minute").test_client()
    assert send_form(client, "/feedback/", policy_id="ai-1-19", message="Buy now",
                     website="http://spam.example").status_code == 303
    assert send_form(client, "/feedback/", policy_id="ai-1-19",
                     message="A real comment").status_code == 303
    assert send_form(client, "/feedback/", policy_id="ai-1-19",
                     message="One more").status_code == 429
    assert [row["is_spam"] for row in rows(database_url)] == [True, False]


def test_only_refusals_tell_the_client_to_retry_after(client):
    accepted = post(client, 0)
    rejected = client.post("/api/v1/feedback", json={"policy_id": "nope"})
    assert (accepted.status_code, rejected.status_code) == (201, 422)
    for answer in (accepted, rejected):
        assert "Retry-After" not in answer.headers
        assert answer.headers["X-RateLimit-Limit"] == "5"


# ---------------------------------------------------------------------------------------
# Who a client is: its address after TRUSTED_PROXIES, IPv6 by /64


def test_twelve_addresses_in_one_ipv6_64_share_one_allowance(client, caplog):
    answers = [post(client, n, REMOTE_ADDR=f"2001:db8:7:42::{n + 1:x}").status_code
               for n in range(12)]
    assert answers == [201] * 5 + [429] * 7
    assert "2001:db8:7:42" not in caplog.text  # refusals are not logged with the address
    # Another /64 of the same provider is another client; so is each IPv4 address.
    assert post(client, 20, REMOTE_ADDR="2001:db8:7:43::1").status_code == 201
    for n in range(5):
        assert post(client, 30 + n, REMOTE_ADDR="198.51.100.1").status_code == 201
    assert post(client, 40, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert post(client, 41, REMOTE_ADDR="198.51.100.2").status_code == 201


def test_an_ipv4_mapped_ipv6_address_is_its_ipv4_address(client):
    for n in range(5):
        assert post(client, n, REMOTE_ADDR="198.51.100.9").status_code == 201
    assert post(client, 9, REMOTE_ADDR="::ffff:198.51.100.9").status_code == 429


def test_behind_one_proxy_an_ipv6_client_is_its_64_and_its_own_header_buys_nothing(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def through_proxy(n, forwarded):
        return client.post("/api/v1/feedback", json=feedback(n), environ_base=proxy,
                           headers={"X-Forwarded-For": forwarded})

    for n in range(5):  # a made-up first entry each time; nginx's own entry is the /64
        assert through_proxy(n, f"2001:db8:99::{n}, 2001:db8:5:6::{n + 1}").status_code == 201
    assert through_proxy(10, "2001:db8:5:6:ffff::1").status_code == 429
    assert through_proxy(11, "203.0.113.50, 2001:db8:5:6::99").status_code == 429
    assert through_proxy(12, "2001:db8:5:7::1").status_code == 201


# ---------------------------------------------------------------------------------------
# What the limits cost the requests they do not limit


def test_only_the_limited_views_use_the_limit_storage(make_app, caplog):
    # A Redis that is not there: any request that reached the storage would fall back to
    # memory and log it.
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    client = app.test_client()
    for url in ("/api/v1/health", "/api/v1/report-categories", "/feedback/", "/report/",
                "/inbox/login", "/api/v1/status/SMR-7K3Q-9XWD-2F4M-8HJN"):
        assert client.get(url).status_code in (200, 404), url
    assert "Rate limit storage unreachable" not in caplog.text
    assert client.post("/api/v1/reports", json=REPORT).status_code == 201
    assert "Rate limit storage unreachable - falling back to in-memory storage" in caplog.text


def test_the_api_neither_reads_nor_writes_the_session_cookie(app):
    from flask import request
    from flask.sessions import SecureCookieSession

    client = app.test_client()
    assert client.get("/feedback/").status_code == 200
    assert client.get_cookie("feedback_session") is not None  # the form's CSRF token
    interface = app.session_interface
    with app.test_request_context("/api/v1/reports", method="POST"):
        assert interface.is_null_session(interface.open_session(app, request))
    with app.test_request_context("/feedback/", method="POST"):
        opened = interface.open_session(app, request)
        assert isinstance(opened, SecureCookieSession)
        assert not interface.is_null_session(opened)

    answer = client.post("/api/v1/reports", json=REPORT)
    assert answer.status_code == 201
    assert "Set-Cookie" not in answer.headers and "Cookie" not in answer.vary
