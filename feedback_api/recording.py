"""Recording a checked submission: once, committed before anyone is told it was received.

`record` stores what `intake` checked, for the forms and the API alike. A repeat of the same
submission (the same text and the same contact details) from the same client a moment later
is not stored again: the duplicate look-up, the insert and the commit are one statement on
a connection of its own, so the row is durable once `record` returns. The client is kept
only as a keyed hash of its address (`client_hash`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, insert, literal_column, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from . import db as db_errors
from .models import Submission, utcnow
from .tracking import new_tracking_code


def client_hash(address: str, secret: str) -> str:
    """A keyed hash of the client's address: repeats can be matched, the address not read."""
    return hmac.new(secret.encode(), f"client:{address}".encode(), hashlib.sha256).hexdigest()


def content_hash(kind: str, values: dict) -> str:
    """What a repeat is matched on: every field, contact details included, whatever the
    spacing and case. Two people behind one address (a household, a carrier's NAT) who send
    the same text with their own name, email address or reply wish are two submissions; the
    same submission sent twice (a double click, a retry) is one."""
    said = {k: values[k] for k in sorted(values) if values[k] is not None}  # None: not given
    said["wants_reply"] = bool(values.get("wants_reply"))
    for key, value in said.items():
        if isinstance(value, str):
            said[key] = " ".join(value.split()).casefold()
    blob = json.dumps([kind, said], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(blob.encode()).hexdigest()


_COLUMNS = {
    "feedback": ("policy_id", "section", "message", "name", "email", "wants_reply"),
    "report": ("category", "account_id", "account_url", "post_url", "seen_at", "name",
               "email", "wants_reply"),
}
_ALWAYS = ("tracking_code", "kind", "state", "created_at", "updated_at", "source", "language",
           "is_spam", "spam_reason", "client_hash", "content_hash")


def _insert_unless_repeat(kind: str, returning: bool):
    """INSERT ... SELECT ... WHERE NOT EXISTS (the same submission, contact details
    included, from the same client lately): the duplicate look-up and the insert in one
    statement."""
    table = Submission.__table__
    names = list(dict.fromkeys((*_ALWAYS, *_COLUMNS[kind], "message")))
    earlier = (
        select(literal_column("1"))
        .where(table.c.client_hash == bindparam("client_hash", type_=table.c.client_hash.type),
               table.c.content_hash == bindparam("content_hash",
                                                 type_=table.c.content_hash.type),
               table.c.created_at >= bindparam("since", type_=table.c.created_at.type))
    )
    row = select(*[bindparam(name, type_=table.c[name].type) for name in names]) \
        .where(~exists(earlier))
    statement = insert(table).from_select(names, row, include_defaults=False)
    return statement.returning(table.c.id) if returning else statement


@dataclass(frozen=True)
class _DriverInsert:
    """The insert compiled once for one database: the SQL, and how to bind its values."""

    sql: str
    order: tuple[str, ...] | None  # the parameters' order, for positional paramstyles
    convert: dict  # parameter name: the type's bind processor (None: passed as it is)
    returning: bool

    def parameters(self, values: dict):
        bound = {name: convert(values[name]) if convert else values[name]
                 for name, convert in self.convert.items()}
        return tuple(bound[name] for name in self.order) if self.order else bound

    def inserted_id(self, cursor) -> int | None:
        if self.returning:
            found = cursor.fetchone()
            return found[0] if found else None
        return cursor.lastrowid if cursor.rowcount == 1 else None


@functools.lru_cache(maxsize=16)
def _driver_insert(dialect, kind: str) -> _DriverInsert:
    # On SQLite the new row's id comes from lastrowid: without RETURNING, the statement
    # (and its commit, in autocommit mode) is finished inside the driver's one call, so the
    # write lock is never held while the thread waits to run Python again.
    returning = dialect.name != "sqlite"
    compiled = _insert_unless_repeat(kind, returning).compile(dialect=dialect)
    convert = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
               for name, bind in compiled.binds.items()}
    order = tuple(compiled.positiontup) if compiled.positional else None
    return _DriverInsert(str(compiled), order, convert, returning)


def _insert(engine, statement: _DriverInsert, row: dict) -> int | None:
    """Run the insert on a pooled DBAPI connection, committed on its own; the new row's id,
    or None for a repeat. Driver errors are raised as SQLAlchemy's (IntegrityError,
    OperationalError, ...) or, for an outage, as DatabaseUnavailable; a connection the
    database dropped is discarded."""
    dialect = engine.dialect
    try:
        pooled = engine.raw_connection()  # the pool's checks on checkout apply
    except dialect.loaded_dbapi.Error as error:  # the database cannot be reached
        raise db_errors.unavailable(DBAPIError.instance(
            None, None, error, dialect.loaded_dbapi.Error, connection_invalidated=True,
            dialect=dialect)) from error
    driver = pooled.driver_connection
    cursor = before = None
    parameters = statement.parameters(row)
    try:
        before = _set_autocommit(dialect, driver, True)
        cursor = pooled.cursor()
        cursor.execute(statement.sql, parameters)
        inserted = statement.inserted_id(cursor)
    except dialect.loaded_dbapi.Error as error:
        gone = dialect.is_disconnect(error, driver, cursor)
        if gone:
            pooled.invalidate(error)
        else:
            _tidy(dialect, pooled, cursor, before)
        raised = DBAPIError.instance(statement.sql, parameters, error,
                                     dialect.loaded_dbapi.Error, connection_invalidated=gone,
                                     dialect=dialect)
        # An outage is DatabaseUnavailable, so the form is sent back with what was typed;
        # anything else (a tracking code collision, a bug) is raised as it is.
        raise (db_errors.unavailable(raised) if db_errors.is_outage(raised) else raised) \
            from error
    else:
        _tidy(dialect, pooled, cursor, before)
        return inserted
    finally:
        pooled.close()


def _tidy(dialect, pooled, cursor, before) -> None:
    """Put a connection back as the pool lent it; one that will not be is discarded."""
    try:
        if cursor is not None:
            cursor.close()
        if before is not None:
            _set_autocommit(dialect, pooled.driver_connection, before)
    except dialect.loaded_dbapi.Error as error:
        pooled.invalidate(error)


def _set_autocommit(dialect, driver, mode):
    """Set the driver's autocommit mode (True, or a mode it returned); returns the old one."""
    if dialect.name == "sqlite":  # sqlite3: isolation_level None is autocommit
        before = driver.isolation_level
        driver.isolation_level = None if mode is True else mode
    else:
        before = driver.autocommit
        driver.autocommit = mode
    return before


_EARLIER = (
    select(Submission.tracking_code)
    .where(Submission.client_hash == bindparam("client"),
           Submission.content_hash == bindparam("said"),
           Submission.created_at >= bindparam("since"))
    .order_by(Submission.created_at)
    .limit(1)
)


@dataclass(frozen=True)
class Receipt:
    tracking_code: str
    kind: str
    duplicate: bool = False


def record(
    engine: Engine,
    db: Callable[[], Session],
    kind: str,
    values: dict,
    *,
    source: str,
    client: str,
    language: str = "en",
    duplicate_window: int,
    spam_reason: str | None = None,
    now: dt.datetime | None = None,
    announce: Callable[[int, str | None, dt.datetime], None] | None = None,
) -> Receipt:
    """Store a checked submission and commit it before anyone is told it was received.

    A repeat of the same submission (the same text and the same contact details) from the
    same client within `duplicate_window` seconds is not stored again: the first one's
    tracking code is returned. The row goes in on a connection of `engine`'s pool; `db`
    gives the request's session, opened only to look up a repeat. `announce(id, category,
    received)` is called for a new report that is not suspected spam, once it is committed
    (notify.announcer: email to staff). `language` is the one the resident wrote in, which
    their messages will be in.
    """
    now = now or utcnow()
    said = content_hash(kind, values)
    since = now - dt.timedelta(seconds=duplicate_window)
    row = {"kind": kind, "state": "new", "created_at": now, "updated_at": now,
           "source": source, "language": language, "is_spam": spam_reason is not None,
           "spam_reason": spam_reason,
           "client_hash": client, "content_hash": said, "since": since}
    row.update((name, values.get(name)) for name in _COLUMNS[kind])
    if kind == "report":
        row["message"] = values["description"]
    # One statement, committed on its own (autocommit): the duplicate look-up, the insert
    # and the commit are a single round trip, and the row is durable once it returns.
    statement = _driver_insert(engine.dialect, kind)
    for attempt in range(3):
        row["tracking_code"] = code = new_tracking_code()
        try:
            inserted = _insert(engine, statement, row)
        except IntegrityError:  # a tracking code collision: 2**-80, but never a lost row
            if attempt == 2:
                raise
            continue
        break
    if inserted is None:  # a repeat: the first one's code, nothing stored
        earlier = db().execute(_EARLIER, {"client": client, "said": said, "since": since})
        return Receipt(earlier.scalar_one(), kind, duplicate=True)
    if kind == "report" and spam_reason is None and announce is not None:
        announce(inserted, row["category"], now)
    return Receipt(code, kind)
