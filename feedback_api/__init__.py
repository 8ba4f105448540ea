"""Feedback and violation-report intake for the Transparency site (Resolution §1.B).

`create_app(config)` builds the Flask app: the public forms (`/feedback/`, `/report/`),
the JSON API (`/api/v1`, with the public statistics), the staff inbox (`/inbox/`), rate
limits, and the database. Settings come from the environment
(see `feedback_api.config`); `config` overrides them, which is how tests and
`transparency serve` set them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from pathlib import Path

import click
from flask import Flask, abort, redirect, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as settings_module
from . import web
from .catalog import load_catalog
from .published import PublishedSite
from .web import add_missing_headers

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
               "object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
PAGE_HEADERS = {"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"}
# The static site's policy, sent by `transparency serve` and by deploy/nginx.conf (a test
# holds the two to this text). Only the site's own files run: no inline script (Material's
# own scripts are files in theme/assets/), no event-handler attributes, no plug-ins, no
# <base>; search runs in a worker from the site, and stats.js reads /api/v1/stats.
SITE_POLICY = ("default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self'; "
               "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SITE_HEADERS = {"Content-Security-Policy": SITE_POLICY, "X-Frame-Options": "DENY",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def create_app(config: Mapping | None = None) -> Flask:
    """The app, set up from the environment and `config`. A setting it cannot use stops it
    with ConfigError naming the variable; under the `flask` command that is a one-line
    `Error: …` and exit status 1, not a traceback."""
    try:
        return _create_app(config)
    except settings_module.ConfigError as error:
        if click.get_current_context(silent=True) is not None:
            raise click.ClickException(str(error)) from error
        raise


def _create_app(config: Mapping | None) -> Flask:
    app = Flask(__name__, static_url_path="/feedback/static",
                instance_path=_absolute(os.environ.get("INSTANCE_PATH")))
    values = settings_module.settings(os.environ, config)
    development = bool(values.get("DEVELOPMENT")) or _development_by_environment()
    instance = Path(app.instance_path)

    secret = values.get("SECRET_KEY")
    if not secret:
        if not development:
            raise settings_module.ConfigError(
                "SECRET_KEY is not set; set it to a long random value (for example the output "
                "of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`). Only "
                "development (`make run`, `flask` commands) makes one up by itself."
            )
        secret = settings_module.development_secret_key(instance)
    values["SECRET_KEY"] = secret
    values["SQLALCHEMY_URL"] = settings_module.database_url(values.get("DATABASE_URL"), instance)
    values.setdefault("MAX_CONTENT_LENGTH", settings_module.FORM_MAX_BYTES)
    values.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    values.setdefault("SESSION_COOKIE_NAME", "feedback_session")
    values.setdefault("SESSION_COOKIE_PATH", "/")
    if values.get("SESSION_COOKIE_SECURE") is None:
        # Staff sign in on this cookie: Secure unless set otherwise, or in development/tests.
        values["SESSION_COOKIE_SECURE"] = not (development or values.get("TESTING"))
    inbox_origin_cookie(values)
    app.config.update(values)
    app.session_interface = PagesOnlySessions()
    serve_inbox_on_its_origin(app)

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    app.extensions["catalog"] = app.config.get("CATALOG") or load_catalog(
        Path(app.config["CONTENT_DIR"]))
    app.extensions["published"] = PublishedSite(app.config.get("SITE_DIR") or None)

    from . import api, db, decisions, errors, i18n, inbox, limits, public, resident, stats

    i18n.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(resident.bp)
    app.register_blueprint(api.bp)
    stats.init_app(app)
    decisions.init_app(app)
    inbox.init_app(app)
    app.add_template_filter(iso_time)
    app.jinja_env.globals.update(web.TEMPLATE_GLOBALS)
    warning = limits.memory_storage_warning(app.config["RATELIMIT_STORAGE_URI"],
                                            _int(os.environ.get("WEB_CONCURRENCY"), 1))
    if warning:
        app.logger.warning(warning)

    @app.after_request
    def security_headers(response):
        add_missing_headers(response, SECURITY_HEADERS)
        if response.mimetype == "text/html":
            add_missing_headers(response, PAGE_HEADERS)
        return response

    return app


def inbox_origin_cookie(values: dict) -> None:
    """With the inbox on an origin of its own (INBOX_ORIGIN), its sign-in cookie must not
    reach any other host: a host-only cookie (no SESSION_COOKIE_DOMAIN), and over HTTPS
    named with the __Host- prefix, which browsers accept only from that very host, so that
    no page on a sibling host can set or shadow it."""
    if not values.get("INBOX_ORIGIN"):
        return
    if values.get("SESSION_COOKIE_DOMAIN"):
        raise settings_module.ConfigError(
            "SESSION_COOKIE_DOMAIN is set together with INBOX_ORIGIN: the staff sign-in "
            "cookie would then go to every host of that domain, the site's included; leave "
            "SESSION_COOKIE_DOMAIN unset")
    if values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_NAME"] == "feedback_session":
        values["SESSION_COOKIE_NAME"] = "__Host-feedback_session"


def serve_inbox_on_its_origin(app: Flask) -> None:
    """With INBOX_ORIGIN set, the inbox answers on that host alone, and that host answers
    nothing but the inbox and the static files its pages use. The site's pages then have
    another origin than the inbox, so even a script that ran on one could not read an
    inbox page, nor so its CSRF token. Elsewhere, a GET for the inbox is sent there."""
    origin = app.config.get("INBOX_ORIGIN")
    if not origin:
        return
    static = app.static_url_path + "/"

    @app.before_request
    def inbox_on_its_own_origin():
        path = request.path
        inbox = path == "/inbox" or path.startswith("/inbox/")
        here = web.on_inbox_origin()
        if inbox and not here:
            if request.method in ("GET", "HEAD"):
                return redirect(origin + request.full_path.removesuffix("?"), 302)
            abort(404)
        if here and not inbox and not path.startswith(static):
            abort(404)
        return None


def iso_time(moment: dt.datetime) -> str:
    """A moment in UTC to the second (`2026-11-01T12:00:00Z`): the form the API answers
    with, and one HTML's `<time datetime>` accepts (at most three digits of a second)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class PagesOnlySessions(SecureCookieSessionInterface):
    """Flask's signed session cookie, for the pages (the forms' CSRF token, the inbox's
    sign-in). The JSON API has no use for it: under /api/ no cookie is read, verified or
    written, and `session` is Flask's null session, which refuses writes."""

    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return self.null_session_class()
        return super().open_session(app, request)


def _development_by_environment() -> bool:
    """`flask` commands (`python -m flask` too) and FLASK_DEBUG=1 are development; gunicorn
    never is."""
    if os.environ.get("FLASK_DEBUG", "").lower() in settings_module.TRUE_WORDS:
        return True
    from flask.cli import FlaskGroup

    context = click.get_current_context(silent=True)
    return context is not None and isinstance(context.find_root().command, FlaskGroup)


def _absolute(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default
