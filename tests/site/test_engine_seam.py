"""The engine seam: every engine stops the build on the same warnings, with the same output.

An engine is chosen once per process, so each build here runs in a process of its own
(`engine_run.py`) with the engine set in its environment.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder import cli, engine
from site_builder.engine import engines
from tests.conftest import CONTENT, ROOT

RUNNER = Path(__file__).with_name("engine_run.py")
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC).isoformat()
GENERATOR = re.compile(rb'^\s*<meta name="generator" content="[^"]*">\n', re.M)


def environment(name: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != engine.SETTING}
    env.update({"TRANSPARENCY_CACHE": "off", "PYTHONPATH": str(ROOT)})
    if name is not None:
        env[engine.SETTING] = name
    return env


def build_on(name: str, *jobs: dict) -> list[dict]:
    done = subprocess.run([sys.executable, str(RUNNER), json.dumps(jobs, default=str)],
                          cwd=ROOT, env=environment(name), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(result["engine"] == name for result in results)
    return results


def broken_nav(tmp_path: Path) -> Path:
    config = (ROOT / "mkdocs.yml").read_text()
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(config.replace("custom_dir: theme", f"custom_dir: {ROOT}/theme")
                           .replace("  - Home: index.md", "  - Home: index.md\n"
                                    "  - Missing: not-a-page.md"))
    return config_file


@pytest.mark.parametrize("name", list(engine.ENGINES))
def test_each_engine_stops_on_a_broken_archive_link_and_a_broken_nav_entry(
        name, content, tmp_path):
    title = engine.ENGINES[name].title
    archive, nav = build_on(
        name,
        {"content": content, "out": tmp_path / "a", "broken_archive_link": True},
        {"content": content, "out": tmp_path / "b", "config_file": broken_nav(tmp_path)},
    )
    for result, missing in [(archive, "no-such-page.md"), (nav, "not-a-page.md")]:
        assert not result["built"], result
        assert result["message"].startswith(f"{title} stopped: "), result
        assert any(missing in problem for problem in result["problems"]), result
    # on a changelog page, an archive page rendered outside the engine's own pass
    assert any("changelog" in problem for problem in archive["problems"]), archive
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def generator(site: Path) -> str:
    match = re.search(r'<meta name="generator" content="([^"]*)">',
                      (site / "index.html").read_text(encoding="utf-8"))
    assert match
    return match.group(1)


def cli_build(content: Path, out: Path, setting: str | None, *options: str):
    return subprocess.run([sys.executable, "-m", "site_builder.cli", "build", "--content",
                           str(content), "--out", str(out), *options],
                          cwd=ROOT, env=environment(setting), capture_output=True, text=True,
                          timeout=300)


def test_the_option_chooses_the_engine_and_wins_over_the_setting(content, tmp_path):
    done = cli_build(content, tmp_path / "site", "mkdocs", "--engine", "properdocs")
    assert done.returncode == 0, done.stderr
    assert "ProperDocs" in generator(tmp_path / "site")


def test_the_setting_chooses_the_engine(content, tmp_path):
    done = cli_build(content, tmp_path / "site", "properdocs")
    assert done.returncode == 0, done.stderr
    assert "ProperDocs" in generator(tmp_path / "site")


def usage_error(capsys, argv: list[str]) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: transparency")
    lines = [line for line in err.splitlines() if line.startswith("transparency: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_an_unknown_engine_is_a_usage_error(capsys, monkeypatch, tmp_path):
    line = usage_error(capsys, ["build", "--engine", "nope", "--out", str(tmp_path / "s")])
    assert line == ("transparency: error: unknown engine 'nope'; choose one of: "
                    "mkdocs (default), properdocs, zensical")
    monkeypatch.setenv(engine.SETTING, "nope")
    line = usage_error(capsys, ["build", "--out", str(tmp_path / "s")])
    assert line.endswith("(from TRANSPARENCY_ENGINE)")
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("other", [name for name in engine.ENGINES
                                   if name != engine.current().name])
def test_an_engine_that_is_not_installed_says_how_to_install_it(other, capsys, monkeypatch,
                                                                tmp_path):
    find_spec = engines.importlib.util.find_spec
    monkeypatch.setattr(engines.importlib.util, "find_spec",
                        lambda module, *args: None if module == other
                        else find_spec(module, *args))
    line = usage_error(capsys, ["build", "--engine", other, "--out", str(tmp_path / "s")])
    assert line == (f"transparency: error: the {other} engine is not installed; install it "
                    f"with `.venv/bin/pip install -c requirements.lock {other}` "
                    "(engines: mkdocs (default), properdocs, zensical)")


# The engines that answer to MkDocs' API render with Material itself; Zensical renders with
# its own theme, and is compared with MkDocs page by page (test_zensical_canary.py).
MKDOCS_API = [name for name, known in engine.ENGINES.items() if known.render == "mkdocs_pass"]


def test_the_shipped_content_is_the_same_on_every_engine_but_the_generator(tmp_path):
    sites = {}
    for name in MKDOCS_API:
        sites[name] = tmp_path / name
        [result] = build_on(name, {"content": CONTENT, "out": sites[name], "now": NOW})
        assert result["built"], result
    first, *others = sites.values()
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    assert (first / "es" / "index.html").is_file()  # English and Spanish
    for other in others:
        assert sorted(path.relative_to(other) for path in other.rglob("*")
                      if path.is_file()) == files
        for path in files:
            a, b = (first / path).read_bytes(), (other / path).read_bytes()
            if path.suffix == ".html":
                assert len(GENERATOR.findall(a)) == len(GENERATOR.findall(b)) == 1, path
                a, b = GENERATOR.sub(b"", a), GENERATOR.sub(b"", b)
            assert a == b, path
