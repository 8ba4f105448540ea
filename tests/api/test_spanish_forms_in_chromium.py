"""The Spanish forms in a real Chromium: axe finds nothing on the forms, their errors, the
confirmation and the status look-up; the error summary takes the focus; a report sent from
`/es/report/` is confirmed at `/es/report/sent/<code>`; the language switch leads to the same
form in English."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.api.conftest import rows
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def live(make_sqlite_app):
    """The app alone on a free port: the forms, their stylesheet and their `/es/` pages."""
    server = make_server("127.0.0.1", 0, make_sqlite_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def assert_accessible(page, what: str):
    violations = axe_violations(page)
    assert violations == [], f"{what}: {violations}"


def test_the_spanish_report_form_from_errors_to_its_confirmation(page, live, sqlite_database):
    page.goto(f"{live}/es/report/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page, "Spanish report form")

    page.get_by_label("Su nombre (opcional)").fill("Ana Residente")
    page.get_by_role("button", name="Enviar reporte").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Hay un problema" in summary.inner_text()
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("Error: Reporte una posible infracción")
    assert page.get_by_label("Su nombre (opcional)").input_value() == "Ana Residente"
    assert_accessible(page, "Spanish report form with errors")

    summary.get_by_role("link", name="Escriba lo que pasó").click()
    expect(page.locator("#description")).to_be_focused()
    page.get_by_label("¿Qué cuenta lo publicó?").select_option("city-x-sample")
    page.get_by_label("Campaña política").check()
    page.get_by_label("¿Qué pasó?").fill("Apoyó a un candidato.")
    page.get_by_role("button", name="Enviar reporte").click()
    page.wait_for_url(re.compile(r"/es/report/sent/SMR-"))
    assert page.get_by_role("heading", level=1).inner_text() == "Reporte enviado"
    assert_accessible(page, "Spanish confirmation")

    [row] = rows(sqlite_database)
    assert (row["language"], row["category"]) == ("es", "political-campaigning")


def test_the_spanish_feedback_form_and_the_language_switch(page, live):
    page.goto(f"{live}/es/feedback/?policy=ai-1-19&section=k-c")
    assert page.get_by_label("AI 1-19 §K.c").is_checked()
    assert_accessible(page, "Spanish feedback form")
    switch = page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English")
    assert switch.get_attribute("lang") == "en" and switch.get_attribute("hreflang") == "en"
    switch.click()
    page.wait_for_url(f"{live}/feedback/?policy=ai-1-19&section=k-c")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("AI 1-19 §K.c").is_checked()
    assert_accessible(page, "English feedback form with its language switch")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    page.wait_for_url(f"{live}/es/feedback/?policy=ai-1-19&section=k-c")


def test_the_spanish_status_look_up_is_accessible(page, live):
    page.goto(f"{live}/es/report/status")
    assert_accessible(page, "Spanish status look-up")
    page.get_by_label("Código de seguimiento").fill("no es un código")
    page.get_by_role("button", name="Consultar el estado").click()
    page.get_by_role("alert").wait_for()
    assert "/es/report/status" in page.url
    assert_accessible(page, "Spanish status look-up with an error")
