"""Errors: JSON under /api/, a page of our own everywhere else; never a stack trace.

`{"error": {"code": ..., "message": ..., "fields": {...}}}` is the one shape of every API
error. A database that cannot be reached is a 503 with a message saying so. The messages are
in the request's language: a page's, or for the API the one `Accept-Language` asks for.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException, InternalServerError

from site_builder.languages import N_, whole_number

from . import i18n, limits
from .db import DatabaseUnavailable
from .i18n import _

CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_fields",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}

# In English, as marked for the catalogue: `api_error` and the error pages translate them.
MESSAGES = {
    400: N_("The request could not be understood."),
    404: N_("There is nothing at this address."),
    405: N_("This address does not accept that method."),
    413: N_("The request body is too large."),
    415: N_("Send the body as JSON with Content-Type: application/json."),
    429: N_("Too many submissions from your address; wait and try again."),
    500: N_("Something went wrong on our side; nothing you sent was lost, please try again."),
    503: N_("The service is unavailable just now; please try again in a few minutes."),
}

DATABASE_DOWN = N_("The database is unavailable, so nothing could be saved. Please try again "
                   "in a few minutes.")
# Seconds a client is told to wait (Retry-After) when the service is unavailable (503).
UNAVAILABLE_RETRY_SECONDS = 60


def api_error(status: int, message: str | None = None, fields: dict | None = None,
              code: str | None = None) -> Response:
    """The JSON error. `message` is translated here, so a message marked with `N_` (such
    as DATABASE_DOWN) reaches the client in its language."""
    body: dict = {"code": code or CODES.get(status, "error"),
                  "message": _(message or MESSAGES.get(status, N_("Error.")))}
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
    return response


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DatabaseUnavailable, _database_error)
    app.register_error_handler(Exception, _unexpected_error)


def _http_error(error: HTTPException):
    status = error.code or 500
    if isinstance(error, RateLimitExceeded):
        return rate_limited(error)
    if wants_json():
        response = api_error(status, _api_message(error))
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
    title = {404: N_("Page not found"), 413: N_("What you sent is too long"),
             405: N_("Not allowed")}.get(status, N_("Sorry, there is a problem"))
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    message = _(MESSAGES[status]) if status in MESSAGES else error.description
    return render_template("error.html", status=status, title=_(title),
                           message=message), status, headers


def _api_message(error: HTTPException) -> str:
    status = error.code or 500
    if status == 413:
        limit = request.max_content_length
        return _("The request body is over the limit of %(limit)s bytes.",
                 limit=whole_number(limit, i18n.language().code)) if limit else \
            _(MESSAGES[413])
    return _(MESSAGES[status]) if status in MESSAGES else error.description or _("Error.")


def submission_limit_message() -> str:
    """The limit the client is over and how long to wait, in words."""
    breached = limits.submission_limiter.current_limit
    if breached is None:  # not the submission limiter's: nothing to say but to wait
        return _(MESSAGES[429])
    return _("You have sent several submissions in a short time (the limit is %(limit)s). "
             "Please wait %(wait)s and send it again.",
             limit=limits.in_words(breached.limit),
             wait=limits.wait_in_words(breached.reset_at))


def rate_limited(error: RateLimitExceeded):
    """A client over RATELIMIT_SUBMIT: the limit it is over and how long to wait, in JSON
    under /api/, else the form sent back filled in (Retry-After and X-RateLimit-* are
    Flask-Limiter's)."""
    message = submission_limit_message()
    if wants_json():
        return api_error(429, message)
    return render_template("error.html", status=429, title=_("Please wait a few minutes"),
                           message=message), 429


def _database_error(error: Exception):
    from flask import current_app

    current_app.logger.error("database unavailable: %s", error.__class__.__name__,
                             exc_info=error)
    if wants_json():
        return api_error(503, DATABASE_DOWN, code="database_unavailable")
    return render_template("error.html", status=503,
                           title=_("Sorry, the service is unavailable"),
                           message=_(DATABASE_DOWN)), 503


def _unexpected_error(error: Exception):
    from flask import current_app

    current_app.logger.error("unexpected error on %s %s", request.method, request.path,
                             exc_info=error)
    if wants_json():
        return api_error(500)
    return render_template("error.html", status=500, title=_("Sorry, there is a problem"),
                           message=_(MESSAGES[500])), InternalServerError.code
