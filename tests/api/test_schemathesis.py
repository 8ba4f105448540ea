"""The JSON API keeps to its own OpenAPI document, checked by Schemathesis over real HTTP.

The app runs as `transparency serve` runs it (`feedback_api.serve.start`: a threaded HTTP
server on a free loopback port) on a real SQLite file. Schemathesis, run as its command in a
subprocess, fetches `GET /api/v1/openapi.json` from that server and spends about 90 seconds
on every operation in it: the examples in the document, the coverage phase (boundary and
just-wrong values for every field: empty strings, too long, wrong type, unknown fields, ...),
random valid and invalid bodies, and stateful sequences (a submission, then its status).
Every answer is held to five checks:

- `not_a_server_error`: no 5xx, whatever is sent;
- `status_code_conformance`: every status is one the document lists for the operation;
- `content_type_conformance`: the answer's Content-Type is the documented one (JSON);
- `response_schema_conformance`: the body matches the documented schema of that status;
- `negative_data_rejection`: a body or parameter the document says is invalid is refused
  with a 4xx, never recorded with 201.

Rate limit: the server runs with a generous RATELIMIT_SUBMIT. A 429 is a documented answer
of both POST operations, so with the default "5 per minute" the run would still pass, but
mostly for the wrong reason: after the fifth recorded submission in a minute every POST,
valid or not, is refused with 429 before its body is read, and Schemathesis counts a 429
as a proper rejection of invalid data. (Measured: with the default limit, 7 of about 6,900
requests in a 90-second run got as far as being recorded; with the generous one, about
380.) Most of the run would test the limiter rather than the checks, and a body the
document calls invalid but the code records would go unnoticed after the first few
seconds. The limiter, its 429 and its headers have their own tests (test_limits.py), and
a real 429 is held to the document in test_api_json.py.

A failure prints Schemathesis's report: the operation, the check, the answer, a curl
command that reproduces it, and the run's seed (`schemathesis run ... --seed N` repeats
the run).
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feedback_api.serve import start
from tests.api.conftest import http

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
SECONDS = 90
GENEROUS_LIMIT = "100000 per minute"


@pytest.fixture
def live_api(make_sqlite_app, tiny_site):
    app = make_sqlite_app(RATELIMIT_SUBMIT=GENEROUS_LIMIT)
    # One log line per request would bury the report; the app's own warnings and errors
    # (a traceback, should there be one) still show.
    requests_log = logging.getLogger("werkzeug")
    level = requests_log.level
    requests_log.setLevel(logging.WARNING)
    running = start(tiny_site, app)
    try:
        yield running.url.rstrip("/")
    finally:
        running.stop()
        requests_log.setLevel(level)


def test_the_api_keeps_to_its_openapi_document(live_api, tmp_path):
    status, _, body = http("GET", f"{live_api}/api/v1/openapi.json")
    assert status == 200
    document = json.loads(body)
    command = [
        str(SCHEMATHESIS), "run", f"{live_api}/api/v1/openapi.json",
        "--checks", ",".join(CHECKS),
        # Every operation: Schemathesis leaves out the one that served the document (GET
        # /api/v1/openapi.json) unless a filter names it, and this one names them all.
        "--include-path-regex", "^/",
        "--max-time", str(SECONDS),
        "--workers", "1",
        "--request-timeout", "10",
        "--generation-database", "none",  # no example database left behind
        # Hypothesis's check on its own generator, not on the API: for the status address
        # it makes strings from the tracking code's pattern and throws away those a path
        # cannot carry, and in some runs (about one in three) it threw away too many and
        # stopped testing that operation. Every case it does generate is still checked.
        "--suppress-health-check", "filter_too_much",
        "--no-color",
    ]
    began = time.monotonic()
    # The test's own folder as the working folder: nothing Schemathesis writes lands in the
    # repository.
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                            timeout=SECONDS + 90)
    took = time.monotonic() - began
    report = result.stdout + result.stderr
    exit_code = result.returncode
    assert exit_code == 0, f"Schemathesis found problems ({took:.0f} s):\n{report}"
    # Not a run that tested nothing: every operation in the document was exercised.
    operations = sum(len(item) for item in document["paths"].values())
    assert re.search(rf"Tested: +{operations}\b", report), report
