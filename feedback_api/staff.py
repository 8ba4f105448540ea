"""Staff accounts: who may sign in to the inbox, with which role, and the `flask users`
commands that manage them.

Roles, each able to do everything the one before it can:

- viewer: reads the inbox and its items;
- triager: works items (state, assignment, notes, bulk actions);
- admin: manages staff, exports, legal holds and retention.

Passwords are hashed with argon2id (argon2-cffi). A password never appears on a command
line: `users create` and `users reset-password` read it from a prompt, or from standard
input when that is not a terminal. It must have at least 12 characters besides spaces at
either end, and not be easy to guess: zxcvbn (Dropbox's estimator, with its lists of common
passwords, names and words, and the account's own address) must rate it at least 3 of 4.

Sessions are kept in `staff_sessions` (`open_session`, `find_session`): the cookie holds
only a random token. Signing out deletes the session's row; disabling an account or
resetting its password deletes all of its rows (and bumps its `session_version`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import sys
import unicodedata
from dataclasses import dataclass

import click
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import audit, db
from .models import ROLES, StaffMember, StaffSession, normalise_email, utcnow

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
# zxcvbn's score, 0 to 4: 3 is "safely unguessable", about 10^8 guesses or more.
PASSWORD_SCORE_MIN = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the start of a password is rated
# Words anyone guessing a password for this service would try first.
SERVICE_WORDS = ("albuquerque", "abq", "cabq", "city", "council", "transparency", "inbox",
                 "feedback", "report", "social", "media", "policy", "staff", "admin")
EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
# RFC 5321/5322, as staff addresses are written: dot-separated atoms of letters, digits and
# !#$%&'*+/=?^_`{|}~- before the @; dot-separated labels of letters, digits and hyphens
# (not at either end of a label) after it, at least two of them.
EMAIL_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
EMAIL_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
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


def check_email(email: str) -> str:
    """The address in lower case, or StaffError saying what is wrong with it."""
    email = normalise_email(email)
    if not email:
        raise StaffError("Give an email address, like ana.garcia@cabq.gov")

    def wrong(why: str) -> StaffError:
        return StaffError(f"{email!r} is not an email address: {why}. Give one like "
                          "ana.garcia@cabq.gov")

    odd = [c for c in email if c.isspace() or unicodedata.category(c)[0] == "C"]
    if odd:
        what = "a space" if odd[0] == " " else f"the control character {_code_point(odd[0])}"
        raise wrong(f"it contains {what}")
    if len(email) > EMAIL_MAX:
        raise wrong(f"it is longer than {EMAIL_MAX} characters")
    if email.count("@") != 1:
        raise wrong("it needs exactly one @" if "@" not in email else "it has more than one @")
    local, domain = email.split("@")
    for part, name in ((local, "before"), (domain, "after")):
        if not part:
            raise wrong(f"there is nothing {name} the @")
    for character in "<>()[]\\,;:\"":
        if character in email:
            raise wrong(f"it contains {character!r}")
    if len(local) > EMAIL_LOCAL_MAX or not EMAIL_LOCAL.fullmatch(local):
        raise wrong("the part before the @ may have letters a to z, digits, dots (not two "
                    "together, nor at either end) and !#$%&'*+/=?^_`{|}~- only")
    labels = domain.split(".")
    if len(labels) < 2:
        raise wrong("the part after the @ needs a dot, as in cabq.gov")
    if not all(EMAIL_LABEL.fullmatch(label) for label in labels):
        raise wrong("the part after the @ may have letters a to z, digits, hyphens and dots "
                    "only (an international domain in its xn-- form)")
    return email


def _code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def check_password(password: str, email: str = "") -> str:
    """The password, or StaffError saying why it will not do and what to do instead."""
    stripped = password.strip()
    if not stripped:
        raise StaffError("The password is empty or only spaces; choose one of at least "
                         f"{PASSWORD_MIN} characters, for example four or five unrelated words")
    if len(stripped) < PASSWORD_MIN:
        raise StaffError(f"The password must be at least {PASSWORD_MIN} characters long, not "
                         "counting spaces at either end; a few unrelated words are easy to "
                         "remember and hard to guess")
    if len(password) > PASSWORD_MAX:
        raise StaffError(f"The password must be at most {PASSWORD_MAX} characters long")
    control = next((c for c in password if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        raise StaffError(f"The password contains the control character {_code_point(control)}, "
                         "which cannot be typed at sign-in; choose one without it")
    weakness = _weakness(password, email)
    if weakness is not None:
        raise StaffError(f"The password is too easy to guess{weakness}. Choose a longer one "
                         "that is not a common password, a name, a date or a keyboard "
                         "pattern, for example four or five unrelated words")
    return password


def _weakness(password: str, email: str) -> str | None:
    """None for a password zxcvbn rates strong enough, else what it found: " (reason)", or ""
    when it gives no reason."""
    from zxcvbn import zxcvbn  # loads its word lists: only when a password is set

    local, _, domain = normalise_email(email).partition("@")
    hints = [email, local, domain, *re.split(r"[^a-z0-9]+", f"{local} {domain}"),
             *SERVICE_WORDS]
    rated = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[h for h in hints if h])
    if rated["score"] >= PASSWORD_SCORE_MIN:
        return None
    warning = (rated.get("feedback") or {}).get("warning") or ""
    if warning:
        return f" ({warning.rstrip('.').lower()})"
    if any(match.get("dictionary_name") == "user_inputs" for match in rated["sequence"]):
        return " (it is made from the account's address or from words about this service)"
    return ""


def find(session: Session, email: str) -> StaffMember | None:
    return session.scalars(
        select(StaffMember).where(StaffMember.email == normalise_email(email))
    ).first()


def create(session: Session, email: str, role: str, password: str,
           actor: str = COMMAND_LINE) -> StaffMember:
    email = check_email(email)
    _check_role(role)
    check_password(password, email)
    if find(session, email) is not None:
        raise StaffError(f"{email} already has an account")
    row = StaffMember(email=email, role=role, password_hash=hasher().hash(password),
                      active=True, session_version=1, created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "staff-created", detail={"email": email, "role": role})
    session.commit()
    return row


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise StaffError(f"The role must be one of {', '.join(ROLES)}, not {role!r}")


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


def active_admins(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StaffMember).where(
        StaffMember.role == "admin", StaffMember.active.is_(True))) or 0


def disable(session: Session, email: str, actor: str = COMMAND_LINE) -> StaffMember:
    row = _existing(session, email)
    row.active = False
    row.session_version += 1
    end_sessions(session, row.id)
    audit.record(session, actor, "staff-disabled", detail={"email": row.email})
    session.commit()
    return row


def set_role(session: Session, email: str, role: str, actor: str = COMMAND_LINE
             ) -> tuple[StaffMember, str]:
    """Give an account another role; returns it and its role before. The last active admin
    keeps the role: the inbox would have no one left to export or set legal holds."""
    _check_role(role)
    row = _existing(session, email)
    before = row.role
    if role == before:
        raise StaffError(f"{row.email} is already {_a(role)}; nothing was changed")
    if before == "admin" and row.active and active_admins(session) <= 1:
        raise StaffError(f"{row.email} is the only active admin, so it stays an admin; make "
                         "another account admin first (users set-role EMAIL --role admin)")
    row.role = role
    audit.record(session, actor, "staff-role-changed",
                 detail={"email": row.email, "from": before, "to": role})
    session.commit()
    return row, before


def _a(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


def enable(session: Session, email: str, actor: str = COMMAND_LINE) -> StaffMember:
    row = _existing(session, email)
    row.active = True
    audit.record(session, actor, "staff-enabled", detail={"email": row.email})
    session.commit()
    return row


def reset_password(session: Session, email: str, password: str,
                   actor: str = COMMAND_LINE) -> StaffMember:
    row = _existing(session, email)
    check_password(password, row.email)
    row.password_hash = hasher().hash(password)
    row.session_version += 1
    end_sessions(session, row.id)
    audit.record(session, actor, "staff-password-reset", detail={"email": row.email})
    session.commit()
    return row


def authenticate(session: Session, email: str, password: str) -> StaffMember | None:
    """The active account with this address and password, or None; same cost either way.
    An address no account could have (too long, control characters, which PostgreSQL would
    refuse to compare) is not looked up: it is answered like an unknown one."""
    plausible = email and len(email) <= EMAIL_MAX \
        and not any(unicodedata.category(c) == "Cc" for c in email)
    row = find(session, email) if plausible else None
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


# ---------------------------------------------------------------------------------------
# Sessions (feedback_api.inbox.access decides when they end)

SESSION_TOKEN_MAX = 100


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, row: StaffMember, now: dt.datetime) -> str:
    """A new session for `row`, added to `session` (the caller commits); returns the token
    for the cookie. Only its hash is stored: the table alone cannot be used to sign in."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_token_hash(token), staff_id=row.id, started_at=now,
                             seen_at=now))
    return token


def find_session(session: Session, token: str) -> tuple[StaffSession, Member] | None:
    """The session with this token and its member, if the account is active."""
    if not isinstance(token, str) or not token or len(token) > SESSION_TOKEN_MAX:
        return None
    found = session.execute(
        select(StaffSession, StaffMember)
        .join(StaffMember, StaffMember.id == StaffSession.staff_id)
        .where(StaffSession.token_hash == _token_hash(token))).first()
    if found is None or not found[1].active:
        return None
    return found[0], member_of(found[1])


def end_session(session: Session, token: str) -> None:
    if isinstance(token, str) and token:
        session.execute(delete(StaffSession).where(
            StaffSession.token_hash == _token_hash(token)))


def end_sessions(session: Session, staff_id: int) -> int:
    """End every session of an account; returns how many there were."""
    return session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id)
                           ).rowcount or 0


def end_old_sessions(session: Session, seen_before: dt.datetime,
                     started_before: dt.datetime) -> None:
    """Delete sessions past their idle time or lifetime (they no longer work anyway)."""
    session.execute(delete(StaffSession).where(or_(StaffSession.seen_at < seen_before,
                                                    StaffSession.started_at < started_before)))


# ---------------------------------------------------------------------------------------
# `flask users ...`


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
        click.echo(f"{row.email} is now {_a(row.role)} (was {_a(before)}).")

    _run(action)


@users_commands.command("sign-out", help="End every session of an account, for example "
                        "after a lost laptop; it can sign in again.")
@click.argument("email")
def sign_out_command(email: str) -> None:
    def action():
        session = _session()
        row = _existing(session, email)
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
        row = _existing(_session(), email)
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
        row = _existing(session, email)
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


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StaffMember)) or 0
