"""Residents hear back in the language they wrote in: a report sent from the Spanish form
(`/es/report/`) gets its messages in Spanish, with links to the Spanish pages, and the
outbox keeps each message's language; an English one's messages stay English. The
messages are written and sent by `flask notify send`, a command with no request."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.api.conftest import REPORT, send_form
from tests.api.test_led_to import publish, version
from tests.inbox.conftest import item_id, post, send_report
from tests.inbox.test_notify_and_stats import mail_settings
from tests.inbox.test_residents_hear_back import RESIDENT, outbox_rows, send_now

SITE = "https://transparency.example.gov"
NOT_A_VIOLATION_ES = ("Lo revisamos y vimos que no infringe las políticas de redes sociales "
                      "de la Ciudad.")


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    """The text of a message, its line endings as written (SMTP carries CRLF)."""
    payload = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    return payload.replace("\r\n", "\n")


def mail_to(smtp, address: str, count: int) -> list:
    return [d["message"] for d in smtp.mailbox.wait_for(count, timeout=5) if d["to"] == [address]]


def code_of(url: str, email: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT tracking_code FROM submissions WHERE email = :email"),
                {"email": email}).scalar_one()
    finally:
        engine.dispose()


def language_of(url: str, code: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT language FROM submissions WHERE tracking_code = :code"),
                {"code": code}).scalar_one()
    finally:
        engine.dispose()


def test_a_report_sent_in_spanish_is_answered_in_spanish(make_app, smtp, database_url,
                                                        signed_in):
    app = make_app(**mail_settings(smtp.port, smtp.ca_file, NOTIFY_EMAIL=""))
    resident = app.test_client()
    sent = send_form(resident, "/es/report/", **REPORT, name="Ana", email="ana@example.org",
                     wants_reply="y")
    assert sent.status_code == 303, sent.get_data(as_text=True)
    code = code_of(database_url, "ana@example.org")
    assert language_of(database_url, code) == "es"

    triager = signed_in("triager")
    url = f"/inbox/items/{item_id(database_url, code)}"
    assert post(triager, f"{url}/move", {"to": "triaged"}).status_code == 303
    assert post(triager, f"{url}/dismiss", {"reason": "not-a-violation"}).status_code == 303
    # The inbox stays in English for staff, whatever the resident's language.
    assert "Messages to the resident" in triager.get(url).get_data(as_text=True)

    assert "2 sent" in send_now(app)
    acknowledged, decided = mail_to(smtp, "ana@example.org", 2)
    assert subject(acknowledged) == f"{code}: El personal de la Ciudad leyó lo que usted envió"
    assert subject(decided) == f"{code}: Se tomó una decisión"
    words = body(decided)
    assert words.startswith("Se tomó una decisión\n\n"
                            f"Su reporte de una posible infracción, código de seguimiento "
                            f"{code}.\nEstado: Cerrado sin tomar más medidas.\n")
    assert f"Nota de la Ciudad:\n{NOT_A_VIOLATION_ES}" in words  # the standard note
    assert f"Vea el estado en cualquier momento:\n{SITE}/es/report/status/{code}\n" in words
    assert "Para dejar de recibir estos mensajes, abra:" in words
    assert "Le enviamos este mensaje porque pidió una respuesta." in words
    for english in ("A decision was made", "Your report", "Status:", "Note from the City",
                    "See where it stands", "To stop these messages", "We checked this",
                    "This message was sent"):
        assert english not in words, english
    assert "argued with a resident" not in words  # never what they wrote

    stop = decided["List-Unsubscribe"].strip("<>")
    assert stop.startswith(f"{SITE}/es/report/status/{code}/stop?token=")
    assert decided["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [row["language"] for row in outbox_rows(database_url, code)] == ["es", "es"]

    # The stop link works at its Spanish address, one click.
    stopped = resident.post(stop.removeprefix(SITE), data="List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")
    assert stopped.status_code == 303


def test_an_english_report_is_answered_in_english(make_app, smtp, database_url, signed_in):
    app = make_app(**mail_settings(smtp.port, smtp.ca_file, NOTIFY_EMAIL=""))
    triager = signed_in("triager")
    code = send_report(triager, **RESIDENT)
    url = f"/inbox/items/{item_id(database_url, code)}"
    assert post(triager, f"{url}/dismiss", {"reason": "not-a-violation"}).status_code == 303
    assert "1 sent" in send_now(app)
    [decided] = mail_to(smtp, RESIDENT["email"], 1)
    assert subject(decided) == f"{code}: A decision was made"
    words = body(decided)
    assert words.startswith("A decision was made\n\nYour report of a possible violation, "
                            f"tracking code {code}.\nStatus: Closed without further action.\n")
    assert ("Note from the City:\nWe checked this and found that it does not break the "
            "City's social media policies.") in words
    assert f"See where it stands at any time:\n{SITE}/report/status/{code}\n" in words
    assert decided["List-Unsubscribe"].startswith(f"<{SITE}/report/status/{code}/stop?token=")
    assert [row["language"] for row in outbox_rows(database_url, code)] == ["en"]


def test_a_note_staff_wrote_goes_as_written(make_app, smtp, database_url, signed_in):
    app = make_app(**mail_settings(smtp.port, smtp.ca_file, NOTIFY_EMAIL=""))
    resident = app.test_client()
    response = resident.post("/api/v1/reports", json={**REPORT, **RESIDENT},
                             headers={"Accept-Language": "es"})
    assert response.status_code == 201
    code = response.get_json()["tracking_code"]
    assert language_of(database_url, code) == "es"
    triager = signed_in("triager")
    url = f"/inbox/items/{item_id(database_url, code)}"
    assert post(triager, f"{url}/dismiss", {
        "reason": "not-a-violation",
        "public_note": "Revisamos la publicación y cumple la política."}).status_code == 303
    assert "1 sent" in send_now(app)
    [decided] = mail_to(smtp, RESIDENT["email"], 1)
    assert "Nota de la Ciudad:\nRevisamos la publicación y cumple la política." in body(decided)


@pytest.fixture
def site(tmp_path) -> Path:
    return tmp_path / "site"


def test_led_to_a_revision_is_written_by_the_command_in_spanish(make_app, smtp, database_url,
                                                               site):
    """`notify send` notices the revision and writes the message itself: an app context
    with no request, in which the message is still in the resident's language."""
    app = make_app(SITE_DIR=str(site), **mail_settings(smtp.port, smtp.ca_file,
                                                       NOTIFY_EMAIL=""))
    client = app.test_client()
    feedback = {"policy_id": "ai-1-19", "section": "k-c", "message": "Digan cuánto tiempo.",
                **RESIDENT}
    spanish = client.post("/api/v1/feedback", json=feedback,
                          headers={"Accept-Language": "es"}).get_json()["tracking_code"]
    english = client.post("/api/v1/feedback", json={**feedback, "email": "bo@example.org",
                                                    "message": "Say how long."},
                          ).get_json()["tracking_code"]
    publish(site, version(1), version(2, spanish, english))
    assert "2 sent" in send_now(app)
    [message] = mail_to(smtp, RESIDENT["email"], 2)
    assert subject(message) == (f"{spanish}: Sus opiniones llevaron a un cambio: la versión 2 "
                                "de la política responde a ellas")
    words = body(message)
    assert "Sus opiniones sobre una política, código de seguimiento" in words
    assert "Estado: Recibido: en espera de revisión." in words
    assert f"{SITE}/es/feedback/status/{spanish}\n" in words
    [row] = outbox_rows(database_url, spanish)
    assert row["language"] == "es" and row["event"] == "led-to:ai-1-19:2"

    [message] = mail_to(smtp, "bo@example.org", 2)
    assert subject(message) == (f"{english}: Your feedback led to a revision: version 2 of "
                                "the policy responds to it")
    assert f"{SITE}/feedback/status/{english}\n" in body(message)
    assert re.search(r"^Status: Received: waiting to be reviewed\.$", body(message), re.M)
