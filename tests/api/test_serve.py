"""`transparency serve`'s server: the built site and the app on one origin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feedback_api.serve import start
from tests.api.conftest import FEEDBACK, ROOT, http
from tests.conftest import free_port, port_open


@pytest.fixture
def one_origin(app, tiny_site):
    running = start(tiny_site, app)
    yield running.url.rstrip("/")
    running.stop()


def test_the_site_is_served_at_the_root(one_origin):
    status, headers, body = http("GET", one_origin + "/")
    assert status == 200 and b"Policies home" in body
    assert headers["Content-Type"].startswith("text/html")
    status, headers, _ = http("GET", one_origin + "/policies")
    assert status == 301 and headers["Location"].endswith("/policies/")
    status, _, body = http("GET", one_origin + "/policies/")
    assert status == 200 and b"policies" in body
    status, headers, _ = http("GET", one_origin + "/assets/site.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, headers, body = http("GET", one_origin + "/data/policies.json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"policies": []}
    status, headers, body = http("HEAD", one_origin + "/assets/site.css")
    assert status == 200 and body == b""


def test_missing_pages_get_the_sites_404_page(one_origin):
    for path in ("/nothing-here", "/policies/nope/", "/../../etc/passwd", "/%2e%2e/x",
                 "/assets/%00"):
        status, _, body = http("GET", one_origin + path)
        assert status == 404, path
        assert b"Our own 404 page" in body
    status, _, _ = http("POST", one_origin + "/", body=b"x")
    assert status == 405


def test_the_app_answers_under_its_prefixes(one_origin):
    status, headers, body = http("GET", one_origin + "/api/v1/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, _, body = http("GET", one_origin + "/feedback/?policy=ai-1-19&section=k-c")
    assert status == 200 and "AI 1-19 §K.c".encode() in body
    status, _, body = http("GET", one_origin + "/report/")
    assert status == 200 and b"Report a possible policy violation" in body
    status, _, body = http("POST", one_origin + "/api/v1/feedback",
                           body=json.dumps(FEEDBACK).encode(),
                           headers={"Content-Type": "application/json"})
    assert status == 201
    code = json.loads(body)["tracking_code"]
    status, _, body = http("GET", one_origin + f"/feedback/status/{code}")
    assert status == 200 and code.encode() in body
    status, headers, _ = http("GET", one_origin + "/feedback")
    assert status == 308 and headers["Location"].endswith("/feedback/")
    status, _, body = http("GET", one_origin + "/inbox/")
    assert b"Our own 404 page" not in body  # the app answers /inbox/, not the static site


def test_serve_prints_its_address_and_serves(tiny_site, tmp_path):
    port = free_port()
    env = {**os.environ, "SECRET_KEY": "k" * 40, "INSTANCE_PATH": str(tmp_path / "instance"),
           "DATABASE_URL": f"sqlite:///{tmp_path}/feedback.sqlite3"}
    code = ("import sys; from pathlib import Path; from feedback_api.serve import serve; "
            f"serve(Path({str(tiny_site)!r}), host='127.0.0.1', port={port})")
    process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()  # the first line of output, before any request
        assert line.strip() == f"Serving the Transparency site on http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert http("GET", f"http://127.0.0.1:{port}/")[0] == 200
        # A fresh database was created by serve itself.
        assert http("GET", f"http://127.0.0.1:{port}/api/v1/health")[0] == 200
        status, _, _ = http("POST", f"http://127.0.0.1:{port}/api/v1/feedback",
                            body=json.dumps(FEEDBACK).encode(),
                            headers={"Content-Type": "application/json"})
        assert status == 201
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_setting_the_app_cannot_use_is_a_message_not_a_traceback(tiny_site, tmp_path):
    transparency = str(Path(sys.executable).with_name("transparency"))
    flask = str(Path(sys.executable).with_name("flask"))
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path / "instance"),
           "DATABASE_URL": f"sqlite:///{tmp_path}/feedback.sqlite3",
           "INBOX_SESSION_HOURS": "a working day"}
    for command, prefix in (
            ([transparency, "serve", "--site", str(tiny_site), "--port", str(free_port())],
             "transparency serve: "),
            ([flask, "--app", "feedback_api", "users", "--help"], "Error: ")):
        result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines()[-1] == (
            f"{prefix}INBOX_SESSION_HOURS must be a whole number, not 'a working day'")
