"""`transparency check` holds a translation to the version it names: that version must
exist, and the translated text must have its sections and clauses, anchor for anchor."""

from __future__ import annotations

from site_builder.cli import main
from tests.history.conftest import POLICY, TRANSLATION, TRANSLATION_FRONT, body_with

BODY_ES = """\
## Propósito {#purpose}

Esta política fija las reglas de las cuentas de la Ciudad en redes sociales.

## Reglas {#rules}

A. Los departamentos mantienen sus cuentas al día y seguras.
B. Las publicaciones deben ser exactas, respetuosas y firmadas.
    a. Corrija los errores pronto.
C. Se pueden quitar los comentarios obscenos.
D. Las respuestas nombran al departamento.
"""


def check(repo, capsys) -> tuple[int, list[str]]:
    code = main(["check", "--content", str(repo.content)])
    return code, capsys.readouterr().out.splitlines()


def test_a_translation_of_the_current_version_is_accepted(published, capsys):
    published.with_spanish()
    published.write(TRANSLATION, TRANSLATION_FRONT.format(version=3) + BODY_ES)
    published.commit("Spanish translation of version 3")
    assert check(published, capsys) == (0, [])


def test_a_translation_of_an_older_version_is_checked_against_that_version(
        published, capsys):
    """Version 1 had §B.b and no §D: a translation of it must have the same."""
    published.with_spanish()
    published.write(TRANSLATION, TRANSLATION_FRONT.format(version=1) + BODY_ES)
    code, lines = check(published, capsys)
    assert code == 1
    assert lines == [f"{TRANSLATION}:20: anchor #d is not in version 1 of social-media; keep "
                     "the English's headings ({#id}) and clause letters as they are"]
    older = body_with(("Corrija los errores pronto.\n",
                       "Corrija los errores pronto.\n    b. Señale los cambios.\n"),
                      ("D. Las respuestas nombran al departamento.\n", ""), body=BODY_ES)
    published.write(TRANSLATION, TRANSLATION_FRONT.format(version=1) + older)
    assert check(published, capsys) == (0, [])


def test_a_missing_clause_is_named(published, capsys):
    published.with_spanish()
    published.write(TRANSLATION, TRANSLATION_FRONT.format(version=3) + BODY_ES.replace(
        "D. Las respuestas nombran al departamento.\n", ""))
    code, lines = check(published, capsys)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"{TRANSLATION}:9: version 3 of social-media has anchors "
                               "this translation lacks: #d")


def test_a_version_that_does_not_exist_is_refused(published, capsys):
    published.with_spanish()
    published.write(TRANSLATION, TRANSLATION_FRONT.format(version=4) + BODY_ES)
    code, lines = check(published, capsys)
    assert code == 1
    assert lines == [f"{TRANSLATION}:4: social-media has no version 4 (its versions are 1 "
                     "to 3); name the version this text translates"]


def test_a_summary_alone_needs_no_anchors(published, capsys):
    published.with_spanish()
    published.write(TRANSLATION, TRANSLATION_FRONT.format(version=1))
    assert check(published, capsys) == (0, [])


def test_the_file_must_sit_where_it_says(published, capsys):
    published.with_spanish()
    text = TRANSLATION_FRONT.format(version=3) + BODY_ES
    published.write("translations/es/other-name.md", text)
    published.write("translations/vi/social-media.md", text)
    code, lines = check(published, capsys)
    assert code == 1
    assert "translations/es/other-name.md:2: policy is 'social-media' but the file is named " \
           "other-name.md; name it social-media.md" in lines
    assert any(line.startswith("translations/vi:1: not a language of the site") for line in lines)


def test_the_english_working_copy_does_not_move_the_published_version(published, capsys):
    """Anchors are checked against the published version, not edits not yet committed."""
    published.with_spanish()
    published.write(TRANSLATION, TRANSLATION_FRONT.format(version=3) + BODY_ES)
    published.commit("Spanish translation of version 3")
    published.write(POLICY, (published.content / POLICY).read_text().replace(
        "D. Replies name the department.\n", ""))
    code, lines = check(published, capsys)
    assert not any(line.startswith(TRANSLATION) for line in lines), lines


def test_a_translation_is_held_to_the_content_rules(published, capsys):
    """Content is public and untrusted in every language: no credential and no active
    content in a translation's front matter or text."""
    published.with_spanish()
    front = TRANSLATION_FRONT.format(version=3).replace(
        "summary: Una política breve para probar las versiones.",
        'summary: "Una política <script>alert(1)</script> breve."')
    body = BODY_ES.replace("Los departamentos mantienen",
                           "password: Sup3rSecretValue99 Los departamentos mantienen")
    published.write(TRANSLATION, front + body)
    code, lines = check(published, capsys)
    assert code == 1
    assert any(line.startswith(f"{TRANSLATION}:7:") and "script" in line for line in lines), \
        lines
    assert f"{TRANSLATION}:16: text looks like it contains a password; this content is " \
           "public: remove it and rotate the credential" in lines
