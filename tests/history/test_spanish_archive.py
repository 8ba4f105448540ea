"""The archive in Spanish (`/es/`): version pages, redlines, the compare page, the
changelog, "What changed" and the feeds, with Spanish words around the English text.

One site per test worker is built from a throwaway repository in which the test policy
has four versions and a Spanish translation of version 1, made after version 2 was
published, so the translation is behind the English text.
"""

from __future__ import annotations

import html as html_lib
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from site_builder.labels import Words
from site_builder.redline import compare_parts, in_language, parts
from tests.conftest import CONTENT, axe_violations
from tests.history.conftest import (
    POLICY,
    V3_BODY,
    Repo,
    StaticServer,
    build_without_warnings,
    policy_text,
    three_versions,
)

SPANISH = Words("es", "/es")
V4_BODY = V3_BODY + "E. Errors are corrected within two business days.\n"
ES = "es/policies/social-media"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM = "{http://www.w3.org/2005/Atom}"

# A courtesy translation of version 1 of the test policy (tests/history/conftest.py
# BODY_1): the same section ids and clause markers, so the same anchors.
TRANSLATION = """\
---
policy: social-media
lang: es
translates_version: 1
kind: courtesy
title: Política de prueba de redes sociales
summary: Una política breve para probar las versiones y los cambios marcados.
---

## Propósito {#purpose}

Esta política fija las reglas para las cuentas de la Ciudad en redes sociales.

## Reglas {#rules}

A. Los departamentos mantienen sus cuentas al día.
B. Las publicaciones deben ser correctas y respetuosas.
    a. Corrija los errores pronto.
    b. Indique los cambios a publicaciones anteriores.
C. Se pueden quitar los comentarios groseros.
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    repo = Repo(tmp_path_factory.mktemp("spanish-archive") / "repo")
    registry = "registries/languages.yaml"  # the shipped one: English and Spanish
    repo.write(registry, (CONTENT / registry).read_text(encoding="utf-8"))
    languages = yaml.safe_load((repo.content / registry).read_text(encoding="utf-8"))
    assert "es" in {language["code"] for language in languages["languages"]}
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    three_versions(repo)  # versions 1 to 3
    repo.write("translations/es/social-media.md", TRANSLATION)
    repo.commit("Spanish translation of version 1", "2026-03-11")
    repo.write(POLICY, policy_text(V4_BODY, effective="2026-06-01"))
    repo.commit("Errors are corrected within two business days\n\n"
                "Published-by: Office of Communications", "2026-05-20")
    return repo


@pytest.fixture(scope="module")
def site(repo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("spanish-archive-out") / "site"
    return build_without_warnings(repo.content, out)


@pytest.fixture(scope="module")
def server(site):
    server = StaticServer(site)
    yield server
    server.close()


def read(site: Path, rel: str) -> str:
    return (site / rel / "index.html").read_text(encoding="utf-8")


def main_of(page: str) -> str:
    return page[page.index("<article"):page.index("</article>")]


def text_of(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def english_part(page: str) -> str:
    """The HTML inside the page's first `<div lang="en">`, up to its end."""
    start = page.index('<div lang="en">')
    depth, at = 0, start
    for match in re.finditer(r"<(/?)div\b", page[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            at = start + match.start()
            break
    return page[start:at]


def test_a_version_page_in_spanish_shows_the_english_text_marked_as_english(site):
    page = read(site, f"{ES}/versions/2")
    assert '<html lang="es"' in page
    text = text_of(main_of(page))
    assert "Esta es la versión 2 de 4" in text
    assert "Ver la versión actual" in text and "Todas las versiones" in text
    assert "Texto solo en inglés" in text
    assert "See the current version" not in text and "All versions" not in text
    english = english_part(page)
    assert "keep their accounts current and secure" in english
    assert 'id="rules"' in english  # the text's anchors, as on the English page
    assert "keep their accounts current" not in main_of(page).replace(english, "")
    # the English page is as it was
    english_page = read(site, "policies/social-media/versions/2")
    assert '<html lang="en"' in english_page and 'lang="es"' not in main_of(english_page)
    assert "This is version 2 of 4" in text_of(main_of(english_page))


def test_the_translated_version_shows_its_translation_with_the_notice(site):
    page = read(site, f"{ES}/versions/1")
    text = text_of(main_of(page))
    assert "Traducción de cortesía; prevalece el texto en inglés" in text
    assert "Esta es una traducción de la versión 1 de la política." in text
    assert "Los departamentos mantienen sus cuentas al día." in text
    assert "Departments keep their accounts current" not in text
    assert '<div lang="en">' not in main_of(page)
    assert 'id="b-a"' in page  # the clause's anchor, as in English
    # a later version, which the translation does not translate, is in English
    assert '<div lang="en">' in read(site, f"{ES}/versions/4")


def test_a_redline_in_spanish_has_spanish_words_around_the_english_text(site):
    page = read(site, f"{ES}/versions/3/changes")
    assert '<html lang="es"' in page
    text = text_of(main_of(page))
    assert "Qué cambió en la versión 3 de AI 9-99: Política de prueba de redes sociales" in text
    assert "Cómo se marcan los cambios" in text
    assert "Secciones que cambiaron" in text and "El texto con los cambios marcados" in text
    assert "How changes are marked" not in text and "words inserted" not in text
    # the legend and every change say "insertado"/"eliminado" to a screen reader
    legend = page[page.index('<div class="rl-legend"'):page.index('<h2 id="changes--sections"')]
    assert '<span class="rl-sr" lang="es">insertado: </span>' in legend
    assert '<span class="rl-sr" lang="es">eliminado: </span>' in legend
    redline = page[page.index('<div class="redline" lang="en">'):]
    assert redline.count('<span class="rl-sr" lang="es">insertado: </span>') >= 2
    assert '<span class="rl-sr" lang="es">eliminado: </span>' in redline
    assert '<span class="rl-sr" lang="es"> (fin del texto insertado)</span>' in redline
    assert 'class="rl-sr">' not in redline  # no English word left for a screen reader
    assert "obscene" in redline and "profane" in redline  # the English text
    # the English redline is as it was
    english = read(site, "policies/social-media/versions/3/changes")
    assert '<span class="rl-sr">inserted: </span>' in english
    assert '<div class="redline">' in english and 'lang="es"' not in main_of(english)


def test_the_spanish_redline_matches_the_redline_in_spanish(repo):
    """`redline.in_language` leaves the English alone and changes only the words."""
    _, histories, _ = repo.history()
    versions = histories["social-media"].versions
    english = compare_parts(parts(versions[0].policy), parts(versions[2].policy)).html
    assert in_language(english) == english
    spanish = in_language(english, SPANISH)
    assert spanish.startswith('<div class="redline" lang="en">')
    strip = re.compile(r'<span class="rl-(?:sr|note)"[^>]*>[^<]*</span>|<div class="redline"[^>]*>')
    assert strip.sub("", spanish) == strip.sub("", english)


def test_the_changelog_and_what_changed_in_spanish(site):
    page = read(site, f"{ES}/changelog")
    assert '<html lang="es"' in page
    text = text_of(main_of(page))
    assert "Registro de cambios de AI 9-99" in text
    assert "Versión 2 (qué cambió)" in text and "Versión 1 (primera versión)" in text
    assert "canal Atom" in text and "Changelog of" not in text
    # a change note is the commit's, in English, and marked so
    assert '<span lang="en">Accounts must also be secure</span>' in page
    changes = read(site, "es/changes")
    assert '<html lang="es"' in changes
    assert "Qué cambió" in text_of(main_of(changes))
    assert "Mayo de 2026" in text_of(main_of(changes))


def test_a_translation_behind_the_english_links_the_changes_since(site):
    """The Spanish policy page says the English has changed since the version its
    translation translates, and links the redline from that version to the current one,
    which the site has, in Spanish."""
    here = f"/{ES}/"
    page = read(site, ES)
    notice = re.search(r'<div class="admonition warning">(.*?)</div>', page, re.S)
    assert notice, "no notice about the translation"
    assert "versión 1" in notice.group(1)
    links = re.findall(r'href="([^"]+)"', notice.group(1))
    assert len(links) == 1
    target = urlsplit(urljoin(here, links[0])).path
    assert target == f"/{ES}/compare/1-4/"
    linked = (site / target.strip("/") / "index.html")
    assert linked.is_file()
    text = text_of(main_of(linked.read_text(encoding="utf-8")))
    assert "Cambios de la versión 1 a la versión 4" in text


def test_the_spanish_feeds_are_in_spanish(site):
    feed = ET.fromstring((site / "es/feeds/social-media.atom").read_text(encoding="utf-8"))
    assert feed.get(XML_LANG) == "es"
    assert "nuevas versiones" in feed.findtext(f"{ATOM}title")
    assert "Política de prueba de redes sociales" in feed.findtext(f"{ATOM}title")
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title").rsplit(" ", 1)[-1] for e in entries] == [
        "4", "3", "2", "1"]
    assert all(": versión " in e.findtext(f"{ATOM}title") for e in entries)
    for entry in entries:  # each links a Spanish page that the site has
        link = entry.find(f"{ATOM}link").get("href")
        target = urlsplit(urljoin("/es/feeds/social-media.atom", link)).path
        assert target.startswith("/es/policies/social-media/versions/")
        assert (site / target.strip("/") / "index.html").is_file()
    english = ET.fromstring((site / "feeds/social-media.atom").read_text(encoding="utf-8"))
    assert english.get(XML_LANG) == "en"
    assert english.findtext(f"{ATOM}title").endswith(": new versions")
    # an entry in Spanish is an entry of its own
    assert {e.findtext(f"{ATOM}id") for e in entries}.isdisjoint(
        {e.findtext(f"{ATOM}id") for e in english.findall(f"{ATOM}entry")})
    site_feed = ET.fromstring((site / "es/feeds/changes.atom").read_text(encoding="utf-8"))
    assert site_feed.get(XML_LANG) == "es"
    assert site_feed.findtext(f"{ATOM}title").endswith(": qué cambió")
    calendar = (site / "es/feeds/reviews.ics").read_text(encoding="utf-8")
    assert "SUMMARY:Revisión pendiente: " in calendar
    assert "X-WR-CALNAME:Revisiones de las políticas de redes sociales" in calendar
    assert "Review due" not in calendar


@pytest.mark.browser
def test_the_compare_page_redlines_in_spanish_in_the_browser(page, server, repo):
    page.goto(server.url + f"{ES}/compare/")
    page.select_option("#compare-from", "1")
    page.select_option("#compare-to", "3")  # not a prepared comparison: made here
    page.click("button:has-text('Mostrar los cambios')")
    page.locator("#compare--result").wait_for()
    assert page.locator("#compare--result").inner_text() == "Cambios de la versión 1 a la versión 3"
    status = page.locator(".version-compare-status")
    assert status.inner_text() == "Se muestran los cambios de la versión 1 a la versión 3."
    result = page.locator(".version-compare-result").inner_html()
    assert '<div class="redline" lang="en">' in result
    assert '<span class="rl-sr" lang="es">insertado: </span>' in result
    assert "Palabras insertadas:" in result
    # the script's redline in Spanish is the Python's
    _, histories, _ = repo.history()
    versions = histories["social-media"].versions
    python = in_language(
        compare_parts(parts(versions[0].policy), parts(versions[2].policy)).html, SPANISH)
    words = page.evaluate("JSON.parse(document.querySelector('form.version-compare')"
                          ".getAttribute('data-words'))")
    browser = page.evaluate(
        "([a, b, w]) => window.transparencyRedline.inLanguage("
        "window.transparencyRedline.compareParts(a, b).html, w)",
        [[p.as_json() for p in parts(versions[0].policy)],
         [p.as_json() for p in parts(versions[2].policy)], words])
    assert browser == python


@pytest.mark.browser
def test_the_date_picker_answers_in_spanish(page, server):
    page.goto(server.url + f"{ES}/versions/")
    page.fill("#version-date", "2020-01-01")
    page.click("button:has-text('Mostrar la versión en vigor')")
    status = page.locator(".version-picker-result")
    status.filter(has_text="Ninguna versión").wait_for()
    assert status.inner_text() == (
        "Ninguna versión de esta política estaba en vigor el 1 de enero de 2020. "
        "La primera versión registrada es del 1 de julio de 2025.")


@pytest.mark.browser
@pytest.mark.parametrize("path", [f"{ES}/versions/2/", f"{ES}/versions/3/changes/",
                                  f"{ES}/compare/", f"{ES}/changelog/"])
def test_no_accessibility_violations_on_the_spanish_archive(page, server, path):
    page.goto(server.url + path)
    assert axe_violations(page) == []
