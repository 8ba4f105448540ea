"""The database: engine, sessions, migrations and the `flask db` commands.

SQLite runs in WAL mode with synchronous=FULL, so a committed submission survives the
process being killed; PostgreSQL commits durably by default. Schema changes go through the
Alembic migrations in `feedback_api/migrations/`, never `create_all`.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 5
IDLE_PING_SECONDS = 1.0
SQLITE_BUSY_MS = 10_000

# Errors that mean "the database cannot be reached or written just now": answered with 503.
DatabaseUnavailable = SQLAlchemyError


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {}
    if url.startswith("postgresql"):
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    engine = create_engine(url, connect_args=connect_args)
    _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use if it has sat idle for IDLE_PING_SECONDS.

    A connection the database dropped (a restart, an idle timeout) is replaced instead of
    failing a request, as `pool_pre_ping` would, but without a round trip on every request
    under load. A connection used moments ago needs no check: a database that went away
    since then fails that connection's request with a disconnect, which discards every
    pooled connection made before it (and the database is down then anyway).
    """
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def returned(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < IDLE_PING_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if not dialect.is_disconnect(error, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            raise InvalidatePoolError()  # the pool reconnects, and drops older connections


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["SQLALCHEMY_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)
    app.cli.add_command(db_commands)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The session of the current request, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessions"]()
    return g.db_session


def close_session(_error=None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        try:
            db_session.close()
        except SQLAlchemyError:
            current_app.logger.warning("could not close a database session", exc_info=True)


def ping() -> None:
    """Raise DatabaseUnavailable unless the database answers."""
    with engine().connect() as connection:
        connection.execute(text("SELECT 1"))


# ---------------------------------------------------------------------------------------
# Migrations


def alembic_config(connection=None, migrations: Path = MIGRATIONS):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["connection"] = connection
    return config


def upgrade(target_engine: Engine, revision: str = "head",
            migrations: Path = MIGRATIONS) -> None:
    """Bring the database to `revision`; existing rows are kept."""
    from alembic import command

    with target_engine.begin() as connection:
        command.upgrade(alembic_config(connection, migrations), revision)


def current_revision(target_engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with target_engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@click.group("db", help="Manage the feedback database.")
def db_commands() -> None:
    pass


@db_commands.command("upgrade", help="Create or upgrade the database tables (keeps all rows).")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    target = engine()
    where = target.url.render_as_string(hide_password=True)
    try:
        before = current_revision(target)
        upgrade(target, revision)
        after = current_revision(target)
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        raise click.ClickException(f"could not upgrade the database at {where}: {reason}") \
            from error
    if before == after:
        click.echo(f"Database {where} is up to date (revision {after}).")
    else:
        click.echo(f"Database {where} upgraded from {before or 'empty'} to {after}.")
