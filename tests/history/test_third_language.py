"""No language is special: a third language is a registry entry, a catalogue and content
files. Vietnamese, added here without a line of code, gets its own pages under /vi/ with
the language switch, Material's words and its own feeds, and the pages without a
Vietnamese word yet show the English text as it is."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from site_builder import languages
from site_builder.build import build_site
from site_builder.cli import main
from tests.conftest import CONTENT, ROOT

REGISTRY = (CONTENT / "registries" / "languages.yaml").read_text() + """\
  - code: vi
    name: Tiếng Việt
    english_name: Vietnamese
"""
TRANSLATION = """\
---
policy: social-media
lang: vi
translates_version: 3
kind: courtesy
title: Chính sách mạng xã hội thử nghiệm
summary: Một chính sách ngắn dùng để thử các phiên bản.
---
"""


@pytest.fixture
def catalogues(tmp_path, monkeypatch):
    """The shipped catalogues and a new Vietnamese one, made from the template as
    docs/translating.md says, with one word translated."""
    folder = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", folder)
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "init", "-i",
                    str(folder / "messages.pot"), "-d", str(folder), "-l", "vi"],
                   check=True, capture_output=True)
    po = folder / "vi" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgid "Versions"\nmsgstr ""', 'msgid "Versions"\nmsgstr "Các phiên bản"', 1),
        encoding="utf-8")
    monkeypatch.setattr(languages, "CATALOGUES", folder)
    return folder


def test_a_third_language_is_content_and_a_catalogue(published, tmp_path, catalogues,
                                                     capsys):
    repo = published
    repo.write("registries/languages.yaml", REGISTRY)
    repo.write("translations/vi/social-media.md", TRANSLATION)
    repo.commit("Vietnamese")
    assert main(["check", "--content", str(repo.content)]) == 0, capsys.readouterr().out

    out = tmp_path / "site"
    build_site(repo.content, out, log=lambda line: None)
    page = (out / "vi" / "policies" / "social-media" / "index.html").read_text()
    assert '<html lang="vi"' in page
    assert "Chính sách mạng xã hội thử nghiệm" in page  # the translation's title
    assert "Các phiên bản" in page  # the one word the catalogue has
    assert 'hreflang="es"' in page and 'hreflang="en"' in page  # the switch
    english = (out / "policies" / "social-media" / "index.html").read_text()
    assert 'href="../../vi/policies/social-media/"' in english
    assert (out / "vi" / "feeds" / "changes.atom").is_file()
    assert (out / "vi" / "policies" / "social-media" / "versions" / "2" / "index.html").is_file()


def test_a_language_without_a_catalogue_is_refused(published, capsys):
    repo = published
    repo.write("registries/languages.yaml", REGISTRY)
    assert main(["check", "--content", str(repo.content)]) == 1
    assert ("registries/languages.yaml:1: language 'vi' has no catalogue: create "
            "translations/vi/LC_MESSAGES/messages.po (docs/translating.md says how)"
            ) in capsys.readouterr().out
