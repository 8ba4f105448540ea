"""The database: engine, sessions, migrations and the `flask db` commands.

SQLite runs in WAL mode with synchronous=FULL, so a committed submission survives the
process being killed; PostgreSQL commits durably by default. Schema changes go through the
Alembic migrations in `feedback_api/migrations/`, never `create_all`.

Outages and bugs are told apart. `DatabaseUnavailable` is raised only when the database
cannot be reached or used just now (see `is_outage`), and is answered with 503; any other
error from SQLAlchemy or the driver (a missing table, a constraint, bad SQL) is a bug,
answered with the app's generic 500 and logged with its traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app, g, request
from sqlalchemy import create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import InternalServerError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 5
IDLE_PING_SECONDS = 1.0
SQLITE_BUSY_MS = 10_000

# SQLite's primary result codes that mean the file cannot be used just now: busy or locked
# by another process, out of memory, read-only, an I/O error, corrupt, full, cannot be
# opened, a locking protocol error, not a database (https://sqlite.org/rescode.html).
SQLITE_OUTAGES = {5, 6, 7, 8, 10, 11, 13, 14, 15, 26}
# PostgreSQL SQLSTATE classes that mean the same: 08 connection exception, 53 insufficient
# resources (disk full, out of memory, too many connections), 57 operator intervention
# (shutting down, cannot connect now, a statement cancelled by statement_timeout), 58
# system error (I/O). https://www.postgresql.org/docs/current/errcodes-appendix.html
POSTGRES_OUTAGE_CLASSES = {"08", "53", "57", "58"}


class DatabaseUnavailable(SQLAlchemyError):
    """The database cannot be reached or used just now: answered with 503.

    Raised for a connection that cannot be made or was dropped, a pool with no free
    connection, a server shutting down, a SQLite file that is locked, read-only, full or
    cannot be opened (`is_outage`). `orig` is the driver's error, `__cause__` SQLAlchemy's.
    """

    def __init__(self, message: str, orig: BaseException | None = None):
        super().__init__(message)
        self.orig = orig


def is_outage(error: BaseException) -> bool:
    """Whether an error from SQLAlchemy or the driver means the database is unavailable (an
    outage, worth a 503 and a retry) rather than a bug in what was asked of it."""
    if isinstance(error, DatabaseUnavailable | sa_exc.TimeoutError):  # the pool's timeout
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:  # SQLAlchemy saw a disconnect
            return True
        error = error.orig
    sqlite_code = getattr(error, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return sqlite_code & 0xFF in SQLITE_OUTAGES
    if not hasattr(error, "sqlstate"):  # not psycopg's
        return False
    sqlstate = error.sqlstate
    if sqlstate is None:
        # psycopg's own OperationalError: the connection could not be made, or was lost
        # or closed ("server closed the connection unexpectedly", "the connection is lost").
        return type(error).__name__ == "OperationalError"
    return sqlstate[:2] in POSTGRES_OUTAGE_CLASSES


def unavailable(error: BaseException) -> DatabaseUnavailable:
    """`error` as a DatabaseUnavailable (for one that `is_outage`)."""
    if isinstance(error, DatabaseUnavailable):
        return error
    orig = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    first_line = str(orig or error).strip().splitlines() or [type(error).__name__]
    replacement = DatabaseUnavailable(first_line[0], orig)
    replacement.__cause__ = error
    return replacement


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        connect_args = {}
        if url.startswith("postgresql"):
            connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        engine = create_engine(url, connect_args=connect_args)
        _ping_after_idle(engine)
    _tell_outages_from_bugs(engine)
    return engine


def _tell_outages_from_bugs(engine: Engine) -> None:
    """Raise DatabaseUnavailable for outages, wherever SQLAlchemy meets them; every other
    error is raised as SQLAlchemy would.

    - A connection that cannot be made: at the connect itself (so also for code that
      borrows a raw connection from the pool, like the intake's insert).
    - An error on a connection (a dropped connection, a locked or full SQLite file): in
      `handle_error`, after SQLAlchemy has invalidated a connection it found dropped.
    """

    @event.listens_for(engine, "do_connect")
    def connect(dialect, _record, cargs, cparams):
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError as error:  # refused, unknown, too many
            raise unavailable(error) from error

    @event.listens_for(engine, "handle_error")
    def classify(context):
        if context.is_disconnect or is_outage(context.original_exception):
            return unavailable(context.sqlalchemy_exception or context.original_exception)
        return None


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
    app.register_error_handler(SQLAlchemyError, _database_error)
    app.cli.add_command(db_commands)


def _database_error(error: SQLAlchemyError):
    """An error SQLAlchemy raised that is not (yet) a DatabaseUnavailable: an outage met
    outside the engine's hooks (the pool's timeout, an error on a raw pooled connection)
    gets the 503 answer; anything else is a bug, logged with its traceback and answered
    like any other: the generic 500 page or JSON."""
    if is_outage(error):
        return current_app.handle_user_exception(unavailable(error))
    current_app.logger.error("database error on %s %s", request.method, request.path,
                             exc_info=error)
    return current_app.handle_user_exception(InternalServerError(original_exception=error))


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
