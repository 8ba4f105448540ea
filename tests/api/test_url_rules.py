"""Web addresses that disguise where they lead are refused, by the API, the form and the
OpenAPI document alike: invisible direction marks and other formatting characters, a user
name before the host (`https://x.com@evil.example/`), a backslash or percent-encoding in the
host. Each refusal is a 422 that names the field and says what to fix."""

from __future__ import annotations

import jsonschema_rs
import pytest

from feedback_api import intake
from feedback_api.openapi import document
from tests.api.conftest import REPORT, rows, send_form, shipped_catalog

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f"]
OTHER_INVISIBLE = ["\u200b", "\u200d", "\u2060", "\ufeff", "\xad", "\u061c"]
URL_FIELDS = ["account_url", "post_url"]


def report_schema():
    schemas = document(shipped_catalog())["components"]["schemas"]
    return jsonschema_rs.validator_for({"$ref": "#/components/schemas/Report",
                                        "components": {"schemas": schemas}})


def refused(client, database_url, field: str, value: str) -> str:
    body = {**REPORT, "account_id": None, field: value}
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {field}
    assert rows(database_url) == []
    return fields[field]


@pytest.mark.parametrize("field", URL_FIELDS)
@pytest.mark.parametrize("mark", BIDI + OTHER_INVISIBLE,
                         ids=[f"U+{ord(c):04X}" for c in BIDI + OTHER_INVISIBLE])
def test_invisible_formatting_characters_in_an_address_are_refused(client, database_url,
                                                                   field, mark):
    # As in a link that reads https://x.com/abq_city/status/1 but opens elsewhere.
    for value in (f"https://x.com/{mark}1/sutats/ytic_qba", f"https://x{mark}.com/abq_city",
                  f"{mark}https://x.com/abq_city"):
        message = refused(client, database_url, field, value)
        assert "invisible formatting characters" in message, message


@pytest.mark.parametrize("field", URL_FIELDS)
@pytest.mark.parametrize("value", ["https://x.com@evil.example/abq_city",
                                   "https://abq_city:password@x.com/status/1",
                                   "https://@x.com/"])
def test_a_user_name_before_the_host_is_refused_and_explained(client, database_url, field,
                                                              value):
    message = refused(client, database_url, field, value)
    assert "name and @ before the site's address" in message, message


@pytest.mark.parametrize("value", ["https://evil.example\\.x.com/abq_city",
                                   "https://x%2Ecom/abq_city"])
def test_a_backslash_or_percent_encoding_in_the_host_is_refused(client, database_url, value):
    refused(client, database_url, "post_url", value)


def test_ordinary_addresses_are_still_accepted(client, database_url):
    for value in ("https://x.com/abq_city/status/1?s=20#reply",
                  "https://www.facebook.com/cityofalbuquerque/posts/1@2",
                  "https://es.wikipedia.org/wiki/Albuquerque_(Nuevo_M\u00e9xico)",
                  "https://m\u00fcnchen.example/\u0645\u0631\u062d\u0628\u0627",
                  "http://example.com:8080/a%20b"):
        response = client.post("/api/v1/reports", json={**REPORT, "post_url": value})
        assert response.status_code == 201, (value, response.get_json())
    assert len(rows(database_url)) == 5


def test_the_openapi_document_refuses_the_same_addresses():
    schema = report_schema()
    base = {**REPORT, "account_id": None}
    for field in URL_FIELDS:
        assert schema.is_valid({**base, field: "https://x.com/abq_city/status/1"})
        for mark in BIDI + OTHER_INVISIBLE:
            assert not schema.is_valid({**base, field: f"https://x.com/{mark}abq_city"}), mark
            assert not schema.is_valid({**base, field: f"https://x{mark}.com/"}), mark
        for value in ("https://x.com@evil.example/", "https://evil.example\\.x.com/",
                      "https://x%2Ecom/"):
            assert not schema.is_valid({**base, field: value}), value
    report = document(shipped_catalog())["components"]["schemas"]["Report"]
    description = report["properties"]["post_url"]["description"]
    assert "U+202A-U+202E" in description and "user name before the host" in description


def test_the_patterns_read_the_invisible_characters_alike_in_python_and_ecma_262():
    source = intake.pattern(intake.REPORT_FIELDS["post_url"])
    ecma = jsonschema_rs.validator_for({"type": "string", "pattern": source})
    for mark in BIDI + OTHER_INVISIBLE + ["\u2064", "\u206f", "\u180e"]:
        for value in (f"https://x.com/{mark}", f"https://x{mark}.com/"):
            assert intake._FORMATS["url"].fullmatch(value) is None
            assert not ecma.is_valid(value), value


def test_the_report_form_names_the_field_and_keeps_what_was_typed(client, database_url):
    typed = "https://x.com/abq_city_sample/status/1\u202e"
    response = send_form(client, "/report/", category="other", description="Rude reply.",
                         post_url=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#post_url"' in html
    assert "invisible formatting characters" in html
    assert rows(database_url) == []


# ---------------------------------------------------------------------------------------
# The host a link really opens


@pytest.mark.parametrize("url,host", [
    ("https://x.com/abq_city/status/1", "x.com"),
    ("HTTPS://WWW.Facebook.COM:443/city", "www.facebook.com"),
    ("https://\u0430pple.com/login", "xn--pple-43d.com"),  # a Cyrillic а
    ("https://\uff58.com/abq_city", "x.com"),  # a full-width x
    ("https://fa\u00df.de/", "xn--fa-hia.de"),
    ("https://x.com@evil.example/", "evil.example"),  # stored before it was refused
    ("https://evil.example\\.x.com/", "evil.example"),
    ("https://abq_city.example.org/", "abq_city.example.org"),
    ("not an address", None),
])
def test_the_host_a_browser_opens(url, host):
    assert intake.url_host(url) == host
