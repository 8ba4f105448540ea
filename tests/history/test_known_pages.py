"""Pages not in the navigation that an earlier build rendered, left out of MkDocs' pass
(`engine.known_pages`): the site is the same as one built from nothing (pages, search
index, sitemap), and a page goes through the pass again when anything it shows changed.

The shipped content has few policies, so the nav lists them all; these tests lower the
limit (`mkdocs_pass.NAV_POLICY_LIMIT`) so that the policies' pages are out of the nav, as
they are past 40 policies, and give the site an address so that it has a sitemap."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from site_builder.build import BuildFailed, build_site
from site_builder.engine import known_pages, mkdocs_pass
from tests.history.conftest import (
    POLICY,
    V3_BODY,
    Repo,
    assert_same_site,
    every_file,
    policy_text,
    refuse_to_swap,
)

ROOT = Path(__file__).resolve().parents[2]
JUNE_1 = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
JUNE_2 = dt.datetime(2026, 6, 2, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def config(tmp_path) -> Path:
    """mkdocs.yml with an address for the site (so it has a sitemap)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("custom_dir: theme", f"custom_dir: {ROOT / 'theme'}")
    path = tmp_path / "mkdocs.yml"
    path.write_text("site_url: https://policies.example.org/\n" + text, encoding="utf-8")
    return path


@pytest.fixture
def known(monkeypatch, tmp_path) -> dict[str, set]:
    """The pages each build left out of the pass, with their anchors; the policies out of
    the nav; a cache of the test's own."""
    monkeypatch.setattr(mkdocs_pass, "NAV_POLICY_LIMIT", 0)
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "cache"))
    found: dict[str, set] = {}
    on_nav = known_pages.KnownPages.on_nav

    def recording(self, nav, config, files):
        done = on_nav(self, nav, config, files)
        found.clear()
        found.update({src: known.page.present_anchor_ids for src, known in self.known.items()})
        return done

    recording.mkdocs_priority = on_nav.mkdocs_priority
    monkeypatch.setattr(known_pages.KnownPages, "on_nav", recording)
    return found


def build(repo: Repo, out: Path, config: Path, now=JUNE_2) -> list[str]:
    lines: list[str] = []
    build_site(repo.content, out, log=lines.append, now=now, config_file=config)
    return lines


def same_as_fresh(repo, out, tmp_path, monkeypatch, config) -> None:
    monkeypatch.setenv("TRANSPARENCY_CACHE", "off")
    build_site(repo.content, tmp_path / "fresh", log=lambda _: None, now=JUNE_2,
               config_file=config)
    assert_same_site(out, tmp_path / "fresh")


def revise(repo: Repo) -> None:
    repo.write(POLICY, policy_text(V3_BODY + "E. Errors are corrected.\n",
                                   effective="2026-06-01"))
    repo.commit("Errors are corrected\n\nPublished-by: Office of Communications", "2026-05-20")


def test_unchanged_pages_out_of_the_nav_are_left_out_and_the_site_is_the_same(
        published, known, config, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(published, out, config, now=JUNE_1)
    assert known == {}  # nothing is known before a build has rendered it
    policies = {f"policies/{p.stem}/index.md"
                for p in (published.content / "policies").glob("*.md")}
    revise(published)
    lines = build(published, out, config)
    # every policy's page but the revised one, whose text changed
    assert set(known) == policies - {"policies/social-media/index.md"}
    counts = next(re.search(r"(\d+) of its pages' HTML from the cache, (\d+) whole", line)
                  for line in lines if "HTML from the cache" in line)
    assert int(counts[2]) >= len(known)  # counted with the pages the caches gave whole
    # the published site held them as this build writes them, but for the footer: they
    # were moved over and given this build's footer, not written again
    assert f"{len(known)} kept from the published site" in "\n".join(lines)
    sitemap = (out / "sitemap.xml").read_text()
    for page in policies:
        assert f"https://policies.example.org/{page.removesuffix('index.md')}</loc>" in sitemap
    for src, anchors in known.items():  # the anchors links to a left-out page are checked by
        html = (out / src.replace(".md", ".html")).read_text()
        assert anchors and anchors <= set(re.findall(r' id="([^"]+)"', html)), src
    same_as_fresh(published, out, tmp_path, monkeypatch, config)


def test_a_page_goes_through_the_pass_again_when_the_nav_it_shows_changes(
        published, known, config, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(published, out, config, now=JUNE_1)
    build(published, out, config)
    assert known  # an unchanged build leaves them out
    text = config.read_text(encoding="utf-8")
    assert "What changed: changes/index.md" in text
    config.write_text(text.replace("What changed: changes/index.md",
                                   "Recent changes: changes/index.md"), encoding="utf-8")
    build(published, out, config)
    assert known == {}
    assert "Recent changes" in (out / "policies/ai-1-19/index.html").read_text()
    same_as_fresh(published, out, tmp_path, monkeypatch, config)


def test_an_entry_whose_files_are_gone_is_not_used(published, known, config, tmp_path):
    from site_builder.store import Store

    out = tmp_path / "site"
    build(published, out, config, now=JUNE_1)
    build(published, out, config)
    assert "policies/ai-1-19/index.md" in known
    kept = Store(tmp_path / "cache")
    edited = 0
    for entry in (tmp_path / "cache").glob("??/*"):
        data = kept.get_json(entry.name) if b'"targets"' in entry.read_bytes() else None
        if isinstance(data, dict) and {"targets", "template", "search"} <= set(data):
            kept.put_json(entry.name, {**data, "targets": [*data["targets"], "gone/index.md"]})
            edited += 1
    assert edited
    build(published, out, config)
    assert known == {}


def taken(lines: list[str]) -> int:
    found = [re.search(r"(\d+) kept from the published site", line) for line in lines
             if "HTML from the cache" in line]
    return int(found[0][1]) if found and found[0] else 0


def test_a_known_page_is_moved_from_the_published_site_and_given_the_new_footer(
        published, known, config, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(published, out, config, now=JUNE_1)
    page = out / "policies/ai-1-19/index.html"
    inode, before = page.stat().st_ino, page.read_text()
    folder = page.parent.stat().st_ino
    lines = build(published, out, config)
    assert "policies/ai-1-19/index.md" in known and taken(lines) == len(known)
    assert page.stat().st_ino == inode  # the same file, moved over
    assert page.parent.stat().st_ino == folder  # with its archive: the folder moved whole
    assert "Built 2026-06-01 12:00 UTC." in before
    assert page.read_text() == before.replace("Built 2026-06-01 12:00 UTC.",
                                              "Built 2026-06-02 08:30 UTC.")
    same_as_fresh(published, out, tmp_path, monkeypatch, config)


def test_a_footer_of_another_length_has_the_page_written_again(
        published, known, config, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(published, out, config, now=JUNE_1)
    path = published.content / POLICY  # an uncommitted edit: a longer footer
    path.write_text(path.read_text() + "\nF. A draft clause.\n")
    lines = build(published, out, config)
    assert known and taken(lines) == 0
    assert "(uncommitted changes). Built 2026-06-02 08:30 UTC." in \
        (out / "policies/ai-1-19/index.html").read_text()
    same_as_fresh(published, out, tmp_path, monkeypatch, config)


def test_a_publish_that_fails_puts_the_moved_pages_back_with_their_footer(
        published, known, config, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(published, out, config, now=JUNE_1)
    before = every_file(out)
    refuse_to_swap(monkeypatch)
    with pytest.raises(BuildFailed, match="No space left on device"):
        build(published, out, config)
    assert known  # they were taken, then put back
    assert every_file(out) == before
