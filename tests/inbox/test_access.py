"""Who can reach what: every /inbox/ route and method against anonymous visitors and each
role, CSRF on every form, sign-in throttling, idle sessions, disabled accounts and reset
passwords, and the session cookie's flags."""

from __future__ import annotations

import pytest
from flask import url_for

from feedback_api import db as feedback_db
from feedback_api import staff
from feedback_api.inbox import access
from feedback_api.models import ROLES
from tests.inbox.conftest import (
    EMAILS,
    PASSWORD,
    add_staff,
    csrf_token,
    item,
    page_text,
    send_report,
    sign_in,
)

# The least role each inbox page needs. A new route must be added here to pass.
EXPECTED = {
    "inbox.sign_in": "public",
    "inbox.sign_out": "viewer",
    "inbox.item_list": "viewer",
    "inbox.item_view": "viewer",
    "inbox.move": "triager",
    "inbox.resolve": "triager",
    "inbox.dismiss": "triager",
    "inbox.reopen": "triager",
    "inbox.assign": "triager",
    "inbox.add_note": "triager",
    "inbox.bulk": "triager",
    "inbox.legal_hold": "admin",
    "inbox.export": "admin",
    "inbox.audit_export": "admin",
}


def inbox_routes(app, item_id: int) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every /inbox/ rule and method."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/inbox"):
                continue
            args = {"item_id": item_id} if "item_id" in rule.arguments else {}
            url = url_for(rule.endpoint, **args)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method, url))
    return routes


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def request(client, method: str, url: str, token: str | None):
    if method == "GET":
        return client.get(url)
    data = {"csrf_token": token} if token else {}
    return client.open(url, method=method, data=data)


def test_every_inbox_route_is_known_and_needs_its_role(app, client, database_url):
    code = send_report(client, name="Ana Resident", email="ana@example.org")
    routes = inbox_routes(app, item(database_url, code)["id"])
    assert {endpoint for endpoint, _, _ in routes} == set(EXPECTED)
    assert access.REQUIRED == {e: r for e, r in EXPECTED.items()}

    anonymous = app.test_client()
    token = csrf_token(anonymous)  # a valid token buys an anonymous visitor nothing
    for endpoint, method, url in routes:
        if EXPECTED[endpoint] == "public":
            continue
        response = request(anonymous, method, url, token)
        if method == "GET":
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/inbox/login?next="), url
        else:
            assert response.status_code == 401, (method, url, response.status_code)
            assert "Please sign in again" in page_text(response)

    clients = {}
    for role in ROLES:
        add_staff(app, role)
        clients[role] = app.test_client()
        assert sign_in(clients[role], EMAILS[role]).status_code == 303
    for endpoint, method, url in routes:
        needed = EXPECTED[endpoint]
        if needed == "public" or endpoint == "inbox.sign_out":
            continue
        for role in ROLES:
            client_ = clients[role]
            response = request(client_, method, url, csrf_token(client_, "/inbox/"))
            if ROLES.index(role) < ROLES.index(needed):
                assert response.status_code == 403, (role, method, url, response.status_code)
                assert "You cannot do this" in page_text(response)
            else:
                assert response.status_code not in (401, 403), (role, method, url)
    # Nothing an anonymous visitor or a viewer sent changed the item.
    row = item(database_url, code)
    assert (row["state"], row["assignee_id"], row["legal_hold"]) == ("new", None, False)


def test_every_form_needs_its_csrf_token(app, signed_in, database_url):
    admin = signed_in("admin")
    code = send_report(admin)
    posts = [(e, m, u) for e, m, u in inbox_routes(app, item(database_url, code)["id"])
             if m != "GET"]
    assert len(posts) == 12
    for endpoint, method, url in posts:
        for token in (None, "forged-token"):
            response = request(admin, method, url, token)
            assert response.status_code == 400, (endpoint, token, response.status_code)
            text = page_text(response)
            assert "This form has expired" in text and "Nothing was changed" in text
    assert item(database_url, code)["state"] == "new"
    assert admin.get("/inbox/").status_code == 200  # still signed in: sign-out needed a token


def test_sign_in_takes_you_where_you_were_going(app, client, database_url):
    add_staff(app, "viewer")
    code = send_report(client)
    wanted = f"/inbox/items/{item(database_url, code)['id']}"
    response = client.get(wanted)
    assert response.headers["Location"] == f"/inbox/login?next={wanted}"
    response = sign_in(client, EMAILS["viewer"], next=wanted)
    assert response.status_code == 303 and response.headers["Location"] == wanted
    assert code in client.get(wanted).get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/inbox/", "//evil.example/inbox/",
                                    "/feedback/", "/inbox\\..\\x"])
def test_sign_in_never_sends_you_off_the_inbox(app, client, target):
    add_staff(app, "viewer")
    response = sign_in(client, EMAILS["viewer"], next=target)
    assert response.status_code == 303 and response.headers["Location"] == "/inbox/"


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(app):
    add_staff(app, "triager")
    wrong = sign_in(app.test_client(), EMAILS["triager"], "not the password at all")
    unknown = sign_in(app.test_client(), "nobody@cabq.gov", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert page_text(wrong) == page_text(unknown)
    assert "email address or password is not right" in page_text(wrong)
    assert app.test_client().get("/inbox/").status_code == 302


def test_sign_in_is_paused_after_five_failures_for_an_account(app):
    add_staff(app, "triager")
    for n in range(5):  # from five addresses: the account's own limit
        client = client_at(app, f"10.0.0.{n}")
        assert sign_in(client, EMAILS["triager"], "wrong password!").status_code == 401
    client = client_at(app, "10.0.0.99")
    paused = sign_in(client, EMAILS["triager"])  # even the right password
    assert paused.status_code == 429
    assert "sign-in is paused" in page_text(paused)
    assert client.get("/inbox/").status_code == 302  # not signed in

    for n in range(5):  # an account that does not exist is paused the same way
        client = client_at(app, f"10.0.1.{n}")
        sign_in(client, "nobody@cabq.gov", "wrong password!")
    ghost = sign_in(client_at(app, "10.0.1.99"),
                    "nobody@cabq.gov", "wrong password!")
    assert ghost.status_code == 429
    assert page_text(ghost).replace("nobody@cabq.gov", "X") == \
        page_text(paused).replace(EMAILS["triager"], "X")


def test_sign_in_is_paused_after_five_failures_from_an_address(app):
    add_staff(app, "admin")
    client = client_at(app, "192.0.2.7")
    for n in range(5):
        assert sign_in(client, f"guess{n}@cabq.gov", "wrong password!").status_code == 401
    assert sign_in(client, EMAILS["admin"]).status_code == 429
    other = client_at(app, "192.0.2.8")
    assert sign_in(other, EMAILS["admin"]).status_code == 303  # another address is fine


def test_successful_sign_ins_do_not_use_up_the_limit(app):
    add_staff(app, "viewer")
    for _ in range(4):
        assert sign_in(app.test_client(), EMAILS["viewer"], "wrong password!").status_code == 401
    for _ in range(6):
        assert sign_in(app.test_client(), EMAILS["viewer"]).status_code == 303
    assert sign_in(app.test_client(), EMAILS["viewer"], "wrong password!").status_code == 401
    assert sign_in(app.test_client(), EMAILS["viewer"]).status_code == 429


def test_failed_sign_ins_say_how_many_tries_are_left_and_when_to_try_again(app):
    add_staff(app, "admin")
    client = client_at(app, "192.0.2.30")
    left = []
    for n in range(5):
        failed = sign_in(client, f"guess{n}@cabq.gov", "wrong password!")
        assert failed.status_code == 401 and "Retry-After" not in failed.headers
        assert failed.headers["X-RateLimit-Limit"] == "5"
        left.append(failed.headers["X-RateLimit-Remaining"])
    assert left == ["4", "3", "2", "1", "0"]  # the address's window: the one nearest full
    paused = sign_in(client, EMAILS["admin"])
    assert paused.status_code == 429
    assert 0 < int(paused.headers["Retry-After"]) <= 60
    assert paused.headers["X-RateLimit-Remaining"] == "0"
    assert client.get("/inbox/login").status_code == 200  # the page itself is not limited


def test_sign_in_limits_are_shared_through_redis_under_their_old_key_names(
        make_app, redis_url, redis_prefix):
    import redis

    storage = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": redis_prefix}
    one, two = make_app(**storage), make_app(**storage)  # two workers
    add_staff(one, "admin")
    for n in range(5):
        worker = one if n % 2 else two
        assert sign_in(client_at(worker, "192.0.2.40"), f"guess{n}@cabq.gov",
                       "wrong password!").status_code == 401
    assert sign_in(client_at(one, "192.0.2.40"), EMAILS["admin"]).status_code == 429
    assert sign_in(client_at(two, "192.0.2.40"), EMAILS["admin"]).status_code == 429
    assert sign_in(client_at(two, "192.0.2.41"), EMAILS["admin"]).status_code == 303

    # The names Flask-Limiter gave these counts, so counts survive an upgrade.
    connection = redis.Redis.from_url(redis_url)
    try:
        start = f"LIMITS:LIMITER/{redis_prefix}/"
        assert connection.get(f"{start}address:192.0.2.40/sign-in-by_address/5/1/minute") \
            == b"5"
        assert connection.get(f"{start}account:guess0@cabq.gov/sign-in-by_account/5/1/minute") \
            == b"1"
        assert 0 < connection.ttl(f"{start}address:192.0.2.40/sign-in-by_address/5/1/minute") \
            <= 60
        assert not connection.keys(f"*{redis_prefix}*{EMAILS['admin']}*")  # successes
    finally:
        connection.close()


def test_sign_in_stays_limited_when_redis_is_down(make_app, caplog):
    from tests.conftest import free_port

    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    add_staff(app, "admin")
    client = client_at(app, "192.0.2.60")
    for n in range(5):
        assert sign_in(client, f"guess{n}@cabq.gov", "wrong password!").status_code == 401
    assert sign_in(client, EMAILS["admin"]).status_code == 429  # counted in memory
    assert "falling back to in-memory storage" in caplog.text


def test_a_session_ends_after_the_idle_time(make_app, monkeypatch):
    app = make_app(INBOX_IDLE_MINUTES=1)
    add_staff(app, "viewer")
    client = app.test_client()
    assert sign_in(client, EMAILS["viewer"]).status_code == 303
    clock = [access.time.time()]
    monkeypatch.setattr(access.time, "time", lambda: clock[0])
    clock[0] += 50
    assert client.get("/inbox/").status_code == 200  # activity keeps it alive
    clock[0] += 50
    assert client.get("/inbox/").status_code == 200
    clock[0] += 61
    response = client.get("/inbox/")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    login = client.get(response.headers["Location"])
    assert "signed out after 1 minute without activity" in page_text(login)
    assert client.get("/inbox/").status_code == 302  # and it stays ended


def test_disabling_an_account_ends_its_sessions_and_sign_ins(app):
    add_staff(app, "triager")
    client = app.test_client()
    assert sign_in(client, EMAILS["triager"]).status_code == 303
    with app.app_context():
        staff.disable(feedback_db.session(), EMAILS["triager"])
    assert client.get("/inbox/").status_code == 302
    again = sign_in(app.test_client(), EMAILS["triager"])
    assert again.status_code == 401 and "not right" in page_text(again)


def test_a_password_reset_ends_sessions_and_the_old_password(app):
    add_staff(app, "triager")
    client = app.test_client()
    assert sign_in(client, EMAILS["triager"]).status_code == 303
    with app.app_context():
        staff.reset_password(feedback_db.session(), EMAILS["triager"], "a brand new passphrase")
    assert client.get("/inbox/").status_code == 302
    assert sign_in(app.test_client(), EMAILS["triager"]).status_code == 401
    assert sign_in(app.test_client(), EMAILS["triager"],
                   "a brand new passphrase").status_code == 303


def test_signing_out_ends_the_session(signed_in):
    client = signed_in("viewer")
    response = client.post("/inbox/logout", data={"csrf_token": csrf_token(client, "/inbox/")})
    assert response.status_code == 303
    assert client.get("/inbox/").status_code == 302


def test_the_session_cookie_is_secure_httponly_and_lax_outside_tests(make_app):
    app = make_app(TESTING=False)
    add_staff(app, "viewer")
    response = sign_in(app.test_client(), EMAILS["viewer"], PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    development = make_app(TESTING=False, DEVELOPMENT=True)
    assert development.config["SESSION_COOKIE_SECURE"] is False
    assert make_app(TESTING=False, SESSION_COOKIE_SECURE="false").config[
        "SESSION_COOKIE_SECURE"] is False


def test_pages_are_never_cached_and_keep_the_security_headers(signed_in):
    client = signed_in("viewer")
    response = client.get("/inbox/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
