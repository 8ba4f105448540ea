"""Publishing: a policy's archive that the published site already holds is moved, not written."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from site_builder.build import BuildFailed, build_site
from tests.history.conftest import (
    POLICY,
    V3_BODY,
    archive_counts,
    assert_same_site,
    every_file,
    policy_text,
    refuse_to_swap,
)

VERSIONS = "policies/social-media/versions"
JUNE_1 = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
JUNE_2 = dt.datetime(2026, 6, 2, 8, 30, tzinfo=dt.UTC)


def footer(path) -> str:
    text = path.read_text()
    return " ".join(re.search(r'<p class="site-version">(.*?)</p>', text, re.S)[1].split())


def inodes(site, folder: str) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino
            for p in (site / folder).rglob("*") if p.is_file()}



def test_a_rebuild_keeps_the_published_archive_pages_and_equals_a_fresh_build(
        published, tmp_path, cache, monkeypatch):
    out = tmp_path / "site"
    lines: list[str] = []
    build_site(published.content, out, log=lines.append, now=JUNE_1)
    rendered, _, kept = archive_counts(lines)
    assert rendered > 0 and kept == 0
    before = inodes(out, VERSIONS)
    last = published.git("rev-parse", "--short=7", "HEAD").strip()
    assert footer(out / VERSIONS / "2" / "index.html").endswith(
        f"Content version {last}, the last change to this policy (2026-03-10).")

    lines.clear()
    build_site(published.content, out, log=lines.append, now=JUNE_2)
    assert archive_counts(lines) == (0, 0, rendered)
    # The very files of the published site, not copies: nothing was written again.
    assert inodes(out, VERSIONS) == before
    assert "Built 2026-06-02 08:30 UTC" in footer(out / "index.html")
    assert "Built 2026-06-02 08:30 UTC" in footer(out / "policies/social-media/index.html")

    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    build_site(published.content, tmp_path / "fresh", log=lambda _: None, now=JUNE_2)
    assert_same_site(out, tmp_path / "fresh")


def archive_inodes(site, pid: str) -> dict[str, int]:
    found = {}
    for folder in ("versions", "compare", "changelog"):
        found.update(inodes(site, f"policies/{pid}/{folder}"))
    for name in (f"{pid}.json", f"{pid}.text.json"):  # its data for the picker and compare
        found[name] = (site / "data" / "versions" / name).stat().st_ino
    return found


def test_a_new_version_writes_only_that_policys_archive(published, tmp_path, cache,
                                                        monkeypatch):
    out = tmp_path / "site"
    build_site(published.content, out, log=lambda _: None, now=JUNE_1)
    other = next(p.name for p in (out / "policies").iterdir()
                 if p.name != "social-media" and (p / "versions").is_dir())
    others_before = archive_inodes(out, other)
    assert others_before
    published.write(POLICY, policy_text(V3_BODY + "E. Errors are corrected.\n",
                                        effective="2026-06-01"))
    commit = published.commit("Errors are corrected\n\nPublished-by: Office of Communications",
                              "2026-05-20")
    lines: list[str] = []
    build_site(published.content, out, log=lines.append, now=JUNE_2)
    rendered, cached, kept = archive_counts(lines)
    assert rendered > 0 and kept > 0
    assert (out / VERSIONS / "4" / "index.html").is_file()
    assert footer(out / VERSIONS / "1" / "index.html").endswith(
        f"Content version {commit[:7]}, the last change to this policy (2026-05-20).")
    assert archive_inodes(out, other) == others_before

    fresh = tmp_path / "fresh"
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    build_site(published.content, fresh, log=lambda _: None, now=JUNE_2)
    assert_same_site(out, fresh)


def test_uncommitted_edits_show_the_builds_version_on_that_policys_archive(
        published, tmp_path, cache):
    out = tmp_path / "site"
    build_site(published.content, out, log=lambda _: None, now=JUNE_1)
    path = published.content / POLICY
    path.write_text(path.read_text() + "\nF. A draft clause.\n")
    lines: list[str] = []
    build_site(published.content, out, log=lines.append, now=JUNE_2)
    shown = footer(out / VERSIONS / "2" / "index.html")
    assert "(uncommitted changes). Built 2026-06-02 08:30 UTC." in shown
    assert archive_counts(lines)[2] > 0  # the other policies' archives were kept


def test_a_site_changed_by_other_means_is_written_again(published, tmp_path, cache,
                                                         monkeypatch):
    out = tmp_path / "site"
    build_site(published.content, out, log=lambda _: None, now=JUNE_1)
    (out / "index.html").write_text((out / "index.html").read_text())  # touched
    lines: list[str] = []
    build_site(published.content, out, log=lines.append, now=JUNE_2)
    rendered, cached, kept = archive_counts(lines)
    assert kept == 0 and cached > 0

    # A site replaced by a build without the cache is not taken for the recorded one.
    lines.clear()
    build_site(published.content, out, log=lines.append, now=JUNE_2)
    assert archive_counts(lines)[2] > 0
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    build_site(published.content, out, log=lambda _: None, now=JUNE_2)
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(cache))
    lines.clear()
    build_site(published.content, out, log=lines.append, now=JUNE_2)
    assert archive_counts(lines)[2] == 0


def test_a_publish_that_fails_puts_the_moved_folders_back(published, tmp_path, cache,
                                                          monkeypatch):
    out = tmp_path / "site"
    build_site(published.content, out, log=lambda _: None, now=JUNE_1)
    before = every_file(out)
    refuse_to_swap(monkeypatch)
    with pytest.raises(BuildFailed, match="No space left on device.*as it was"):
        build_site(published.content, out, log=lambda _: None, now=JUNE_2)
    assert every_file(out) == before
    # and with no record left, the next build writes every archive page again
    monkeypatch.undo()
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(cache))
    lines: list[str] = []
    build_site(published.content, out, log=lines.append, now=JUNE_2)
    assert archive_counts(lines)[2] == 0
