"""Fixtures for the staff inbox: the intake's databases and apps (tests/api/conftest.py),
staff accounts, signed-in clients, and items seeded straight into the database.

Every test that takes `app` runs on SQLite and on PostgreSQL. Each test starts with no
items, notes or staff; the audit log is append-only (the database refuses DELETE), so
tests read only the events of their own items or those after `audit_mark`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from feedback_api import db as feedback_db
from feedback_api import staff
from feedback_api.models import AuditEvent, Submission
from feedback_api.tracking import new_tracking_code
from tests.api.conftest import (  # noqa: F401  (fixtures, shared with the intake tests)
    FEEDBACK,
    REPORT,
    app_config,
    app_maker,
    catalog,
    postgres_database,
    postgres_server,
    read_form,
    sqlite_database,
    tiny_site,
)

PASSWORD = "correct horse battery staple"
EMAILS = {"viewer": "vera.viewer@cabq.gov", "triager": "tom.triager@cabq.gov",
          "admin": "ada.admin@cabq.gov"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def empty_inbox(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in ("item_notes", "submissions", "staff_sessions", "staff"):
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    """An up-to-date database with no items, notes or staff: each test runs on both."""
    url = request.getfixturevalue(f"{request.param}_database")
    empty_inbox(url)
    return url


def inbox_config(database_url: str, catalog, **overrides) -> dict:  # noqa: F811
    # Items come in through the API: no submission limit in the way of a test.
    return app_config(database_url, catalog,
                      **{"TESTING": True, "RATELIMIT_SUBMIT": "1000 per minute", **overrides})


@pytest.fixture
def make_app(database_url, catalog):  # noqa: F811
    yield from app_maker(functools.partial(inbox_config, database_url, catalog))


# ---------------------------------------------------------------------------------------
# Staff


def add_staff(app, role: str, email: str | None = None, password: str = PASSWORD):
    with app.app_context():
        row = staff.create(feedback_db.session(), email or EMAILS[role], role, password)
        return row.id


def csrf_token(client, url: str = "/inbox/login") -> str:
    response = client.get(url)
    found = TOKEN.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def sign_in(client, email: str, password: str = PASSWORD, next: str | None = None):
    token = csrf_token(client)
    url = "/inbox/login" + (f"?next={next}" if next else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def signed_in(app):
    """A client signed in with a role, creating the account: signed_in("triager")."""

    def make(role: str, email: str | None = None):
        email = email or EMAILS[role]
        add_staff(app, role, email)
        client = app.test_client()
        response = sign_in(client, email)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return make


def post(client, url: str, data: dict | None = None, token_from: str = "/inbox/"):
    """A form POST with the CSRF token a browser would have from the inbox."""
    return client.post(url, data={"csrf_token": csrf_token(client, token_from), **(data or {})})


# ---------------------------------------------------------------------------------------
# Items


def send_report(client, **fields) -> str:
    response = client.post("/api/v1/reports", json={**REPORT, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["tracking_code"]


def send_feedback(client, **fields) -> str:
    response = client.post("/api/v1/feedback", json={**FEEDBACK, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["tracking_code"]


def item(url: str, code: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(
                select(Submission.__table__).where(Submission.tracking_code == code)
            ).mappings().one())
    finally:
        engine.dispose()


def item_id(url: str, code: str) -> int:
    return item(url, code)["id"]


NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def seed(url: str, rows: list[dict]) -> list[str]:
    """Insert items directly, as if received long ago; returns their tracking codes."""
    engine = create_engine(url)
    codes = []
    values = []
    for row in rows:
        code = row.get("tracking_code") or new_tracking_code()
        codes.append(code)
        created = row.get("created_at", NOW)
        values.append({
            "tracking_code": code, "kind": "report", "state": "new", "source": "api",
            "client_hash": secrets.token_hex(32), "content_hash": secrets.token_hex(32),
            "message": "A seeded report.", "category": "other", "is_spam": False,
            "wants_reply": False, "legal_hold": False, "created_at": created,
            "updated_at": created, **row,
        })
    keys = set().union(*values)  # an executemany takes its columns from the first row
    values = [{key: row.get(key) for key in keys} for row in values]
    with engine.begin() as connection:
        connection.execute(insert(Submission), values)
    engine.dispose()
    return codes


@pytest.fixture
def audit_mark(database_url):
    """The audit events written since the test started, oldest first."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        start = connection.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))

    def since() -> list[dict]:
        with engine.connect() as connection:
            return [dict(r) for r in connection.execute(
                select(AuditEvent.__table__).where(AuditEvent.id > start)
                .order_by(AuditEvent.id)).mappings()]

    yield since
    engine.dispose()


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
