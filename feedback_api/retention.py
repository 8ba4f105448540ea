"""Retention: personal data is kept only as long as it is needed (OWASP ASVS V8.3.8).

- Anonymise: an item closed (resolved or dismissed) more than RETENTION_ANONYMISE_DAYS
  ago (default 365), or suspected spam received that long ago, loses its name, email
  address, reply wish, client hash and content hash (which is worked out from the contact
  details too); its text and notes keep everything but email addresses, phone numbers,
  social security numbers and the sender's name. Of the addresses a report names it keeps
  the account's only when it is an official account in the accounts directory, and never
  the post's (records.kept_urls, the same rule as a public release).
- Delete: an item closed more than RETENTION_DELETE_DAYS ago (default 1,095: three years),
  or spam received that long ago, is deleted with its notes. The audit log keeps a line
  saying so, with the tracking code.
- An item on legal hold is never touched. Open items keep their contact details: staff may
  still need to reply.

`flask --app feedback_api retention apply [--dry-run]` runs it; it is safe to run daily:
an item is anonymised once, and a second run the same day finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import click
from flask.cli import AppGroup
from sqlalchemy import and_, delete, false, or_, select, true
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import audit, db
from .catalog import Catalog
from .models import ItemNote, JudgedClause, OutboxMessage, Submission, utcnow
from .records import kept_urls, redact
from .triage import CLOSED

ACTOR = "retention"
BATCH = 500


@dataclass(frozen=True)
class Rules:
    anonymise_days: int = 365
    delete_days: int = 1095


@dataclass
class Outcome:
    anonymised: list[str] = field(default_factory=list)  # tracking codes
    deleted: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # would have been touched, but on hold
    dry_run: bool = False


def _due(before: dt.datetime):
    """Items whose retention clock started before `before`: closed, or spam."""
    return or_(
        and_(Submission.state.in_(CLOSED), Submission.closed_at < before),
        and_(Submission.is_spam.is_(true()), Submission.created_at < before),
    )


def _codes(session: Session, *conditions) -> list[str]:
    return list(session.scalars(select(Submission.tracking_code).where(*conditions)
                                .order_by(Submission.id)))


def plan(session: Session, rules: Rules, now: dt.datetime | None = None) -> Outcome:
    now = now or utcnow()
    delete_before = now - dt.timedelta(days=rules.delete_days)
    anonymise_before = now - dt.timedelta(days=rules.anonymise_days)
    deleted = _codes(session, _due(delete_before), Submission.legal_hold.is_(false()))
    anonymised = _codes(session, _due(anonymise_before), Submission.legal_hold.is_(false()),
                        Submission.anonymised_at.is_(None), ~_due(delete_before))
    held = _codes(session, _due(anonymise_before), Submission.legal_hold.is_(true()),
                  or_(Submission.anonymised_at.is_(None), _due(delete_before)))
    return Outcome(anonymised, deleted, held)


def apply(session: Session, rules: Rules, dry_run: bool = False,
          now: dt.datetime | None = None, catalog: Catalog | None = None) -> Outcome:
    """Anonymise and delete what the rules say is due, in batches; return what was done.
    `catalog` tells official accounts' addresses apart (without it, none is kept)."""
    now = now or utcnow()
    outcome = plan(session, rules, now)
    outcome.dry_run = dry_run
    if dry_run:
        return outcome
    for start in range(0, len(outcome.anonymised), BATCH):
        codes = outcome.anonymised[start:start + BATCH]
        for item in session.scalars(select(Submission).where(
                Submission.tracking_code.in_(codes), Submission.legal_hold.is_(false()))):
            _anonymise(session, item, now, catalog)
        session.commit()
    for start in range(0, len(outcome.deleted), BATCH):
        codes = outcome.deleted[start:start + BATCH]
        items = list(session.scalars(select(Submission).where(
            Submission.tracking_code.in_(codes), Submission.legal_hold.is_(false()))))
        ids = [item.id for item in items]
        for item in items:
            audit.record(session, ACTOR, "deleted", item,
                         {"rule": f"closed more than {rules.delete_days} days ago"}, at=now)
        session.execute(delete(ItemNote).where(ItemNote.submission_id.in_(ids)))
        session.execute(delete(JudgedClause).where(JudgedClause.submission_id.in_(ids)))
        session.execute(delete(OutboxMessage).where(OutboxMessage.submission_id.in_(ids)))
        session.execute(delete(Submission).where(Submission.id.in_(ids),
                                                 Submission.legal_hold.is_(false())))
        session.commit()
    return outcome


def _anonymise(session: Session, item: Submission, now: dt.datetime,
               catalog: Catalog | None) -> None:
    names = [item.name]
    item.message = redact(item.message, names) or ""
    item.public_note = redact(item.public_note, names)
    item.internal_note = redact(item.internal_note, names)
    item.account_url, item.post_url = kept_urls(item, catalog)
    item.name = None
    item.email = None
    item.wants_reply = False
    item.client_hash = ""
    item.content_hash = ""
    item.anonymised_at = now
    for note in session.scalars(select(ItemNote).where(ItemNote.submission_id == item.id)):
        note.body = redact(note.body, names) or ""
    audit.record(session, ACTOR, "anonymised", item,
                 {"rule": "closed or spam for more than the anonymising age"}, at=now)


def rules_from(config) -> Rules:
    return Rules(int(config["RETENTION_ANONYMISE_DAYS"]), int(config["RETENTION_DELETE_DAYS"]))


# ---------------------------------------------------------------------------------------
# `flask retention apply`


@click.group("retention", cls=AppGroup, help="Anonymise and delete old items (see docs/inbox.md).")
def retention_commands() -> None:
    pass


@retention_commands.command("apply", help="Anonymise and delete what is past its age; "
                            "items on legal hold are never touched.")
@click.option("--dry-run", is_flag=True, help="Say what would be done, change nothing.")
def apply_command(dry_run: bool) -> None:
    from flask import current_app

    rules = rules_from(current_app.config)
    try:
        outcome = apply(db.session(), rules, dry_run=dry_run,
                        catalog=current_app.extensions.get("catalog"))
    except SQLAlchemyError as error:
        where = db.engine().url.render_as_string(hide_password=True)
        reason = getattr(error, "orig", None) or error
        raise click.ClickException(f"could not apply retention to {where}: {reason}") from None
    for line in report(outcome, rules):
        click.echo(line)


def report(outcome: Outcome, rules: Rules) -> list[str]:
    would = "Would " if outcome.dry_run else ""
    lines = [
        f"Retention rules: anonymise {rules.anonymise_days:,} days after closing, delete "
        f"after {rules.delete_days:,} days (spam: counted from receipt).",
        f"{would}{'anonymise' if would else 'Anonymised'} {_items(len(outcome.anonymised))}.",
        f"{would}{'delete' if would else 'Deleted'} {_items(len(outcome.deleted))}.",
    ]
    if outcome.held:
        lines.append(f"Kept {_items(len(outcome.held))} on legal hold: "
                     f"{', '.join(outcome.held[:10])}{' …' if len(outcome.held) > 10 else ''}")
    if outcome.dry_run:
        lines.append("Dry run: nothing was changed.")
    return lines


def _items(n: int) -> str:
    return f"{n:,} item" + ("" if n == 1 else "s")
