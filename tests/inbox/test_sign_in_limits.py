"""Failed staff sign-ins, limited through Flask-Limiter: per account, per account and
address, per address; what the real member of staff can still do while someone else is
guessing; and the pauses an admin sees and lifts (the inbox page, `users unlock`).

The windows are moving windows on a clock the tests move (time.time, which Flask-Limiter,
`limits` and the sessions read): a day passes in an instant, on memory and on Redis alike.
The defaults: INBOX_SIGN_IN_LIMIT "10 per minute;50 per hour;100 per day",
INBOX_SIGN_IN_SOURCE_LIMIT "5 per minute;10 per hour;20 per day",
INBOX_SIGN_IN_ADDRESS_LIMIT "20 per minute;100 per hour".
"""

from __future__ import annotations

import re
import time

import pytest
import redis

from feedback_api import create_app
from feedback_api.config import ConfigError
from tests.conftest import free_port
from tests.inbox.conftest import (
    EMAILS,
    PASSWORD,
    add_staff,
    csrf_token,
    page_text,
    post,
    sign_in,
)

WRONG = "not the password at all"
MINUTE, HOUR, DAY = 60, 3600, 86400
# How long after Retry-After a client comes back: a little, as on a real clock, where it is
# never the very microsecond its oldest failure leaves the window. (At that exact moment,
# limits' memory storage lets the attempt be checked but does not count it.)
COMING_BACK = 0.37


class Clock:
    """time.time, standing still until the test moves it on."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(time, "time", moved)
    return moved


@pytest.fixture(params=["memory", "redis"])
def storage(request) -> dict:
    if request.param == "memory":
        return {"RATELIMIT_STORAGE_URI": "memory://"}
    return {"RATELIMIT_STORAGE_URI": request.getfixturevalue("redis_url"),
            "RATELIMIT_KEY_PREFIX": request.getfixturevalue("redis_prefix")}


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(app, address: str, email: str, password: str = WRONG):
    return sign_in(client_at(app, address), email, password)


# ---------------------------------------------------------------------------------------
# One source


def windows_hold(times: list[float], limits: dict[int, int]) -> bool:
    """No more than `amount` of these moments in any `seconds` long stretch."""
    return all(sum(1 for t in times if start <= t < start + seconds) <= amount
               for seconds, amount in limits.items() for start in times)


def test_one_address_is_stopped_quickly_and_waits_longer_each_time(make_app, clock, storage):
    app = make_app(**storage)
    add_staff(app, "triager")
    email = EMAILS["triager"]
    here, start = "192.0.2.10", clock.now
    checked, waits, longest = [], [], ""
    while clock.now < start + 2 * DAY:
        answer = attempt(app, here, email)
        if answer.status_code == 401:
            checked.append(clock.now)
            clock.advance(1)
            continue
        assert answer.status_code == 429 and "sign-in is paused" in page_text(answer)
        waits.append(int(answer.headers["Retry-After"]))
        if len(waits) == 1:
            assert len(checked) == 5  # 5 per minute from one address
            # Not even the right password is checked from here now, while the account,
            # which one address cannot pause on its own, signs in from elsewhere.
            assert attempt(app, here, email, PASSWORD).status_code == 429
            assert attempt(app, "192.0.2.11", email, PASSWORD).status_code == 303
        if waits[-1] == max(waits):
            longest = page_text(answer)
        clock.advance(waits[-1] + COMING_BACK)
    assert windows_hold(checked, {MINUTE: 5, HOUR: 10, DAY: 20})
    assert len([t for t in checked if t < start + DAY]) == 20
    assert len(checked) == 40  # and 20 more the next day
    # The pauses grow: a minute, then up to an hour, then most of a day.
    assert waits[0] <= MINUTE and any(MINUTE < w <= HOUR for w in waits)
    assert max(waits) > 20 * HOUR
    assert re.search(r"wait about 2[0-3] hours and try again", longest), longest


# ---------------------------------------------------------------------------------------
# Many sources


def test_a_guesser_with_endless_addresses_gets_100_checks_a_day(make_app, clock, storage):
    app = make_app(**storage)
    add_staff(app, "admin")
    email = EMAILS["admin"]
    start = clock.now
    checked, waits, n = [], [], 0
    while clock.now < start + DAY:
        n += 1
        answer = attempt(app, f"2001:db8:{n // 65536:x}:{n % 65536:x}::1", email)
        if answer.status_code == 401:
            checked.append(clock.now)
            clock.advance(1)
        else:
            assert answer.status_code == 429
            waits.append(int(answer.headers["Retry-After"]))
            clock.advance(waits[-1] + COMING_BACK)
    assert len(checked) == 100
    assert max(waits) > 20 * HOUR  # the day's allowance is used up: the rest of the day
    assert checked[49] - checked[0] < HOUR <= checked[50] - checked[0]  # 50 per hour


def test_the_real_user_still_signs_in_from_an_address_they_used(make_app, clock):
    app = make_app(INBOX_SIGN_IN_LIMIT="3 per hour")
    add_staff(app, "admin")
    email, office, home = EMAILS["admin"], "198.51.100.20", "2001:db8:aa:1::5"
    assert attempt(app, office, email, PASSWORD).status_code == 303
    clock.advance(10 * 24 * HOUR)
    for n in range(3):  # someone guessing from elsewhere pauses the account ...
        assert attempt(app, f"203.0.113.{n}", email).status_code == 401
    assert attempt(app, "203.0.113.99", email).status_code == 429
    # ... for every address the account has not signed in from lately, the right password
    # included (it is not checked, so it tells the guesser nothing) ...
    paused = attempt(app, home, email, PASSWORD)
    assert paused.status_code == 429 and "sign-in is paused" in page_text(paused)
    # ... but not from the office, where a typo is just a typo (its own limit applies).
    assert attempt(app, office, email).status_code == 401
    assert attempt(app, office, email, PASSWORD).status_code == 303
    # An address used more than 30 days ago is not one the account signs in from.
    clock.advance(31 * 24 * HOUR)
    for n in range(3):
        assert attempt(app, f"203.0.113.{n}", email).status_code == 401
    assert attempt(app, office, email, PASSWORD).status_code == 429


def test_an_unknown_account_is_paused_exactly_like_a_real_one(make_app, clock):
    app = make_app(INBOX_SIGN_IN_LIMIT="3 per hour")
    add_staff(app, "triager")
    answers = {}
    for email in (EMAILS["triager"], "nobody@cabq.gov"):
        for n in range(3):
            assert attempt(app, f"10.0.{len(answers)}.{n}", email).status_code == 401
        answers[email] = attempt(app, "10.9.9.9", email)
    real, ghost = answers.values()
    assert real.status_code == ghost.status_code == 429
    assert real.headers["Retry-After"] == ghost.headers["Retry-After"]
    assert page_text(ghost).replace("nobody@cabq.gov", "X") == \
        page_text(real).replace(EMAILS["triager"], "X")


def test_one_address_trying_many_accounts_is_stopped(make_app, clock):
    app = make_app()
    add_staff(app, "viewer")
    here = "192.0.2.50"
    for n in range(20):  # 20 per minute from one address, whatever the account
        assert attempt(app, here, f"guess{n}@cabq.gov").status_code == 401
    assert attempt(app, here, EMAILS["viewer"], PASSWORD
                   ).status_code == 429
    assert attempt(app, "192.0.2.51", EMAILS["viewer"], PASSWORD
                   ).status_code == 303


# ---------------------------------------------------------------------------------------
# What counts, and what the answers say


def test_only_failed_password_checks_count(make_app, clock):
    app = make_app(INBOX_SIGN_IN_SOURCE_LIMIT="2 per minute")
    add_staff(app, "viewer")
    here, email = "192.0.2.30", EMAILS["viewer"]
    client = client_at(app, here)
    for _ in range(3):
        assert client.post("/inbox/login", data={"email": email, "password": "x",
                                                 "csrf_token": "forged"}).status_code == 400
        assert client.post("/inbox/login", data={"email": email, "password": "",
                                                 "csrf_token": csrf_token(client)}
                           ).status_code == 422
        assert attempt(app, here, email, PASSWORD).status_code == 303  # successes neither
    assert attempt(app, here, email).status_code == 401
    assert attempt(app, here, email).status_code == 401
    assert attempt(app, here, email, PASSWORD).status_code == 429


def test_answers_say_how_many_tries_are_left_and_when_to_try_again(make_app, clock):
    app = make_app()
    add_staff(app, "admin")
    client = client_at(app, "192.0.2.40")
    page = client.get("/inbox/login")
    assert page.status_code == 200 and "X-RateLimit-Limit" not in page.headers
    left = []
    for _ in range(5):
        failed = sign_in(client, EMAILS["admin"], WRONG)
        assert failed.status_code == 401 and "Retry-After" not in failed.headers
        assert failed.headers["X-RateLimit-Limit"] == "5"  # the shortest window: this address's
        left.append(failed.headers["X-RateLimit-Remaining"])
    assert left == ["4", "3", "2", "1", "0"]
    paused = sign_in(client, EMAILS["admin"])
    assert paused.status_code == 429
    assert 0 < int(paused.headers["Retry-After"]) <= MINUTE
    assert paused.headers["X-RateLimit-Remaining"] == "0"
    assert "wait a minute and try again" in page_text(paused)
    assert client.get("/inbox/login").status_code == 200  # the page itself is not limited


# ---------------------------------------------------------------------------------------
# Storage: shared through Redis, and in memory while Redis is away


def test_sign_in_limits_are_shared_through_redis(make_app, clock, redis_url, redis_prefix):
    storage = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": redis_prefix}
    one, two = make_app(**storage), make_app(**storage)  # two workers
    add_staff(one, "admin")
    for n in range(5):
        assert attempt(one if n % 2 else two, "192.0.2.40", EMAILS["admin"]).status_code == 401
    assert attempt(one, "192.0.2.40", EMAILS["admin"], PASSWORD
                   ).status_code == 429
    assert attempt(two, "192.0.2.40", EMAILS["admin"], PASSWORD
                   ).status_code == 429
    connection = redis.Redis.from_url(redis_url)
    try:
        key = (f"LIMITS:LIMITER/{redis_prefix}/source:{EMAILS['admin']} 192.0.2.40/"
               "sign-in-source/5/1/minute")
        assert connection.llen(key) == 5
    finally:
        connection.close()


def test_sign_in_stays_limited_when_redis_is_down(make_app, clock, caplog):
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    add_staff(app, "admin")
    for _ in range(5):
        assert attempt(app, "192.0.2.60", EMAILS["admin"]).status_code == 401
    assert attempt(app, "192.0.2.60", EMAILS["admin"], PASSWORD
                   ).status_code == 429  # counted in memory
    assert attempt(app, "192.0.2.61", EMAILS["admin"], PASSWORD
                   ).status_code == 303
    assert "falling back to in-memory storage" in caplog.text
    assert "192.0.2.60" not in caplog.text  # the logs never keep an address


# ---------------------------------------------------------------------------------------
# What an admin sees and lifts


def pause_account(app, email: str) -> int:
    """Someone guessing from address after address until the account is paused for new
    ones; returns how many guesses were checked."""
    for n in range(200):
        answer = attempt(app, f"203.0.113.{n}", email)
        if answer.status_code == 429:
            return n
        assert answer.status_code == 401
    raise AssertionError("the account was never paused")


def test_an_admin_sees_paused_accounts_and_lifts_a_pause(make_app, clock, storage,
                                                         audit_mark):
    app = make_app(**storage)
    add_staff(app, "admin")
    add_staff(app, "triager")
    admin = client_at(app, "198.51.100.1")
    assert sign_in(admin, EMAILS["admin"]).status_code == 303
    assert "No staff account is paused" in page_text(admin.get("/inbox/sign-in-pauses"))

    for _ in range(5):  # the triager's own address, by typing it wrong ...
        assert attempt(app, "192.0.2.77", EMAILS["triager"]).status_code == 401
    assert pause_account(app, EMAILS["triager"]) == 5  # ... and someone else's guesses
    listed = page_text(admin.get("/inbox/sign-in-pauses"))
    assert EMAILS["triager"] in listed and EMAILS["admin"] not in listed.split("Action")[1]
    unlocks = time.strftime("%-d %B %Y at %H:%M UTC", time.gmtime(clock.now + MINUTE))
    assert f"{EMAILS['triager']} {unlocks}" in listed
    assert "1, until" in listed

    # Lifting is a POST with the page's CSRF token: without one, nothing changes.
    assert admin.post("/inbox/sign-in-pauses/lift",
                      data={"email": EMAILS["triager"]}).status_code == 400
    assert attempt(app, "192.0.2.78", EMAILS["triager"], PASSWORD
                   ).status_code == 429
    lifted = post(admin, "/inbox/sign-in-pauses/lift", {"email": EMAILS["triager"]},
                  token_from="/inbox/sign-in-pauses")
    assert lifted.status_code == 303
    page = page_text(admin.get(lifted.headers["Location"]))
    assert f"{EMAILS['triager']} can sign in again now" in page
    assert "No staff account is paused" in page
    for address in ("192.0.2.78", "192.0.2.77"):
        assert attempt(app, address, EMAILS["triager"], PASSWORD
                       ).status_code == 303
    events = [(e["actor"], e["action"]) for e in audit_mark()
              if e["action"] == "sign-in-unlocked"]
    assert events == [(EMAILS["admin"], "sign-in-unlocked")]


def test_lifting_a_pause_on_no_account_changes_nothing(signed_in):
    admin = signed_in("admin")
    for email in ("nobody@cabq.gov", "", "x" * 5000):
        answer = post(admin, "/inbox/sign-in-pauses/lift", {"email": email},
                      token_from="/inbox/sign-in-pauses")
        assert answer.status_code == 400 and "No such account" in page_text(answer)


def test_users_unlock_lifts_the_pause_from_the_command_line(make_app, clock, redis_url,
                                                            redis_prefix, audit_mark):
    storage = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": redis_prefix}
    server = make_app(**storage)
    add_staff(server, "viewer")
    assert pause_account(server, EMAILS["viewer"]) == 10
    command = make_app(**storage)  # `flask --app feedback_api users unlock`, another process
    result = command.test_cli_runner().invoke(args=["users", "unlock", EMAILS["viewer"]])
    assert result.exit_code == 0, result.output
    assert f"{EMAILS['viewer']} can sign in again now" in result.output
    assert attempt(server, "192.0.2.90", EMAILS["viewer"], PASSWORD
                   ).status_code == 303
    events = [(e["actor"], e["action"]) for e in audit_mark()
              if e["action"] == "sign-in-unlocked"]
    assert events == [("command line", "sign-in-unlocked")]
    missing = command.test_cli_runner().invoke(args=["users", "unlock", "nobody@cabq.gov"])
    assert missing.exit_code != 0 and "No account has the address" in missing.output
    assert "Traceback" not in missing.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the markup is the same
def test_the_pauses_pages_are_valid_html(make_app, clock, tmp_path):
    from tests.conftest import html_errors

    app = make_app()
    add_staff(app, "admin")
    add_staff(app, "triager")
    admin = client_at(app, "198.51.100.1")
    assert sign_in(admin, EMAILS["admin"]).status_code == 303
    pages = {"none paused": admin.get("/inbox/sign-in-pauses")}
    pause_account(app, EMAILS["triager"])
    pages["sign-in paused (429)"] = attempt(app, "192.0.2.5", EMAILS["triager"])
    pages["one paused"] = admin.get("/inbox/sign-in-pauses")
    pages["no such account (400)"] = post(admin, "/inbox/sign-in-pauses/lift",
                                          {"email": "nobody@cabq.gov"},
                                          token_from="/inbox/sign-in-pauses")
    lifted = post(admin, "/inbox/sign-in-pauses/lift", {"email": EMAILS["triager"]},
                  token_from="/inbox/sign-in-pauses")
    pages["lifted"] = admin.get(lifted.headers["Location"])
    assert {name: page.status_code for name, page in pages.items()} == {
        "none paused": 200, "sign-in paused (429)": 429, "one paused": 200,
        "no such account (400)": 400, "lifted": 200}
    files = []
    for n, page in enumerate(pages.values()):
        files.append(tmp_path / f"page-{n}.html")
        files[-1].write_text(page.get_data(as_text=True), encoding="utf-8")
    errors = html_errors(files, tmp_path)
    assert not errors, "\n".join(errors)


# ---------------------------------------------------------------------------------------
# Settings


@pytest.mark.parametrize("name", ["INBOX_SIGN_IN_LIMIT", "INBOX_SIGN_IN_SOURCE_LIMIT",
                                  "INBOX_SIGN_IN_ADDRESS_LIMIT"])
@pytest.mark.parametrize("value", ["now and then", "", "0 per minute", "5 per minute;"])
def test_a_sign_in_limit_that_cannot_be_used_stops_the_start(name, value, tmp_path, catalog):
    with pytest.raises(ConfigError, match=name):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "CATALOG": catalog,
                    "SECRET_KEY": "k" * 40, name: value})
