"""What a resident can do from their status page and their messages: stop the messages,
and ask once to reopen a decision.

- `/<kind>/status/<code>/stop?token=…`: the link in every message (`outbox`). Opening it
  shows a button; the POST stops the messages. The token (an HMAC of the code under the
  app's secret) proves the link came from a message, so the POST needs no CSRF token:
  mail programs send it without opening a page (RFC 8058's one-click `List-Unsubscribe`).
- `/<kind>/status/<code>/reopen`: within REOPEN_DAYS of a decision, the status page (the
  tracking code is the key) lets the resident ask once to reopen it, with a reason. The
  item goes back to the inbox as triaged, the reason becomes an internal note, and the
  request is written to the audit log.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import ngettext
from sqlalchemy import select, update

from site_builder.languages import whole_number

from . import audit, db, i18n, judging, limits, triage
from .forms import ReopenForm
from .i18n import _
from .models import ItemNote, OutboxMessage, Submission, utcnow
from .outbox import stop_token_ok
from .public import render_status
from .status import REOPEN_DAYS, reopen_until, status_of
from .tracking import normalise_tracking_code
from .web import catalog, published

bp = Blueprint("resident", __name__)
REASON_MIN, REASON_MAX = 10, 2000
ACTOR = "resident"


def _item(kind: str, code: str) -> Submission:
    canonical = normalise_tracking_code(code)
    item = db.session().scalar(select(Submission).where(
        Submission.tracking_code == canonical)) if canonical else None
    if item is None or ("report" if item.kind == "report" else "feedback") != kind:
        abort(404)
    return item


@bp.route("/<any(feedback, report):kind>/status/<code>/stop", methods=["GET", "POST"])
@limits.submissions
def stop(kind: str, code: str):
    item = _item(kind, code)
    token = request.args.get("token") or ""
    if not stop_token_ok(current_app.secret_key, item.tracking_code, token):
        return render_template("stop.html", item=item, valid=False,
                               title=_("This link does not work")), 404
    if request.method == "GET":
        return render_template("stop.html", item=item, valid=True, token=token,
                               stopped=item.messages_stopped_at is not None,
                               title=_("Stop the messages"))
    session = db.session()
    if item.messages_stopped_at is None:
        item.messages_stopped_at = utcnow()
        session.execute(update(OutboxMessage).where(
            OutboxMessage.submission_id == item.id, OutboxMessage.sent_at.is_(None),
            OutboxMessage.cancelled.is_(None)).values(cancelled="the resident stopped the "
                                                              "messages"))
        audit.record(session, ACTOR, "messages-stopped", item)
        session.commit()
    return redirect(url_for("resident.stop", kind=kind, code=item.tracking_code,
                            token=token), 303)


@bp.post("/<any(feedback, report):kind>/status/<code>/reopen")
@limits.submissions
def reopen(kind: str, code: str):
    item = _item(kind, code)
    form = ReopenForm()
    if not form.validate():
        return _again(item, _("The form was open too long; write the reason again and send "
                              "it."), form.reason.data, 400)
    if reopen_until(item.state, item.closed_at, item.reopen_requested_at,
                    item.is_spam) is None:
        return _again(item, ngettext(
            "This can no longer be reopened from here: a decision can be reopened once, within "
            "%(num)d day.", "This can no longer be reopened from here: a decision can be "
            "reopened once, within %(num)d days.", REOPEN_DAYS), None, 409)
    reason = " ".join((form.reason.data or "").split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        here = i18n.language().code
        return _again(item, _("Say in %(least)s to %(most)s characters why it should be looked "
                              "at again.", least=whole_number(REASON_MIN, here),
                              most=whole_number(REASON_MAX, here)), form.reason.data, 422)
    session = db.session()
    before = item.state
    for column, value in triage.reopen(item.state, item.is_spam, item.spam_reason).items():
        setattr(item, column, value)
    item.incident_date = None
    item.reopen_requested_at = utcnow()
    judging.record(session, item.id, [])
    session.add(ItemNote(submission_id=item.id, author_email=ACTOR,
                         body=f"The resident asked to reopen it: {reason}"))
    audit.record(session, ACTOR, "reopen-requested", item, {"from": before, "to": "triaged"})
    session.commit()
    return redirect(url_for("public.status_page", kind=kind, code=item.tracking_code), 303)


def _again(item: Submission, message: str, typed: str | None, status: int):
    """The status page again, saying why the request was not taken, with what was typed."""
    found = status_of(db.session(), item.tracking_code, published(), catalog().outcomes)
    return render_status(found, reopen_error=message, reopen_typed=typed), status
