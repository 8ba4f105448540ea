"""The `transparency` command: check, build and serve the Transparency site.

Exit codes: 0 success, 1 content errors (or a failed build), 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from .content import load_library

DEFAULT_CONTENT = Path("content")


class UsageError(Exception):
    """A command-line mistake: printed with the usage hint, exit 2."""


def _content_dir(value: str | None) -> Path:
    path = Path(value) if value else DEFAULT_CONTENT
    if not path.is_dir():
        raise UsageError(
            f"content folder {str(path)!r} not found; run from the repository root or pass "
            "--content DIR"
        )
    return path


def feedback_lookup(codes: list[str]) -> dict:
    """The submissions these tracking codes name, from the feedback app's database."""
    from feedback_api.responses import FeedbackUnavailable, look_up

    from .responds import LookupFailed

    try:
        return look_up(codes)
    except FeedbackUnavailable as error:
        raise LookupFailed(str(error)) from None


def cmd_check(args: argparse.Namespace) -> int:
    from . import store
    from .history import read_history
    from .responds import response_problems
    from .translations import history_problems as translation_problems
    from .withdrawals import history_problems

    content = _content_dir(args.content)
    # The build's store: a file checked before (by a check or a build) is not parsed
    # again, and neither is a history already read.
    with store.opened(store.folder_for(content)):
        library, problems = load_library(content)
        # Every published version too: a credential committed once stops the check, as
        # it stops the build, until that version is withdrawn.
        histories, _ = read_history(content, library)
    problems = sorted(set(problems) | set(history_problems(library, histories))
                      | set(translation_problems(library.translations, histories))
                      | set(response_problems(histories, feedback_lookup, library)))
    for problem in problems:
        print(problem)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{len(problems)} {noun} in {content}/", file=sys.stderr)
        return 1
    print(
        f"{content}/ is valid: {len(library.policies)} policies, "
        f"{len(library.accounts.accounts) if library.accounts else 0} accounts, "
        f"{len(library.platforms.platforms) if library.platforms else 0} platforms",
        file=sys.stderr,
    )
    return 0


def _engine(value: str | None) -> str:
    """The engine to build with: the option, else the setting, else the default; known
    and installed, or a usage error."""
    from .engine import SETTING, EngineUnavailable, engines

    name = engines.named(value)
    try:
        engines.select(name)
    except EngineUnavailable as error:
        where = f" (from {SETTING})" if not value and os.environ.get(SETTING) else ""
        raise UsageError(f"{error}{where}") from None
    return name


def cmd_build(args: argparse.Namespace) -> int:
    engine = _engine(args.engine)  # before anything loads the engine
    from .build import BuildFailed, build_site

    content = _content_dir(args.content)
    try:
        build_site(content, Path(args.out), log=lambda line: print(line, file=sys.stderr),
                   engine_name=engine)
    except BuildFailed as failure:
        for problem in failure.problems:
            print(problem)
        print(f"build stopped: {failure}", file=sys.stderr)
        return 1
    return 0


def cmd_revise(args: argparse.Namespace) -> int:
    from .revise import ReviseFailed, ReviseUsageError, revise

    content = _content_dir(args.content)
    try:
        revise(content, args.policy_id, args.note, effective=args.effective,
               role=args.published_by, editorial=args.editorial, commit=args.commit,
               responds_to=args.responds_to, lookup=feedback_lookup,
               say=lambda line: print(line, file=sys.stderr))
    except ReviseUsageError as error:
        raise UsageError(str(error)) from None
    except ReviseFailed as failure:
        for problem in failure.problems:
            print(problem)
        print(f"transparency revise: {failure}", file=sys.stderr)
        return 1
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from feedback_api.config import ConfigError
    from feedback_api.serve import serve

    site = Path(args.site)
    if not (site / "index.html").is_file():
        raise UsageError(f"no built site in {str(site)!r}; run `transparency build` first")
    try:
        serve(site, host=args.host, port=args.port)
    except ConfigError as error:  # a setting of the feedback app's environment
        print(f"transparency serve: {error}", file=sys.stderr)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="transparency",
        description="Check, build and serve the City's social media policy Transparency site.",
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser("check", help="validate content/ and report every problem")
    check.add_argument("--content", metavar="DIR", help="content folder (default: content)")
    check.set_defaults(run=cmd_check)

    build = commands.add_parser("build", help="build the static site")
    build.add_argument("--content", metavar="DIR", help="content folder (default: content)")
    build.add_argument("--out", metavar="DIR", default="site", help="output (default: site)")
    build.add_argument("--engine", metavar="NAME",
                       help="engine that renders the site: mkdocs (the default), "
                       "properdocs or zensical (a canary); default: the TRANSPARENCY_ENGINE "
                       "setting, else mkdocs")
    build.set_defaults(run=cmd_build)

    revise = commands.add_parser(
        "revise",
        help="record a revision of a policy: change note, effective date, staged commit",
        description="Check the content, write the change note (and effective date) into "
        "the policy's front matter, stage the file and print the git commit that publishes "
        "it, or make it with --commit. See docs/publishing.md.",
    )
    revise.add_argument("policy_id", metavar="POLICY_ID", help="id of the policy, e.g. ai-1-19")
    revise.add_argument("--note", required=True,
                        help="public change note: one paragraph saying what changed")
    revise.add_argument("--effective", metavar="YYYY-MM-DD",
                        help="date the new version takes effect")
    revise.add_argument("--published-by", metavar="ROLE",
                        help="publishing office, e.g. 'Office of Communications' (a role, "
                        "never a personal email)")
    revise.add_argument("--editorial", action="store_true",
                        help="a correction that does not change the meaning: amends the "
                        "current version instead of making a new one")
    revise.add_argument("--responds-to", metavar="CODE", action="append", default=[],
                        help="tracking code of a piece of public feedback on this policy "
                        "that the revision responds to (repeat for several); the version's "
                        "page lists the codes, and each resident hears that their feedback "
                        "led to a revision")
    revise.add_argument("--commit", action="store_true", help="make the commit as well")
    revise.add_argument("--content", metavar="DIR", help="content folder (default: content)")
    revise.set_defaults(run=cmd_revise)

    serve = commands.add_parser("serve", help="serve the built site and the feedback app")
    serve.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    serve.add_argument("--site", default="site", help="built site folder (default: site)")
    serve.set_defaults(run=cmd_serve)
    return top


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1-65535)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is out of range; use 1-65535")
    return port


def main(argv: list[str] | None = None) -> int:
    top = parser()
    args = top.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        top.print_usage(sys.stderr)
        print(f"transparency: error: {error}", file=sys.stderr)
        return 2


def end_process(code: int) -> NoReturn:
    """End the process with `code` at once, its output flushed, without Python taking
    apart what it holds first: a build at 800 policies holds some 2.6 GB of objects,
    which took Python 2 to 3 s to free one by one on the way out, for nothing, as the
    system takes the memory back whole. Every file the build writes is closed by then,
    and its other processes have ended."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more to say
            pass
    os._exit(code)


def run() -> NoReturn:
    """The `transparency` command's entry point: `main`, then `end_process`."""
    try:
        code = main()
    except SystemExit as stop:  # argparse's --help and usage errors
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if not isinstance(stop.code, (int, type(None))):
            print(stop.code, file=sys.stderr)
    end_process(code)


if __name__ == "__main__":
    run()
