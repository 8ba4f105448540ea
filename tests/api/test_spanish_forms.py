"""The public forms in Spanish: `/es/feedback/` and `/es/report/` say everything in Spanish,
send their errors back in Spanish with what was typed, record the submission's language and
confirm it at a Spanish address; the language switch and the `hreflang` alternates link each
page to itself in the other language; the JSON API's field messages follow `Accept-Language`;
the error pages under `/es/` are Spanish; and every Spanish page is valid HTML."""

from __future__ import annotations

import html as html_text
import re

import pytest

from tests.api.conftest import REPORT, read_form, rows, send_form
from tests.conftest import assert_valid_app_pages

CODE = re.compile(r"SMR(-[0-9A-HJKMNP-TV-Z]{4}){4}")

# The forms' own English words, every one translated: none is left on a Spanish page.
# (Policy titles, platforms and department names are the registries' and stay as written.)
ENGLISH = (
    "Skip to main content", "City of Albuquerque", "Social Media Policies",
    "social media policies", "Give feedback", "Report a problem", ">Home<", ">Policies<",
    "Check the status", "Before you start", "It may be a public record",
    "Inspection of Public Records Act anyone", "You do not have to give your name",
    "We do not keep your internet address", "You will get a tracking code",
    "Your contact details", "You can stay anonymous", "Your name (optional)",
    "Email address (optional)", "We will only use it", "I would like a reply",
    "Leave this empty", "You can enter up to", "Give feedback on a policy",
    "Tell the City", "Which policy is your feedback about?", "Policies are listed",
    "Choose a policy", "Your comment", "Send feedback", "Report a possible policy violation",
    "If someone is in danger", "not monitored", "Where did you see it?",
    "Choose the account from the list", "Which account posted it?",
    "official accounts directory", "It is not in this list", "[sample]", "Address of the account",
    "For example,", "Link to the post", "Copy the address", "When did you see it?",
    "The day you saw it", "What kind of problem is it?", "Each kind names the rule",
    "A personal attack", "Arguing with the public", "Political campaigning",
    "Confidential information", "Discriminatory content", "False information",
    "Something else", "Anything else", "Resolution §", "What happened?", "Send report",
    "There is a problem", " on Facebook (", " on X (",
)
FEEDBACK_WORDS = ("Dé su opinión sobre una política", "¿Sobre qué política quiere dar su opinión?",
                  "Elija una política", "Su comentario", "Enviar sus opiniones", "Antes de empezar",
                  "Puede ser un registro público.", "Sus datos de contacto (opcional)",
                  "Quiero una respuesta", "Saltar al contenido principal",
                  "Ciudad de Albuquerque — Políticas de redes sociales",
                  "Puede escribir hasta 5,000 caracteres")
REPORT_WORDS = ("Reporte una posible infracción de las políticas", "¿Dónde lo vio?",
                "¿Qué cuenta lo publicó?", "No está en esta lista, o no sé",
                "@abq_city_sample en X", "[ejemplo]", "¿Qué tipo de problema es?",
                "Un ataque personal", "Resolución §1.A.3", "Otro problema", "¿Qué pasó?",
                "Enviar reporte", "Si alguien está en peligro, llame al 911.")


def text_of(response) -> str:
    """The page's text, tags removed and entities read, spaces folded."""
    html = response.get_data(as_text=True)
    return html_text.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def english_left(response) -> list[str]:
    html = html_text.unescape(response.get_data(as_text=True))
    page = text_of(response)
    return [words for words in ENGLISH if words in page or words in html]


@pytest.mark.parametrize(("url", "words"), [("/es/feedback/", FEEDBACK_WORDS),
                                            ("/es/report/", REPORT_WORDS)])
def test_the_spanish_forms_are_in_spanish(client, url, words):
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<html lang="es">', html)
    page = text_of(response)
    assert [w for w in words if w not in page] == []
    assert english_left(response) == []
    assert "— Políticas de redes sociales de la Ciudad de Albuquerque</title>" in html
    # The form is sent to its own Spanish address.
    assert f'action="{url}"' in html


def test_a_clause_link_opens_the_spanish_feedback_form_at_the_clause(client):
    response = client.get("/es/feedback/?policy=ai-1-19&section=k-c")
    values = read_form(response.get_data(as_text=True)).values
    assert (values["policy_id"], values["section"]) == ("ai-1-19", "k-c")
    page = text_of(response)
    assert "¿Qué parte de la política?" in page and "Toda la política" in page
    assert english_left(response) == []


def test_a_spanish_report_with_errors_comes_back_in_spanish_filled_in(client, database_url):
    response = send_form(client, "/es/report/", category="other", description="",
                         seen_at="3000-01-01", name="Ana Residente",
                         post_url="https://nombre@x.com/abq_city_sample/status/1")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index('id="error-summary"'):html.index("</div>",
                                                                html.index('id="error-summary"'))]
    messages = ("Escriba lo que pasó", "La fecha en que lo vio debe ser hoy o una fecha pasada",
                "El enlace a la publicación tiene un nombre y @ antes de la dirección del sitio")
    for message in messages:
        assert message in html_text.unescape(summary)
    assert "Hay un problema" in summary
    assert re.search(r'id="description-error" class="error-message"><span '
                     r'class="visually-hidden">Error:</span> Escriba lo que pasó</p>', html)
    assert re.search(r'id="seen_at-error"[^>]*>.*La fecha en que lo vio', html)
    assert re.search(r"<title>Error: Reporte una posible infracción", html)
    assert english_left(response) == []
    assert "Enter what happened" not in html and "The date you saw it" not in html
    values = read_form(html).values
    assert values["name"] == "Ana Residente" and values["seen_at"] == "3000-01-01"
    assert values["category"] == "other"
    assert values["post_url"] == "https://nombre@x.com/abq_city_sample/status/1"
    assert rows(database_url) == []


def test_a_spanish_feedback_with_errors_comes_back_in_spanish(client):
    response = send_form(client, "/es/feedback/?policy=ai-1-19&section=k-c",
                         policy_id="apd-social-media", message="", email="ana-at",
                         wants_reply="y")
    assert response.status_code == 422
    page = text_of(response)
    assert "Escriba su comentario" in page
    assert "Escriba un correo electrónico con el formato correcto" in page
    assert "AI 1-19 §K.c es parte de" in page and "Vuelva a elegir AI 1-19" in page
    assert english_left(response) == []


def test_a_corrected_spanish_report_is_confirmed_in_spanish(client, database_url):
    first = send_form(client, "/es/report/?account=city-x-sample", category="other",
                      description="")
    assert first.status_code == 422
    values = read_form(first.get_data(as_text=True)).values
    values["description"] = "La cuenta discutió con un residente."
    sent = client.post("/es/report/", data=values)
    assert sent.status_code == 303
    location = sent.headers["Location"]
    assert re.fullmatch(r"(https?://[^/]+)?/es/report/sent/" + CODE.pattern, location)
    code = CODE.search(location).group(0)

    confirmation = client.get(location)
    assert confirmation.status_code == 200
    page = text_of(confirmation)
    assert "Reporte enviado" in page and "Su código de seguimiento es" in page
    assert "Qué pasa después" in page and "Revisan si la publicación cumple" in page
    assert f'href="/es/report/status/{code}"' in confirmation.get_data(as_text=True)
    assert 'href="/es/feedback/status"' in confirmation.get_data(as_text=True)
    assert "Report sent" not in page and "What happens next" not in page

    [row] = rows(database_url)
    assert (row["tracking_code"], row["language"], row["source"]) == (code, "es", "form")


def test_spanish_feedback_is_confirmed_in_spanish(client, database_url):
    sent = send_form(client, "/es/feedback/?policy=ai-1-19&section=k-c",
                     message="Digan cuánto tiempo guardan los comentarios borrados.")
    assert sent.status_code == 303
    assert "/es/feedback/sent/" in sent.headers["Location"]
    page = text_of(client.get(sent.headers["Location"]))
    assert "Opiniones enviadas" in page and "Es la única forma de consultar sus opiniones" in page
    [row] = rows(database_url)
    assert row["language"] == "es"


def test_the_english_form_records_english(client, database_url):
    sent = send_form(client, "/report/", **REPORT)
    assert sent.status_code == 303
    assert re.fullmatch(r"(https?://[^/]+)?/report/sent/" + CODE.pattern,
                        sent.headers["Location"])
    [row] = rows(database_url)
    assert row["language"] == "en"


def test_the_language_switch_links_each_page_to_itself_in_the_other_language(client):
    spanish = client.get("/es/report/?account=city-x-sample").get_data(as_text=True)
    english = client.get("/report/?account=city-x-sample").get_data(as_text=True)
    assert re.search(r'<nav class="language-nav" aria-label="Idioma">\s*<ul>\s*<li><a '
                     r'href="/report/\?account=city-x-sample" hreflang="en" lang="en">'
                     r"English</a></li>", spanish)
    assert re.search(r'<nav class="language-nav" aria-label="Language">\s*<ul>\s*<li><a '
                     r'href="/es/report/\?account=city-x-sample" hreflang="es" lang="es">'
                     r"Español</a></li>", english)
    # A language's own name only, no link to the page's own language.
    assert ">Español</a>" not in spanish and ">English</a>" not in english
    assert read_form(spanish).values["account_id"] == "city-x-sample"


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_every_page_names_its_alternates_in_every_language(client, prefix):
    for path in ("/feedback/?policy=ai-1-19", "/report/?account=city-x-sample",
                 "/report/status"):
        html = client.get(prefix + path).get_data(as_text=True)
        head = html[:html.index("</head>")]
        query = path.replace("&", "&amp;")
        assert f'<link rel="alternate" hreflang="en" href="{query}">' in head
        assert f'<link rel="alternate" hreflang="es" href="/es{query}">' in head


def test_the_api_answers_in_the_language_asked_for(client, database_url):
    bad = {"category": "nothing", "description": "", "post_url": "ftp://x",
           "wants_reply": "yes", "colour": "red"}
    spanish = client.post("/api/v1/reports", json=bad, headers={"Accept-Language": "es"})
    english = client.post("/api/v1/reports", json=bad)
    assert spanish.status_code == english.status_code == 422
    es = spanish.get_json()["error"]
    en = english.get_json()["error"]
    assert es["code"] == en["code"] == "invalid_fields"
    assert set(es["fields"]) == set(en["fields"])
    assert es["fields"]["description"] == "Escriba lo que pasó"
    assert en["fields"]["description"] == "Enter what happened"
    assert es["fields"]["post_url"].startswith("Escriba el enlace a la publicación como una "
                                               "dirección web completa")
    assert en["fields"]["post_url"].startswith("Enter the link to the post as a full web")
    assert es["fields"]["category"].startswith("Elija el tipo de problema de la lista (")
    assert es["fields"]["wants_reply"].startswith("La opción de pedir una respuesta debe ser")
    assert es["fields"]["colour"].startswith("Campo desconocido. Los campos son: category")
    assert en["fields"]["colour"].startswith("Unknown field; the fields are category")
    # English again on the same app: the words are chosen per request.
    again = client.post("/api/v1/feedback", json={"policy_id": "ai-1-19", "message": "x" * 5001})
    assert again.get_json()["error"]["fields"]["message"] == (
        "Your comment must be 5,000 characters or fewer (it is 5,001); shorten it and try again")
    es_long = client.post("/api/v1/feedback", json={"policy_id": "ai-1-19", "message": "x" * 5001},
                          headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert es_long.get_json()["error"]["fields"]["message"] == (
        "Su comentario debe tener 5,000 caracteres o menos (ahora tiene 5,001). Use menos "
        "caracteres y vuelva a intentarlo")
    assert rows(database_url) == []


def test_the_api_stores_the_language_asked_for(client, database_url):
    answer = client.post("/api/v1/reports", json=REPORT, headers={"Accept-Language": "es"})
    assert answer.status_code == 201
    [row] = rows(database_url)
    assert row["language"] == "es" and row["source"] == "api"


def test_error_pages_under_es_are_in_spanish(client):
    missing = client.get("/es/feedback/nothing-here")
    assert missing.status_code == 404
    html = missing.get_data(as_text=True)
    assert '<html lang="es">' in html
    page = text_of(missing)
    assert "No se encontró la página" in page and "No hay nada en esta dirección." in page
    assert 'href="/es/"' in html and 'href="/es/feedback/"' in html
    assert "Vaya a la página de inicio, dé su opinión o reporte un problema." in \
        re.sub(r"<[^>]+>", "", html)
    assert english_left(missing) == [] and "Page not found" not in page

    method = client.delete("/es/report/")
    assert method.status_code == 405 and "No permitido" in text_of(method)

    api = client.get("/api/v1/nothing", headers={"Accept-Language": "es"})
    assert api.get_json()["error"]["message"] == "No hay nada en esta dirección."
    assert client.get("/api/v1/nothing").get_json()["error"]["message"] == \
        "There is nothing at this address."


def test_an_expired_spanish_form_says_so_in_spanish(client):
    response = client.post("/es/feedback/", data={"policy_id": "ai-1-19", "message": "Hola"})
    assert response.status_code == 400
    page = text_of(response)
    assert "Su sesión se venció, así que no se envió." in page
    assert read_form(response.get_data(as_text=True)).values["message"] == "Hola"


def test_the_spanish_limit_is_in_spanish(make_app):
    client = make_app(RATELIMIT_SUBMIT="1 per minute").test_client()
    assert send_form(client, "/es/report/", **REPORT).status_code == 303
    again = send_form(client, "/es/report/", **{**REPORT, "description": "Otra vez."})
    assert again.status_code == 429
    page = text_of(again)
    assert ("Usted hizo varios envíos en poco tiempo (el límite es 1 por minuto). Por favor, "
            "espere un minuto y vuelva a enviarlo.") in page
    assert read_form(again.get_data(as_text=True)).values["description"] == "Otra vez."
    api = client.post("/api/v1/reports", json=REPORT, headers={"Accept-Language": "es"})
    assert api.status_code == 429
    assert api.get_json()["error"]["message"].startswith("Usted hizo varios envíos")


def test_the_spanish_status_look_up(client):
    blank = client.get("/es/report/status")
    assert 'action="/es/report/status"' in blank.get_data(as_text=True)
    assert "Código de seguimiento" in text_of(blank)
    wrong = client.get("/es/report/status?code=12345")
    assert wrong.status_code == 422
    assert "Escriba el código de seguimiento de su página de confirmación" in text_of(wrong)
    assert english_left(wrong) == []
    unknown = client.get("/es/report/status/SMR-0000-0000-0000-0000")
    assert unknown.status_code == 404
    assert "No hay opiniones ni reportes con este código" in text_of(unknown)


def test_every_spanish_public_page_is_valid_html(make_sqlite_app, tmp_path):
    client = make_sqlite_app(RATELIMIT_SUBMIT="2 per minute").test_client()
    pages: dict[str, str] = {}

    def keep(name: str, response, status: int) -> None:
        assert response.status_code == status, name
        pages[name] = response.get_data(as_text=True)

    keep("feedback form", client.get("/es/feedback/"), 200)
    keep("feedback form for a clause", client.get("/es/feedback/?policy=ai-1-19&section=k-c"),
         200)
    keep("report form", client.get("/es/report/?account=city-x-sample"), 200)
    keep("feedback with errors", send_form(client, "/es/feedback/", message="",
                                           email="ana-at"), 422)
    keep("report with errors", send_form(client, "/es/report/", category="other",
                                         description=""), 422)
    keep("session expired", client.post("/es/feedback/", data={"message": "Hola"}), 400)
    sent = send_form(client, "/es/feedback/", policy_id="ai-1-19", message="Hola.")
    keep("feedback confirmation", client.get(sent.headers["Location"]), 200)
    code = sent.headers["Location"].rsplit("/", 1)[1]
    keep("status", client.get(f"/es/feedback/status/{code}"), 200)
    keep("decisions register", client.get("/es/decisions/"), 200)
    keep("decisions register with an error", client.get("/es/decisions/?policy=nada"), 400)
    reported = send_form(client, "/es/report/", **REPORT)
    keep("report confirmation", client.get(reported.headers["Location"]), 200)
    keep("over the limit", send_form(client, "/es/report/", **REPORT), 429)
    keep("status look-up with an error", client.get("/es/feedback/status?code=1"), 422)
    keep("not found", client.get("/es/feedback/nothing-here"), 404)
    keep("method not allowed", client.delete("/es/feedback/"), 405)
    assert_valid_app_pages(pages, tmp_path)
