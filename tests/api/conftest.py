"""Fixtures for the feedback app: throwaway databases, apps, forms, real servers.

Every test that takes `app` (or `make_app`) runs twice, on SQLite and on PostgreSQL. Each
test session gets its own PostgreSQL database (created in `test`, dropped at the end) and
its own SQLite file, migrated once; each test starts with an empty submissions table.
"""

from __future__ import annotations

import functools
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, make_url, text

from feedback_api import create_app
from feedback_api.catalog import load_catalog
from feedback_api.db import make_engine, upgrade
from tests.conftest import CONTENT, ROOT, free_port, port_open

SECRET = "test-secret-key-" + "x" * 32
GUNICORN = Path(sys.executable).with_name("gunicorn")


# ---------------------------------------------------------------------------------------
# Databases


@functools.cache
def shipped_catalog():
    """The catalog of the shipped content/, read once."""
    return load_catalog(CONTENT)


@pytest.fixture(scope="session")
def catalog():
    return shipped_catalog()


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'feedback.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _plain(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server(postgres_url) -> str:
    return postgres_url


def create_postgres_database(server_url: str) -> str:
    """A new, empty database on the test server; returns its SQLAlchemy URL."""
    name = f"feedback_test_{secrets.token_hex(6)}"
    with psycopg.connect(_plain(make_url(server_url)), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_plain(make_url(server_url)), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_database(postgres_server):
    url = create_postgres_database(postgres_server)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_database(postgres_server, url)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    """An up-to-date, empty database: each test runs once per backend."""
    url = request.getfixturevalue(f"{request.param}_database")
    empty(url)
    return url


def empty(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in ("judged_clauses", "outbox", "submissions"):
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


def rows(url: str, where: str = "1=1", **params) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(
                text(f"SELECT * FROM submissions WHERE {where} ORDER BY id"), params).mappings())
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------
# Apps


def app_config(database_url: str, catalog, **overrides) -> dict:
    return {
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "CATALOG": catalog,
        "FORM_MIN_SECONDS": 0,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(4)}",
        "SITE_DIR": "",  # no published site unless a test gives one
        **overrides,
    }


def app_maker(config):
    """Yield a function that builds apps from `config(**overrides)`; dispose of them after."""
    made = []

    def make(**overrides):
        app = create_app(config(**overrides))
        made.append(app)
        return app

    try:
        yield make
    finally:
        for app in made:
            app.extensions["db_engine"].dispose()


@pytest.fixture
def make_app(database_url, catalog):
    """Build apps on this test's database with settings of the test's choosing."""
    yield from app_maker(functools.partial(app_config, database_url, catalog))


@pytest.fixture
def make_sqlite_app(sqlite_database, catalog):
    """Like make_app, on SQLite only: for browser tests, which run once."""
    empty(sqlite_database)
    yield from app_maker(functools.partial(app_config, sqlite_database, catalog))


# ---------------------------------------------------------------------------------------
# Forms


class FormReader(HTMLParser):
    """The values a browser would send: inputs, checked boxes, selected options, textareas."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.ids: dict[str, dict] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids[a["id"]] = {"tag": tag, **a}
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "on")
            elif "name" in a:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def form_values(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return read_form(response.get_data(as_text=True)).values


def send_form(client, url: str, **fields):
    """Open the form like a browser, fill in the fields, and send it."""
    values = form_values(client, url)
    values.update({k: v for k, v in fields.items() if v is not None})
    values = {k: v for k, v in values.items() if k not in fields or fields[k] is not None}
    return client.post(url.split("?")[0], data=values)


FEEDBACK = {"policy_id": "ai-1-19", "section": "k-c",
            "message": "Please say how long removed comments are kept."}
REPORT = {"category": "arguing-with-the-public", "account_id": "city-x-sample",
          "post_url": "https://x.com/abq_city_sample/status/1",
          "description": "The account argued with a resident in the replies."}


# ---------------------------------------------------------------------------------------
# Real servers


@pytest.fixture(scope="session")
def tiny_site(tmp_path_factory) -> Path:
    """A stand-in for the built site: a home page, a folder page, a stylesheet, a 404."""
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text("<!doctype html><title>Home</title><h1>Policies home</h1>")
    (site / "policies").mkdir()
    (site / "policies" / "index.html").write_text("<!doctype html><title>All</title>policies")
    (site / "assets").mkdir()
    (site / "assets" / "site.css").write_text("body { color: #111; }")
    (site / "data").mkdir()
    (site / "data" / "policies.json").write_text('{"policies": []}')
    (site / "404.html").write_text("<!doctype html><title>Not found</title>Our own 404 page")
    return site


class Gunicorn:
    """A real gunicorn on loopback with deploy/gunicorn.conf.py, in its own process group."""

    def __init__(self, env: dict, workers: int = 1, threads: int = 4):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.output = tempfile.TemporaryFile("w+")
        full_env = {**os.environ, "SECRET_KEY": SECRET, "FORM_MIN_SECONDS": "0", **env,
                    "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads)}
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}"],
            env=full_env, cwd=ROOT, stdout=self.output, stderr=subprocess.STDOUT,
            start_new_session=True, text=True,
        )
        deadline = time.monotonic() + 20
        while not port_open("127.0.0.1", self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{output}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the whole server, master and workers, with no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.read_output()

    def read_output(self) -> str:
        self.output.seek(0)
        return self.output.read()


@pytest.fixture
def gunicorn():
    started: list[Gunicorn] = []

    def start(env: dict, workers: int = 1, threads: int = 4) -> Gunicorn:
        server = Gunicorn(env, workers, threads)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.stop()


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    """One request to a real server, redirects not followed: (status, headers, body)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path or "/", body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()
