"""The audit log cannot be rewritten: the database itself refuses UPDATE, DELETE and
(on PostgreSQL) TRUNCATE of its rows, whatever the application does."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from tests.inbox.conftest import send_report

ATTEMPTS = {
    "update": "UPDATE audit_events SET actor = 'someone else'",
    "delete": "DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)",
    # Emptying the table at once: SQLite has no TRUNCATE, its unconditioned DELETE is one.
    "truncate": {"postgresql": "TRUNCATE audit_events", "sqlite": "DELETE FROM audit_events"},
}


@pytest.mark.parametrize("attempt", sorted(ATTEMPTS))
def test_the_audit_log_refuses_to_be_rewritten(signed_in, database_url, attempt):
    triager = signed_in("triager")
    send_report(triager)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            before = connection.execute(
                text("SELECT id, actor, action FROM audit_events ORDER BY id")).all()
        assert before, "signing in and a report should have written audit events"
        statement = ATTEMPTS[attempt]
        if isinstance(statement, dict):
            statement = statement[engine.dialect.name]
        with pytest.raises(DBAPIError) as refused, engine.begin() as connection:
            connection.execute(text(statement))
        assert "append-only" in str(refused.value)
        with engine.connect() as connection:
            after = connection.execute(
                text("SELECT id, actor, action FROM audit_events ORDER BY id")).all()
        assert after[: len(before)] == before
    finally:
        engine.dispose()
