"""The staff triage inbox under /inbox/: sign-in, the list, items, workflow, exports.

Everything but the sign-in page needs a signed-in member of staff with the role the page
asks for (`access.needs`); a page that forgets to say is admin-only. Every POST carries a
CSRF token (checked once, here, for the whole blueprint). Sessions are kept on the server
and end when the member signs out, after INBOX_IDLE_MINUTES without activity, at the latest
INBOX_SESSION_HOURS after signing in, and when the account is disabled or its password reset.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask

from ..config import ConfigError

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

# Settings, each from the environment variable of the same name.
DEFAULTS = {
    "INBOX_IDLE_MINUTES": 30,
    "INBOX_SESSION_HOURS": 8,
    "INBOX_PAGE_SIZE": 50,
    "RETENTION_ANONYMISE_DAYS": 365,
    "RETENTION_DELETE_DAYS": 1095,
    "NOTIFY_EMAIL": "",
    "NOTIFY_FROM": "",
    "SMTP_HOST": "",
    "SMTP_PORT": 0,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SITE_URL": "",
}
INTEGERS = ("INBOX_IDLE_MINUTES", "INBOX_SESSION_HOURS", "INBOX_PAGE_SIZE",
            "RETENTION_ANONYMISE_DAYS", "RETENTION_DELETE_DAYS", "SMTP_PORT")
SESSION_HOURS_MAX = 7 * 24


def settings(app: Flask, environ=os.environ) -> None:
    """Fill in the inbox's settings: explicit config first, then the environment, then
    the defaults; a value that cannot be used stops the start-up naming the variable."""
    for name, default in DEFAULTS.items():
        if name not in app.config:
            app.config[name] = environ.get(name, default)
    for name in INTEGERS:
        try:
            app.config[name] = int(app.config[name] or 0)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a whole number, not "
                              f"{app.config[name]!r}") from None
    if app.config["INBOX_IDLE_MINUTES"] < 1:
        raise ConfigError("INBOX_IDLE_MINUTES must be at least 1")
    if not 1 <= app.config["INBOX_SESSION_HOURS"] <= SESSION_HOURS_MAX:
        raise ConfigError(f"INBOX_SESSION_HOURS must be from 1 to {SESSION_HOURS_MAX} (a week), "
                          f"not {app.config['INBOX_SESSION_HOURS']}: the longest a staff "
                          "session lasts after signing in, however busy")
    if not 0 < app.config["RETENTION_ANONYMISE_DAYS"] <= app.config["RETENTION_DELETE_DAYS"]:
        raise ConfigError("RETENTION_ANONYMISE_DAYS must be at least 1 and at most "
                          "RETENTION_DELETE_DAYS")


def init_app(app: Flask) -> None:
    from .. import intake, notify, retention, staff
    from . import access, locks, views  # noqa: F401  (the views register themselves on bp)

    settings(app)
    app.register_blueprint(bp)
    access.limit_sign_in(app)
    notify.init_app(app)
    app.add_template_filter(intake.url_host)
    app.cli.add_command(staff.users_commands)
    app.cli.add_command(retention.retention_commands)
    app.cli.add_command(notify.notify_commands)
