"""Property-based tests: whatever arrives at the two POST endpoints (and the forms), the
answer is never a 500 and always says what is wrong in the documented shape."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback_api.intake import FEEDBACK_FIELDS, REPORT_FIELDS
from feedback_api.serve import start
from tests.api.conftest import read_form

ENDPOINTS = {"/api/v1/feedback": FEEDBACK_FIELDS, "/api/v1/reports": REPORT_FIELDS}
FIELD_NAMES = sorted(set(FEEDBACK_FIELDS) | set(REPORT_FIELDS))
quick = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])

# Text that hurts: NUL and control characters, lone surrogates, right-to-left marks, huge
# and tiny, markup, and plausible values.
nasty_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None), max_size=50),
    st.text(max_size=3).map(lambda s: s + "\x00" + s),
    st.sampled_from(["\ud800", "a\udfffb", "\u202e", "<script>alert(1)</script>", "' OR 1=1--",
                     "ai-1-19", "AI-1-19", "k-c", "https://x.com/a", "javascript:alert(1)",
                     "2026-03-27", "2026-02-30", "other", "x@y.z", "", " ", "\n"]),
    st.integers(min_value=4990, max_value=5010).map(lambda n: "é" * n),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)
submissions = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=10), json_values,
                              max_size=10)
plausible = st.fixed_dictionaries({}, optional={name: nasty_text for name in FIELD_NAMES})


@pytest.fixture
def open_client(make_app):
    """An app without rate limits, so every example reaches the checks."""
    return make_app(RATELIMIT_ENABLED=False).test_client()


def assert_answered(response, allowed=(201, 400, 413, 422)):
    assert response.status_code in allowed, (response.status_code, response.get_data()[:500])
    body = response.get_json()
    if response.status_code == 201:
        assert body["tracking_code"].startswith("SMR-")
    else:
        assert isinstance(body["error"]["code"], str) and body["error"]["message"]
        if response.status_code == 422:
            assert body["error"]["fields"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@quick
@given(body=json_values)
def test_any_json_value(open_client, endpoint, body):
    assert_answered(open_client.post(endpoint, data=json.dumps(body),
                                     content_type="application/json"))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@quick
@given(body=st.one_of(submissions, plausible))
def test_any_object_of_fields(open_client, endpoint, body):
    assert_answered(open_client.post(endpoint, json=body))


VALID = {
    "/api/v1/feedback": {"policy_id": "ai-1-19", "section": "k-c", "message": "A comment."},
    "/api/v1/reports": {"category": "other", "description": "What happened.",
                        "account_id": "city-x-sample"},
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@quick
@given(data=st.data())
def test_a_valid_submission_with_one_hostile_field(open_client, endpoint, data):
    """Hostile text reaches the database when the rest is valid: stored or refused, no 500."""
    field = data.draw(st.sampled_from(sorted(ENDPOINTS[endpoint])))
    value = data.draw(json_values)
    response = open_client.post(endpoint, json={**VALID[endpoint], field: value})
    assert_answered(response)
    if response.status_code == 201:
        code = response.get_json()["tracking_code"]
        assert open_client.get(f"/api/v1/status/{code}").status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@quick
@given(body=st.binary(max_size=300), content_type=st.sampled_from([
    "application/json", "application/json; charset=latin-1", "text/plain", "",
    "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"]))
def test_any_bytes(open_client, endpoint, body, content_type):
    response = open_client.post(endpoint, data=body, content_type=content_type)
    assert_answered(response, allowed=(201, 400, 413, 415, 422))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body", [
    b"[" * 60_000,
    b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    json.dumps({"message": "x" * 65_000}).encode(),
    json.dumps({"policy_id": "ai-1-19", "message": "9" * 5000}).encode(),
    b'{"policy_id": ' + b"1" * 5000 + b"}",
    json.dumps({"description": ["x"] * 10_000}).encode()[:65_000],
], ids=["deep-arrays", "deep-objects", "just-under-64k", "long-digits", "huge-number",
        "long-array"])
def test_huge_and_nested_bodies(open_client, endpoint, body):
    assert_answered(open_client.post(endpoint, data=body, content_type="application/json"))


def test_a_chunked_body_over_the_limit_on_a_real_server(make_app, tiny_site):
    import http.client

    running = start(tiny_site, make_app(RATELIMIT_ENABLED=False))
    try:
        connection = http.client.HTTPConnection("127.0.0.1", running.server.server_port,
                                                timeout=15)
        chunks = (b" " * 8192 for _ in range(40))  # 320 KiB, no Content-Length
        connection.request("POST", "/api/v1/feedback", body=chunks, encode_chunked=True,
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["error"]["code"] == "payload_too_large"
        connection.close()
    finally:
        running.stop()


@settings(quick, max_examples=30)
@given(fields=plausible, honeypot=nasty_text)
def test_any_text_in_the_forms(open_client, fields, honeypot):
    for url in ("/feedback/", "/report/"):
        values = read_form(open_client.get(url).get_data(as_text=True)).values
        values.update({k: v for k, v in fields.items()}, website=honeypot)
        safe = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                for k, v in values.items()}
        response = open_client.post(url, data=safe)
        assert response.status_code in (303, 422), response.get_data()[:300]
        if response.status_code == 422:
            assert b"There is a problem" in response.get_data()
