"""Fixtures for the staff inbox: the intake's databases and apps (tests/api/conftest.py),
staff accounts, signed-in clients, and items seeded straight into the database.

Every test that takes `app` runs on SQLite and on PostgreSQL. Each test starts with no
items, notes or staff; the audit log is append-only (the database refuses DELETE), so
tests read only the events of their own items or those after `audit_mark`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import secrets
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from feedback_api import db as feedback_db
from feedback_api import staff
from feedback_api.models import AuditEvent, Submission
from feedback_api.tracking import new_tracking_code
from site_builder import addresses
from site_builder.content import load_library
from site_builder.redline import RENDERER_VERSION, parts
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
from tests.conftest import CONTENT
from tests.inbox.smtp import SMTPServer, smtp_certificate  # noqa: F401  (a fixture)

PASSWORD = "correct horse battery staple"
EMAILS = {"viewer": "vera.viewer@cabq.gov", "triager": "tom.triager@cabq.gov",
          "admin": "ada.admin@cabq.gov"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def empty_inbox(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in ("item_notes", "judged_clauses", "outbox", "submissions", "staff_sessions",
                      "staff"):
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    """An up-to-date database with no items, notes or staff: each test runs on both."""
    url = request.getfixturevalue(f"{request.param}_database")
    empty_inbox(url)
    return url


PUBLISHED_FROM = "2020-01-01"  # when the one version of each policy below took effect


@functools.cache
def published_site() -> str:
    """The open data of a site publishing the shipped policies, one version each, in
    effect from PUBLISHED_FROM: where a decision's citations come from."""
    folder = Path(tempfile.mkdtemp(prefix="published-"))
    library, _ = load_library(CONTENT)
    for pid, policy in library.policies.items():
        index = {"policy": pid, "current": 1, "versions": [{
            "number": 1, "from": PUBLISHED_FROM, "from_kind": "effective", "until": None,
            "url": addresses.version_url(pid, 1).lstrip("/"), "withdrawn": None}]}
        text_data = {"format": RENDERER_VERSION,
                     "versions": {"1": [part.as_json() for part in parts(policy)]}}
        for rel, data in ((addresses.versions_data(pid), index),
                          (addresses.versions_text(pid), text_data)):
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(json.dumps(data))
    return str(folder)


def inbox_config(database_url: str, catalog, **overrides) -> dict:  # noqa: F811
    # Items come in through the API: no submission limit in the way of a test.
    return app_config(database_url, catalog,
                      **{"TESTING": True, "RATELIMIT_SUBMIT": "1000 per minute",
                         "SITE_DIR": published_site(), **overrides})


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


@pytest.fixture
def smtp(smtp_certificate):  # noqa: F811
    """A mail server that offers STARTTLS and asks for a password once encrypted."""
    server = SMTPServer(credentials=("inbox", "mail password"), tls="starttls",
                        certificate=smtp_certificate)
    server.ca_file = str(smtp_certificate[0])
    yield server
    server.stop()


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
