"""The database tables. Every change to them comes with an Alembic migration.

`submissions` holds feedback and reports alike (`kind`). The staff inbox will add states,
notes, assignment and an audit log in tables of its own, through new migrations; `state`
is deliberately a plain string so new states need no schema change.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
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

    __table_args__ = (
        CheckConstraint("kind in ('feedback', 'report')", name="kind"),
        Index("ix_submissions_duplicates", "client_hash", "content_hash", "created_at"),
        Index("ix_submissions_created_at", "created_at"),
        Index("ix_submissions_state", "state"),
    )
