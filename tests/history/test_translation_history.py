"""Translated versions: a translation's earlier states in git are the translations of the
versions they name, each shown on its version's page in Spanish, and a redline of two
translated versions is a redline of the translations.

One site per test worker is built from a throwaway repository in which the test policy
has three versions; its Spanish translation was committed for version 1, then updated to
translate version 2, and version 3 is not translated.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from site_builder import gitlog, store
from site_builder.build import build_site
from site_builder.cli import main
from site_builder.content import load_library
from site_builder.history import read_history
from site_builder.languages import by_code
from site_builder.pages.archive_common import ArchiveContext, Pieces
from site_builder.versions import archive_parts, policy_key
from tests.conftest import CONTENT
from tests.history.conftest import (
    POLICY,
    TRANSLATION,
    TRANSLATION_FRONT,
    V2_BODY,
    V3_BODY,
    Repo,
    body_with,
    build_without_warnings,
    policy_text,
)

ES = "es/policies/social-media"
EN = "policies/social-media"
# Version 1 (tests/history/conftest.py BODY_1) in Spanish: the same anchors.
ES_1 = """\
## Propósito {#purpose}

Esta política fija las reglas para las cuentas de la Ciudad en redes sociales.

## Reglas {#rules}

A. Los departamentos mantienen sus cuentas al día.
B. Las publicaciones deben ser correctas y respetuosas.
    a. Corrija los errores pronto.
    b. Indique los cambios a publicaciones anteriores.
C. Se pueden quitar los comentarios groseros.
"""
# Version 2 adds "and secure" to §A.
ES_2 = body_with(("cuentas al día.", "cuentas al día y protegidas."), body=ES_1)
# Version 3 (V3_BODY): §B signed, no §B.b, §C obscene, a new §D.
ES_3 = body_with(("correctas y respetuosas.", "correctas, respetuosas y firmadas."),
                 ("    b. Indique los cambios a publicaciones anteriores.\n", ""),
                 ("comentarios groseros.", "comentarios obscenos.\nD. Las respuestas "
                                            "nombran al departamento."), body=ES_2)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    repo = Repo(tmp_path_factory.mktemp("translation-history") / "repo")
    repo.with_spanish()
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    repo.write(POLICY, policy_text(effective="2025-07-01"))
    repo.commit("Adopt the social media test policy", "2026-01-05")
    repo.write(TRANSLATION, TRANSLATION_FRONT.format(version=1) + ES_1)
    repo.commit("Spanish translation of version 1", "2026-01-06")
    repo.write(POLICY, policy_text(V2_BODY, effective="2026-02-01"))
    repo.commit("Accounts must also be secure", "2026-01-20")
    repo.write(TRANSLATION, TRANSLATION_FRONT.format(version=2) + ES_2)
    repo.commit("Spanish translation of version 2", "2026-01-21")
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-04-01"))
    repo.commit("Signed posts; obscene comments; replies name the department", "2026-03-10")
    return repo


@pytest.fixture(scope="module")
def site(repo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("translation-history-out") / "site"
    return build_without_warnings(repo.content, out)


def read(site: Path, rel: str) -> str:
    return (site / rel / "index.html").read_text(encoding="utf-8")


def main_of(page: str) -> str:
    return page[page.index("<article"):page.index("</article>")]


def text_of(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def target(site: Path, page: str, link: str) -> Path:
    """The built file a relative link on `page` (a folder of the site) leads to."""
    path = urlsplit(urljoin(f"/{page}/", link)).path
    return site / path.strip("/") / "index.html"


def test_the_history_holds_each_translated_version(repo):
    library, histories, warnings = repo.history()
    history = histories["social-media"]
    assert sorted(history.translated["es"]) == [1, 2]
    assert "al día." in history.translation("es", 1).body
    assert "al día y protegidas." in history.translation("es", 2).body
    assert history.translation("es", 2) is library.translations[("es", "social-media")]
    assert history.translation("es", 3) is None
    assert histories["ai-1-19"].translated == {}  # no translation in this content
    assert warnings == []


def test_the_translations_history_is_one_more_git_log_kept_between_builds(
        repo, tmp_path, monkeypatch):
    calls: list[list[str]] = []  # every process started (subprocess.run uses Popen too)
    real_popen = subprocess.Popen

    def popen(args, *a, **k):
        calls.append(list(args))
        return real_popen(args, *a, **k)

    monkeypatch.setattr(gitlog.subprocess, "Popen", popen)
    library, _ = load_library(repo.content)
    with store.opened(tmp_path / "cache"):
        first, _ = read_history(repo.content, library)
    logs = [c for c in calls if "log" in c]
    assert len(logs) == 2 and logs[1][-1] == ":(literal)content/translations", logs
    assert len([c for c in calls if "cat-file" in c]) == 2
    calls.clear()
    with store.opened(tmp_path / "cache"):
        again, _ = read_history(repo.content, library)
    assert not [c for c in calls if "log" in c or "cat-file" in c], calls
    assert again["social-media"].translated == first["social-media"].translated


def test_each_translated_version_shows_its_own_translation(site):
    one = main_of(read(site, f"{ES}/versions/1"))
    assert "Esta es una traducción de la versión 1 de la política." in text_of(one)
    assert "Los departamentos mantienen sus cuentas al día." in text_of(one)
    assert '<div lang="en">' not in one and "Departments keep" not in one
    two = main_of(read(site, f"{ES}/versions/2"))
    assert "Esta es una traducción de la versión 2 de la política." in text_of(two)
    assert "Los departamentos mantienen sus cuentas al día y protegidas." in text_of(two)
    assert '<div lang="en">' not in two
    three = read(site, f"{ES}/versions/3")
    assert "Texto solo en inglés" in text_of(main_of(three))
    assert '<div lang="en">' in three and "Replies name the department." in three


def test_the_redline_of_two_translated_versions_is_the_translations(site):
    page = read(site, f"{ES}/versions/2/changes")
    main = main_of(page)
    text = text_of(main)
    assert "Cambios marcados en la traducción de cortesía; prevalece el texto en inglés" in text
    assert ("Estos son los cambios marcados en la traducción: se compara la traducción de "
            "la versión 1 con la traducción de la versión 2.") in text
    redline = main[main.index('<div class="redline"'):]
    assert redline.startswith('<div class="redline">')  # in the page's language
    inserted = re.findall(r"<ins>(.*?)</ins>", redline, re.S)
    assert any('<span class="rl-sr" lang="es">insertado: </span>' in one
               and "protegidas" in one for one in inserted), inserted
    assert "secure" not in redline
    # the section list names the Spanish headings, not marked as English
    sections = main[main.index('id="changes--sections"'):main.index('id="changes--text"')]
    assert ">Reglas<" in sections and 'lang="en"' not in sections
    # and it links the English text's redline, the same page at the site's root
    link = re.search(r'<a href="([^"]+)" hreflang="en">Ver qué cambió en el texto en inglés',
                     main)
    assert link, main
    english = target(site, f"{ES}/versions/2/changes", html_lib.unescape(link.group(1)))
    assert english == site / EN / "versions/2/changes/index.html"
    english_page = english.read_text(encoding="utf-8")
    assert '<html lang="en"' in english_page
    assert "secure" in english_page and "protegidas" not in english_page


def test_a_redline_without_both_translations_is_the_english_marked_as_such(site):
    for page in (f"{ES}/versions/3/changes", f"{ES}/compare/1-3"):
        main = main_of(read(site, page))
        assert '<div class="redline" lang="en">' in main
        assert "obscene" in main and "Cambios marcados en la traducción" not in main
        assert '<span class="rl-sr" lang="es">insertado: </span>' in main


def test_the_policy_page_links_the_changes_since_the_translated_version(site):
    page = read(site, ES)
    notice = re.search(r'<div class="admonition warning">(.*?)</div>', page, re.S)
    assert notice and "versión 2" in notice.group(1)
    links = re.findall(r'href="([^"]+)"', notice.group(1))
    assert len(links) == 1
    linked = target(site, ES, links[0])
    assert linked == site / ES / "versions/3/changes/index.html"
    assert "Qué cambió en la versión 3" in text_of(main_of(linked.read_text(encoding="utf-8")))


def test_a_translation_of_every_version_makes_the_comparison_with_the_current_one(
        repo, tmp_path):
    """With the working-tree file translating version 3 (not yet committed), the
    comparison of version 1 with the current version is the translations' too; and a new
    translated version changes the key the Spanish archive is kept under."""
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(repo.top), str(work)], check=True)
    content = work / "content"
    library, _ = load_library(content)
    before, _ = read_history(content, library)
    (content / TRANSLATION).write_text(TRANSLATION_FRONT.format(version=3) + ES_3, encoding="utf-8")
    library, problems = load_library(content)
    assert not problems, problems
    histories, warnings = read_history(content, library)
    assert warnings == []
    assert sorted(histories["social-media"].translated["es"]) == [1, 2, 3]
    spanish = by_code(library.languages, "es")
    settings = {"today": "2026-06-02", "generated": "2026-06-02T00:00:00Z"}
    per_policy, _, _ = archive_parts(library, histories, settings, language=spanish)
    files = per_policy["social-media"]
    pair = files[f"{EN}/compare/1-3/index.md"].markdown
    assert "Cambios marcados en la traducción de cortesía" in pair
    assert "obscenos" in pair and "obscene" not in pair
    assert '<div class="redline">' in pair
    with store.opened(tmp_path / "cache"):
        ctx = ArchiveContext(library, settings, dt.date(2026, 6, 2), Pieces(), "es", "/es")
        english = ArchiveContext(library, settings, dt.date(2026, 6, 2), Pieces())
        policy = library.policies["social-media"]
        assert policy_key(ctx, policy, histories["social-media"]) != \
            policy_key(ctx, policy, before["social-media"])
        assert policy_key(english, policy, histories["social-media"]) == \
            policy_key(english, policy, before["social-media"])


def test_content_without_git_history_still_builds(repo, tmp_path):
    """Without git, the translation is the translation of the version it names alone."""
    content = tmp_path / "content"
    shutil.copytree(repo.content, content)
    library, problems = load_library(content)
    assert not problems, problems
    histories, warnings = read_history(content, library)
    assert any("not in a git repository" in warning for warning in warnings)
    translated = histories["social-media"].translated["es"]
    assert translated == {}  # it names version 2; without a history there is version 1
    out = tmp_path / "site"
    build_site(content, out, log=lambda _: None)
    page = read(out, ES)
    assert "Los departamentos mantienen sus cuentas al día y protegidas." in text_of(
        main_of(page))
    assert '<div lang="en">' in read(out, f"{ES}/versions/1")


def test_earlier_states_are_not_checked_but_one_with_a_credential_is_not_shown(
        tmp_path, capsys):
    """Only the working-tree file is held to its version's anchors (`transparency
    check`); an earlier state is shown as it was committed, unless it looks like it holds
    a credential: then it is left out, with a warning."""
    repo = Repo(tmp_path / "repo")
    repo.with_spanish()
    repo.write(POLICY, policy_text(effective="2025-07-01"))
    repo.commit("Adopt the social media test policy")
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    repo.write(TRANSLATION, TRANSLATION_FRONT.format(version=1) + ES_1 + f"\nClave: {token}\n")
    repo.commit("Spanish translation of version 1")
    repo.write(POLICY, policy_text(V2_BODY, effective="2026-02-01"))
    repo.commit("Accounts must also be secure")
    repo.write(TRANSLATION, TRANSLATION_FRONT.format(version=2) + ES_3)  # §D is not in version 2
    repo.commit("Spanish translation of version 2, ahead of itself")
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-04-01"))
    repo.commit("Signed posts; obscene comments; replies name the department")
    repo.write(TRANSLATION, TRANSLATION_FRONT.format(version=3) + ES_3)
    repo.commit("Spanish translation of version 3")
    assert main(["check", "--content", str(repo.content)]) == 0, capsys.readouterr().out
    library, histories, warnings = repo.history()
    translated = histories["social-media"].translated["es"]
    assert sorted(translated) == [2, 3]
    assert "D. Las respuestas nombran al departamento." in translated[2].body
    assert translated[3] is library.translations[("es", "social-media")]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"history: {TRANSLATION} at commit ")
    assert "GitHub token" in warnings[0] and "not published" in warnings[0]
