"""The baselines of benchmarks.intake: bare Flask apps, served by the same gunicorn settings.

    gunicorn -c deploy/gunicorn.conf.py 'benchmarks._intake_baseline:create_app()'

BASELINE_MODE picks the endpoint behind `POST /api/v1/reports`:

- `constant`: answers 201 with a constant JSON body, reading nothing;
- `driver`: parses the JSON body and inserts the report into the `submissions` table of
  BASELINE_DATABASE (a SQLite path, or a `postgresql://` URL) with the plain driver, one
  commit per request, then answers 201 with a tracking code. SQLite connections use WAL and
  synchronous=FULL like the app; psycopg commits durably by default. One connection per
  thread, kept for the thread's life, as a pool would.

`app_without_limits()` is the real app with its rate limits switched off, to show what
they cost.

The table is the app's own (created by its migrations), so the row and its indexes are the
ones the app writes; what the baseline leaves out is everything else the app does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import threading

from flask import Flask, jsonify, request

COLUMNS = ("tracking_code", "kind", "state", "created_at", "updated_at", "source", "is_spam",
           "client_hash", "content_hash", "category", "account_id", "post_url", "seen_at",
           "message", "wants_reply")


def create_app() -> Flask:
    mode = os.environ.get("BASELINE_MODE", "constant")
    app = Flask(__name__)
    if mode == "constant":
        @app.post("/api/v1/reports")
        def constant():
            return jsonify(tracking_code="SMR-0000-0000-0000-0000", duplicate=False), 201
        return app
    if mode != "driver":
        raise RuntimeError(f"BASELINE_MODE must be constant or driver, not {mode!r}")
    store = Store(os.environ["BASELINE_DATABASE"])

    @app.post("/api/v1/reports")
    def driver():
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("description"), str):
            return jsonify(error="send a JSON object with a description"), 400
        code = "SMR-" + "-".join(secrets.token_hex(2).upper() for _ in range(4))
        now = dt.datetime.now(dt.UTC)
        address = request.headers.get("X-Forwarded-For", request.remote_addr or "")
        row = (code, "report", "new", now, now, "api", False,
               hashlib.sha256(address.encode()).hexdigest(),
               hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(),
               data.get("category"), data.get("account_id"), data.get("post_url"),
               data.get("seen_at"), data["description"], False)
        store.insert(row)
        response = jsonify(tracking_code=code, duplicate=False)
        response.status_code = 201
        response.headers["Location"] = f"/api/v1/status/{code}"
        return response

    return app


def app_without_limits() -> Flask:
    """The real app with its rate limits switched off: what the limits cost, by difference."""
    from feedback_api import create_app

    return create_app({"RATELIMIT_ENABLED": False})


class Store:
    """One connection per thread; each insert is committed before the answer."""

    def __init__(self, database: str):
        self.database = database
        self.postgres = database.startswith(("postgresql://", "postgres://"))
        marks = ", ".join(["%s" if self.postgres else "?"] * len(COLUMNS))
        self.sql = f"INSERT INTO submissions ({', '.join(COLUMNS)}) VALUES ({marks})"
        self.local = threading.local()

    def connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            if self.postgres:
                import psycopg

                connection = psycopg.connect(self.database, connect_timeout=5)
            else:
                connection = sqlite3.connect(self.database, timeout=10)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=FULL")
                connection.execute("PRAGMA busy_timeout=10000")
            self.local.connection = connection
        return connection

    def insert(self, row: tuple) -> None:
        connection = self.connection()
        if not self.postgres:
            row = tuple(v.replace(tzinfo=None).isoformat(" ") if isinstance(v, dt.datetime) else v
                        for v in row)
        try:
            connection.execute(self.sql, row)
            connection.commit()
        except Exception:
            self.local.connection = None
            connection.close()
            raise
