"""The docs show what the code really prints, and leave no command or route out.

README.md, docs/api.md and docs/publishing.md hold cog blocks (`<!-- [[[cog … ]]] -->`)
whose short calls to tools/docs_api.py and tools/docs_commands.py run the code and write
its output below them. `make docs` writes them again; the first test fails when the files
no longer hold what the code prints.
"""

from __future__ import annotations

import argparse
import io
import re

from cogapp import Cog

from feedback_api import create_app
from site_builder.cli import parser
from tests.conftest import ROOT

MARKER = "[[[cog"
FIX = "the docs no longer show what the code prints: run `make docs` and review the diff"


def cog_files() -> list[str]:
    """The Markdown files with cog blocks, relative to the repository."""
    candidates = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [path.relative_to(ROOT).as_posix() for path in candidates
            if MARKER in path.read_text(encoding="utf-8")]


def all_docs() -> str:
    files = [ROOT / "README.md", ROOT / "content" / "README.md",
             *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_the_docs_show_what_the_code_prints():
    files = cog_files()
    assert {"README.md", "docs/api.md", "docs/publishing.md"} <= set(files)
    cog, output = Cog(), io.StringIO()
    cog.set_output(stdout=output, stderr=output)
    status = cog.main(["cog", "--check", "--diff", "--verbosity=1", f"--check-fail-msg={FIX}",
                       "-I", str(ROOT), *(str(ROOT / name) for name in files)])
    assert status == 0, f"{FIX}\n\n{output.getvalue()}"


def test_make_docs_writes_every_file_with_examples():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^docs:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "the Makefile has no `docs` target"
    assert [name for name in cog_files() if name not in recipe[1].split()] == []


def transparency_commands() -> list[str]:
    top = parser()
    return sorted(name for action in top._actions
                  if isinstance(action, argparse._SubParsersAction)
                  for name in action.choices)


def test_every_transparency_command_is_documented():
    commands = transparency_commands()
    assert "build" in commands
    docs = all_docs()
    assert [name for name in commands if f"transparency {name}" not in docs] == []


def test_every_api_route_is_documented(tmp_path):
    app = create_app({"SECRET_KEY": "docs-test-" + "x" * 32,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}"})
    try:
        answer = app.test_client().get("/api/v1/openapi.json")
    finally:
        app.extensions["db_engine"].dispose()
    assert answer.status_code == 200
    routes = [f"{method.upper()} {path}"
              for path, operations in answer.get_json()["paths"].items()
              for method in operations if method in ("get", "post", "put", "patch", "delete")]
    assert "POST /api/v1/feedback" in routes
    api_md = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert [route for route in routes if f"`{route}`" not in api_md] == []
