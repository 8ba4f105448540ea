"""Empty values, and the OpenAPI document agreeing with the checks.

For every optional field, an empty string, `null` and leaving the field out mean the same:
not given. The forms send empty strings for blank fields; JSON clients may send any of the
three. The document says so (each optional property admits "" and null), and a property's
`pattern`, `enum` and `maxLength` refuse exactly what the checks refuse: a test below holds
the two to the same verdict, with the ECMA-262 engine Schemathesis uses (jsonschema_rs).
"""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback_api import intake
from feedback_api.openapi import document
from tests.api.conftest import FEEDBACK, REPORT, rows, send_form, shipped_catalog

NOT_GIVEN = {"empty": "", "blank": "  \t ", "null": None}


def request_schema(name: str) -> dict:
    schemas = document(shipped_catalog())["components"]["schemas"]
    return {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas}}


FEEDBACK_SCHEMA = jsonschema_rs.validator_for(request_schema("Feedback"),
                                              validate_formats=True)
REPORT_SCHEMA = jsonschema_rs.validator_for(request_schema("Report"), validate_formats=True)


def recorded(client, database_url, path: str, body: dict) -> dict:
    """Send a body that must be recorded; the stored row."""
    response = client.post(path, json=body)
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["tracking_code"]
    [row] = rows(database_url, "tracking_code = :code", code=code)
    return dict(row)


def stored(row: dict, *names: str) -> dict:
    return {name: row[name] for name in names}


@pytest.mark.parametrize("sent", list(NOT_GIVEN), ids=list(NOT_GIVEN))
def test_an_empty_name_or_section_is_not_given(client, database_url, sent):
    value = NOT_GIVEN[sent]
    body = {**FEEDBACK, "section": value, "name": value}
    assert FEEDBACK_SCHEMA.is_valid(body)
    row = recorded(client, database_url, "/api/v1/feedback", body)
    assert stored(row, "section", "name") == {"section": None, "name": None}
    left_out = recorded(client, database_url, "/api/v1/feedback",
                        {"policy_id": "ai-1-19", "message": f"Left out, not {sent}."})
    assert stored(left_out, "section", "name") == stored(row, "section", "name")


@pytest.mark.parametrize("sent", list(NOT_GIVEN), ids=list(NOT_GIVEN))
def test_an_empty_email_is_not_given_and_cannot_take_a_reply(client, database_url, sent):
    body = {**FEEDBACK, "email": NOT_GIVEN[sent]}
    assert FEEDBACK_SCHEMA.is_valid(body)
    assert recorded(client, database_url, "/api/v1/feedback", body)["email"] is None

    wants = {**body, "wants_reply": True}
    assert not FEEDBACK_SCHEMA.is_valid(wants)
    response = client.post("/api/v1/feedback", json=wants)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"email"}
    assert "so we can reply" in response.get_json()["error"]["fields"]["email"]


@pytest.mark.parametrize("sent", list(NOT_GIVEN), ids=list(NOT_GIVEN))
def test_an_empty_web_address_or_account_is_not_given(client, database_url, sent):
    value = NOT_GIVEN[sent]
    body = {**REPORT, "account_url": value, "account_id": value}
    assert REPORT_SCHEMA.is_valid(body)
    row = recorded(client, database_url, "/api/v1/reports", body)
    assert stored(row, "account_url", "account_id", "post_url") == {
        "account_url": None, "account_id": None, "post_url": REPORT["post_url"]}

    # Nothing left to say which account or post: the report is refused, naming the rule.
    nothing = {**body, "post_url": value}
    assert not REPORT_SCHEMA.is_valid(nothing)
    response = client.post("/api/v1/reports", json=nothing)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"account_id"} and "link to the post" in fields["account_id"]


@pytest.mark.parametrize("sent", list(NOT_GIVEN), ids=list(NOT_GIVEN))
def test_an_empty_seen_at_is_not_given(client, database_url, sent):
    body = {**REPORT, "seen_at": NOT_GIVEN[sent]}
    assert REPORT_SCHEMA.is_valid(body)
    assert recorded(client, database_url, "/api/v1/reports", body)["seen_at"] is None


@pytest.mark.parametrize("sent,valid", [("", True), (None, True), (False, True),
                                        ("yes", False), ("true", False), (0, False)])
def test_an_empty_wants_reply_means_no_and_other_strings_are_refused(client, database_url,
                                                                     sent, valid):
    body = {**FEEDBACK, "message": f"Reply? {sent!r}", "email": "ana@example.org",
            "wants_reply": sent}
    assert FEEDBACK_SCHEMA.is_valid(body) is valid
    if valid:
        assert not recorded(client, database_url, "/api/v1/feedback", body)["wants_reply"]
    else:
        response = client.post("/api/v1/feedback", json=body)
        assert response.status_code == 422
        fields = response.get_json()["error"]["fields"]
        assert set(fields) == {"wants_reply"} and "true or false" in fields["wants_reply"]


@pytest.mark.parametrize("path,field,message", [
    ("/api/v1/feedback", "message", "Enter your comment"),
    ("/api/v1/feedback", "policy_id", "Enter the policy"),
    ("/api/v1/reports", "description", "Enter what happened"),
    ("/api/v1/reports", "category", "Choose what kind of problem it is"),
])
@pytest.mark.parametrize("sent", list(NOT_GIVEN), ids=list(NOT_GIVEN))
def test_a_required_field_cannot_be_empty(client, database_url, path, field, message, sent):
    body = {**(FEEDBACK if path.endswith("feedback") else REPORT), field: NOT_GIVEN[sent]}
    validator = FEEDBACK_SCHEMA if path.endswith("feedback") else REPORT_SCHEMA
    assert not validator.is_valid(body)
    response = client.post(path, json=body)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    if field == "category" and sent == "blank":  # not one of the ids
        assert fields == {"category": fields["category"]} and "from the list" in fields[field]
    else:
        assert fields == {field: message}
    assert rows(database_url) == []


def test_every_optional_property_of_the_document_admits_empty_and_null():
    schemas = document(shipped_catalog())["components"]["schemas"]
    for name, specs in (("Feedback", intake.FEEDBACK_FIELDS), ("Report", intake.REPORT_FIELDS)):
        for field, spec in specs.items():
            prop = schemas[name]["properties"][field]
            single = jsonschema_rs.validator_for(prop)
            if spec.required:
                assert not single.is_valid("") and not single.is_valid(None), field
            else:
                assert single.is_valid("") and single.is_valid(None), field
                assert "empty string means not given" in prop["description"], field


def test_a_form_with_every_optional_field_left_blank_is_recorded(client, database_url):
    response = send_form(client, "/report/", category="other", account_id="",
                         account_url="", post_url="https://x.com/abq_city_sample/status/9",
                         seen_at="", name="", email="",
                         description="Sent from the form with the optional fields blank.")
    assert response.status_code == 303
    [row] = rows(database_url)
    assert stored(row, "account_id", "account_url", "seen_at", "name", "email",
                  "wants_reply") == {"account_id": None, "account_url": None, "seen_at": None,
                                     "name": None, "email": None, "wants_reply": False}


def test_a_line_break_from_a_form_counts_once_and_in_json_as_sent(client, database_url):
    text = "abc\r\n" * 1250  # 5,000 characters as typed; 6,250 as a form sends it
    response = send_form(client, "/feedback/", policy_id="ai-1-19", message=text)
    assert response.status_code == 303
    [row] = rows(database_url)
    assert row["message"] == ("abc\n" * 1250).strip()

    response = client.post("/api/v1/feedback", json={"policy_id": "ai-1-19", "message": text})
    assert response.status_code == 422
    assert "(it is 6,250)" in response.get_json()["error"]["fields"]["message"]
    assert not FEEDBACK_SCHEMA.is_valid({"policy_id": "ai-1-19", "message": text})
    assert client.post("/api/v1/feedback", json={
        "policy_id": "ai-1-19", "message": "abc\n" * 1250}).status_code == 201


# ---------------------------------------------------------------------------------------
# The document and the checks: one verdict

# Characters at the edges of the rules: controls, line breaks, tabs, spaces of all kinds,
# a byte order mark (ECMA-262's \s has it, Python's does not), the parts of addresses and
# dates, letters in both cases, and text beyond the Basic Multilingual Plane.
EDGES = ("\x00\x07\x0b\x0c\x1c\x1f\x7f\x85\t\n\r \xa0\u1680\u2002\u2028\u2029\u202f\u3000"
         "\ufeff@.:/?#[]-+ZT0123456789hHtTpPsSaAé😀")
edge_text = st.text(alphabet=st.sampled_from(EDGES), max_size=40)
near_valid = st.sampled_from([
    "ana@example.org", " ana@example.org\n", "a@b", "a@b.", "a..b@c.d", "@b.co", "a@b.c@d.e",
    "https://x.com/a", "HTTPS://x.com", "https://x.com:8080/a?b#c", "https://", "https://:80",
    "https://[::1]/", "https://user@x.com/", "ftp://x.com", " https://x.com/a b",
    "2026-03-27", "2026-03-27T14:30", "2026-03-27 14:30:05.25Z", "2026-03-27T14:30+05:30",
    "2026-3-27", "2026-03-27T14", "2026-03-27t14:30", "  2026-03-27\t",
    "ai-1-19", "k-c", "city-x-sample", "other", "Other", " other", "",
])
values = st.one_of(edge_text, near_valid,
                   st.tuples(near_valid, edge_text).map("".join),
                   st.tuples(edge_text, near_valid).map("".join))


# Fields the checks look further into (a catalog look-up, a date that must be in the past):
# the document may call a value valid that the checks then refuse, never the other way.
LOOKED_UP = {"policy_id", "section", "account_id", "seen_at"}
CASES = [("feedback", intake.check_feedback, FEEDBACK_SCHEMA, FEEDBACK, name)
         for name in intake.FEEDBACK_FIELDS if name != "wants_reply"] + \
        [("report", intake.check_report, REPORT_SCHEMA, {**REPORT, "account_id": None}, name)
         for name in intake.REPORT_FIELDS if name != "wants_reply"]


@pytest.mark.parametrize("kind,check,validator,base,field", CASES,
                         ids=[f"{case[0]}-{case[4]}" for case in CASES])
@settings(max_examples=300, deadline=None)
@given(value=values)
def test_the_document_and_the_checks_give_one_verdict(catalog, kind, check, validator, base,
                                                      field, value):
    body = {**base, field: value}
    document_says = validator.is_valid(body)
    checks_say = check(body, catalog).ok
    if field in LOOKED_UP:
        assert checks_say <= document_says, (field, value)
    else:
        assert checks_say == document_says, (field, value)


def test_the_patterns_read_the_same_in_python_and_in_ecma_262():
    """The checks use Python's re; the document's readers ECMA-262 (here: jsonschema_rs).
    Every character the classes name, and the ones at their edges, reads the same."""
    specs = [*intake.FEEDBACK_FIELDS.values(), *intake.REPORT_FIELDS.values()]
    samples = [chr(c) for c in range(0x250)] + list(
        "\u1680\u180e\u2000\u2005\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff😀")
    for spec in specs:
        source = intake.pattern(spec)
        if source is None:
            continue
        python = re.compile(source)
        ecma = jsonschema_rs.validator_for({"type": "string", "pattern": source})
        for sample in samples:
            for value in (sample, f"a{sample}a", f"a@b.c{sample}", f"https://x.com/{sample}"):
                assert (python.fullmatch(value) is not None) == ecma.is_valid(value), \
                    (spec.name, value)
