"""Every string the public sees is in every language's catalogue, translated.

The strings are gathered as `make translations` gathers them (babel.cfg: the code, the
templates, the theme, the registries' public words and mkdocs.yml's navigation); each
language of the registry but English must have every one of them, not empty, not fuzzy,
with the same placeholders and Markdown links, and without HTML of its own.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from site_builder import languages
from site_builder.content import load_library
from tests.conftest import CONTENT, ROOT

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
LINK = re.compile(r"\]\(([^)]*)\)")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def extraction_command() -> list[str]:
    """The extract step of `make translations`, as the Makefile writes it."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"pybabel extract (.*?)-o translations/messages\.pot", makefile, re.S)
    assert line, "the Makefile's translations target no longer extracts"
    return shlex.split(line[1].replace("\\\n", " "))


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract",
                    *extraction_command(), "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with out.open("rb") as file:
        return read_po(file)


def other_languages():
    library, _ = load_library(CONTENT)
    return [language.code for language in library.languages.languages
            if language.code != languages.DEFAULT]


def catalogue(code: str):
    with languages.catalogue_path(code).open("rb") as file:
        return read_po(file, locale=code)


def test_the_shipped_site_has_a_second_language():
    assert "es" in other_languages()


def test_strings_are_gathered_from_every_source(template):
    """The gathering itself works: a string from each kind of source is found."""
    ids = {message.id if isinstance(message.id, str) else message.id[0]
           for message in template if message.id}
    assert "Give feedback on a policy" in ids  # the app's templates
    assert "A personal attack" in ids  # registries/report-categories.yaml
    assert "Substantiated" in ids  # registries/outcomes.yaml, public outcomes
    assert "Not stated in the source" in ids  # site_builder/labels.py, marked with N_
    assert "About this policy" in ids  # a page module, through ctx._


@pytest.mark.parametrize("code", other_languages())
def test_every_string_is_translated(template, code):
    translated = {message.id: message for message in catalogue(code) if message.id}
    missing, empty, fuzzy = [], [], []
    for message in template:
        if not message.id:
            continue
        found = translated.get(message.id)
        name = message.id if isinstance(message.id, str) else message.id[0]
        if found is None:
            missing.append(name)
        elif "fuzzy" in found.flags:
            fuzzy.append(name)
        elif not found.string or (isinstance(found.string, tuple) and not all(found.string)):
            empty.append(name)
    problems = ([f"missing: {m!r}" for m in missing] + [f"empty: {m!r}" for m in empty]
                + [f"fuzzy: {m!r}" for m in fuzzy])
    assert not problems, (f"translations/{code}/LC_MESSAGES/messages.po: run `make "
                          "translations` and translate:\n" + "\n".join(problems[:40]))


@pytest.mark.parametrize("code", other_languages())
def test_translations_keep_placeholders_and_links_and_add_no_html(code):
    problems = []
    for message in catalogue(code):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            name = ids[0][:60]
            found = set(PLACEHOLDER.findall(string))
            # a plural form may leave out the count ("un cambio"), nothing else
            if not (found <= wanted and wanted - found <= ({"num"} if len(ids) > 1 else set())):
                problems.append(f"{name!r}: placeholders differ from the English")
            if sorted(LINK.findall(string)) != sorted(LINK.findall(ids[0])):
                problems.append(f"{name!r}: Markdown links differ from the English")
            if sorted(TAG.findall(string)) != sorted(TAG.findall(ids[0])):
                problems.append(f"{name!r}: HTML that the English does not have")
    assert not problems, "\n".join(problems)


def test_the_catalogue_template_is_up_to_date(template):
    """translations/messages.pot, which translators start a language from, holds what
    the code says now (`make translations` writes it)."""
    with (ROOT / "translations" / "messages.pot").open("rb") as file:
        committed = {message.id for message in read_po(file) if message.id}
    assert committed == {message.id for message in template if message.id}, (
        "run `make translations`")


MARKED = re.compile(r"""(?<![\w.])(?:\w+\.)?(?:_|n_|N_|gettext|ngettext|_l)\(\s*["']""")


def test_no_marked_string_hides_inside_an_f_string():
    """The gathering cannot see a string marked inside an f-string (`f"{_('Link')}"`) on
    this Python: it would stay in English on every page. Mark it outside, then format."""
    import io
    import tokenize

    hidden = []
    for package in ("site_builder", "feedback_api"):
        for file in sorted((ROOT / package).rglob("*.py")):
            source = io.StringIO(file.read_text(encoding="utf-8")).readline
            for token in tokenize.generate_tokens(source):
                if token.type == tokenize.STRING and re.match(r"^[rRbB]*[fF]", token.string) \
                        and MARKED.search(token.string):
                    hidden.append(f"{file.relative_to(ROOT)}:{token.start[0]}")
    assert hidden == []
