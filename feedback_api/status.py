"""What the public may see about a submission: its status, by tracking code.

The confirmation page, the status pages (`/feedback/status/<code>`, `/report/status/<code>`)
and `GET /api/v1/status/<code>` show the kind, the state in words for residents, the dates
and the City's public note: no personal data, not even the text. Feedback that a published
revision responds to (`published.PublishedSite`) says so, with the versions it led to; a
decided item says what happened (`outcome`) and the clauses it was judged against. Staff
see the states by their short names in the inbox (`triage.INBOX_STATE_LABELS`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder import addresses

from .catalog import Outcomes
from .judging import Citation, judged
from .models import Submission
from .published import PublishedSite, Revision
from .tracking import normalise_tracking_code

# A state as the resident's status page words it.
PUBLIC_STATE_LABELS = {
    "new": "Received: waiting to be reviewed",
    "triaged": "Read by staff: waiting to be looked into",
    "investigating": "Being looked into",
    "resolved": "Resolved",
    "dismissed": "Closed without further action",
}
LED_TO_LABEL = "Led to a revision"
KIND_LABELS = {"feedback": "Feedback on a policy", "report": "Report of a possible violation"}


@dataclass(frozen=True)
class Status:
    """What the public may see about a submission: no personal data, not even the text."""

    tracking_code: str
    kind: str
    state: str
    received_at: dt.datetime
    updated_at: dt.datetime
    public_note: str | None
    led_to: tuple[Revision, ...] = ()  # the published versions that respond to it
    judged_against: tuple[Citation, ...] = ()  # the clauses a decision rests on
    outcome: dict | None = None  # what happened, once decided (`public_outcome`)
    reopen_until: dt.datetime | None = None  # the resident may ask to reopen it until then
    incident_date: dt.date | None = None  # the day they are cited as of

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return LED_TO_LABEL if self.led_to else state_label(self.state)

    def as_json(self) -> dict:
        return {
            "tracking_code": self.tracking_code,
            "kind": self.kind,
            "state": self.state,
            "state_label": self.state_label,
            "received_at": _iso(self.received_at),
            "updated_at": _iso(self.updated_at),
            "public_note": self.public_note,
            "outcome": self.outcome,
            "led_to": [revision.as_json() for revision in self.led_to],
            "judged_against": [citation.as_json() for citation in self.judged_against],
            "incident_date": self.incident_date.isoformat() if self.incident_date else None,
        }


def state_label(state: str) -> str:
    words = state.replace("-", " ").replace("_", " ")
    return PUBLIC_STATE_LABELS.get(state, words[:1].upper() + words[1:])


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# A tracking code as the API takes it in its address: SMR- (optional) and 16 letters or
# digits, in either case, with spaces, dashes, dots or underscores anywhere between them.
# The OpenAPI document publishes it; anything else is not a code (404).
TRACKING_CODE_PATTERN = "^[ ._-]*(?:[sS][mM][rR][ ._-]*)?(?:[0-9A-Za-z][ ._-]*){16}$"
TRACKING_CODE_MAX = 64
_TRACKING_CODE = re.compile(TRACKING_CODE_PATTERN)


def looks_like_tracking_code(text: str) -> bool:
    return len(text) <= TRACKING_CODE_MAX and _TRACKING_CODE.fullmatch(text) is not None


REOPEN_DAYS = 30  # after a decision, the resident may ask once to reopen it


def reopen_until(state: str, closed_at: dt.datetime | None,
                 reopen_requested_at: dt.datetime | None, is_spam: bool,
                 now: dt.datetime | None = None) -> dt.datetime | None:
    """The end of the window in which the resident may ask to reopen a decided item; None
    when they may not (open, asked once already, spam, or past the window)."""
    if state not in ("resolved", "dismissed") or closed_at is None or reopen_requested_at:
        return None
    if is_spam:
        return None
    until = closed_at + dt.timedelta(days=REOPEN_DAYS)
    return until if (now or dt.datetime.now(dt.UTC)) < until else None


def public_outcome(offered: Outcomes | None, state: str, reason: str | None,
                   actions: str | None, referred_to: str | None,
                   action_link: str | None) -> dict | None:
    """What a decided item's status says happened: the public outcome of its reason, where
    it was referred, and the restorative actions taken that are public (a public
    correction with its address). Disciplinary actions, and anything naming staff, never."""
    if offered is None or state not in ("resolved", "dismissed"):
        return None
    outcome = offered.outcome(reason)
    if outcome is None:
        return None
    return {
        "id": outcome.id,
        "label": outcome.label,
        "description": outcome.hint,
        "referred_to": referred_to if outcome.asks_where else None,
        "url": addresses.url(addresses.ACCOUNTS, "all-accounts")
        if outcome.link == "accounts" else None,
        "actions": [{"id": action, "label": offered.action_label(action),
                     "url": action_link if action in offered.linked_actions else None}
                    for action in (actions or "").split(",")
                    if action in offered.public_actions],
    }


def status_of(db: Session, code: str, published: PublishedSite | None = None,
              offered: Outcomes | None = None) -> Status | None:
    """The public status of the submission with this tracking code, as a person typed it;
    with the revisions it led to when it is feedback the `published` site's revisions
    respond to, and its public outcome once decided (`offered`: the outcomes registry)."""
    canonical = normalise_tracking_code(code)
    if canonical is None:
        return None
    row = db.execute(
        select(Submission.id, Submission.tracking_code, Submission.kind, Submission.state,
               Submission.created_at, Submission.updated_at, Submission.public_note,
               Submission.incident_date, Submission.state_reason, Submission.outcomes,
               Submission.referred_to, Submission.action_link, Submission.closed_at,
               Submission.reopen_requested_at, Submission.is_spam)
        .where(Submission.tracking_code == canonical)
    ).first()
    if row is None:
        return None
    led_to = (published.led_to(row.tracking_code)
              if published is not None and row.kind == "feedback" else ())
    decided = row.state in ("resolved", "dismissed")
    return Status(row.tracking_code, row.kind, row.state, row.created_at, row.updated_at,
                  row.public_note, led_to=led_to,
                  judged_against=judged(db, row.id) if decided else (),
                  outcome=public_outcome(offered, row.state, row.state_reason, row.outcomes,
                                         row.referred_to, row.action_link),
                  incident_date=dt.date.fromisoformat(row.incident_date)
                  if decided and row.incident_date else None,
                  reopen_until=reopen_until(row.state, row.closed_at,
                                            row.reopen_requested_at, row.is_spam))


def status_path(kind: str, code: str) -> str:
    return addresses.status_url(kind, code)
