"""The site's files as MkDocs sees them: archive pages found by path, made when asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, InclusionLevel

from site_builder import addresses
from site_builder.engine.site_files import SiteFiles
from site_builder.markup import PageSource, front_matter
from site_builder.site import ARCHIVE, Page

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config(tmp_path):
    (tmp_path / "docs").mkdir()
    config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(tmp_path / "docs"),
                         site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="build", dirty=False)  # files are made in a build
    yield config
    config.plugins.on_shutdown()


def _archive(pid: str, versions: int) -> dict[str, Page]:
    paths = [addresses.version(pid, n) for n in range(1, versions + 1)]
    paths.append(addresses.changelog(pid))
    return {path: Page(path, PageSource(front_matter(path), f"# {path}\n"), ARCHIVE, pid)
            for path in paths}


def _site_files(config, archive: dict[str, Page]) -> SiteFiles:
    built = [File.generated(config, addresses.HOME, content="# Home\n"),
             File.generated(config, addresses.policy("ai-1-19"), content="# AI 1-19\n"),
             File.generated(config, addresses.POLICIES_DATA, content="[]")]
    return SiteFiles(built, config, archive)


def test_archive_pages_are_found_by_path_and_made_once(config):
    archive = _archive("ai-1-19", 3)
    files = _site_files(config, archive)
    path = addresses.version("ai-1-19", 2)

    found = files.get_file_from_path(path)

    assert found is not None and found.src_uri == path
    assert found.url == "policies/ai-1-19/versions/2/"
    assert found.content_string == archive[path].markdown
    assert found.inclusion == InclusionLevel.EXCLUDED  # MkDocs' pass leaves it out
    assert files.get_file_from_path(path) is found
    assert files.archive_file(path) is found
    assert path in files and path in files.src_uris
    assert files.src_uris[path] is found


def test_going_over_the_files_gives_only_what_mkdocs_builds(config):
    files = _site_files(config, _archive("ai-1-19", 3))
    files.get_file_from_path(addresses.version("ai-1-19", 1))  # made, still not listed

    assert [file.src_uri for file in files] == [
        addresses.HOME, addresses.policy("ai-1-19"), addresses.POLICIES_DATA]
    assert [file.src_uri for file in files.documentation_pages(inclusion=lambda _: True)] \
        == [addresses.HOME, addresses.policy("ai-1-19")]
    assert len(files) == 3
    # the mapping of every file names the archive pages too, after the others
    assert list(files.src_uris)[3:] == list(_archive("ai-1-19", 3))
    assert len(files.src_uris) == 3 + 4


def test_a_path_that_is_neither_is_not_found(config):
    files = _site_files(config, _archive("ai-1-19", 2))

    assert files.get_file_from_path("policies/ai-1-19/versions/9/index.md") is None
    assert files.archive_file("policies/ai-1-19/versions/9/index.md") is None
    assert "policies/nope/index.md" not in files
    with pytest.raises(KeyError):
        files.src_uris["policies/nope/index.md"]


def test_a_built_file_wins_over_an_archive_page_of_the_same_path(config):
    path = addresses.version("ai-1-19", 1)
    files = _site_files(config, _archive("ai-1-19", 2))
    files.append(File.generated(config, path, content="# built\n"))

    assert files.get_file_from_path(path).content_string == "# built\n"
    assert list(files.src_uris).count(path) == 1


def test_as_site_pages_makes_every_archive_page_one_whose_links_are_checked(config):
    files = _site_files(config, _archive("ai-1-19", 3))
    before = files.get_file_from_path(addresses.version("ai-1-19", 1))

    files.as_site_pages()
    after = files.get_file_from_path(addresses.changelog("ai-1-19"))

    assert before.inclusion == after.inclusion == InclusionLevel.NOT_IN_NAV


def test_an_unread_archive_page_has_no_source_until_the_archive_step_gives_it_one(config):
    path = addresses.version("ai-1-19", 1)
    files = _site_files(config, {path: Page(path, None, ARCHIVE, "ai-1-19")})

    assert files.get_file_from_path(path).content_string == ""
