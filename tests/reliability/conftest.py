"""Fixtures for the reliability tests: throwaway databases and real gunicorn servers.

The servers and helpers of the API tests are reused (tests/api/conftest.py); the services
these tests stop and start themselves are in tests/reliability/servers.py.
"""

from __future__ import annotations

import pytest

from feedback_api.db import make_engine, upgrade
from tests.api.conftest import (  # noqa: F401  (gunicorn is a fixture)
    create_postgres_database,
    drop_postgres_database,
    gunicorn,
)


def migrated(url: str) -> str:
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def sqlite_file(tmp_path) -> str:
    """An empty, migrated SQLite database of this test's own."""
    return migrated(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")


@pytest.fixture
def shared_postgres_database(postgres_url):
    """An empty, migrated database on the shared PostgreSQL server, dropped afterwards."""
    url = migrated(create_postgres_database(postgres_url))
    yield url
    drop_postgres_database(postgres_url, url)
