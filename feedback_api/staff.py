"""Staff accounts: who may sign in to the inbox, with which role, and the `flask users`
commands that manage them.

Roles, each able to do everything the one before it can:

- viewer: reads the inbox and its items;
- triager: works items (state, assignment, notes, bulk actions);
- admin: manages staff, exports, legal holds and retention.

Passwords are hashed with argon2id (argon2-cffi). A password never appears on a command
line: `users create` and `users reset-password` read it from a prompt, or from standard
input when that is not a terminal. Disabling an account or resetting its password bumps
its `session_version`, which ends every session signed with the old one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import audit, db
from .models import ROLES, StaffMember, utcnow

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
EMAIL_MAX = 254
COMMAND_LINE = "command line"

_HASHERS = {
    "default": PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY),
    # For the test suite only (TESTING): hashing in microseconds instead of tens of ms.
    "cheapest": PasswordHasher.from_parameters(profiles.CHEAPEST),
}
# Checked when an address has no account, so a wrong address takes as long as a wrong
# password and the answer's timing does not tell whether an account exists.
_UNKNOWN_ACCOUNT_HASHES = {name: h.hash("no such account") for name, h in _HASHERS.items()}


class StaffError(ValueError):
    """Something about an account that cannot be done; the message says why."""


@dataclass(frozen=True)
class Member:
    """A signed-in member of staff, as the inbox sees them: no password hash."""

    id: int
    email: str
    role: str
    session_version: int

    def can(self, role: str) -> bool:
        return has_role(self.role, role)


def has_role(held: str, needed: str) -> bool:
    return held in ROLES and ROLES.index(held) >= ROLES.index(needed)


def member_of(row: StaffMember) -> Member:
    return Member(row.id, row.email, row.role, row.session_version)


def _profile() -> str:
    return "cheapest" if current_app and current_app.config.get("TESTING") else "default"


def hasher() -> PasswordHasher:
    return _HASHERS[_profile()]


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_email(email: str) -> str:
    email = normalise_email(email)
    if not email or len(email) > EMAIL_MAX or email.count("@") != 1 or " " in email \
            or "." not in email.split("@")[1]:
        raise StaffError(f"{email or 'An empty address'!r} is not an email address")
    return email


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise StaffError(f"The password must be at least {PASSWORD_MIN} characters long")
    if len(password) > PASSWORD_MAX:
        raise StaffError(f"The password must be at most {PASSWORD_MAX} characters long")
    return password


def find(session: Session, email: str) -> StaffMember | None:
    return session.scalars(
        select(StaffMember).where(StaffMember.email == normalise_email(email))
    ).first()


def create(session: Session, email: str, role: str, password: str,
           actor: str = COMMAND_LINE) -> StaffMember:
    email = check_email(email)
    if role not in ROLES:
        raise StaffError(f"The role must be one of {', '.join(ROLES)}, not {role!r}")
    check_password(password)
    if find(session, email) is not None:
        raise StaffError(f"{email} already has an account")
    row = StaffMember(email=email, role=role, password_hash=hasher().hash(password),
                      active=True, session_version=1, created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "staff-created", detail={"email": email, "role": role})
    session.commit()
    return row


def members(session: Session) -> list[StaffMember]:
    return list(session.scalars(select(StaffMember).order_by(StaffMember.email)))


def assignable(session: Session) -> list[StaffMember]:
    """Who items can be assigned to: active triagers and admins."""
    return list(session.scalars(
        select(StaffMember).where(StaffMember.active.is_(True),
                                  StaffMember.role.in_(("triager", "admin")))
        .order_by(StaffMember.email)))


def _existing(session: Session, email: str) -> StaffMember:
    row = find(session, email)
    if row is None:
        raise StaffError(f"No account has the address {normalise_email(email)!r}")
    return row


def disable(session: Session, email: str, actor: str = COMMAND_LINE) -> StaffMember:
    row = _existing(session, email)
    row.active = False
    row.session_version += 1
    audit.record(session, actor, "staff-disabled", detail={"email": row.email})
    session.commit()
    return row


def enable(session: Session, email: str, actor: str = COMMAND_LINE) -> StaffMember:
    row = _existing(session, email)
    row.active = True
    audit.record(session, actor, "staff-enabled", detail={"email": row.email})
    session.commit()
    return row


def reset_password(session: Session, email: str, password: str,
                   actor: str = COMMAND_LINE) -> StaffMember:
    row = _existing(session, email)
    check_password(password)
    row.password_hash = hasher().hash(password)
    row.session_version += 1
    audit.record(session, actor, "staff-password-reset", detail={"email": row.email})
    session.commit()
    return row


def authenticate(session: Session, email: str, password: str) -> StaffMember | None:
    """The active account with this address and password, or None; same cost either way."""
    row = find(session, email) if email and len(email) <= EMAIL_MAX else None
    if row is None or not password or len(password) > PASSWORD_MAX:
        _verify(_UNKNOWN_ACCOUNT_HASHES[_profile()], password or "-")
        return None
    if not _verify(row.password_hash, password):
        return None
    if not row.active:
        return None
    if hasher().check_needs_rehash(row.password_hash):
        row.password_hash = hasher().hash(password)
    row.last_sign_in_at = utcnow()
    session.commit()
    return row


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHERS["default"].verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def current(session: Session, staff_id: int, version: int) -> Member | None:
    """The member a session belongs to, if the account is active and the session current."""
    row = session.get(StaffMember, staff_id)
    if row is None or not row.active or row.session_version != version:
        return None
    return member_of(row)


# ---------------------------------------------------------------------------------------
# `flask users ...`


@click.group("users", cls=AppGroup, help="Manage the staff who can sign in to the inbox.")
def users_commands() -> None:
    pass


def _read_password(email: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt(f"Password for {email}", hide_input=True,
                            confirmation_prompt="Repeat the password")
    line = sys.stdin.readline() if sys.stdin is not None else ""
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
        row = _existing(_session(), email)
        reset_password(_session(), row.email, _read_password(row.email))
        click.echo(f"Set a new password for {row.email}; its sessions have ended.")

    _run(action)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StaffMember)) or 0
