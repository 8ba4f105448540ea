"""Outages and bugs are told apart: only a database that cannot be reached or used just now
is a 503 ("unavailable"); a bug in a query (a missing table, a broken constraint, bad SQL) is
the app's generic 500, logged with its traceback. The errors here are the drivers' own,
raised by real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import logging
import secrets
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from feedback_api import create_app
from feedback_api import db as feedback_db
from feedback_api.db import DatabaseUnavailable, is_outage, make_engine
from feedback_api.models import Submission
from tests.api.conftest import app_config
from tests.conftest import free_port
from tests.inbox.conftest import csrf_token, page_text, seed


def broken_routes(app) -> None:
    """Pages with a bug in their query, as a mistake in a new view would have."""

    def missing_table():
        feedback_db.session().execute(text("SELECT * FROM no_such_table")).all()
        return "unreachable"

    def repeated_code():
        session = feedback_db.session()
        code = session.query(Submission.tracking_code).limit(1).scalar()
        session.execute(text("UPDATE submissions SET tracking_code = :code "
                             "WHERE tracking_code <> :code"), {"code": code})
        return "unreachable"

    app.add_url_rule("/feedback/broken-query", "broken_query", missing_table)
    app.add_url_rule("/api/v1/broken-query", "api_broken_query", missing_table)
    app.add_url_rule("/feedback/broken-constraint", "broken_constraint", repeated_code)


def test_a_bug_in_a_query_is_a_500_logged_with_its_traceback(make_app, database_url, caplog):
    app = make_app()
    broken_routes(app)
    seed(database_url, [{}, {}])
    client = app.test_client()
    caplog.set_level(logging.ERROR)
    for path in ("/feedback/broken-query", "/feedback/broken-constraint"):
        caplog.clear()
        page = client.get(path)
        assert page.status_code == 500, (path, page.status_code)
        text_ = page_text(page)
        assert "Sorry, there is a problem" in text_ and "unavailable" not in text_
        assert "Traceback" not in text_ and "no_such_table" not in text_
        [record] = [r for r in caplog.records if r.exc_info]
        assert path in record.getMessage()
        logged = caplog.text
        assert "Traceback (most recent call last)" in logged
        assert ("no_such_table" in logged) if "query" in path else ("unique" in logged.lower())
    answer = client.get("/api/v1/broken-query")
    assert answer.status_code == 500
    assert answer.get_json()["error"]["code"] == "internal_error"


def test_signing_in_while_the_database_is_unreachable_is_a_503(catalog, tmp_path):
    for url in (f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
                f"sqlite:///{tmp_path}/no-such-folder/feedback.sqlite3"):
        app = create_app(app_config(url, catalog, TESTING=True))
        try:
            client = app.test_client()
            response = client.post("/inbox/login", data={
                "email": "ana.garcia@cabq.gov", "password": "correct horse battery staple",
                "csrf_token": csrf_token(client)})
            assert response.status_code == 503, (url, response.status_code)
            assert "The database is unavailable" in page_text(response)
        finally:
            app.extensions["db_engine"].dispose()


# ---------------------------------------------------------------------------------------
# Which errors are outages: the drivers' own errors, from real databases.


def test_sqlite_outages_and_bugs(tmp_path):
    missing = make_engine(f"sqlite:///{tmp_path}/no-such-folder/x.sqlite3")
    with pytest.raises(DatabaseUnavailable) as cannot_open:
        missing.connect()
    assert "unable to open database file" in str(cannot_open.value)
    missing.dispose()

    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    waiting = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as locked:
        waiting.execute("SELECT * FROM t")
    assert "locked" in str(locked.value)
    assert is_outage(locked.value)
    holder.execute("ROLLBACK")

    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        with pytest.raises(OperationalError) as no_table:  # SQLite's own class for it...
            connection.execute(text("SELECT * FROM no_such_table"))
        assert not isinstance(no_table.value, DatabaseUnavailable)  # ...but a bug
        assert not is_outage(no_table.value)
        with pytest.raises(OperationalError) as syntax:
            connection.execute(text("SELEKT 1"))
        assert not is_outage(syntax.value)
    engine.dispose()


@pytest.fixture
def pg_engine(postgres_database):
    engine = make_engine(postgres_database)
    yield engine
    engine.dispose()


def test_postgres_outages(pg_engine, postgres_database):
    closed = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    with pytest.raises(DatabaseUnavailable) as refused:
        closed.connect()
    assert "refused" in str(refused.value).lower() or "connect" in str(refused.value).lower()
    closed.dispose()

    with pg_engine.connect() as connection:  # the server ends the connection, as on restart
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        other = create_engine(postgres_database)
        with other.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.dispose()
        with pytest.raises(DatabaseUnavailable):
            connection.execute(text("SELECT 1"))

    with pg_engine.connect() as connection:  # a statement cancelled by its time limit
        connection.execute(text("SET statement_timeout = 50"))
        with pytest.raises(DatabaseUnavailable) as cancelled:
            connection.execute(text("SELECT pg_sleep(2)"))
        assert "statement timeout" in str(cancelled.value)


def test_postgres_bugs_are_not_outages(pg_engine):
    with pg_engine.connect() as connection:
        with pytest.raises(ProgrammingError) as no_table:
            connection.execute(text("SELECT * FROM no_such_table"))
        assert not is_outage(no_table.value)
    with pg_engine.connect() as connection:
        code = secrets.token_hex(8)
        connection.execute(text("CREATE TEMPORARY TABLE t (x text UNIQUE)"))
        connection.execute(text("INSERT INTO t VALUES (:x)"), {"x": code})
        with pytest.raises(IntegrityError) as repeated:
            connection.execute(text("INSERT INTO t VALUES (:x)"), {"x": code})
        assert not is_outage(repeated.value)


def test_a_pool_with_no_free_connection_is_an_outage(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/pool.sqlite3", pool_size=1, max_overflow=0,
                           pool_timeout=0.05)
    held = engine.connect()
    failure: list[BaseException] = []

    def borrow():
        try:
            engine.connect()
        except PoolTimeout as error:
            failure.append(error)

    thread = threading.Thread(target=borrow)
    thread.start()
    thread.join(5)
    held.close()
    engine.dispose()
    assert failure and is_outage(failure[0])
