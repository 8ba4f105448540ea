"""Residents hear back: a message at each public step, through a durable outbox.

A resident who left an email address and asked for a reply gets a message when staff
first pick the item up (acknowledged), when it is decided, and when a published revision
responds to their feedback (led to a revision). Each message carries the status link and a
one-click way to stop the messages (`List-Unsubscribe`, RFC 8058).

The message is written to `outbox` in the same transaction as the change that causes it
(`queue`), and sent by `flask --app feedback_api notify send` (`send_due`), run every few
minutes from a timer. A worker killed after the commit loses nothing: the next run sends
it. A row is claimed before it is sent, so two runs at once do not both send it; a run
killed between sending and marking it sent leaves a claim that runs after CLAIM_TIMEOUT
take over (the one case where a message can go twice). "Led to a revision" is noticed by
`send_due` itself, from the published open data (`published.PublishedSite`).

Each message is in the language the resident wrote in (`submissions.language`): `queue`
writes it in that language and keeps the language with the row, and its links lead to the
status page in that language (`/es/report/status/…`).

The outbox holds only what the status page shows. The address is read from the
submission when the message is sent: one stopped, anonymised or deleted by then is never
written to, and the row says why (`cancelled`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from site_builder import languages
from site_builder.languages import N_
from site_builder.schema import LanguageEntry

from . import i18n
from .i18n import _
from .models import OutboxMessage, Submission, utcnow
from .status import standard_notes, state_label, status_path

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 8  # then the row stays unsent, with its last error, for staff to see
STOP_SALT = b"stop-messages:"
# Long headers kept on one line (up to SMTP's 998): a folded or encoded List-Unsubscribe
# address is one mail programs cannot use.
HEADERS_AS_WRITTEN = SMTP.clone(max_line_length=998)

# The steps a message is about, as the inbox names them (`what`): each is shown through `_`
# in the resident's language.
ACKNOWLEDGED = N_("Staff have read what you sent")
DECIDED = N_("A decision was made")
LED_TO = N_("Your feedback led to a revision: version %(version)s of the policy responds "
            "to it")
# The first line about the item, by kind.
ABOUT = {"feedback": N_("Your feedback on a policy, tracking code %(code)s."),
         "report": N_("Your report of a possible violation, tracking code %(code)s.")}


@dataclass(frozen=True)
class Sent:
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    queued: int = 0  # "led to a revision" messages noticed by this run


def wants_messages(item: Submission) -> bool:
    return bool(item.email and item.wants_reply and item.messages_stopped_at is None
                and not item.is_spam and item.anonymised_at is None)


def stop_token(secret: str, code: str) -> str:
    """What proves a stop link came from a message about this code (HMAC, never stored)."""
    return hmac.new(secret.encode(), STOP_SALT + code.encode(), hashlib.sha256).hexdigest()[:32]


def stop_token_ok(secret: str, code: str, token: str) -> bool:
    return hmac.compare_digest(stop_token(secret, code), (token or "")[:64])


def stop_path(item_kind: str, code: str, secret: str) -> str:
    return f"{status_path(item_kind, code)}/stop?token={stop_token(secret, code)}"


def language_of(code: str | None) -> LanguageEntry:
    """The registry's language `code`, or the default one when it is not (or no longer)
    one of the site's languages."""
    known = i18n.registry()
    return languages.by_code(known, code) or languages.default_language(known)


def queue(session: Session, item: Submission, event: str, what: str,
          note: str | None = None, values: dict | None = None) -> bool:
    """Add a message about `item` to the caller's transaction, when its resident wants
    them; `event` names the step (one message per item and event); `what` is the step in
    words for the subject and the first line, in English (`ACKNOWLEDGED`, `DECIDED`,
    `LED_TO` with its `values`): the message is written in the resident's language."""
    if not wants_messages(item):
        return False
    exists = session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.submission_id == item.id, OutboxMessage.event == event))
    if exists is not None:
        return False
    language = language_of(item.language)
    with i18n.in_language(language.code):
        step = _(what, **(values or {}))
        about = (_(ABOUT[item.kind], code=item.tracking_code) if item.kind in ABOUT
                 else f"Your {item.kind}, tracking code {item.tracking_code}.")
        lines = [step, "", about, _("Status: %(state)s.", state=state_label(item.state))]
        if note:
            offered = getattr(current_app.extensions.get("catalog"), "outcomes", None)
            shown = _(note) if note in standard_notes(offered) else note
            lines += ["", _("Note from the City:"), shown]
    session.add(OutboxMessage(submission_id=item.id, event=event[:120],
                              subject=f"{item.tracking_code}: {step}"[:200],
                              body="\n".join(lines), language=language.code))
    return True


def queue_change(session: Session, item: Submission, change: dict, what: str,
                 event: str | None = None) -> bool:
    """Queue the message about a change staff are making to `item` (the columns `change`
    will set), in the change's own transaction. A decision's event is named by its
    closing time, so each decision, after a reopening too, has its message; spam none."""
    after = {column: change.get(column, getattr(item, column))
             for column in ("state", "public_note", "is_spam", "closed_at")}
    if after["is_spam"]:
        return False
    if event is None:
        event = f"decided:{after['closed_at'].isoformat()}"
    state, note = item.state, item.public_note
    item.state, item.public_note = after["state"], after["public_note"]
    try:
        return queue(session, item, event, what, note=after["public_note"])
    finally:
        item.state, item.public_note = state, note


def message_for(row: OutboxMessage, item: Submission, sender: str, site_url: str,
                secret: str) -> EmailMessage:
    """The email of an outbox row, in the row's language, its links to the pages in it."""
    language = language_of(row.language)
    prefix = f"{site_url}{language.prefix}"
    status = f"{prefix}{status_path(item.kind, item.tracking_code)}"
    stop = f"{prefix}{stop_path(item.kind, item.tracking_code, secret)}"
    with i18n.in_language(language.code):
        trailer = (_("See where it stands at any time:"), _("To stop these messages, open:"),
                   _("This message was sent because you asked for a reply. It is about the "
                     "status of what you sent, never a reply from a person to what you "
                     "wrote."))
    message = EmailMessage(policy=HEADERS_AS_WRITTEN)
    message["Subject"] = row.subject
    message["From"] = sender
    message["To"] = item.email
    message["List-Unsubscribe"] = f"<{stop}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(f"{row.body}\n\n{trailer[0]}\n{status}\n\n{trailer[1]}\n{stop}\n\n"
                        f"{trailer[2]}\n")
    return message


def notice_revisions(session: Session, published, now: dt.datetime | None = None) -> int:
    """Queue "led to a revision" for feedback the published open data lists under a
    version; returns how many were queued (committed)."""
    index = published.responded()
    if not index:
        return 0
    queued = 0
    items = session.scalars(select(Submission).where(
        Submission.tracking_code.in_(sorted(index)), Submission.kind == "feedback"))
    for item in items:
        for revision in index[item.tracking_code]:
            event = f"led-to:{revision.policy_id}:{revision.version}"
            try:
                with session.begin_nested():
                    queued += queue(session, item, event, LED_TO,
                                    values={"version": revision.version})
            except IntegrityError:  # another run queued it first
                continue
    session.commit()
    return queued


def send_due(session: Session, mailer, site_url: str, secret: str, send,
             published=None, now: dt.datetime | None = None) -> Sent:
    """Send every message still due; `send(message, mailer)` raises on failure."""
    queued = notice_revisions(session, published) if published is not None else 0
    now = now or utcnow()
    due = list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.cancelled.is_(None),
        OutboxMessage.attempts < MAX_ATTEMPTS,
        or_(OutboxMessage.claimed_at.is_(None),
            OutboxMessage.claimed_at < now - CLAIM_TIMEOUT)).order_by(OutboxMessage.id)))
    session.rollback()
    sent = failed = cancelled = 0
    for row in due:
        claimed = session.execute(update(OutboxMessage).where(
            OutboxMessage.id == row.id, OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.claimed_at.is_(None),
                OutboxMessage.claimed_at < now - CLAIM_TIMEOUT))
            .values(claimed_at=utcnow(), attempts=OutboxMessage.attempts + 1))
        session.commit()
        if claimed.rowcount != 1:
            continue  # another run has it
        item = session.get(Submission, row.submission_id)
        if item is None or not wants_messages(item):
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
                cancelled="the resident stopped the messages or the address is gone"))
            session.commit()
            cancelled += 1
            continue
        message = message_for(row, item, mailer.sender, site_url, secret)
        session.rollback()  # no transaction open while the mail server is slow
        try:
            send(message, mailer)
        except Exception as error:  # noqa: BLE001 (kept with the row; tried again later)
            log.error("could not send message %s: %s", row.id, error)
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
                claimed_at=None, last_error=str(error)[:300]))
            session.commit()
            failed += 1
            continue
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
            sent_at=utcnow(), last_error=None))
        session.commit()
        sent += 1
    return Sent(sent, failed, cancelled, queued)


def messages_of(session: Session, submission_id: int) -> list[OutboxMessage]:
    """The item's messages, oldest first, for the inbox."""
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.submission_id == submission_id).order_by(OutboxMessage.id)))


def delivery(row: OutboxMessage) -> str:
    """A message's delivery state in words."""
    if row.sent_at:
        return f"sent {row.sent_at:%Y-%m-%d %H:%M} UTC"
    if row.cancelled:
        return f"not sent: {row.cancelled}"
    if row.attempts:
        return (f"not sent yet after {row.attempts} attempt{'s' if row.attempts != 1 else ''}"
                + (f" ({row.last_error})" if row.last_error else ""))
    return "waiting to be sent"

