"""The OpenAPI 3.1 document of /api/v1, built from the same field specs the checks use.

Every property of the two request bodies comes from `intake.Field`: its type, limit, enum
and `pattern` (built from the character classes the checks use, `intake.pattern`), so a
value the document calls invalid is one the checks refuse. The report categories are the
catalog's, so the document is built for an app's catalog (`document(catalog)`). A test
validates the document with openapi-spec-validator and checks that every /api/ route in the
app's URL map is described here; another runs Schemathesis against a live server driven by
this document.
"""

from __future__ import annotations

from . import intake
from .catalog import Catalog
from .config import API_MAX_BYTES
from .decisions import openapi_paths as decisions_paths
from .errors import UNAVAILABLE_RETRY_SECONDS
from .stats import openapi_paths as stats_paths
from .status import TRACKING_CODE_MAX, TRACKING_CODE_PATTERN
from .tracking import EXAMPLE

ERROR_STATUSES = {
    "400": "The body is not JSON, or not a JSON object.",
    "404": "Nothing has this tracking code, or there is nothing at this address.",
    "405": "This address does not accept that method; `Allow` lists those it does.",
    "413": f"The body is over {API_MAX_BYTES:,} bytes.",
    "415": "The body is not sent as application/json.",
    "422": "Fields are missing or not valid; `fields` names each with how to fix it.",
    "429": "Too many submissions from this client; `Retry-After` says when to try again.",
    "500": "An unexpected error; nothing the client sent was lost.",
    "503": ("The database is unavailable; nothing was saved. Try again after "
            f"`Retry-After` seconds ({UNAVAILABLE_RETRY_SECONDS})."),
}
# The submission operations' statuses besides 201.
POST_ERRORS = ("400", "413", "415", "422", "429", "503")

NOT_GIVEN = ("An empty string means not given, the same as null or leaving the field out "
             "(the forms send empty strings for blank fields).")

INTEGER = {"type": "integer", "minimum": 0}
HEADERS = {
    "Location": {"description": "The API status address of the submission.", "required": True,
                 "schema": {"type": "string"}},
    "Allow": {"description": "The methods this address accepts.", "required": True,
              "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before trying again.", "required": True,
                    "schema": INTEGER},
    "X-RateLimit-Limit": {"description": "Submissions allowed in the shortest window, or in "
                                         "the full one on a refusal.",
                          "schema": INTEGER},
    "X-RateLimit-Remaining": {"description": "Submissions left in that window, after this one.",
                              "schema": INTEGER},
    "X-RateLimit-Reset": {"description": "Unix time when that window ends.", "schema": INTEGER},
}
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def _header_refs(*names: str) -> dict:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _field_schema(spec: intake.Field) -> dict:
    """A request body property, from the spec the checks use."""
    if spec.type == "boolean":
        schema: dict = {"enum": [True, False] if spec.required else [True, False, None, ""]}
    elif spec.choices:
        schema = {"type": "string",
                  "enum": list(spec.choices) + ([] if spec.required else [None, ""])}
        if not spec.required:
            schema["type"] = ["string", "null"]
    else:
        schema = {"type": "string" if spec.required else ["string", "null"]}
        if spec.required:
            schema["minLength"] = 1
        schema["pattern"] = intake.pattern(spec)
    if spec.max_length:
        schema["maxLength"] = spec.max_length
    text = [spec.description] if spec.description else []
    if spec.format:
        text.append(intake.FORMAT_HINTS[spec.format])
    if spec.type == "string" and not spec.choices:
        text.append("Spaces and line breaks at either end are trimmed"
                    + ("." if spec.multiline else "; no line breaks or tabs inside."))
    if not spec.required:
        text.append(NOT_GIVEN)
    schema["description"] = " ".join(text)
    return schema


def _given(name: str) -> dict:
    """A rule that `name` is given: present, a string, and not only spaces."""
    return {"required": [name],
            "properties": {name: {"type": "string", "pattern": intake.GIVEN}}}


def _object(specs: dict[str, intake.Field], example: dict) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name, spec in specs.items() if spec.required],
        "properties": {name: _field_schema(spec) for name, spec in specs.items()},
        # A reply needs an email address.
        "if": {"required": ["wants_reply"], "properties": {"wants_reply": {"const": True}}},
        "then": _given("email"),
        "examples": [example],
    }


def _error_response(status: str, *headers: str) -> dict:
    names = {"405": ("Allow",), "429": ("Retry-After",),
             "503": ("Retry-After",)}.get(status, ()) + headers
    answer: dict = {"description": ERROR_STATUSES[status]}
    if names:
        answer["headers"] = _header_refs(*names)
    answer["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return answer


def _responses(ok: dict, *errors: str) -> dict:
    answers = dict(ok)
    for status in errors:
        answers[status] = {"$ref": f"#/components/responses/E{status}"}
    return answers


def _submit_responses() -> dict:
    """The answers of a submission: every one carries the rate limit headers."""
    answers = {"201": {
        "description": "Recorded (committed to the database before this answer).",
        "headers": _header_refs("Location", *RATE_LIMIT_HEADERS),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}},
    }}
    for status in POST_ERRORS:
        answers[status] = _error_response(status, *RATE_LIMIT_HEADERS)
    return answers


def accept_language(catalog: Catalog) -> dict:
    """The optional header that picks the language of an answer's words."""
    codes = [language.code for language in catalog.languages.languages]
    return {
        "name": "Accept-Language", "in": "header", "required": False,
        "description": (
            "The language of the words meant for people: error messages, labels, "
            "descriptions and `state_label`. The best match among the site's languages ("
            + ", ".join(f"`{code}`" for code in codes) + "); the default language when "
            "none matches. Ids, states, codes, dates and addresses are the same in every "
            "language. Answers say `Vary: Accept-Language`."),
        "schema": {"type": "string", "examples": codes},
    }


def _with_language(paths: dict) -> dict:
    """Every operation but the document itself takes Accept-Language."""
    for operations in paths.values():
        for operation in operations.values():
            if operation.get("operationId") != "openapi":
                operation["parameters"] = [*operation.get("parameters", []),
                                           {"$ref": "#/components/parameters/AcceptLanguage"}]
    return paths


def document(catalog: Catalog) -> dict:
    """The document of the API of an app whose catalog this is."""
    receipt = {
        "type": "object",
        "required": ["tracking_code", "status_url"],
        "properties": {
            "tracking_code": {"type": "string", "examples": [EXAMPLE]},
            "status_url": {"type": "string",
                           "description": "Site-relative address of the public status page."},
            "api_status_url": {"type": "string"},
            "duplicate": {"type": "boolean", "description": (
                "True when the same submission (the same text and the same contact "
                "details: name, email and reply wish) came from the same client within five "
                "minutes: nothing new was stored and the first tracking code is returned.")},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "City of Albuquerque social media policies: feedback and reports",
            "version": "1.0.0",
            "description": (
                "Give feedback on the City's social media policies and report possible "
                "violations by official accounts (Council resolution §1.B). Submissions may "
                "be public records under New Mexico's Inspection of Public Records Act "
                "(AI 1-19 §H). Writes are limited per client, an IPv4 address or an IPv6 /64 "
                "(RATELIMIT_SUBMIT, by default 5 per minute and 50 per day, shared with the "
                "site's forms); only recorded submissions count. Messages and labels are in "
                "the language `Accept-Language` asks for, among the site's languages."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": _with_language({
            "/api/v1/health": {"get": {
                "summary": "Whether the service and its database are up",
                "operationId": "health",
                "responses": _responses({"200": {
                    "description": "Up.",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["status", "database"],
                        "properties": {"status": {"const": "ok"},
                                       "database": {"const": "ok"}}}}},
                }}, "503"),
            }},
            "/api/v1/openapi.json": {"get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                      "content": {"application/json": {"schema": {
                                          "type": "object"}}}}},
            }},
            "/api/v1/report-categories": {"get": {
                "summary": "The kinds of problem a report can be about, with the rules cited",
                "operationId": "reportCategories",
                "responses": {"200": {"description": "The categories.", "content": {
                    "application/json": {"schema": {
                        "$ref": "#/components/schemas/Categories"}}}}},
            }},
            "/api/v1/feedback": {"post": {
                "summary": "Give feedback on a policy or one of its sections",
                "operationId": "sendFeedback",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Feedback"}}}},
                "responses": _submit_responses(),
            }},
            "/api/v1/reports": {"post": {
                "summary": "Report a possible violation by an official account",
                "operationId": "sendReport",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Report"}}}},
                "responses": _submit_responses(),
            }},
            "/api/v1/status/{tracking_code}": {"get": {
                "summary": "Where a submission stands (never any personal data)",
                "operationId": "status",
                "parameters": [{
                    "name": "tracking_code", "in": "path", "required": True,
                    "description": (
                        "The code from the confirmation: `SMR-` (optional) and 16 letters or "
                        "digits. Case does not matter, nor do spaces, dashes, dots or "
                        "underscores between them; I, L and O are read as 1, 1 and 0. "
                        "Anything else is not a code: 404."),
                    "schema": {"type": "string", "maxLength": TRACKING_CODE_MAX,
                               "pattern": TRACKING_CODE_PATTERN,
                               "examples": [EXAMPLE]},
                }],
                "responses": _responses({"200": {"description": "The status.", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}},
                    "404", "503"),
            }},
            **stats_paths(),
            **decisions_paths(),
        }),
        "components": {
            "schemas": {
                "Feedback": _object(intake.FEEDBACK_FIELDS, {
                    "policy_id": "ai-1-19", "section": "k-c",
                    "message": "Please say how long removed comments are kept.",
                }),
                "Report": {
                    **_object(intake.report_fields(catalog.category_ids), {
                        "category": "arguing-with-the-public",
                        "account_id": "city-x-sample",
                        "post_url": "https://x.com/abq_city_sample/status/1",
                        "seen_at": "2026-03-27",
                        "description": "The account argued with a resident in the replies.",
                    }),
                    "anyOf": [_given(name) for name in intake.ACCOUNT_OR_POST],
                    "description": "Name the account (account_id from the directory, or "
                                   "account_url), or give post_url, or both: at least one "
                                   "of the three must be given (not empty).",
                },
                "Receipt": receipt,
                "Status": {
                    "type": "object",
                    "required": ["tracking_code", "kind", "state", "received_at",
                                 "updated_at", "public_note", "led_to", "judged_against",
                                 "incident_date", "outcome"],
                    "properties": {
                        "tracking_code": {"type": "string"},
                        "kind": {"enum": ["feedback", "report"]},
                        "state": {"type": "string", "description": "`new` when received."},
                        "state_label": {"type": "string"},
                        "received_at": {"type": "string", "format": "date-time"},
                        "updated_at": {"type": "string", "format": "date-time"},
                        "public_note": {"type": ["string", "null"], "description": (
                            "The City's note: one the app gives by itself in the language "
                            "asked for, one staff wrote as written.")},
                        "judged_against": {
                            "type": "array",
                            "description": "The clauses the City's decision rests on, each "
                                           "as it stood on the incident date: the version "
                                           "of its policy then in effect and the clause's "
                                           "address in it. `version` and `url` are null "
                                           "when the policy was not yet in effect that "
                                           "day. Empty until the item is decided.",
                            "items": {
                                "type": "object",
                                "required": ["policy_id", "clause", "version",
                                             "in_effect_from", "url"],
                                "properties": {
                                    "policy_id": {"type": "string"},
                                    "clause": {"type": "string",
                                               "description": "The clause's anchor, e.g. "
                                                              "`m-a` for §M.a."},
                                    "version": {"type": ["integer", "null"], "minimum": 1},
                                    "in_effect_from": {"type": ["string", "null"],
                                                       "format": "date"},
                                    "url": {"type": ["string", "null"],
                                            "description": "The clause in that version, "
                                                           "site-relative."},
                                },
                            },
                        },
                        "outcome": {
                            "type": ["object", "null"],
                            "description": "What happened, once the item is decided "
                                           "(null until then): the public outcome, where "
                                           "it was referred, and the restorative actions "
                                           "that are public, a public correction with its "
                                           "address. Never disciplinary actions.",
                            "required": ["id", "label", "description", "referred_to", "url",
                                         "actions"],
                            "properties": {
                                "id": {"type": "string"},
                                "label": {"type": "string"},
                                "description": {"type": "string"},
                                "referred_to": {"type": ["string", "null"]},
                                "url": {"type": ["string", "null"],
                                        "description": "For `not-a-city-account`: the "
                                                       "directory of official accounts."},
                                "actions": {"type": "array", "items": {
                                    "type": "object",
                                    "required": ["id", "label", "url"],
                                    "properties": {
                                        "id": {"type": "string"},
                                        "label": {"type": "string"},
                                        "url": {"type": ["string", "null"]},
                                    }}},
                            },
                        },
                        "incident_date": {"type": ["string", "null"], "format": "date",
                                          "description": "The day the decision cites the "
                                                         "rules as of."},
                        "led_to": {
                            "type": "array",
                            "description": "The published revisions that respond to this "
                                           "feedback (their commits name its code); empty "
                                           "until one does, and for reports. `state_label` "
                                           "is then \"Led to a revision\".",
                            "items": {
                                "type": "object",
                                "required": ["policy_id", "version", "url", "diff_url"],
                                "properties": {
                                    "policy_id": {"type": "string"},
                                    "version": {"type": "integer", "minimum": 1},
                                    "url": {"type": "string",
                                            "description": "The version's page, "
                                                           "site-relative."},
                                    "diff_url": {"type": ["string", "null"],
                                                 "description": "Its redline against the "
                                                                "version before."},
                                },
                            },
                        },
                    },
                },
                "Categories": {"type": "object", "properties": {"categories": {
                    "type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "id": {"enum": list(catalog.category_ids)},
                            "label": {"type": "string"},
                            "hint": {"type": "string"},
                            "rules": {"type": "array", "items": {"type": "object", "properties": {
                                "policy_id": {"type": "string"},
                                "section": {"type": "string"},
                                "citation": {"type": "string"}}}},
                        }}}}},
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "fields": {"type": "object",
                                       "additionalProperties": {"type": "string"},
                                       "description": "Field name -> how to fix it."},
                        },
                    }},
                },
            },
            "responses": {f"E{status}": _error_response(status) for status in ERROR_STATUSES},
            "parameters": {"AcceptLanguage": accept_language(catalog)},
            "headers": HEADERS,
        },
    }
