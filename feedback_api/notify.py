"""Email to staff when a new violation report arrives, and the mail server's settings,
which messages to residents (`feedback_api.outbox`) use too.

Configured by NOTIFY_EMAIL (where to send; no staff email without it), SMTP_HOST,
SMTP_PORT, SMTP_USER and SMTP_PASSWORD (optional), SMTP_TLS, SMTP_ALLOW_PLAINTEXT_AUTH,
SMTP_CA_FILE, NOTIFY_FROM and SITE_URL (the public address, for the link).

The connection to the mail server is encrypted unless told otherwise (SMTP_TLS):
`starttls` (the default; port 587) upgrades it before anything else is said, and sends
nothing to a server that does not offer STARTTLS; `implicit` speaks TLS from the first byte
(port 465); `off` sends in cleartext (port 25), for a relay on this machine. The server's
certificate is checked against the system's certificates, or SMTP_CA_FILE's. SMTP_STARTTLS,
the older setting, still works when SMTP_TLS is not set: true is `starttls`, false `off`. A
password (SMTP_USER) is never sent in cleartext unless SMTP_ALLOW_PLAINTEXT_AUTH is true:
the app refuses to start with SMTP_TLS=off and a user otherwise, naming the setting.

The email goes out after the report is committed, from a background thread: a slow or
broken mail server never delays or fails the intake, it is only logged. The email holds
no personal data and no submitted text: the kind, the category and a link to the item.

Once an email has gone out, the report's `notified_at` is set. An email that could not
be sent (the mail server was down, or the worker was stopped between the commit and the
send) is still due: `flask --app feedback_api notify send`, run every few minutes from a
timer, sends every report of the last CATCH_UP that has waited longer than GRACE. A
report is emailed at least once; twice only if a process stops between sending and
marking it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .catalog import Catalog
from .config import ConfigError, boolean
from .models import Submission, utcnow

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 10
CATCH_UP = dt.timedelta(hours=24)  # older reports are not emailed about any more
GRACE = dt.timedelta(minutes=2)  # the email sent right after the commit has this long
TLS_MODES = {"starttls": 587, "implicit": 465, "off": 25}  # each with its usual port
LOOPBACK = ("localhost", "127.0.0.1", "::1")


class MailSecurityError(smtplib.SMTPException):
    """The mail server cannot be reached as securely as the settings ask: nothing is sent."""


@dataclass(frozen=True)
class Mailer:
    to: str
    sender: str
    host: str
    port: int
    user: str | None
    password: str | None
    tls: str  # one of TLS_MODES
    site_url: str
    ca_file: str | None = None
    allow_plaintext_auth: bool = False


@dataclass(frozen=True)
class NewReport:
    id: int
    category: str | None
    received: str


def tls_mode(config) -> str:
    """SMTP_TLS, or what the older SMTP_STARTTLS says; a value that cannot be used stops
    the start-up naming the variable."""
    mode = str(config.get("SMTP_TLS") or "").strip().lower()
    starttls = boolean("SMTP_STARTTLS", config.get("SMTP_STARTTLS"))
    if not mode:
        return "off" if starttls is False else "starttls"
    if mode not in TLS_MODES:
        raise ConfigError(f"SMTP_TLS must be starttls, implicit or off, not "
                          f"{config.get('SMTP_TLS')!r}")
    if starttls is not None and starttls != (mode == "starttls"):
        raise ConfigError(f"SMTP_STARTTLS={str(starttls).lower()} and SMTP_TLS={mode} "
                          "disagree; leave SMTP_STARTTLS out (SMTP_TLS replaces it)")
    return mode


def mailer_from(config) -> Mailer | None:
    """The mail settings, or None when no mail server is set up (SMTP_HOST). `to` is
    NOTIFY_EMAIL, empty when staff are not to be emailed about new reports (messages to
    residents still go, `feedback_api.outbox`)."""
    tls = tls_mode(config)
    if not config.get("SMTP_HOST"):
        return None
    user = config.get("SMTP_USER") or None
    allow_plaintext = bool(boolean("SMTP_ALLOW_PLAINTEXT_AUTH",
                                    config.get("SMTP_ALLOW_PLAINTEXT_AUTH")))
    if user and tls == "off" and not allow_plaintext:
        raise ConfigError(
            f"SMTP_USER is set but the mail connection is not encrypted (SMTP_TLS=off"
            f"{' or SMTP_STARTTLS=false' if not config.get('SMTP_TLS') else ''}), so the "
            "password would cross the network in cleartext. Use SMTP_TLS=starttls or "
            "SMTP_TLS=implicit, or, for a relay on this machine only, set "
            "SMTP_ALLOW_PLAINTEXT_AUTH=1")
    ca_file = config.get("SMTP_CA_FILE") or None
    if ca_file and not os.path.isfile(ca_file):
        raise ConfigError(f"SMTP_CA_FILE {ca_file!r} is not a file; give the path of the "
                          "PEM certificates to trust for the mail server")
    return Mailer(
        to=config.get("NOTIFY_EMAIL") or "",
        sender=config.get("NOTIFY_FROM") or f"inbox@{config['SMTP_HOST']}",
        host=config["SMTP_HOST"],
        port=int(config.get("SMTP_PORT") or TLS_MODES[tls]),
        user=user,
        password=config.get("SMTP_PASSWORD") or None,
        tls=tls,
        site_url=(config.get("SITE_URL") or "").rstrip("/"),
        ca_file=ca_file,
        allow_plaintext_auth=allow_plaintext,
    )


def message_for(report: NewReport, mailer: Mailer, catalog: Catalog) -> EmailMessage:
    category = catalog.category(report.category)
    path = f"/inbox/items/{report.id}"
    link = f"{mailer.site_url}{path}" if mailer.site_url else path
    message = EmailMessage()
    message["Subject"] = "New report of a possible violation"
    message["From"] = mailer.sender
    message["To"] = mailer.to
    message.set_content(
        "A new report of a possible social media policy violation has arrived.\n\n"
        f"Kind of problem: {category.label if category else 'not given'}\n"
        f"Received: {report.received}\n\n"
        f"Open it in the inbox (sign-in needed):\n{link}\n"
        + ("" if mailer.site_url else
           "\n(Set SITE_URL to make this a full address.)\n")
        + "\nThis email holds no personal data; the report is in the inbox.\n"
    )
    return message


def send(message: EmailMessage, mailer: Mailer) -> None:
    """Send through the mail server as the settings say: encrypted before a password or
    the message goes out, or not at all (MailSecurityError, or ssl's error for a
    certificate that cannot be trusted)."""
    if mailer.user and mailer.tls == "off" and not mailer.allow_plaintext_auth:
        raise MailSecurityError("SMTP_USER is set with SMTP_TLS=off: the password would go "
                                "in cleartext (set SMTP_ALLOW_PLAINTEXT_AUTH=1 to allow it)")
    context = ssl.create_default_context(cafile=mailer.ca_file)
    if mailer.tls == "implicit":
        smtp = smtplib.SMTP_SSL(mailer.host, mailer.port, timeout=SMTP_TIMEOUT_SECONDS,
                                context=context)
    else:
        smtp = smtplib.SMTP(mailer.host, mailer.port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if mailer.tls == "starttls":
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise MailSecurityError(
                    "the mail server does not offer STARTTLS, so nothing was sent. Use "
                    "SMTP_TLS=implicit for a server that speaks TLS from the start (port "
                    "465), or SMTP_TLS=off for a relay on this machine")
            smtp.starttls(context=context)
        if mailer.user:
            smtp.login(mailer.user, mailer.password or "")
        smtp.send_message(message)


def send_quietly(message: EmailMessage, mailer: Mailer) -> bool:
    try:
        send(message, mailer)
    except (OSError, smtplib.SMTPException) as error:
        log.error("could not email %s about a new report through %s:%s: %s", mailer.to,
                  mailer.host, mailer.port, error)
        return False
    log.info("emailed %s about a new report", mailer.to)
    return True


def init_app(app: Flask) -> None:
    """Check the mail settings at start-up (a ConfigError names the variable to fix)."""
    app.extensions["notify_threads"] = []
    mailer = mailer_from(app.config)
    if mailer and mailer.user and mailer.tls == "off" and mailer.host not in LOOPBACK:
        log.warning("SMTP_ALLOW_PLAINTEXT_AUTH is set: the mail password goes to %s in "
                    "cleartext; it is meant for a relay on this machine", mailer.host)
    # The inbox's item page shows the host beside each address a resident gave.


def announcer(app: Flask) -> Callable[[int, str | None, dt.datetime], None] | None:
    """What intake calls once a new report is committed; None when no email is set up."""
    mailer = mailer_from(app.config)
    if mailer is None or not mailer.to:
        return None
    app = getattr(app, "_get_current_object", lambda: app)()  # not the proxy: a thread uses it
    return functools.partial(_announce, app, mailer)


def _announce(app: Flask, mailer: Mailer, report_id: int, category: str | None,
              received: dt.datetime) -> None:
    """Email about a committed report from a background thread: the resident never waits."""
    report = NewReport(report_id, category, received.strftime("%Y-%m-%d %H:%M UTC"))
    thread = threading.Thread(target=_send_all,
                              args=([report], mailer, app.extensions["db_engine"],
                                    app.extensions["catalog"]),
                              name="notify", daemon=True)
    thread.start()
    threads = app.extensions["notify_threads"]
    threads[:] = [t for t in threads if t.is_alive()] + [thread]


def _send_all(reports: list[NewReport], mailer: Mailer, engine: Engine,
              catalog: Catalog) -> int:
    """Email about each report and mark it notified; returns how many could not be sent."""
    failed = 0
    for report in reports:
        if not send_quietly(message_for(report, mailer, catalog), mailer):
            failed += 1
            continue
        try:
            with engine.begin() as connection:
                connection.execute(update(Submission).where(Submission.id == report.id)
                                   .values(notified_at=utcnow()))
        except Exception:  # noqa: BLE001 (sent; at worst it is sent again later)
            log.exception("emailed about report %s but could not mark it notified", report.id)
    return failed


def due(session: Session, now: dt.datetime | None = None) -> list[NewReport]:
    """Reports of the last CATCH_UP, waiting longer than GRACE, not yet emailed about."""
    now = now or utcnow()
    rows = session.execute(
        select(Submission.id, Submission.category, Submission.created_at)
        .where(Submission.kind == "report", Submission.is_spam.is_(False),
               Submission.notified_at.is_(None),
               Submission.created_at >= now - CATCH_UP, Submission.created_at <= now - GRACE)
        .order_by(Submission.id)
    ).all()
    return [NewReport(id, category, created.strftime("%Y-%m-%d %H:%M UTC"))
            for id, category, created in rows]


@click.group("notify", cls=AppGroup, help="Email staff about new reports (see docs/inbox.md).")
def notify_commands() -> None:
    pass


@notify_commands.command("send")
def send_command() -> None:
    """Send what is still due: staff emails about new reports, and the messages to
    residents in the outbox (run it every few minutes)."""
    from . import db, outbox

    mailer = mailer_from(current_app.config)
    if mailer is None:
        click.echo("No mail server is set up (SMTP_HOST): nothing to send.")
        return
    failed = 0
    if mailer.to:
        reports = due(db.session())
        db.session().rollback()  # no transaction held open while the mail server is slow
        failed = _send_all(reports, mailer, db.engine(), current_app.extensions["catalog"])
        click.echo(f"Emailed {mailer.to} about {len(reports) - failed} of {len(reports)} "
                   f"report{'s' if len(reports) != 1 else ''} still due.")
    result = outbox.send_due(db.session(), mailer, mailer.site_url,
                             current_app.secret_key, send,
                             published=current_app.extensions["published"])
    click.echo(f"Messages to residents: {result.sent} sent, {result.failed} not sent, "
               f"{result.cancelled} cancelled ({result.queued} new about revisions).")
    failed += result.failed
    if failed:
        raise click.ClickException(
            f"{failed} could not be sent; they stay due, and the log says why. Check "
            "SMTP_HOST, SMTP_PORT and the mail server, then run this command again.")


def wait(app: Flask, timeout: float = 10) -> None:
    """Wait for emails still being sent (tests, and a clean shutdown)."""
    for thread in list(app.extensions.get("notify_threads", [])):
        thread.join(timeout)
