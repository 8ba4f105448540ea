"""The database: migrations that match the models and keep every row, the `flask db upgrade`
command, and SQLite's durability settings."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from feedback_api.db import (
    IDLE_PING_SECONDS,
    MIGRATIONS,
    current_revision,
    make_engine,
    upgrade,
)
from feedback_api.models import Base
from tests.api.conftest import (
    FEEDBACK,
    REPORT,
    ROOT,
    app_config,
    app_maker,
    empty,
    read_form,
    rows,
    send_form,
)

FLASK = Path(sys.executable).with_name("flask")

INBOX_MIGRATION = '''"""An example of the inbox's later migration: assignment and notes."""

import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite, recreate="always" copies the table: the riskiest path for existing rows.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("submissions", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(sa.Column("example_later_column", sa.String(200), nullable=True))
    op.create_table(
        "example_later_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade():
    op.drop_table("example_later_notes")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("example_later_column")
'''


def test_the_migrations_create_exactly_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_a_later_migration_keeps_every_row(client, database_url, tmp_path):
    codes = [client.post("/api/v1/feedback", json={**FEEDBACK, "message": f"n{n}"})
             .get_json()["tracking_code"] for n in range(3)]
    codes.append(client.post("/api/v1/reports", json=REPORT).get_json()["tracking_code"])
    before = rows(database_url)

    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    engine = make_engine(database_url)
    head = current_revision(engine)
    (migrations / "versions" / "0099_inbox.py").write_text(INBOX_MIGRATION.format(head=head))
    try:
        upgrade(engine, migrations=migrations)
        assert current_revision(engine) == "0099"
        after = rows(database_url)
        assert [r["tracking_code"] for r in after] == codes
        for old, new in zip(before, after, strict=True):
            assert {**old, "example_later_column": None} == dict(new)
    finally:  # back to the shared schema for the other tests
        upgrade_down(engine, migrations, head)
        engine.dispose()


def upgrade_down(engine, migrations, revision):
    from alembic import command

    from feedback_api.db import alembic_config

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection, migrations), revision)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from feedback_api.db import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_flask_db_upgrade_creates_then_keeps_the_database(tmp_path):
    database = tmp_path / "feedback.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("SECRET_KEY", None)  # as `make run` calls it: development, no key needed
    command = [str(FLASK), "--app", "feedback_api", "db", "upgrade"]
    first = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True,
                           timeout=60)
    assert first.returncode == 0, first.stderr
    assert f"upgraded from empty to {head_revision()}" in first.stdout
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO submissions (tracking_code, kind, created_at, updated_at, source, "
            "client_hash, content_hash, message) VALUES ('SMR-AAAA-AAAA-AAAA-AAAA', "
            "'feedback', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'api', 'c', 'h', 'kept')"))
    again = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    with engine.connect() as connection:
        assert connection.execute(text("SELECT message FROM submissions")).scalar_one() == "kept"
    engine.dispose()


def test_flask_db_upgrade_says_when_the_database_cannot_be_reached(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/feedback.sqlite3",
           "INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([str(FLASK), "--app", "feedback_api", "db", "upgrade"], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "could not upgrade the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_sqlite_commits_durably_in_wal_mode(app, database_url):
    engine = app.extensions["db_engine"]
    if engine.dialect.name != "sqlite":
        assert engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
        with engine.connect() as connection:
            assert connection.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
            assert connection.execute(text("SHOW fsync")).scalar_one() == "on"
        return
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL


def test_the_tables_have_room_for_the_inbox(database_url):
    engine = create_engine(database_url)
    columns = {c["name"] for c in inspect(engine).get_columns("submissions")}
    uniques = inspect(engine).get_unique_constraints("submissions")
    engine.dispose()
    assert {"kind", "state", "public_note", "created_at", "updated_at", "is_spam",
            "tracking_code", "client_hash", "content_hash", "name", "email"} <= columns
    assert any(u["column_names"] == ["tracking_code"] for u in uniques)


def _drop_app_connections(database_url: str) -> int:
    """End the server side of every other connection to this database, as a restart would."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all())
    finally:
        engine.dispose()


@pytest.fixture
def postgres_app(postgres_database, catalog):
    """Apps on the PostgreSQL test database only: SQLite has no server to drop connections."""
    empty(postgres_database)
    yield from app_maker(functools.partial(app_config, postgres_database, catalog))


def test_a_connection_the_database_dropped_while_idle_is_replaced_unseen(postgres_app,
                                                                         postgres_database):
    database_url = postgres_database
    client = postgres_app().test_client()
    assert client.post("/api/v1/feedback", json=FEEDBACK).status_code == 201
    time.sleep(IDLE_PING_SECONDS + 0.2)
    assert _drop_app_connections(database_url) >= 1
    again = client.post("/api/v1/reports", json=REPORT)
    assert again.status_code == 201, again.get_json()
    assert client.get("/api/v1/health").get_json() == {"status": "ok", "database": "ok"}
    assert len(rows(database_url)) == 2


def test_a_connection_dropped_while_in_use_costs_one_503_and_is_replaced(postgres_app,
                                                                           postgres_database):
    database_url = postgres_database
    client = postgres_app().test_client()
    assert client.post("/api/v1/feedback", json=FEEDBACK).status_code == 201
    assert _drop_app_connections(database_url) >= 1  # at once: no idle check catches it
    lost = client.post("/api/v1/reports", json=REPORT)
    assert lost.status_code == 503
    assert lost.get_json()["error"]["code"] == "database_unavailable"
    again = client.post("/api/v1/reports", json=REPORT)
    assert again.status_code == 201, again.get_json()
    assert [row["kind"] for row in rows(database_url)] == ["feedback", "report"]


def test_a_form_sent_as_its_connection_drops_comes_back_filled_in(postgres_app,
                                                                  postgres_database):
    client = postgres_app().test_client()
    assert client.post("/api/v1/feedback", json=FEEDBACK).status_code == 201
    assert _drop_app_connections(postgres_database) >= 1
    lost = send_form(client, "/feedback/", policy_id="ai-1-19", message="Do not lose this.",
                     email="ana@example.org")
    assert lost.status_code == 503
    form = read_form(lost.get_data(as_text=True))
    assert form.values["message"] == "Do not lose this."
    assert form.values["email"] == "ana@example.org"
    again = send_form(client, "/feedback/", policy_id="ai-1-19", message="Do not lose this.")
    assert again.status_code == 303
