"""The status page, the decisions register and the JSON API's words in Spanish: the page's
language is in its address (`/es/report/status/<code>`, `/es/decisions/`), the API's follows
`Accept-Language`; ids, states, codes and addresses are the same in every language."""

from __future__ import annotations

import datetime as dt
import html as html_text
import re
import secrets

import pytest
from sqlalchemy import create_engine, insert

from feedback_api.models import JudgedClause, Submission
from feedback_api.tracking import new_tracking_code
from site_builder.languages import whole_number

RECEIVED = dt.datetime(2026, 1, 5, 14, 3, tzinfo=dt.UTC)
NOT_A_VIOLATION = ("We checked this and found that it does not break the City's social "
                   "media policies.")
NOT_A_VIOLATION_ES = "Lo revisamos y vimos que no infringe las políticas de redes sociales"
# The status page's own English words: none of them is left on the Spanish page.
ENGLISH = ("Status of", "Tracking code", "What it is", "Received", "Last updated",
           "Note from the City", "Outcome", "Decided under", "Each rule is cited",
           "This page shows only", "Ask us to look at it again", "Why should it be looked",
           "characters", "Ask to reopen it", "Check another tracking code", "version",
           "in effect from", "Closed without further action", "Not substantiated",
           "Report of a possible violation", " at 14:03", "January")


def seed(url: str, **columns) -> str:
    """A report as if it had been received on RECEIVED, and decided when `closed_at`."""
    code = new_tracking_code()
    row = {"tracking_code": code, "kind": "report", "state": "new", "source": "form",
           "client_hash": secrets.token_hex(32), "content_hash": secrets.token_hex(32),
           "message": "A secret report.", "category": "other", "is_spam": False,
           "wants_reply": False, "legal_hold": False, "created_at": RECEIVED,
           "updated_at": RECEIVED, "language": "en", **columns}
    clauses = row.pop("clauses", ())
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(Submission), [row])
        item_id = connection.exec_driver_sql(
            f"SELECT id FROM submissions WHERE tracking_code = '{code}'").scalar_one()
        if clauses:
            connection.execute(insert(JudgedClause), [
                {"submission_id": item_id, "position": n, "policy_id": "ai-1-19",
                 "clause": clause, "version": 1, "in_effect_from": "2020-01-01",
                 "url": f"/policies/ai-1-19/versions/1/#{clause}"}
                for n, clause in enumerate(clauses)])
    engine.dispose()
    return code


def dismissed(url: str, **columns) -> str:
    now = dt.datetime.now(dt.UTC)
    return seed(url, **{"state": "dismissed", "state_reason": "not-a-violation",
                        "public_note": NOT_A_VIOLATION, "closed_at": now, "updated_at": now,
                        "incident_date": "2026-01-03", "clauses": ("k-c",), **columns})


def main_of(response) -> str:
    """The text of the page's <main>: what the status page itself says."""
    html = response.get_data(as_text=True)
    found = re.search(r"<main\b.*?</main>", html, flags=re.S)
    assert found, html
    return html_text.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


@pytest.fixture
def client(make_app):
    return make_app().test_client()


def test_a_spanish_status_page_is_in_spanish(client, database_url):
    code = dismissed(database_url, language="es")
    response = client.get(f"/es/report/status/{code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<html[^>]* lang="es"', html)
    words = main_of(response)
    assert f"Estado de {code}" in words
    assert "Reporte de una posible infracción" in words
    assert "Cerrado sin tomar más medidas" in words  # the state
    assert "5 de enero de 2026 a las 14:03 UTC" in words  # received, as Spanish writes it
    assert NOT_A_VIOLATION_ES in words  # the standard note, shown in Spanish
    assert "No comprobado" in words and "Lo revisamos y la publicación no infringió" in words
    assert "AI 1-19 §K.c, versión 1, vigente desde el 1 de enero de 2020" in words
    assert "el día del incidente, el 3 de enero de 2026" in words
    assert "Pídanos que lo revisemos de nuevo" in words
    assert f"De 10 a {whole_number(2000, 'es')} caracteres" in words
    for english in ENGLISH + (NOT_A_VIOLATION,):
        assert english not in words, english
    # Machine-readable: the same in every language.
    assert f'<time datetime="{RECEIVED:%Y-%m-%dT%H:%M:%S}Z">' in html
    assert 'href="/es/policies/ai-1-19/versions/1/#k-c"' in html
    assert f'action="/es/report/status/{code}/reopen"' in html


def test_the_english_page_is_as_it_was(client, database_url):
    code = dismissed(database_url, language="es")
    words = main_of(client.get(f"/report/status/{code}"))
    assert f"Status of {code}" in words and "Closed without further action" in words
    assert "5 January 2026 at 14:03 UTC" in words
    assert NOT_A_VIOLATION in words and NOT_A_VIOLATION_ES not in words
    assert "AI 1-19 §K.c, version 1, in effect from January 1, 2020" in words
    assert "on the day of the incident, 3 January 2026: the link" in words
    assert "10 to 2,000 characters" in words


def test_a_note_staff_wrote_keeps_its_language(client, database_url):
    spanish = dismissed(database_url, language="es",
                        public_note="Revisamos la publicación y está bien.")
    english = dismissed(database_url, language="en", public_note="We looked at it: it is fine.")
    html = client.get(f"/report/status/{spanish}").get_data(as_text=True)
    assert '<dd lang="es">Revisamos la publicación y está bien.</dd>' in html
    html = client.get(f"/es/report/status/{english}").get_data(as_text=True)
    assert '<dd lang="en">We looked at it: it is fine.</dd>' in html
    # In its own language, a note needs no `lang` of its own; nor does a standard one.
    html = client.get(f"/es/report/status/{spanish}").get_data(as_text=True)
    assert "<dd>Revisamos la publicación y está bien.</dd>" in html
    standard = dismissed(database_url, language="en")
    html = client.get(f"/es/report/status/{standard}").get_data(as_text=True)
    assert re.search(r"<dd>Lo revisamos y vimos que no infringe", html)


def test_an_open_item_in_spanish(client, database_url):
    code = seed(database_url, kind="feedback", state="triaged", language="es")
    words = main_of(client.get(f"/es/feedback/status/{code}"))
    assert "Opiniones sobre una política" in words
    assert "Leído por el personal: en espera de investigación" in words
    assert "Todavía no hay ninguna nota." in words
    assert "No note yet." not in words


def test_the_decisions_register_in_spanish(client, database_url):
    for _n in range(5):
        seed(database_url, state="resolved", state_reason="violation-confirmed",
             outcomes="reprimand,post-removed", clauses=("k-c",),
             closed_at=dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC))
    response = client.get("/es/decisions/")
    assert response.status_code == 200
    assert re.search(r'<html[^>]* lang="es"', response.get_data(as_text=True))
    words = main_of(response)
    assert "Decisiones: cómo se han aplicado las reglas" in words
    assert "Decisiones por cláusula" in words and "Decisiones por mes" in words
    assert "Comprobado" in words and "Publicación eliminada o corregida" in words
    assert "AI 1-19 §K.c, versión 1" in words
    assert "Lo mismo, en formato de datos: /api/v1/decisions" in words
    for english in ("Decisions by clause", "Outcomes", "Substantiated", "Post removed",
                    "version 1", "The same, as data", "Every policy", "reprimand"):
        assert english not in words, english
    english = main_of(client.get("/decisions/"))
    assert "Decisions by clause" in english and "Substantiated" in english
    assert "AI 1-19 §K.c, version 1" in english

    refused = client.get("/es/decisions/?policy=no-such-policy")
    assert refused.status_code == 400
    words = main_of(refused)
    assert "No se puede usar este filtro" in words
    assert "policy 'no-such-policy' no es una política de este sitio" in words
    assert "Ver todas las decisiones" in words


def test_the_api_words_its_messages_as_accept_language_asks(client, database_url):
    code = dismissed(database_url, language="en")
    english = client.get(f"/api/v1/status/{code}", headers={"Accept-Language": "en"})
    spanish = client.get(f"/api/v1/status/{code}",
                         headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert english.status_code == spanish.status_code == 200
    en, es = english.get_json(), spanish.get_json()
    assert en["state_label"] == "Closed without further action"
    assert es["state_label"] == "Cerrado sin tomar más medidas"
    assert (en["outcome"]["label"], es["outcome"]["label"]) == ("Not substantiated",
                                                                "No comprobado")
    # A standard note is in the language asked for, as on the page.
    assert en["public_note"] == NOT_A_VIOLATION
    assert es["public_note"].startswith(NOT_A_VIOLATION_ES)
    # What machines read does not change.
    for key in ("tracking_code", "kind", "state", "received_at", "updated_at",
                "judged_against", "incident_date", "led_to"):
        assert en[key] == es[key], key
    custom = dismissed(database_url, language="en", public_note="We looked: it is fine.")
    answer = client.get(f"/api/v1/status/{custom}", headers={"Accept-Language": "es"})
    assert answer.get_json()["public_note"] == "We looked: it is fine."  # as written
    assert en["outcome"]["id"] == es["outcome"]["id"] == "not-substantiated"
    for answer in (english, spanish):
        assert "Accept-Language" in answer.headers["Vary"]
        assert "Origin" in answer.headers["Vary"]

    missing = "SMR-0000-0000-0000-0000"
    answer = client.get(f"/api/v1/status/{missing}", headers={"Accept-Language": "es"})
    assert answer.status_code == 404
    error = answer.get_json()["error"]
    assert error["code"] == "not_found"
    assert error["message"].startswith("Ningún envío tiene este código de seguimiento")
    assert "SMR-7K3Q-9XWD-2F4M-8HJN" in error["message"]
    assert client.get(f"/api/v1/status/{missing}").get_json()["error"]["message"].startswith(
        "No submission has this tracking code")

    sent = client.post("/api/v1/reports", data="category=other",
                       headers={"Accept-Language": "es"},
                       content_type="application/x-www-form-urlencoded")
    assert sent.status_code == 415
    error = sent.get_json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["message"].startswith("Envíe el cuerpo de la solicitud")
    sent = client.post("/api/v1/reports", data="{not json", headers={"Accept-Language": "es"},
                       content_type="application/json")
    assert sent.status_code == 400
    assert sent.get_json()["error"]["message"] == ("El cuerpo de la solicitud no es JSON "
                                                   "válido (UTF-8).")
    sent = client.post("/api/v1/reports", json={"category": "other"},
                       headers={"Accept-Language": "es"})
    assert sent.status_code == 422
    assert sent.get_json()["error"]["message"] == ("Faltan algunos campos o no son válidos; "
                                                   "vea `fields`.")
    assert "Accept-Language" in sent.headers["Vary"]

    refused = client.get("/api/v1/decisions?policy=nope", headers={"Accept-Language": "es"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["message"].startswith("No se puede usar el filtro: "
                                                             "policy 'nope' no es una")
    assert "Accept-Language" in refused.headers["Vary"]


def test_labels_in_the_register_and_statistics_follow_accept_language(client, database_url):
    for _n in range(5):
        seed(database_url, state="resolved", state_reason="violation-confirmed",
             outcomes="post-removed", clauses=("k-c",),
             closed_at=dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC))
    spanish = client.get("/api/v1/decisions", headers={"Accept-Language": "es"})
    english = client.get("/api/v1/decisions")
    assert "Accept-Language" in spanish.headers["Vary"]
    es, en = spanish.get_json(), english.get_json()
    assert [d["outcome_label"] for d in es["decisions"]] == ["Comprobado"] * 5
    assert [d["outcome_label"] for d in en["decisions"]] == ["Substantiated"] * 5
    assert es["decisions"][0]["actions"] == ["Publicación eliminada o corregida"]
    assert [d["outcome"] for d in es["decisions"]] == [d["outcome"] for d in en["decisions"]]

    stats_es = client.get("/api/v1/stats", headers={"Accept-Language": "es"})
    stats_en = client.get("/api/v1/stats", headers={"Accept-Language": "en"})
    assert "Accept-Language" in stats_es.headers["Vary"]
    kinds_es = {row["kind"]: row["label"] for row in stats_es.get_json()["by_kind"]}
    kinds_en = {row["kind"]: row["label"] for row in stats_en.get_json()["by_kind"]}
    assert kinds_es["report"] == "Reporte de una posible infracción"
    assert kinds_en["report"] == "Report of a possible violation"
    assert stats_es.get_json()["note"].startswith("Cantidad de opiniones y reportes")


def test_an_unknown_api_address_varies_by_language_too(client):
    answer = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "es"})
    assert answer.status_code == 404
    assert "Accept-Language" in answer.headers["Vary"]
    assert answer.get_json()["error"]["code"] == "not_found"


def test_the_openapi_document_names_the_header(client):
    document = client.get("/api/v1/openapi.json").get_json()
    header = document["components"]["parameters"]["AcceptLanguage"]
    assert header["in"] == "header" and header["required"] is False
    assert header["schema"]["examples"] == ["en", "es"]
    status = document["paths"]["/api/v1/status/{tracking_code}"]["get"]
    assert {"$ref": "#/components/parameters/AcceptLanguage"} in status["parameters"]
    assert "parameters" not in document["paths"]["/api/v1/openapi.json"]["get"]
