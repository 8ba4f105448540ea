"""Throwaway PostgreSQL databases for the benchmarks, on the test server."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def throwaway_postgres(names: dict[str, str]) -> tuple[dict, Callable[[], None]] | None:
    """Create a database for each name ({role: database name}) on the test server.

    Returns ({role: SQLAlchemy URL}, a function that drops them all), or None, having said
    so, when the server cannot be reached.
    """
    import psycopg
    from sqlalchemy import make_url

    server = make_url(POSTGRES)
    plain = server.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(plain, autocommit=True, connect_timeout=3) as admin:
            for name in names.values():
                admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not available ({error}); SQLite only", file=sys.stderr)
        return None

    def drop() -> None:
        with psycopg.connect(plain, autocommit=True) as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return {role: server.set(database=name) for role, name in names.items()}, drop
