"""The JSON API under /api/v1, through Flask's test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from openapi_spec_validator import validate

from feedback_api import intake, recording
from tests.api.conftest import FEEDBACK, REPORT, rows
from tests.conftest import free_port

CODE = re.compile(r"^SMR(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


def test_feedback_is_recorded_and_its_status_can_be_looked_up(client, database_url):
    response = client.post("/api/v1/feedback", json={**FEEDBACK, "name": "Ana Resident",
                                                     "email": "ana@example.org",
                                                     "wants_reply": True})
    assert response.status_code == 201
    body = response.get_json()
    code = body["tracking_code"]
    assert CODE.match(code)
    assert body["status_url"] == f"/feedback/status/{code}"
    assert response.headers["Location"] == f"/api/v1/status/{code}"

    [row] = rows(database_url)
    assert row["tracking_code"] == code and str(row["id"]) not in code.split("-")
    assert (row["kind"], row["state"], row["policy_id"], row["section"]) == \
        ("feedback", "new", "ai-1-19", "k-c")
    assert row["email"] == "ana@example.org" and row["wants_reply"]
    assert row["client_hash"] != "127.0.0.1" and len(row["client_hash"]) == 64
    assert not row["is_spam"]

    typed = code.lower().replace("-", "")
    status = client.get(f"/api/v1/status/{typed}")
    assert status.status_code == 200
    found = status.get_json()
    assert found["tracking_code"] == code
    assert (found["kind"], found["state"], found["public_note"]) == ("feedback", "new", None)
    assert found["received_at"].endswith("Z")
    text = status.get_data(as_text=True)
    for private in ("Ana Resident", "ana@example.org", "removed comments", "127.0.0.1"):
        assert private not in text


def test_a_report_is_recorded(client, database_url):
    response = client.post("/api/v1/reports", json={**REPORT, "seen_at": "2026-03-27"})
    assert response.status_code == 201
    code = response.get_json()["tracking_code"]
    assert response.get_json()["status_url"] == f"/report/status/{code}"
    [row] = rows(database_url)
    assert (row["kind"], row["category"], row["account_id"], row["seen_at"]) == \
        ("report", "arguing-with-the-public", "city-x-sample", "2026-03-27")
    assert row["message"] == REPORT["description"]
    assert client.get(f"/api/v1/status/{code}").get_json()["kind"] == "report"


def test_a_report_about_an_unlisted_account_needs_only_its_address(client, database_url):
    response = client.post("/api/v1/reports", json={
        "category": "other", "description": "Looks like an impostor of the City.",
        "account_url": "https://www.instagram.com/not_the_city/"})
    assert response.status_code == 201
    [row] = rows(database_url)
    assert row["account_id"] is None
    assert row["account_url"] == "https://www.instagram.com/not_the_city/"


def test_the_same_text_from_the_same_client_is_recorded_once(client, database_url):
    first = client.post("/api/v1/feedback", json=FEEDBACK).get_json()
    again = client.post("/api/v1/feedback",
                        json={**FEEDBACK, "message": FEEDBACK["message"].upper() + "  "})
    assert again.status_code == 201
    assert again.get_json()["tracking_code"] == first["tracking_code"]
    assert again.get_json()["duplicate"] is True
    other_client = client.post("/api/v1/feedback", json=FEEDBACK,
                               environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other_client.get_json()["tracking_code"] != first["tracking_code"]
    assert len(rows(database_url)) == 2


def test_a_repeat_after_the_window_is_a_new_submission(make_app, database_url):
    client = make_app(DUPLICATE_WINDOW_SECONDS=0).test_client()
    first = client.post("/api/v1/feedback", json=FEEDBACK).get_json()["tracking_code"]
    second = client.post("/api/v1/feedback", json=FEEDBACK).get_json()["tracking_code"]
    assert first != second
    assert len(rows(database_url)) == 2


def test_a_tracking_code_collision_is_retried_with_a_fresh_code(client, database_url,
                                                                monkeypatch):
    taken = client.post("/api/v1/reports", json=REPORT).get_json()["tracking_code"]
    codes = iter([taken, taken, "SMR-AAAA-BBBB-CCCC-DDDD"])
    monkeypatch.setattr(recording, "new_tracking_code", lambda: next(codes))
    response = client.post("/api/v1/feedback", json=FEEDBACK)
    assert response.status_code == 201
    assert response.get_json()["tracking_code"] == "SMR-AAAA-BBBB-CCCC-DDDD"
    assert [(r["tracking_code"], r["kind"]) for r in rows(database_url)] == \
        [(taken, "report"), ("SMR-AAAA-BBBB-CCCC-DDDD", "feedback")]


def test_report_categories_cite_their_rules(client):
    categories = client.get("/api/v1/report-categories").get_json()["categories"]
    by_id = {c["id"]: c for c in categories}
    assert [r["citation"] for r in by_id["political-campaigning"]["rules"]] == ["AI 1-19 §K.b"]
    assert [r["citation"] for r in by_id["personal-attack"]["rules"]] == ["Resolution §1.A.3"]
    assert {r["citation"] for r in by_id["confidential-information"]["rules"]} == \
        {"AI 1-19 §K.l", "AI 1-19 §U.b"}
    assert "other" in by_id


def test_health(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


# ---------------------------------------------------------------------------------------
# Errors


def test_only_json_is_accepted(client):
    error = error_of(client.post("/api/v1/feedback", data=FEEDBACK), 415)
    assert "application/json" in error["message"]
    error_of(client.post("/api/v1/reports", data=json.dumps(REPORT),
                         content_type="text/plain"), 415)


@pytest.mark.parametrize("body", [b"{", b"not json", b"\xff\xfe\x00", b"[" * 50_000,
                                  b'{"policy_id": 1e999999}'])
def test_a_body_that_is_not_json_is_a_400(client, body):
    response = client.post("/api/v1/feedback", data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    error_of(response, response.status_code)


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null", "true"])
def test_a_body_that_is_not_an_object_is_a_400(client, body):
    error = error_of(client.post("/api/v1/reports", data=body,
                                 content_type="application/json"), 400)
    assert "JSON object" in error["message"]


def test_a_big_body_is_a_413_in_json(client):
    big = {**FEEDBACK, "message": "x" * 70_000}
    error = error_of(client.post("/api/v1/feedback", json=big), 413)
    assert "65,536 bytes" in error["message"]


def test_fields_at_fault_are_named(client):
    error = error_of(client.post("/api/v1/feedback", json={"policy_id": "AI-9-99",
                                                           "section": "k-c", "message": "",
                                                           "wants_reply": "maybe",
                                                           "colour": "blue"}), 422)
    assert set(error["fields"]) == {"policy_id", "message", "wants_reply", "colour"}
    error = error_of(client.post("/api/v1/feedback", json={"policy_id": "ai-1-19",
                                                           "section": "nowhere",
                                                           "message": "Hi"}), 422)
    assert set(error["fields"]) == {"section"}
    error = error_of(client.post("/api/v1/reports", json={**REPORT,
                                                          "account_id": "not-listed"}), 422)
    assert set(error["fields"]) == {"account_id"}
    error = error_of(client.post("/api/v1/reports", json={"description": 5}), 422)
    assert set(error["fields"]) == {"category", "description", "account_id"}


def test_nothing_is_recorded_from_a_rejected_submission(client, database_url):
    client.post("/api/v1/feedback", json={"policy_id": "ai-1-19"})
    client.post("/api/v1/feedback", data="x", content_type="application/json")
    assert rows(database_url) == []


def test_unknown_addresses_and_methods_answer_json(client):
    error_of(client.get("/api/v1/nothing-here"), 404)
    error_of(client.get("/api/"), 404)
    error = error_of(client.get("/api/v1/status/SMR-0000-0000-0000-0000"), 404)
    assert "tracking code" in error["message"]
    error_of(client.get("/api/v1/status/not-a-code"), 404)
    response = client.delete("/api/v1/feedback")
    error_of(response, 405)
    assert "POST" in response.headers["Allow"]
    error_of(client.post("/api/v1/health"), 405)


def test_an_unexpected_failure_is_a_json_500_without_a_trace(app):
    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/broken", "broken", broken)
    response = app.test_client().get("/api/v1/broken")
    error = error_of(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in error["message"]


def test_an_unreachable_database_is_a_503_with_a_clear_message(catalog, tmp_path):
    from feedback_api import create_app
    from tests.api.conftest import app_config

    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none"
    unwritable = f"sqlite:///{tmp_path}/missing-folder/feedback.sqlite3"
    for url in (closed, unwritable):
        app = create_app(app_config(url, catalog))
        client = app.test_client()
        error = error_of(client.get("/api/v1/health"), 503)
        assert "database is unavailable" in error["message"]
        error = error_of(client.post("/api/v1/feedback", json=FEEDBACK), 503)
        assert error["code"] == "database_unavailable"
        error_of(client.get("/api/v1/status/SMR-0000-0000-0000-0000"), 503)
        app.extensions["db_engine"].dispose()


# ---------------------------------------------------------------------------------------
# CORS


def test_cross_origin_requests_only_for_configured_origins(make_app):
    client = make_app().test_client()
    response = client.post("/api/v1/feedback", json=FEEDBACK,
                           headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in response.headers

    client = make_app(CORS_ORIGINS="https://www.cabq.gov").test_client()
    preflight = client.options("/api/v1/feedback", headers={
        "Origin": "https://www.cabq.gov", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://www.cabq.gov"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    response = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


# ---------------------------------------------------------------------------------------
# OpenAPI


def test_the_openapi_document_is_valid_and_covers_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    described = {(path, method.upper()) for path, item in document["paths"].items()
                 for method in item}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in described, f"{method} {path} is not in openapi.json"
    routes = {re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", r.rule)
              for r in app.url_map.iter_rules()}
    assert set(document["paths"]) <= routes


def test_the_openapi_limits_are_the_enforced_limits(client, catalog):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    reports = intake.report_fields(catalog.category_ids)
    for name, specs in (("Feedback", intake.FEEDBACK_FIELDS), ("Report", reports)):
        properties = schemas[name]["properties"]
        assert set(properties) == set(specs)
        for field, spec in specs.items():
            assert properties[field].get("maxLength") == spec.max_length
        assert set(schemas[name]["required"]) == {f for f, s in specs.items() if s.required}
    assert schemas["Feedback"]["properties"]["message"]["maxLength"] == 5000
    assert schemas["Report"]["properties"]["post_url"]["maxLength"] == 2000
    assert schemas["Report"]["properties"]["name"]["maxLength"] == 200
    assert schemas["Report"]["properties"]["email"]["maxLength"] == 254


def documented_answer(document: dict, path: str, method: str, status: int) -> dict:
    """The document's answer for this status of this operation, references followed. A 405
    is described once, under components, for every address."""
    responses = document["paths"][path][method]["responses"]
    if status == 405 and "405" not in responses:
        answer = {"$ref": "#/components/responses/E405"}
    else:
        answer = responses[str(status)]
    while "$ref" in answer:
        answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    return answer


ANSWER_HEADERS = ("Location", "Allow", "Retry-After", "X-RateLimit-Limit",
                  "X-RateLimit-Remaining", "X-RateLimit-Reset")


def assert_as_documented(document: dict, path: str, method: str, response) -> None:
    import jsonschema_rs

    answer = documented_answer(document, path, method, response.status_code)
    assert response.mimetype == "application/json"
    assert list(answer["content"]) == ["application/json"]
    headers = {name: document["components"]["headers"][header["$ref"].rsplit("/", 1)[1]]
               for name, header in answer.get("headers", {}).items()}
    for name in ANSWER_HEADERS:
        if name in response.headers:
            assert name in headers, f"{name} is not documented for {response.status_code}"
    for name, header in headers.items():
        if header.get("required"):
            assert name in response.headers, f"{name} is missing from {response.status_code}"
        if name in response.headers:
            value = response.headers[name]
            if header["schema"].get("type") == "integer":
                value = int(value)
            assert jsonschema_rs.validator_for(header["schema"]).is_valid(value), (name, value)
    schema = {**answer["content"]["application/json"]["schema"],
              "components": document["components"]}
    jsonschema_rs.validator_for(schema).validate(response.get_json())


def test_every_kind_of_answer_is_the_documented_one(make_app, catalog):
    client = make_app(RATELIMIT_SUBMIT="2 per minute").test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    feedback, reports = "/api/v1/feedback", "/api/v1/reports"
    status = "/api/v1/status/{tracking_code}"
    created = client.post(feedback, json=FEEDBACK)
    answers = [
        (feedback, "post", created),
        (feedback, "post", client.post(feedback, data="{", content_type="application/json")),
        (feedback, "post", client.post(feedback, json={**FEEDBACK, "message": "x" * 70_000})),
        (feedback, "post", client.post(feedback, data="x", content_type="text/plain")),
        (feedback, "post", client.post(feedback, json={**FEEDBACK, "email": "not an address"})),
        (reports, "post", client.post(reports, json=REPORT)),
        (reports, "post", client.post(reports, json={**REPORT, "description": "Third"})),
        (feedback, "delete", client.delete(feedback)),
        ("/api/v1/health", "get", client.get("/api/v1/health")),
        ("/api/v1/report-categories", "get", client.get("/api/v1/report-categories")),
        ("/api/v1/stats", "get", client.get("/api/v1/stats")),
        (status, "get", client.get(created.headers["Location"])),
        (status, "get", client.get("/api/v1/status/SMR-0000-0000-0000-0000")),
        (status, "get", client.get("/api/v1/status/not%20a%20code")),
    ]
    down = make_app(DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none"
                    ).test_client()
    answers += [("/api/v1/health", "get", down.get("/api/v1/health")),
                (feedback, "post", down.post(feedback, json=FEEDBACK)),
                (status, "get", down.get("/api/v1/status/SMR-0000-0000-0000-0000"))]
    for path, method, response in answers:
        # DELETE is no operation: its 405 is the one described for every address.
        assert_as_documented(document, path, "post" if method == "delete" else method,
                             response)
    assert {response.status_code for *_, response in answers} == \
        {200, 201, 400, 404, 405, 413, 415, 422, 429, 503}


def test_a_tracking_code_the_document_does_not_describe_is_not_looked_up(client):
    code = client.post("/api/v1/feedback", json=FEEDBACK).get_json()["tracking_code"]
    for typed in (code.lower(), code.replace("-", " "), code[4:].replace("-", "."),
                  f" {code} "):
        assert client.get(f"/api/v1/status/{typed}").status_code == 200, typed
    # Found by the forms' look-up (which reads any space as a separator), but not codes as
    # the API's document describes them: 404, as for any other text that is not a code.
    for typed in (code.replace("-", "\u3000"), code.replace("-", "\t"),
                  code.replace("SMR-", "S-M-R-")):
        error_of(client.get(f"/api/v1/status/{quote(typed)}"), 404)
