"""Who can reach what: every /inbox/ route and method against anonymous visitors and each
role, CSRF on every form, idle sessions, disabled accounts and reset passwords, and the
session cookie's flags. Sign-in limits: test_sign_in_limits.py."""

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
    TOKEN,
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
    "inbox.sign_in_pauses": "admin",
    "inbox.lift_sign_in_pause": "admin",
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
    assert len(posts) == 13
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


def test_over_https_inbox_forms_must_come_from_the_inbox(app):
    add_staff(app, "admin")
    client = app.test_client()
    site = "https://localhost"
    page = client.get("/inbox/login", base_url=site).get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    form = {"email": EMAILS["admin"], "password": PASSWORD, "csrf_token": token}
    refused = client.post("/inbox/login", data=form, base_url=site)
    assert refused.status_code == 400
    assert "not sent from a page of this site" in refused.get_data(as_text=True)
    signed_in = client.post("/inbox/login", data=form, base_url=site,
                            headers={"Referer": f"{site}/inbox/login"})
    assert signed_in.status_code == 303
