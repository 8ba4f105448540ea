"""`transparency build`: stages, version stamp, failures that leave the old site alone."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder import cli
from site_builder.build import BuildFailed, Progress, build_site
from tests.site.conftest import CONTENT

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Office of Communications",
    "GIT_AUTHOR_EMAIL": "communications@example.invalid",
    "GIT_COMMITTER_NAME": "Office of Communications",
    "GIT_COMMITTER_EMAIL": "communications@example.invalid",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_SYSTEM": "/dev/null",
}


def git(cwd, *args) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


def footer(site) -> str:
    html = (site / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<p class="site-version">(.*?)</p>', html, re.S)
    assert match, "no site version in the footer"
    return " ".join(match.group(1).split())


def test_builds_a_fixture_tree_and_logs_each_stage(content, tmp_path):
    lines: list[str] = []
    out = tmp_path / "site"
    result = build_site(content, out, log=lines.append)
    assert result.out == out.resolve()
    for name in ["index.html", "policies/index.html", "policies/ai-1-19/index.html",
                 "compliance/index.html", "accounts/index.html", "platforms/index.html",
                 "comment-guidelines/index.html", "reviews/index.html",
                 "data/policies.json", "data/accounts.json", "search/search_index.json"]:
        assert (out / name).is_file(), name
    stages = [line.split()[0] for line in lines if re.search(r"\d+\.\d\d s$", line)]
    assert stages == ["load", "history", "pages", "versions", "mkdocs", "archive", "publish"]
    # No temporary build folder is left; the page cache sits next to the content.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "content", "site"]


def test_footer_says_no_git_history_outside_a_repository(content, tmp_path):
    out = tmp_path / "site"
    build_site(content, out, log=lambda _: None)
    text = footer(out)
    assert "Content version: no git history." in text
    assert re.search(r"Built \d{4}-\d\d-\d\d \d\d:\d\d UTC\.", text)
    data = json.loads((out / "data/policies.json").read_text())
    assert data["site_version"] == "no git history"


def test_footer_names_the_content_commit_and_uncommitted_changes(content, tmp_path):
    git(content, "init", "-q")
    git(content, "add", ".")
    git(content, "commit", "-q", "-m", "Publish the policies")
    commit = git(content, "rev-parse", "--short", "HEAD")
    out = tmp_path / "site"
    build_site(content, out, log=lambda _: None)
    assert f"Content version {commit}. Built" in footer(out)
    for page in ["policies/ai-1-19/index.html", "accounts/index.html", "404.html"]:
        assert f"Content version {commit}." in (out / page).read_text(), page

    (content / "policies" / "ai-1-19.md").write_text(
        (content / "policies" / "ai-1-19.md").read_text() + "\nA new line.\n")
    build_site(content, out, log=lambda _: None)
    assert f"Content version {commit} (uncommitted changes). Built" in footer(out)
    data = json.loads((out / "data/policies.json").read_text())
    assert data["site_version"] == f"{commit} with uncommitted changes"


def test_bad_content_stops_the_build_and_leaves_the_old_site(content, tmp_path):
    out = tmp_path / "site"
    build_site(content, out, log=lambda _: None)
    before = (out / "index.html").read_text()
    (content / "policies" / "ai-1-19.md").write_text(
        (content / "policies" / "ai-1-19.md").read_text().replace("status: active",
                                                                  "status: in force"))
    with pytest.raises(BuildFailed) as failure:
        build_site(content, out, log=lambda _: None)
    messages = [str(p) for p in failure.value.problems]
    assert any(m.startswith("policies/ai-1-19.md:6: status:") for m in messages), messages
    assert (out / "index.html").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "content", "site"]


def test_a_failing_mkdocs_stage_leaves_the_old_site(content, tmp_path):
    out = tmp_path / "site"
    build_site(content, out, log=lambda _: None)
    (out / "marker.txt").write_text("the previous build")
    broken = tmp_path / "mkdocs.yml"
    config = (CONTENT.parent / "mkdocs.yml").read_text()
    broken.write_text(config.replace("name: material", "name: no-such-theme"))
    with pytest.raises(BuildFailed):
        build_site(content, out, log=lambda _: None, config_file=broken)
    assert (out / "marker.txt").read_text() == "the previous build"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "content", "mkdocs.yml",
                                                          "site"]


@pytest.mark.parametrize("where", ["content", "parent", "not a site"])
def test_refuses_an_output_folder_that_is_not_a_site(content, tmp_path, where):
    out = {"content": content, "parent": tmp_path, "not a site": tmp_path / "notes"}[where]
    if where == "not a site":
        out.mkdir()
        (out / "todo.txt").write_text("keep me")
    with pytest.raises(BuildFailed, match="choose another --out"):
        build_site(content, out, log=lambda _: None)
    assert (content / "policies" / "ai-1-19.md").is_file()
    if where == "not a site":
        assert (out / "todo.txt").read_text() == "keep me"


def test_a_broken_link_in_a_generated_page_fails_in_strict_mode(content, tmp_path):
    out = tmp_path / "site"
    config = (CONTENT.parent / "mkdocs.yml").read_text()
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(config.replace("custom_dir: theme",
                                          f"custom_dir: {CONTENT.parent}/theme")
                           .replace("  - Home: index.md", "  - Home: index.md\n"
                                    "  - Missing: not-a-page.md"))
    with pytest.raises(BuildFailed) as failure:
        build_site(content, out, log=lambda _: None, config_file=config_file)
    assert any("not-a-page.md" in str(p) for p in failure.value.problems)
    assert not out.exists()


def test_cli_build_prints_stages_and_stops_on_content_errors(content, tmp_path, capsys):
    out = tmp_path / "site"
    assert cli.main(["build", "--content", str(content), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    for name in ["load", "pages", "mkdocs", "publish"]:
        assert re.search(rf"^{name}\s+\d+\.\d\d s$", err, re.M), name
    assert (out / "index.html").is_file()

    (content / "registries" / "accounts.yaml").write_text(
        (content / "registries" / "accounts.yaml").read_text() + "password: hunter2\n")
    assert cli.main(["build", "--content", str(content), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert re.search(r"^registries/accounts\.yaml:\d+: .*credential", captured.out, re.M)
    assert "build stopped" in captured.err


def test_the_command_ends_with_its_output_whole(content, tmp_path):
    """`transparency` ends its process without freeing what the build held
    (`cli.end_process`): what it wrote into pipes, which Python buffers, still arrives,
    and the exit code is the build's."""
    command = [str(Path(sys.executable).with_name("transparency")), "build",
               "--content", str(content), "--out", str(tmp_path / "site")]
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONUNBUFFERED"}  # output into a pipe is buffered, as it is for staff
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^built \d+ pages into .* in [\d.]+ s$", done.stderr, re.M)
    assert (tmp_path / "site" / "index.html").is_file()

    accounts = content / "registries" / "accounts.yaml"
    accounts.write_text(accounts.read_text() + "password: hunter2\n")
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1
    assert re.search(r"^registries/accounts\.yaml:\d+: .*credential", done.stdout, re.M)
    assert done.stderr.rstrip().splitlines()[-1].startswith("build stopped: ")

    done = subprocess.run([*command[:2], "--no-such-option"], capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode == 2 and "--no-such-option" in done.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal():
    tty = Terminal()
    bar = Progress("pages", 4, tty)
    for _ in range(4):
        bar.tick()
    bar.close()
    assert "pages [" in tty.getvalue() and "4/4" in tty.getvalue()

    plain = io.StringIO()
    bar = Progress("pages", 4, plain)
    for _ in range(4):
        bar.tick()
    bar.close()
    assert plain.getvalue() == ""


def test_build_shows_progress_when_stderr_is_a_terminal(content, tmp_path):
    tty = Terminal()
    build_site(content, tmp_path / "site", log=lambda _: None, progress_stream=tty)
    assert re.search(r"mkdocs \[#+\] \d+/\d+", tty.getvalue())


def test_shipped_content_builds_in_seconds(shipped_build):
    assert shipped_build.pages >= 12
    assert shipped_build.seconds < 30, f"build took {shipped_build.seconds:.1f} s"
