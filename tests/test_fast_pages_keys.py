"""The versions stage reads a language's catalogue once for every policy's key: the keys
are those `policy_key` gives alone, and they still change with the catalogue."""

from __future__ import annotations

import datetime as dt
import shutil

from site_builder import languages, store
from site_builder.languages import by_code
from site_builder.pages.archive_common import ArchiveContext, Pieces
from site_builder.versions import archive_parts, policy_key
from tests.history.conftest import Repo, three_versions

SETTINGS = {"today": "2026-06-02", "generated": "2026-06-02T00:00:00Z"}


def spanish_keys(repo: Repo, cache) -> tuple[dict[str, str], dict[str, str]]:
    """Each policy's key as `archive_parts` gives it in Spanish, and as `policy_key` does."""
    library, histories, _ = repo.history()
    spanish = by_code(library.languages, "es")
    with store.opened(cache):
        _, _, keys = archive_parts(library, histories, SETTINGS, language=spanish)
        ctx = ArchiveContext(library, SETTINGS, dt.date(2026, 6, 2), Pieces(), "es", "/es")
        alone = {pid: policy_key(ctx, library.policies[pid], histories[pid])
                 for pid in histories}
    return keys, alone


def test_the_keys_of_a_language_follow_its_catalogue(tmp_path, monkeypatch):
    repo = Repo(tmp_path / "repo")
    repo.with_spanish()
    three_versions(repo)
    catalogues = tmp_path / "translations"
    shutil.copytree(languages.CATALOGUES, catalogues)
    monkeypatch.setattr(languages, "CATALOGUES", catalogues)

    keys, alone = spanish_keys(repo, tmp_path / "cache")
    assert keys == alone and set(keys) == {"social-media"}

    po = languages.catalogue_path("es")
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "Zzz"\nmsgstr "Zzz es"\n',
                  encoding="utf-8")
    changed, alone = spanish_keys(repo, tmp_path / "cache")
    assert changed == alone
    assert changed["social-media"] != keys["social-media"]
