"""The triage workflow: states, the moves between them, and closing an item.

    new ─▶ triaged ─▶ investigating ─▶ resolved   (a reason and a public note)
     │        ▲             │      └─▶ dismissed  (duplicate, spam, not a violation,
     └────────┴─────────────┘                      out of scope)
    resolved / dismissed ─▶ reopen ─▶ triaged

The states and moves are the workflow's own; the reasons staff choose from, a dismissal's
standard public note and the actions taken for a violation are content
(`registries/outcomes.yaml`, read into `catalog.Outcomes`), passed in as `offered`. Three
reasons the workflow acts on are always there (the content check keeps them):
violation-confirmed, duplicate and spam.

Every function here is plain: it takes the item's current values and what staff asked for,
and returns the columns to change, or raises TriageError naming the field at fault. The
inbox applies the change and writes the audit event in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re

from .catalog import Outcomes
from .models import utcnow

OPEN = ("new", "triaged", "investigating")
CLOSED = ("resolved", "dismissed")
STATES = OPEN + CLOSED
# The states as staff name them in the inbox (and the public statistics count them); the
# status page tells residents more (status.PUBLIC_STATE_LABELS).
INBOX_STATE_LABELS = {
    "new": "New",
    "triaged": "Triaged",
    "investigating": "Investigating",
    "resolved": "Resolved",
    "dismissed": "Dismissed",
}
# The moves between open states; closing and reopening have functions of their own.
MOVES = {
    "new": ("triaged", "investigating"),
    "triaged": ("investigating",),
    "investigating": ("triaged",),
}
CONFIRMED = "violation-confirmed"  # the resolve reason that needs the actions taken
BULK_ACTIONS = ("spam", "duplicate")  # dismiss reasons the list applies to many at once

NOTE_MAX = 5000
PUBLIC_NOTE_MAX = 2000
WHERE_MAX = 200  # where an item was referred
LINK_MAX = 2000  # the address of a public correction


class TriageError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def reason_label(reason: str | None, offered: Outcomes) -> str | None:
    return offered.reason_label(reason) if reason else None


def outcome_labels(outcomes: str | None, offered: Outcomes) -> list[str]:
    return [offered.action_label(o) for o in split_outcomes(outcomes)]


def split_outcomes(outcomes: str | None) -> list[str]:
    return [o for o in (outcomes or "").split(",") if o]


def moves_from(state: str) -> tuple[str, ...]:
    return MOVES.get(state, ())


def _text(field: str, value: str | None, limit: int, label: str) -> str | None:
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise TriageError(field, f"{label} must be {limit:,} characters or fewer "
                                 f"(it is {len(value):,})")
    return value or None


def move(state: str, to: str, now: dt.datetime | None = None) -> dict:
    """An open item to another open state."""
    if to not in moves_from(state):
        allowed = ", ".join(moves_from(state)) or "none: resolve, dismiss or reopen it instead"
        raise TriageError("state", f"An item that is {state} cannot move to {to!r} "
                                   f"(possible: {allowed})")
    return {"state": to, "updated_at": now or utcnow()}


def resolve(state: str, reason: str | None, public_note: str | None,
            internal_note: str | None, outcomes: list[str] | None, offered: Outcomes,
            now: dt.datetime | None = None, *, action_link: str | None = None) -> dict:
    """Close an item as resolved: a reason and a public note are required, and a confirmed
    violation needs at least one disciplinary or restorative outcome. An action public by
    nature (a correction, an apology) needs its address, `action_link`, which the
    resident's status page links."""
    if state not in OPEN:
        raise TriageError("state", f"The item is already {state}; reopen it first")
    if reason not in {c.id for c in offered.resolve_reasons}:
        raise TriageError("reason", "Choose why the item is resolved")
    public = _text("public_note", public_note, PUBLIC_NOTE_MAX, "The public note")
    if public is None:
        raise TriageError("public_note", "Write the note the resident will see on the status "
                                         "page")
    internal = _text("internal_note", internal_note, NOTE_MAX, "The internal note")
    chosen = [o for o in dict.fromkeys(outcomes or []) if o]
    unknown = [o for o in chosen if not offered.is_action(o)]
    if unknown:
        raise TriageError("outcomes", "Choose outcomes from the list")
    if reason == CONFIRMED and not chosen:
        raise TriageError("outcomes", "A confirmed violation needs at least one disciplinary "
                                      "or restorative action")
    if reason != CONFIRMED and chosen:
        raise TriageError("outcomes", "Outcomes are recorded only for a confirmed violation; "
                                      "clear them or choose ‘Violation confirmed’")
    link = _text("action_link", action_link, LINK_MAX, "The address")
    linked = [o for o in chosen if o in offered.linked_actions]
    if linked and link is None:
        raise TriageError("action_link", f"Give the address of the "
                                         f"{offered.action_label(linked[0]).lower()}: the "
                                         "resident's status page links it")
    if link is not None and not linked:
        raise TriageError("action_link", "An address is kept only for an action public by "
                                         "nature, such as a public correction; clear it")
    if link is not None and not re.fullmatch(r"https?://[^\s/]+\.[^\s]*", link):
        raise TriageError("action_link", "Give the full address of the correction, starting "
                                         "with https://")
    now = now or utcnow()
    return {"state": "resolved", "state_reason": reason, "public_note": public,
            "internal_note": internal, "outcomes": ",".join(chosen) or None,
            "duplicate_of": None, "referred_to": None, "action_link": link,
            "closed_at": now, "updated_at": now}


def dismiss(state: str, reason: str | None, public_note: str | None,
            internal_note: str | None, offered: Outcomes, duplicate_of: str | None = None,
            now: dt.datetime | None = None, *, referred_to: str | None = None) -> dict:
    """Close an item as dismissed. A duplicate names the original's tracking code (the
    caller checks it exists and is another item); spam also sets `is_spam`, so public
    statistics leave it out."""
    if state not in OPEN:
        raise TriageError("state", f"The item is already {state}; reopen it first")
    if reason not in {c.id for c in offered.dismiss_reasons}:
        raise TriageError("reason", "Choose why the item is dismissed")
    if reason == "duplicate" and not duplicate_of:
        raise TriageError("duplicate_of", "Give the tracking code of the original item")
    public = _text("public_note", public_note, PUBLIC_NOTE_MAX, "The public note")
    internal = _text("internal_note", internal_note, NOTE_MAX, "The internal note")
    outcome = offered.outcome(reason)
    where = _text("referred_to", referred_to, WHERE_MAX, "Where it was referred")
    if outcome is not None and outcome.asks_where and where is None:
        raise TriageError("referred_to", "Say where it was referred: the resident sees it")
    now = now or utcnow()
    change = {"state": "dismissed", "state_reason": reason,
              "public_note": public or offered.default_public_notes[reason],
              "internal_note": internal, "outcomes": None,
              "duplicate_of": duplicate_of if reason == "duplicate" else None,
              "referred_to": where if outcome is not None and outcome.asks_where else None,
              "action_link": None, "closed_at": now, "updated_at": now}
    if reason == "spam":
        change.update(is_spam=True, spam_reason="staff")
    return change


def reopen(state: str, is_spam: bool, spam_reason: str | None,
           now: dt.datetime | None = None) -> dict:
    """A closed item back to triaged; its reason, outcomes and closing time are cleared
    (the history keeps them). An item staff had called spam is no longer spam."""
    if state not in CLOSED:
        raise TriageError("state", f"Only resolved or dismissed items can be reopened; this "
                                   f"one is {state}")
    now = now or utcnow()
    change = {"state": "triaged", "state_reason": None, "outcomes": None, "duplicate_of": None,
              "referred_to": None, "action_link": None, "closed_at": None, "updated_at": now,
              "public_note": "Reopened: we are looking at this again."}
    if is_spam:
        change.update(is_spam=False, spam_reason=None)
    return change


def assign(assignee_id: int | None) -> dict:
    """Internal only: the public "last updated" time does not change."""
    return {"assignee_id": assignee_id}


def note(body: str | None) -> str:
    text = _text("note", body, NOTE_MAX, "The note")
    if text is None:
        raise TriageError("note", "Write the note")
    return text
