"""The current pages other than the policy pages, in Spanish (`/es/`): the home page, the
policy index, the registries' pages and the oversight pages read in Spanish, with the text
the content gives only in English marked `lang="en"`; the navigation and the site's name
are Spanish; the scripts' words come from the page (`data-words`)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.site.conftest import PAGE_TYPES

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}

# Per page: phrases its Spanish page shows, and the English it must no longer show.
PAGES = {
    "home": (
        ["Políticas de redes sociales de la Ciudad de Albuquerque",
         "Lea las políticas", "Dé su opinión sobre una política", "Novedades",
         "primera publicación en este sitio", "Resumen de las revisiones",
         "con calendario de revisiones", "Lo que exige el Concejo Municipal",
         "Opiniones y reportes recibidos", "Vea las cifras actuales"],
        ["City of Albuquerque social media policies", "These are the rules",
         "Read the policies", "Give feedback on a policy", "Report a possible violation",
         "Is this account official?", "What is new", "first published on this site",
         "Every change to every policy", "Reviews at a glance", "with a review schedule",
         "See the review schedule", "The Council's requirements",
         "See each element and where it is met", "Feedback and reports received",
         "See the current figures", "from the City's feedback service"],
    ),
    "policy index": (
        ["Políticas de redes sociales", "La Ciudad publica 5 políticas",
         "1 resolución del Concejo Municipal", "Datos abiertos", "Mostrar solo",
         "Todas las políticas", "Por tipo", "Por departamento", "próxima revisión:",
         "Instrucciones administrativas"],
        ["Social media policies", "The City publishes", "Open data:", "Show only:",
         "or by department", "All policies", "By kind", "By department", "next due",
         "Administrative instructions", "Council resolutions", "No review on record"],
    ),
    "accounts": (
        ["Cuentas oficiales de la Ciudad en redes sociales", "¿Es oficial esta cuenta?",
         "Dirección o nombre de la cuenta", "Comprobar", "Filtrar cuentas",
         "Cuentas por plataforma", "Registros de ejemplo", "Última verificación",
         "A cargo de:"],
        ["Official City social media accounts", "These are the social media accounts",
         "Sample records", "entries are samples", "Kept by:", "Last reviewed:",
         "Is this account official?", "Paste the address", "Account address or name",
         "Without JavaScript", "All accounts", "Filter accounts", "Account and address",
         "Last verified", "Accounts by platform", "Report a possible violation",
         "approved platforms"],
    ),
    "platforms": (
        ["Plataformas de redes sociales aprobadas", "Última revisión anual",
         "Próxima revisión", "Fecha de aprobación", "Vea las", "cuentas oficiales",
         "el Departamento de Tecnología e Innovación mantiene esta lista"],
        ["Approved social media platforms", "City departments and staff may use",
         "Last annual review", "Next review due", "Kept by:", "Sample records",
         "are illustrative", "Approved on", "Social media platforms for City use",
         "See the", "on these platforms"],
    ),
    "comment guidelines": (
        ["Pautas para comentarios en las redes sociales de la Ciudad", "Estas pautas son",
         "Como lo exige la sección", "Nunca se elimina un comentario",
         "dé su opinión sobre la sección §K", "Lenguaje o contenido soez"],
        ["Comment guidelines for City social media", "These guidelines are",
         "reproduced from its text", "requires, they are displayed here",
         "Comments are never removed", "give feedback on", "Profane language or content"],
    ),
    "compliance": (
        ["Cumplimiento de la resolución del Concejo Municipal",
         "Elementos obligatorios de la política integral", "elementos cubiertos",
         "Página web de Transparencia", "Formulario de opiniones", "Formulario de reportes",
         "Opiniones y reportes recibidos (Resolución §1.A.5)", "Expectativas de conducta"],
        ["Compliance with the Council resolution", "This page is worked out",
         "Required elements of the comprehensive policy",
         "requires a comprehensive social media policy", "They are checked against",
         "It is a draft", "elements covered", "Required element", "Where it is met",
         "Transparency webpage", "All social media policies published",
         "A mechanism for", "Feedback form", "Report form", "linked from the home page",
         "Covered", "Feedback and reports received"],
    ),
    "reviews": (
        ["Calendario de revisiones", "Cada política y cada registro se revisan",
         "Lista de plataformas aprobadas", "Directorio de cuentas oficiales", "12 meses",
         "Sin revisión registrada", "Próxima revisión", "Frecuencia"],
        ["Review schedule", "Every policy and registry is reviewed", "due soon",
         "Official accounts directory", "Approved platforms list", "12 months",
         "Policy or registry", "Next due", "Last reviewed", "Interval", "Owner",
         "Not scheduled", "Not recorded", "Registry", "not on record"],
    ),
}

NAV_TITLES = {  # mkdocs.yml's navigation in Spanish (a section's first page is the section)
    "Home": "Inicio",
    "Policies": "Políticas",
    "What changed": "Qué cambió",
    "Accounts": "Cuentas",
    "Approved platforms": "Plataformas aprobadas",
    "Comment guidelines": "Pautas para comentarios",
    "Oversight": "Supervisión",
    "Review schedule": "Calendario de revisiones",
    "Report a violation": "Reportar una infracción",
}
SITE_NAME = "Ciudad de Albuquerque — Políticas de redes sociales"


class _Text(HTMLParser):
    """A page's text: its content's text (<main> but its sidebars) and the part outside
    elements marked `lang="en"`; the text of its navigation; its elements' data-words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, str]] = []  # (tag, in English, part)
        self.text = {"main": [], "spanish": [], "nav": []}
        self.words: dict[str, list[dict]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        english = (self.stack[-1][1] if self.stack else False) or attrs.get("lang") == "en"
        part = self.stack[-1][2] if self.stack else ""
        if tag == "main":
            part = "main"
        elif attrs.get("data-md-type") == "navigation":
            part = "nav"
        elif attrs.get("data-md-type") == "toc":
            part = "toc"  # its entries are the headings' text, without their lang
        if "data-words" in attrs:
            key = attrs.get("id") or attrs.get("class", tag).split()[0]
            self.words.setdefault(key, []).append(json.loads(attrs["data-words"]))
        if tag not in VOID:
            self.stack.append((tag, english, part))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self.stack:
            return
        _tag, english, part = self.stack[-1]
        if part == "main":
            self.text["main"].append(data)
            if not english:
                self.text["spanish"].append(data)
        elif part == "nav":
            self.text["nav"].append(data)


def read(built_site: Path, path: str) -> tuple[str, _Text]:
    html = (built_site / path.strip("/") / "index.html").read_text(encoding="utf-8")
    parsed = _Text()
    parsed.feed(html)
    return html, parsed


def text(parsed: _Text, part: str) -> str:
    return re.sub(r"\s+", " ", " ".join(parsed.text[part]))


@pytest.mark.parametrize("kind", list(PAGES))
def test_the_page_reads_in_spanish(built_site, kind):
    html, parsed = read(built_site, "/es" + PAGE_TYPES[kind])
    assert '<html lang="es"' in html
    spanish = text(parsed, "spanish")
    for phrase in PAGES[kind][0]:
        assert phrase in spanish, (kind, phrase)
    left = [phrase for phrase in PAGES[kind][1] if phrase in spanish]
    assert left == [], f"{kind}: English outside lang=en: {left}"


@pytest.mark.parametrize("kind", list(PAGES))
def test_the_english_page_keeps_its_english(built_site, kind):
    html, parsed = read(built_site, PAGE_TYPES[kind])
    assert '<html lang="en"' in html
    english = text(parsed, "main")
    missing = [phrase for phrase in PAGES[kind][1] if phrase not in english]
    assert missing == [], f"{kind}: the English page no longer says {missing}"
    assert "data-words" not in html  # the scripts' own English


def test_text_given_only_in_english_is_marked_as_english(built_site):
    _, accounts = read(built_site, "/es/accounts/")
    shown, spanish = text(accounts, "main"), text(accounts, "spanish")
    for english in ["Office of Communications", "Animal Welfare Department",
                    "Adoptable animals, lost and found pets"]:
        assert english in shown and english not in spanish, english
    _, index = read(built_site, "/es/policies/")
    assert "Department of Technology and Innovation" in text(index, "main")
    assert "Department of Technology and Innovation" not in text(index, "spanish")
    _, compliance = read(built_site, "/es/compliance/")
    assert "Behavioral Expectations" in text(compliance, "main")
    assert "Behavioral Expectations" not in text(compliance, "spanish")


def test_dates_and_links_to_the_forms_are_in_spanish(built_site):
    html, parsed = read(built_site, "/es/")
    assert re.search(r"\d{1,2} de [a-z]+ de \d{4}: ", text(parsed, "spanish"))
    assert 'href="/es/feedback/"' in html and 'href="/es/report/"' in html
    reviews, _ = read(built_site, "/es/reviews/")
    assert re.search(r'<time datetime="[\d-]+">\d{1,2} de [a-z]+ de \d{4}</time>', reviews)
    guidelines, _ = read(built_site, "/es/comment-guidelines/")
    assert 'href="/es/feedback/?policy=ai-1-19&amp;section=k"' in guidelines


@pytest.mark.parametrize("kind", ["home", "accounts", "reviews"])
def test_the_navigation_and_the_site_name_are_in_spanish(built_site, kind):
    html, parsed = read(built_site, "/es" + PAGE_TYPES[kind])
    nav = text(parsed, "nav")
    for english, spanish in NAV_TITLES.items():
        assert spanish in nav, spanish
        assert not re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", nav), english
    assert f"- {SITE_NAME}</title>" in html or f"<title>{SITE_NAME}</title>" in html
    assert "City of Albuquerque — Social Media Policies" not in html
    assert ('<meta name="description" content="' in html
            and "The City of Albuquerque&#39;s social media" not in html)


def test_the_scripts_have_their_words_in_spanish(built_site):
    _, home = read(built_site, "/es/")
    stats = home.words["intake-stats"][0]
    assert stats["perMonth"] == "Recibidos por mes, últimos %(num)s meses"
    assert stats["source"] == "Fuente: %(link)s, actualizadas el %(time)s UTC."
    header = home.words["md-header"][0]
    assert header["menu"] == "Menú de navegación"
    assert header["copied"] == "%(label)s: copiado"
    html, accounts = read(built_site, "/es/accounts/")
    check = accounts.words["account-check"][0]
    assert check["yes"] == "Sí."
    assert check["reportUrl"] == "/es/report/"
    assert check["statuses"]["archived"] == "archivada"
    assert "%(handle)s" in check["official"] and "%(department)s" in check["official"]
    assert accounts.words["table-filter"][0]["showing"] == \
        "Se muestran %(shown)s de %(total)s cuentas."
    assert accounts.words["accounts-table"][0]["sortedUp"] == \
        "Ordenado por %(column)s, en orden ascendente"
    assert 'data-lang="es"' in read(built_site, "/es/compliance/")[0]


@pytest.mark.browser
def test_is_this_account_official_in_spanish(visit):
    page = visit("/es/accounts/")
    query = page.get_by_label("Dirección o nombre de la cuenta")
    result = page.locator(".account-check__result")

    query.fill("https://www.facebook.com/abq-police-sample/posts/123")
    page.get_by_role("button", name="Comprobar").click()
    result.get_by_text("Sí.").wait_for()
    assert "@abq-police-sample en Facebook es una cuenta oficial de la Ciudad, a cargo de " \
           "Albuquerque Police Department." in result.inner_text()
    assert result.locator('span[lang="en"]', has_text="Albuquerque Police Department").count()
    assert "registro de ejemplo" in result.inner_text()

    query.fill("@abq_animals_sample")
    page.get_by_role("button", name="Comprobar").click()
    page.wait_for_function("document.querySelector('.account-check__result')"
                           ".textContent.includes('ahora archivada')")

    query.fill("https://x.com/abq_city_fake")
    page.get_by_role("button", name="Comprobar").click()
    result.get_by_text("No.", exact=True).wait_for()
    assert result.get_by_role("link", name="Repórtela").get_attribute("href") == "/es/report/"

    page.get_by_label("Filtrar cuentas").fill("animal")
    assert "Se muestran 2 de" in page.locator(".table-filter__count").inner_text()


@pytest.mark.browser
def test_the_header_buttons_and_the_sort_hint_in_spanish(visit):
    page = visit("/es/reviews/")
    assert page.locator("button.header-toggle__drawer").get_attribute("aria-label") == \
        "Menú de navegación"
    assert page.locator("button.header-toggle__search").get_attribute("aria-label") == "Buscar"
    assert "(seleccione el título de una columna para ordenar)" in \
        page.locator("table[data-sortable] caption").inner_text()


@pytest.mark.browser
def test_the_statistics_in_spanish(visit, page):
    """stats.js asks the service for Spanish (Accept-Language) and writes its own words
    from the page; the service here is a stand-in answering as it would in Spanish."""
    asked = []

    def answer(route):
        asked.append(route.request.headers.get("accept-language"))
        row = {"count": 7, "suppressed": False}
        route.fulfill(status=200, content_type="application/json", body=json.dumps({
            "generated": "2026-12-01T12:00:00Z", "suppressed_below": 5,
            "note": "Cantidad de opiniones y reportes recibidos.",
            "total": {"count": 1234, "suppressed": False},
            "by_month": [{"month": "2026-11", **row},
                         {"month": "2026-12", "count": None, "suppressed": True}],
            "by_kind": [{"kind": "report", "label": "Reporte de una posible infracción", **row}],
            "by_state": [{"state": "new", "label": "Nuevo", **row}],
            "by_category": [{"category": "other", "label": "Otro problema", **row}],
        }))

    page.route("**/api/v1/stats", answer)
    visit("/es/")
    box = page.locator('#intake-stats[data-state="loaded"]')
    box.wait_for()
    assert asked == ["es"]
    shown = box.inner_text()
    assert "Total recibido: 1234 (sin contar el spam). Cantidad de opiniones" in shown
    assert "Recibidos por mes, últimos 2 meses" in shown
    assert "no se publica" in shown and "not published" not in shown
    assert "Reportes por tipo de problema" in shown
    assert box.locator("svg title").text_content().startswith("Gráfica de barras")
    source = box.locator(".intake-stats__source")
    assert source.inner_text().startswith("Fuente: las estadísticas en JSON, actualizadas el ")
    assert source.locator("a").get_attribute("href") == "/api/v1/stats"
