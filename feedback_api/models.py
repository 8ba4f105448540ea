"""The database tables. Every change to them comes with an Alembic migration.

`submissions` holds feedback and reports alike (`kind`). The staff inbox adds `staff`,
`item_notes` and the append-only `audit_events` (migration 0002), the signed-in sessions in
`staff_sessions` (0005), and on `submissions` the triage columns (assignment, reason,
outcomes, legal hold, closing and anonymising times); `state` is deliberately a plain string
so new states need no schema change.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

KINDS = ("feedback", "report")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware in UTC (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Submission(Base):
    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32), default="new", server_default="new")
    public_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(8))  # "form" or "api"
    # the language it was written in (registries/languages.yaml), and its messages' (0009)
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en",
                                          index=True)
    is_spam: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    spam_reason: Mapped[str | None] = mapped_column(String(64))
    # HMAC of the client's address under the app's secret: never the address itself.
    client_hash: Mapped[str] = mapped_column(String(64))
    # Hash of what was said, to record a repeat from the same client only once.
    content_hash: Mapped[str] = mapped_column(String(64))

    # What it is about.
    policy_id: Mapped[str | None] = mapped_column(String(80))
    section: Mapped[str | None] = mapped_column(String(80))
    category: Mapped[str | None] = mapped_column(String(40))
    account_id: Mapped[str | None] = mapped_column(String(80))
    account_url: Mapped[str | None] = mapped_column(String(2000))
    post_url: Mapped[str | None] = mapped_column(String(2000))
    seen_at: Mapped[str | None] = mapped_column(String(32))  # ISO date or date and time
    message: Mapped[str] = mapped_column(Text)  # the feedback comment or report description

    # Contact, all optional: anonymous is the default.
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    wants_reply: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    # Triage (feedback_api.triage): who works it, why it was closed, what was done.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    state_reason: Mapped[str | None] = mapped_column(String(40))
    duplicate_of: Mapped[str | None] = mapped_column(String(32))  # the original's tracking code
    outcomes: Mapped[str | None] = mapped_column(String(400))  # outcome ids, comma-separated
    internal_note: Mapped[str | None] = mapped_column(Text)  # the resolution's internal note
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When staff were emailed about this report (feedback_api.notify); empty until then.
    notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The day of the incident as staff confirmed it when deciding (ISO date; migration
    # 0006): the clauses the decision cites are as they stood that day (JudgedClause).
    incident_date: Mapped[str | None] = mapped_column(String(10))
    # Public parts of the outcome (migration 0007): where a dismissed item was referred,
    # and the address of a public correction or apology made for a confirmed violation.
    referred_to: Mapped[str | None] = mapped_column(String(200))
    action_link: Mapped[str | None] = mapped_column(String(2000))
    # Residents hear back (migration 0008): when they stopped the messages about it, and
    # when they asked to reopen it (once, within REOPEN_DAYS of the decision).
    messages_stopped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reopen_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("kind in ('feedback', 'report')", name="kind"),
        Index("ix_submissions_duplicates", "client_hash", "content_hash", "created_at"),
        Index("ix_submissions_created_at", "created_at"),
        Index("ix_submissions_state", "state"),
        # The inbox list: each filter, in the list's order.
        Index("ix_submissions_state_created", "state", "created_at"),
        Index("ix_submissions_kind_created", "kind", "created_at"),
        Index("ix_submissions_category_created", "category", "created_at"),
        Index("ix_submissions_policy_created", "policy_id", "created_at"),
        Index("ix_submissions_account_created", "account_id", "created_at"),
        Index("ix_submissions_assignee_created", "assignee_id", "created_at"),
        Index("ix_submissions_updated_at", "updated_at"),
        # Counts per state, spam apart, from the index alone.
        Index("ix_submissions_spam_state", "is_spam", "state"),
    )


class JudgedClause(Base):
    """A clause a decision rests on, in the version in effect on the incident date
    (feedback_api.judging, migration 0006). Public: the status page cites it."""

    __tablename__ = "judged_clauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    policy_id: Mapped[str] = mapped_column(String(80))
    clause: Mapped[str] = mapped_column(String(80))
    version: Mapped[int | None] = mapped_column(Integer)  # None: not in effect that day
    in_effect_from: Mapped[str | None] = mapped_column(String(10))
    in_effect_until: Mapped[str | None] = mapped_column(String(10))
    url: Mapped[str | None] = mapped_column(String(400))
    clause_text: Mapped[str | None] = mapped_column(Text)  # as that version words it

    __table_args__ = (
        Index("ix_judged_clauses_submission_id", "submission_id"),
        Index("ix_judged_clauses_policy_clause", "policy_id", "clause"),
    )


class OutboxMessage(Base):
    """A message to a resident, committed with the change that causes it and sent later by
    `flask notify send` (feedback_api.outbox, migration 0008). It holds only what the
    status page shows: the address is read from the submission when it is sent, so the
    outbox keeps no personal data, and an address erased by then is never written to."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(120))  # "acknowledged", "decided:…", "led-to:…"
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # a sender has it
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(300))
    cancelled: Mapped[str | None] = mapped_column(String(60))  # why it will never be sent

    __table_args__ = (
        Index("uq_outbox_submission_event", "submission_id", "event", unique=True),
        Index("ix_outbox_due", "sent_at", "cancelled"),
    )


ROLES = ("viewer", "triager", "admin")  # each can do everything the one before it can


def normalise_email(email: str) -> str:
    """A staff address as it is stored and looked up: trimmed, lower case."""
    return (email or "").strip().lower()


class StaffMember(Base):
    """A member of staff who signs in to the inbox (feedback_api.staff)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Bumped on disable and password reset: every session signed with the old value ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("role in ('viewer', 'triager', 'admin')", name="role"),
    )


class StaffSession(Base):
    """A signed-in session in the inbox (feedback_api.inbox.access, migration 0005).

    The session cookie holds only a random token; this row, found by the token's SHA-256,
    says whose session it is, when it started and when it was last used. Signing out
    deletes the row, so a copy of the cookie stops working at once; so do the idle timeout
    (INBOX_IDLE_MINUTES, from `seen_at`) and the absolute lifetime (INBOX_SESSION_HOURS,
    from `started_at`), both decided here on the server, never by the cookie.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_staff_sessions_staff_id", "staff_id"),)


class ItemNote(Base):
    """An internal note on an item: staff only, never shown to the public."""

    __tablename__ = "item_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    author_email: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_item_notes_submission_id", "submission_id"),)


class AuditEvent(Base):
    """One line of the audit log (feedback_api.audit): who did what, when. Append-only.

    No foreign keys: the log outlives the items and accounts it names, so it keeps the
    tracking code and the actor's email address as they were.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(254))  # an email address, or "command line"
    action: Mapped[str] = mapped_column(String(40))
    submission_id: Mapped[int | None] = mapped_column(Integer)
    tracking_code: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)  # JSON; never personal data

    __table_args__ = (
        Index("ix_audit_events_tracking_code", "tracking_code"),
        Index("ix_audit_events_at", "at"),
    )
