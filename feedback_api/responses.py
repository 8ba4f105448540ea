"""Which submissions a revision's `Responds-to:` codes name, for `transparency check` and
`transparency revise` (the site's side of the loop: a revision cites the feedback behind
it).

They read the feedback database the app uses (DATABASE_URL, else the SQLite file in the
app's instance folder, INSTANCE_PATH), and only three columns of it: the tracking code, the
kind and the policy. Nothing personal leaves the database this way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.exc import SQLAlchemyError

from .config import database_url
from .models import Submission

DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "instance"


class FeedbackUnavailable(Exception):
    """The feedback database cannot be read: the message says which one and why."""


@dataclass(frozen=True)
class Named:
    """What a tracking code names: its kind and the policy it is about."""

    kind: str  # "feedback" or "report"
    policy_id: str | None


def feedback_database_url(environ=os.environ) -> tuple[str, str]:
    """The database's SQLAlchemy URL, and how to name it in a message (no password)."""
    value = environ.get("DATABASE_URL") or None
    if value:
        url = database_url(value, DEFAULT_INSTANCE)
        return url, "DATABASE_URL"
    instance = Path(environ.get("INSTANCE_PATH") or DEFAULT_INSTANCE)
    path = instance / "feedback.sqlite3"
    if not path.is_file():
        raise FeedbackUnavailable(
            f"there is no feedback database at {path}; set DATABASE_URL to the feedback "
            "app's database to check the codes")
    return f"sqlite:///{path}", str(path)


def look_up(codes: Iterable[str], environ=os.environ) -> dict[str, Named]:
    """Each code that exists, with its kind and policy (codes in canonical form)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    url, name = feedback_database_url(environ)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Submission.tracking_code, Submission.kind, Submission.policy_id)
                .where(Submission.tracking_code.in_(wanted))).all()
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise FeedbackUnavailable(f"the feedback database ({name}) could not be read: "
                                  f"{reason}") from None
    finally:
        engine.dispose()
    return {code: Named(kind, policy) for code, kind, policy in rows}
