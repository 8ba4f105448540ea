"""The PostgreSQL roles of deploy/postgres-roles.sql: migrations run as the owner, the app
as a role that can do all its work on rows and nothing to the tables themselves.

The script runs as documented (psql, as a superuser) on the test server, with role and
database names of this test's own, all dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import secrets
import subprocess
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from feedback_api import create_app, retention
from feedback_api import db as feedback_db
from feedback_api.db import make_engine, upgrade
from tests.api.conftest import app_config, catalog  # noqa: F401  (fixture)
from tests.inbox.conftest import PASSWORD, add_staff, post, send_report, sign_in

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgres-roles.sql"


@pytest.fixture
def roles(postgres_url):
    """(owner URL, app URL) of a database set up by the shipped script."""
    server = make_url(postgres_url)
    suffix = secrets.token_hex(4)
    owner, app, name = f"owner_{suffix}", f"app_{suffix}", f"roles_{suffix}"
    plain = server.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        done = subprocess.run(
            ["psql", plain, "-q", "-v", f"owner={owner}", "-v", f"app={app}",
             "-v", f"db={name}", "-f", str(SCRIPT)],
            capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        yield (server.set(username=owner, database=name).render_as_string(False),
               server.set(username=app, database=name).render_as_string(False))
    finally:
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{app}"')
            admin.execute(f'DROP ROLE IF EXISTS "{owner}"')


def plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_the_app_does_its_work_as_a_role_that_cannot_touch_the_tables(roles, catalog):  # noqa: F811
    owner_url, app_url = roles
    engine = make_engine(owner_url)
    upgrade(engine)  # `db upgrade`, run as the owner
    engine.dispose()

    app = create_app(app_config(app_url, catalog, TESTING=True,
                                RATELIMIT_SUBMIT="1000 per minute"))
    try:
        # Everything staff and residents do, as the app role.
        add_staff(app, "admin", "ada.admin@cabq.gov")
        client = app.test_client()
        assert sign_in(client, "ada.admin@cabq.gov", PASSWORD).status_code == 303
        code = send_report(client, name="Ana Resident", email="ana@example.org")
        assert client.get(f"/api/v1/status/{code}").status_code == 200
        with app.app_context():
            item_id = feedback_db.session().execute(
                text("SELECT id FROM submissions WHERE tracking_code = :c"),
                {"c": code}).scalar_one()
        url = f"/inbox/items/{item_id}"
        assert client.get(url).status_code == 200
        assert post(client, f"{url}/move", {"to": "triaged"}).status_code == 303
        assert post(client, f"{url}/notes", {"note": "Asked the department."}).status_code == 303
        assert post(client, f"{url}/resolve",
                    {"reason": "addressed", "public_note": "Answered."}).status_code == 303
        assert post(client, "/inbox/export", {"state": "all", "format": "csv"}).status_code == 200
        with app.app_context():  # retention deletes what is due, as the app role
            session = feedback_db.session()
            outcome = retention.apply(session, retention.Rules(anonymise_days=0, delete_days=0),
                                      now=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
            session.commit()
            assert outcome.deleted == [code]
    finally:
        app.extensions["db_engine"].dispose()

    # What the app role cannot do, even if a query were slipped past the app.
    refused = {
        "TRUNCATE audit_events": "permission denied",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL": "must be owner",
        "DROP TRIGGER audit_events_append_only ON audit_events": "must be owner",
        "DROP TABLE submissions": "must be owner",
        "CREATE TABLE scratch (id int)": "permission denied",
        "UPDATE audit_events SET actor = 'someone else'": "append-only",
    }
    with psycopg.connect(plain(app_url), autocommit=True) as connection:
        for statement, reason in refused.items():
            with pytest.raises(psycopg.Error) as error:
                connection.execute(statement)
            assert reason in str(error.value), (statement, str(error.value))
        events = connection.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    assert events >= 6  # signed in, viewed, moved, noted, resolved, exported, deleted
