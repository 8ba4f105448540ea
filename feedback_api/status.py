"""What the public may see about a submission: its status, by tracking code.

The confirmation page, the status pages (`/feedback/status/<code>`, `/report/status/<code>`)
and `GET /api/v1/status/<code>` show the kind, the state in words for residents, the dates
and the City's public note: no personal data, not even the text. Feedback that a published
revision responds to (`published.PublishedSite`) says so, with the versions it led to; a
decided item says what happened (`outcome`) and the clauses it was judged against. Staff
see the states by their short names in the inbox (`triage.INBOX_STATE_LABELS`).

The words are in the page's language, or for the API in the one `Accept-Language` asks for
(`i18n`): the labels, the dates, and a public note the app gives by itself
(`standard_notes`, stored in English). A note staff wrote is shown as written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder import addresses, languages
from site_builder.languages import N_

from .catalog import Outcomes
from .i18n import _
from .judging import Citation, judged, page_language
from .models import Submission
from .published import PublishedSite, Revision
from .tracking import normalise_tracking_code

# A state as the resident's status page words it (in English: shown through `_`).
PUBLIC_STATE_LABELS = {
    "new": N_("Received: waiting to be reviewed"),
    "triaged": N_("Read by staff: waiting to be looked into"),
    "investigating": N_("Being looked into"),
    "resolved": N_("Resolved"),
    "dismissed": N_("Closed without further action"),
}
LED_TO_LABEL = N_("Led to a revision")
KIND_LABELS = {"feedback": N_("Feedback on a policy"),
               "report": N_("Report of a possible violation")}
# The note triage gives an item when it is reopened: a standard note, like the dismiss
# reasons' (registries/outcomes.yaml), so the status page shows it in the page's language.
REOPENED_NOTE = N_("Reopened: we are looking at this again.")


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
    language: str | None = None  # the language it was written in (`submissions.language`)
    standard_note: bool = False  # the public note is one the app gives (`standard_notes`)

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def state_label(self) -> str:
        return _(LED_TO_LABEL) if self.led_to else state_label(self.state)

    @property
    def note(self) -> str | None:
        """The public note in the words shown: a standard note in the language in force,
        one staff wrote as written."""
        if self.public_note and self.standard_note:
            return _(self.public_note)
        return self.public_note

    def note_shown(self) -> tuple[str | None, str | None]:
        """The public note as this page shows it, and its `lang` when that is not the
        page's: a standard note is in the page's language (English while it has no
        translation), one staff wrote in the language of the submission it answers."""
        note = self.note
        if not note:
            return None, None
        if self.standard_note:
            untranslated = note == self.public_note and page_language() != languages.DEFAULT
            return note, languages.DEFAULT if untranslated else None
        return note, self.written_in

    @property
    def written_in(self) -> str | None:
        """The submission's language when it is not the page's (for a `lang` attribute on
        what staff wrote for its resident), else None."""
        if self.language and self.language != page_language():
            return self.language
        return None

    def received_words(self) -> str:
        return moment_words(self.received_at)

    def updated_words(self) -> str:
        return moment_words(self.updated_at)

    @staticmethod
    def day_words(day: dt.date) -> str:
        return day_words(day)

    @staticmethod
    def number_words(number: int) -> str:
        return languages.whole_number(number, page_language())

    def as_json(self) -> dict:
        return {
            "tracking_code": self.tracking_code,
            "kind": self.kind,
            "state": self.state,
            "state_label": self.state_label,
            "received_at": _iso(self.received_at),
            "updated_at": _iso(self.updated_at),
            "public_note": self.note,
            "outcome": self.outcome,
            "led_to": [revision.as_json() for revision in self.led_to],
            "judged_against": [citation.as_json() for citation in self.judged_against],
            "incident_date": self.incident_date.isoformat() if self.incident_date else None,
        }


def state_label(state: str) -> str:
    """The state in the resident's words, in the language in force."""
    if state in PUBLIC_STATE_LABELS:
        return _(PUBLIC_STATE_LABELS[state])
    words = state.replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:]


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def standard_notes(offered: Outcomes | None) -> frozenset[str]:
    """The public notes the app gives by itself (stored in English, shown translated)."""
    given = offered.default_public_notes.values() if offered is not None else ()
    return frozenset((*given, REOPENED_NOTE))


def day_words(day: dt.date) -> str:
    """A day as the status page writes it: `5 January 2026`, `5 de enero de 2026`."""
    code = page_language()
    if code == languages.DEFAULT:
        return f"{day.day} {day:%B} {day.year}"
    return languages.long_date(day, code)


def moment_words(moment: dt.datetime) -> str:
    """`5 January 2026 at 14:03 UTC`, in the page's language."""
    return _("%(day)s at %(time)s UTC", day=day_words(moment), time=f"{moment:%H:%M}")


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
        "label": _(outcome.label),
        "description": _(outcome.hint),
        "referred_to": referred_to if outcome.asks_where else None,
        "url": addresses.url(addresses.ACCOUNTS, "all-accounts")
        if outcome.link == "accounts" else None,
        "actions": [{"id": action, "label": _(offered.action_label(action)),
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
               Submission.reopen_requested_at, Submission.is_spam, Submission.language)
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
                                            row.reopen_requested_at, row.is_spam),
                  language=row.language,
                  standard_note=row.public_note in standard_notes(offered))


def status_path(kind: str, code: str) -> str:
    return addresses.status_url(kind, code)
