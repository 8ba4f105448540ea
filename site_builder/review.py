"""Review schedule: when each policy or registry is next due for review, and its state."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from .schema import Review

DUE_SOON_DAYS = 60
STATES = ("overdue", "due-soon", "current", "unknown")  # labelled in labels.py


@dataclass(frozen=True)
class ReviewStatus:
    interval_months: int
    last_reviewed: dt.date | None
    next_due: dt.date | None
    state: str  # one of STATES


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_status(review: Review, today: dt.date) -> ReviewStatus:
    """Next due date and state; a review never recorded is 'unknown', not invented."""
    if review.last_reviewed is None:
        return ReviewStatus(review.interval_months, None, None, "unknown")
    next_due = add_months(review.last_reviewed, review.interval_months)
    if next_due < today:
        state = "overdue"
    elif (next_due - today).days <= DUE_SOON_DAYS:
        state = "due-soon"
    else:
        state = "current"
    return ReviewStatus(review.interval_months, review.last_reviewed, next_due, state)
