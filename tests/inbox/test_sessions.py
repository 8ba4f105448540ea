"""Sessions end on the server: signing out makes a copied cookie worthless, an absolute
lifetime (INBOX_SESSION_HOURS) ends even a busy session, and each browser's session is its
own. Runs on SQLite and PostgreSQL; the clock is time.time, set by the test."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, func, select, text

from feedback_api.config import ConfigError
from feedback_api.models import ItemNote
from tests.inbox.conftest import (
    EMAILS,
    add_staff,
    csrf_token,
    item,
    item_id,
    page_text,
    send_report,
    sign_in,
)


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie, as someone who copied
    it (from a shared computer, a proxy log, a stolen laptop) would."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None, "no session cookie to copy"
    other = app.test_client()
    other.set_cookie(name, cookie.value)
    return other


def count(url: str, statement) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(statement)
    finally:
        engine.dispose()


def test_a_copy_of_the_session_cookie_stops_working_at_sign_out(app, signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager, name="Ana Resident", email="ana@example.org")
    url = f"/inbox/items/{item_id(database_url, code)}"
    token = csrf_token(triager, url)  # the cookie now holds the form token too
    copied = copy_of(app, triager)
    assert copied.get("/inbox/").status_code == 200  # the copy works while the session does

    signed_out = triager.post("/inbox/logout", data={"csrf_token": token})
    assert signed_out.status_code == 303

    page = copied.get("/inbox/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/inbox/login")
    note = copied.post(f"{url}/notes", data={"csrf_token": token,
                                              "note": "Written with a copied cookie."})
    assert note.status_code == 401
    assert "Please sign in again" in page_text(note)
    assert count(database_url, select(func.count()).select_from(ItemNote)) == 0
    assert copied.get(url).status_code == 302  # and the item, name and all, stays shut
    assert count(database_url, text("SELECT count(*) FROM staff_sessions")) == 0  # none kept


def test_signing_out_ends_this_browsers_session_only(app, database_url):
    add_staff(app, "viewer")
    desk, laptop = app.test_client(), app.test_client()
    assert sign_in(desk, EMAILS["viewer"]).status_code == 303
    assert sign_in(laptop, EMAILS["viewer"]).status_code == 303
    assert desk.post("/inbox/logout",
                     data={"csrf_token": csrf_token(desk, "/inbox/")}).status_code == 303
    assert desk.get("/inbox/").status_code == 302
    assert laptop.get("/inbox/").status_code == 200


def test_users_sign_out_ends_every_session_of_an_account(app):
    add_staff(app, "triager")
    desk, laptop = app.test_client(), app.test_client()
    assert sign_in(desk, EMAILS["triager"]).status_code == 303
    assert sign_in(laptop, EMAILS["triager"]).status_code == 303
    result = app.test_cli_runner().invoke(args=["users", "sign-out", EMAILS["triager"]])
    assert result.exit_code == 0, result.output
    assert result.output == f"Ended 2 sessions of {EMAILS['triager']}.\n"
    assert desk.get("/inbox/").status_code == 302
    assert laptop.get("/inbox/").status_code == 302
    assert sign_in(app.test_client(), EMAILS["triager"]).status_code == 303  # may sign in


@pytest.fixture
def clock(monkeypatch):
    """time.time, moved on by the test: `clock.advance(minutes=20)`."""

    class Clock:
        now = time.time()

        def advance(self, minutes: float) -> None:
            self.now += minutes * 60

    chosen = Clock()
    monkeypatch.setattr(time, "time", lambda: chosen.now)
    return chosen


def test_a_busy_session_still_ends_after_its_lifetime(make_app, clock):
    app = make_app(INBOX_SESSION_HOURS=2, INBOX_IDLE_MINUTES=30)
    add_staff(app, "viewer")
    client = app.test_client()
    assert sign_in(client, EMAILS["viewer"]).status_code == 303
    for _ in range(5):  # 1 hour 40 minutes of steady work: never idle for 30 minutes
        clock.advance(minutes=20)
        assert client.get("/inbox/").status_code == 200
    clock.advance(minutes=19)
    assert client.get("/inbox/").status_code == 200  # 1:59 after signing in
    clock.advance(minutes=2)  # 2:01: past the lifetime, though used two minutes ago
    response = client.get("/inbox/items/1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox/login?next=/inbox/items/1"
    login = page_text(client.get(response.headers["Location"]))
    assert "You were signed out because a session lasts at most 2 hours after signing in" \
        in login
    assert "without activity" not in login
    assert client.get("/inbox/").status_code == 302  # and it stays ended
    assert sign_in(client, EMAILS["viewer"]).status_code == 303  # a new one starts afresh
    assert client.get("/inbox/").status_code == 200


def test_a_form_sent_after_the_lifetime_changes_nothing_and_says_why(make_app, clock,
                                                                      database_url):
    app = make_app(INBOX_SESSION_HOURS=1)
    add_staff(app, "triager")
    client = app.test_client()
    assert sign_in(client, EMAILS["triager"]).status_code == 303
    code = send_report(client)
    url = f"/inbox/items/{item_id(database_url, code)}"
    for _ in range(3):
        clock.advance(minutes=20)
        assert client.get(url).status_code == 200
    token = csrf_token(client, url)  # a form opened at 1:00, sent at 1:01
    clock.advance(minutes=1)
    refused = client.post(f"{url}/move", data={"csrf_token": token, "to": "triaged"})
    assert refused.status_code == 401
    text = page_text(refused)
    assert "Please sign in again" in text and "nothing was changed" in text
    assert "a session lasts at most 1 hour after signing in" in text
    assert item(database_url, code)["state"] == "new"


@pytest.mark.parametrize("value", ["a day", "0", "169", "8.5", ""])
def test_the_lifetime_setting_is_checked_at_start(make_app, monkeypatch, value):
    monkeypatch.setenv("INBOX_SESSION_HOURS", value)
    with pytest.raises(ConfigError) as error:
        make_app()
    assert "INBOX_SESSION_HOURS" in str(error.value)


def test_the_lifetime_is_a_working_day_unless_set(make_app, monkeypatch):
    monkeypatch.delenv("INBOX_SESSION_HOURS", raising=False)
    assert make_app().config["INBOX_SESSION_HOURS"] == 8
    monkeypatch.setenv("INBOX_SESSION_HOURS", "10")
    assert make_app().config["INBOX_SESSION_HOURS"] == 10
