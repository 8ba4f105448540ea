"""Staff accounts: who may sign in to the inbox, with which role, and their sessions.

Roles, each able to do everything the one before it can:

- viewer: reads the inbox and its items;
- triager: works items (state, assignment, notes, bulk actions);
- admin: manages staff, exports, legal holds and retention.

Passwords are hashed with argon2id (argon2-cffi); what an address and a password must be is
in `staff_checks`, and the `flask users` commands that manage accounts in `staff_commands`.

Sessions are kept in `staff_sessions` (`open_session`, `find_session`): the cookie holds
only a random token. Signing out deletes the session's row; disabling an account or
resetting its password deletes all of its rows (and bumps its `session_version`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from . import audit
from .models import ROLES, StaffMember, StaffSession, normalise_email, utcnow
from .staff_checks import EMAIL_MAX, PASSWORD_MAX, StaffError, check_email, check_password

COMMAND_LINE = "command line"

_HASHERS = {
    "default": PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY),
    # For the test suite only (TESTING): hashing in microseconds instead of tens of ms.
    "cheapest": PasswordHasher.from_parameters(profiles.CHEAPEST),
}
# Checked when an address has no account, so a wrong address takes as long as a wrong
# password and the answer's timing does not tell whether an account exists.
_UNKNOWN_ACCOUNT_HASHES = {name: h.hash("no such account") for name, h in _HASHERS.items()}


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


def existing(session: Session, email: str) -> StaffMember:
    row = find(session, email)
    if row is None:
        raise StaffError(f"No account has the address {normalise_email(email)!r}")
    return row


def active_admins(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StaffMember).where(
        StaffMember.role == "admin", StaffMember.active.is_(True))) or 0


def disable(session: Session, email: str, actor: str = COMMAND_LINE) -> StaffMember:
    row = existing(session, email)
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
    row = existing(session, email)
    before = row.role
    if role == before:
        raise StaffError(f"{row.email} is already {a_role(role)}; nothing was changed")
    if before == "admin" and row.active and active_admins(session) <= 1:
        raise StaffError(f"{row.email} is the only active admin, so it stays an admin; make "
                         "another account admin first (users set-role EMAIL --role admin)")
    row.role = role
    audit.record(session, actor, "staff-role-changed",
                 detail={"email": row.email, "from": before, "to": role})
    session.commit()
    return row, before


def a_role(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


def enable(session: Session, email: str, actor: str = COMMAND_LINE) -> StaffMember:
    row = existing(session, email)
    row.active = True
    audit.record(session, actor, "staff-enabled", detail={"email": row.email})
    session.commit()
    return row


def reset_password(session: Session, email: str, password: str,
                   actor: str = COMMAND_LINE) -> StaffMember:
    row = existing(session, email)
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


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StaffMember)) or 0
