"""Fixtures shared by every test area: real services and a real Chromium.

A test that needs a service skips when the service is missing, except under CI=true,
where a missing service is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from site_builder import engine

# The engine TRANSPARENCY_ENGINE names (MkDocs by default) is loaded before any test
# module imports `mkdocs`: it is chosen once per process (`site_builder/engine/engines.py`).
engine.activate()

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def need(available: bool, what: str) -> None:
    """Skip a test whose service is missing; under CI a missing service fails it."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} is not available")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def service_up(host: str, port: int, seconds: float = 15) -> bool:
    """Whether a shared service answers on `port`, asked again for up to `seconds`.

    A busy machine can leave a connection unanswered for a moment (a full accept queue
    while another worker's load test runs, say); that service is slow, not missing."""
    deadline = time.monotonic() + seconds
    while not port_open(host, port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    need(service_up("127.0.0.1", 5432), "PostgreSQL on 127.0.0.1:5432")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    need(service_up("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url):
    """A key prefix of this test's own in the shared Redis; its keys are removed after."""
    import secrets

    import redis

    prefix = f"feedback-test-{secrets.token_hex(6)}"
    yield prefix
    connection = redis.Redis.from_url(redis_url)
    for key in connection.scan_iter(match=f"*{prefix}*"):
        connection.delete(key)
    connection.close()


@pytest.fixture
def app(make_app):
    """The feedback app with a folder's default settings (`make_app` is each folder's)."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium per test worker, driven by Playwright."""
    need(Path(CHROMIUM).exists() or bool(shutil.which("chromium")), "Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, rules: dict | None = None) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; return its violations."""
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
    page.evaluate(script)
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    if rules:
        options["rules"] = rules
    result = page.evaluate("options => axe.run(document, options)", options)
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def html_errors(pages: Iterable[Path], root: Path) -> list[str]:
    """The W3C Nu HTML Checker's errors on these files, each as `path:line: message`.

    Every message the checker reports as an error counts, and so does a file it could not
    check; its warnings and notes do not. `make test` installs the checker (npm's vnu-jar)
    and Java.
    """
    java = shutil.which("java")
    need(VNU_JAR.exists() and java is not None,
         f"the Nu HTML Checker ({VNU_JAR.relative_to(ROOT)}) and Java; run `make validators`")
    pages = sorted(pages)
    assert pages, "no pages to check"
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
         *map(str, pages)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError) as error:
        raise AssertionError(f"the checker did not report as JSON ({error}):\n"
                             f"{result.stdout}{result.stderr}") from error
    errors = []
    for message in messages:
        if message["type"] not in ("error", "non-document-error"):
            continue
        where = Path(message.get("url", "").removeprefix("file:"))
        name = where.relative_to(root).as_posix() if where.is_relative_to(root) else where
        errors.append(f"{name}:{message.get('lastLine', 0)}: {message['message']}")
    assert errors or result.returncode == 0, result.stderr
    return errors


def assert_valid_app_pages(pages: dict[str, str], folder: Path) -> None:
    """Each page (name: HTML) names its icon, so no browser asks for a /favicon.ico that
    is not there, and the Nu HTML Checker finds no error in any."""
    without_icon = [name for name, html in pages.items() if '<link rel="icon"' not in html]
    assert without_icon == []
    files = []
    for name, html in pages.items():
        file = folder / (re.sub(r"[^a-z0-9]+", "-", name).strip("-") + ".html")
        file.write_text(html, encoding="utf-8")
        files.append(file)
    errors = html_errors(files, folder)
    assert not errors, "\n".join(errors)
