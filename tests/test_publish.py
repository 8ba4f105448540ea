"""Publishing moves what the published site holds as the new one would: a folder whose
every entry moves, and which the new site lacks, moves as one."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.publish import publish, whole_folders


def tree(root: Path, *paths: str) -> None:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(path)


@pytest.fixture
def sites(tmp_path):
    out, new = tmp_path / "site", tmp_path / "new"
    tree(out, "index.html", "p/a/index.html", "p/a/versions/1/index.html",
         "p/a/changelog/index.html", "p/b/index.html", "p/b/versions/1/index.html",
         "p/b/extra.txt")
    tree(new, "index.html", "p/c/index.html")
    return out, new


def test_a_folder_whose_every_entry_moves_moves_as_one(sites):
    out, new = sites
    paths = ["p/a/versions", "p/a/changelog", "p/a/index.html"]
    assert whole_folders(new, out, paths) == ["p/a"]


def test_a_folder_with_an_entry_left_behind_moves_entry_by_entry(sites):
    out, new = sites
    paths = ["p/b/versions", "p/b/index.html"]  # p/b/extra.txt is not among them
    assert whole_folders(new, out, paths) == paths


def test_a_folder_the_new_site_has_already_moves_entry_by_entry(sites):
    out, new = sites
    tree(new, "p/a/changelog/index.html")  # written by this build: it is not taken
    paths = ["p/a/versions", "p/a/index.html"]
    (out / "p/a/changelog").rename(out / "changelog-elsewhere")
    assert whole_folders(new, out, paths) == paths


def test_publish_moves_the_folder_with_its_inode(sites):
    out, new = sites
    folder = (out / "p/a").stat().st_ino
    publish(new, out, moves=["p/a/versions", "p/a/changelog", "p/a/index.html"])
    assert (out / "p/a").stat().st_ino == folder
    assert (out / "p/a/versions/1/index.html").read_text() == "p/a/versions/1/index.html"
    assert (out / "p/c/index.html").is_file() and not (out / "p/b").exists()
