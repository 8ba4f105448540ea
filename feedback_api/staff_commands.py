"""The `flask users ...` commands: create, list, disable, enable and re-role staff accounts,
reset a password, end an account's sessions and lift its sign-in pauses.

A password never appears on a command line: `users create` and `users reset-password` read
it from a prompt, or from standard input when that is not a terminal. Every change is
written to the audit log as done from the "command line".
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import audit, db
from .models import ROLES
from .staff import (
    COMMAND_LINE,
    a_role,
    active_admins,
    create,
    disable,
    enable,
    end_sessions,
    existing,
    find,
    members,
    reset_password,
    set_role,
)
from .staff_checks import StaffError, check_email


@click.group("users", cls=AppGroup, help="Manage the staff who can sign in to the inbox.")
def users_commands() -> None:
    pass


def _read_password(email: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt(f"Password for {email}", hide_input=True,
                            confirmation_prompt="Repeat the password")
    try:
        line = sys.stdin.readline() if sys.stdin is not None else ""
    except UnicodeDecodeError:
        raise StaffError("The password on standard input is not UTF-8 text; send it as "
                         "UTF-8") from None
    return line.rstrip("\r\n")


def _session() -> Session:
    return db.session()


def _run(action):
    try:
        return action()
    except StaffError as error:
        raise click.ClickException(str(error)) from None
    except SQLAlchemyError as error:
        where = db.engine().url.render_as_string(hide_password=True)
        reason = getattr(error, "orig", None) or error
        raise click.ClickException(
            f"could not use the database at {where} ({reason}); run `flask --app "
            "feedback_api db upgrade` first if it is new") from None


@users_commands.command("create", help="Add a member of staff; the password is read from a "
                        "prompt, or from standard input when it is not a terminal.")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="viewer reads; triager works items; admin also manages staff, exports "
                   "and retention.")
def create_command(email: str, role: str) -> None:
    def action():
        checked = check_email(email)
        if find(_session(), checked) is not None:
            raise StaffError(f"{checked} already has an account")
        row = create(_session(), checked, role, _read_password(checked))
        click.echo(f"Created {row.role} {row.email}.")

    _run(action)


@users_commands.command("set-role", help="Give a member of staff another role. The last "
                        "active admin stays an admin.")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="viewer reads; triager works items; admin also exports and sets legal "
                   "holds.")
def set_role_command(email: str, role: str) -> None:
    def action():
        row, before = set_role(_session(), email, role)
        click.echo(f"{row.email} is now {a_role(row.role)} (was {a_role(before)}).")

    _run(action)


@users_commands.command("sign-out", help="End every session of an account, for example "
                        "after a lost laptop; it can sign in again.")
@click.argument("email")
def sign_out_command(email: str) -> None:
    def action():
        session = _session()
        row = existing(session, email)
        ended = end_sessions(session, row.id)
        audit.record(session, COMMAND_LINE, "staff-signed-out",
                     detail={"email": row.email, "sessions": ended})
        session.commit()
        click.echo(f"Ended {ended} session{'s' if ended != 1 else ''} of {row.email}.")

    _run(action)


@users_commands.command("list", help="List the staff accounts.")
def list_command() -> None:
    def action():
        rows = members(_session())
        if not rows:
            click.echo("No staff accounts yet. Add one with: flask --app feedback_api users "
                       "create EMAIL --role admin")
            return
        width = max(len(row.email) for row in rows)
        click.echo(f"{'EMAIL':<{width}}  {'ROLE':<8}  {'STATUS':<8}  LAST SIGN-IN")
        for row in rows:
            last = row.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC") if row.last_sign_in_at \
                else "never"
            status = "active" if row.active else "disabled"
            click.echo(f"{row.email:<{width}}  {row.role:<8}  {status:<8}  {last}")

    _run(action)


@users_commands.command("disable", help="Stop an account signing in and end its sessions.")
@click.argument("email")
def disable_command(email: str) -> None:
    def action():
        row = disable(_session(), email)
        click.echo(f"Disabled {row.email}: it cannot sign in, and its sessions have ended.")
        if row.role == "admin" and active_admins(_session()) == 0:
            click.echo("No active admin is left: give an account the role with "
                       "`users set-role EMAIL --role admin`, or `users enable` this one.")

    _run(action)


@users_commands.command("enable", help="Let a disabled account sign in again.")
@click.argument("email")
def enable_command(email: str) -> None:
    def action():
        row = enable(_session(), email)
        click.echo(f"Enabled {row.email}.")

    _run(action)


@users_commands.command("reset-password", help="Set a new password and end the account's "
                        "sessions; read from a prompt, or from standard input.")
@click.argument("email")
def reset_password_command(email: str) -> None:
    def action():
        row = existing(_session(), email)
        reset_password(_session(), row.email, _read_password(row.email))
        click.echo(f"Set a new password for {row.email}; its sessions have ended.")

    _run(action)


@users_commands.command("unlock", help="Lift an account's sign-in pauses after failed "
                        "sign-ins, so it can sign in again at once.")
@click.argument("email")
def unlock_command(email: str) -> None:
    def action():
        from redis import RedisError

        from .limits import lift_sign_in_pauses

        session = _session()
        row = existing(session, email)
        try:
            cleared = lift_sign_in_pauses(row.email)
        except (RedisError, OSError) as error:
            raise StaffError(f"could not reach the rate limit storage ({error}); nothing was "
                             "changed") from None
        audit.record(session, COMMAND_LINE, "sign-in-unlocked",
                     detail={"email": row.email, "windows": cleared})
        session.commit()
        click.echo(f"{row.email} can sign in again now: its failed sign-ins were cleared.")
        if str(current_app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
            click.echo("RATELIMIT_STORAGE_URI is memory://: each server process keeps its own "
                       "counts, which this command cannot reach. Use the inbox's sign-in "
                       "pauses page, or restart the service.")

    _run(action)
