"""The two public forms, their CSRF token, and the two quiet spam checks.

The forms only carry the fields and the CSRF token; `intake` checks the values, so a form
and the API accept exactly the same things. Spam is not refused (refusing teaches a robot
what to change): it is recorded with `is_spam` and answered like anything else.
"""

from __future__ import annotations

import time

from flask import current_app, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import same_origin
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

HONEYPOT = "website"


class SubmissionForm(FlaskForm):
    # Hidden from people and from screen readers (display: none in the stylesheet);
    # robots that fill in every field fill in this one.
    website = StringField()
    started = HiddenField()
    name = StringField()
    email = StringField()
    wants_reply = BooleanField()

    def raw(self) -> dict:
        """The values as typed, for the intake check and to send the form back filled in."""
        return {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", HONEYPOT, "started")}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if hasattr(self, "csrf_token") and not from_this_site():
            self.csrf_token.errors = [*self.csrf_token.errors, NOT_FROM_THIS_SITE]
            return False
        return valid

    def csrf_failed(self) -> bool:
        return bool(self.csrf_token.errors) if hasattr(self, "csrf_token") else False


NOT_FROM_THIS_SITE = "The form was not sent from a page of this site."


def from_this_site() -> bool:
    """Under HTTPS, a form must be sent from a page of this site: its Referer names this
    host (Flask-WTF's rule for CSRFProtect, which `validate_csrf` alone does not apply;
    WTF_CSRF_SSL_STRICT=False turns it off). The pages send `Referrer-Policy:
    same-origin`, which keeps the header for the site's own forms."""
    if not (request.is_secure and current_app.config.get("WTF_CSRF_SSL_STRICT", True)):
        return True
    return bool(request.referrer) and same_origin(request.referrer,
                                                  f"https://{request.host}/")


class ReopenForm(FlaskForm):
    """A resident's request to reopen a decision, from the status page."""

    reason = TextAreaField()


class FeedbackForm(SubmissionForm):
    policy_id = StringField()
    section = StringField()
    message = TextAreaField()


class ReportForm(SubmissionForm):
    account_id = StringField()
    account_url = StringField()
    post_url = StringField()
    seen_at = StringField()
    category = StringField()
    description = TextAreaField()


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="form-started")


def started_token(now: float | None = None) -> str:
    """A signed note of when the form was shown, carried in the form."""
    return _signer().dumps(round(now if now is not None else time.time(), 3))


def spam_reason(form: SubmissionForm, now: float | None = None) -> str | None:
    """Why this submission looks automated, or None when it looks like a person's."""
    if (form[HONEYPOT].data or "").strip():
        return "honeypot"
    try:
        started = float(_signer().loads(form.started.data or ""))
    except (BadSignature, TypeError, ValueError):
        return "no-start-time"
    elapsed = (now if now is not None else time.time()) - started
    if elapsed < current_app.config["FORM_MIN_SECONDS"]:
        return "too-fast"
    return None
