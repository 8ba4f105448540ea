"""The staff triage inbox under /inbox/: sign-in, the list, items, workflow, exports.

Everything but the sign-in page needs a signed-in member of staff with the role the page
asks for (`access.needs`); a page that forgets to say is admin-only. Every POST carries a
CSRF token (checked once, here, for the whole blueprint). Sessions are kept on the server
and end when the member signs out, after INBOX_IDLE_MINUTES without activity, at the latest
INBOX_SESSION_HOURS after signing in, and when the account is disabled or its password reset.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def init_app(app: Flask) -> None:
    from .. import intake, notify, retention, staff_commands
    from . import access, actions, exports, locks, views  # noqa: F401  (views register on bp)

    app.register_blueprint(bp)
    access.limit_sign_in(app)
    notify.init_app(app)
    app.add_template_filter(intake.url_host)
    app.cli.add_command(staff_commands.users_commands)
    app.cli.add_command(retention.retention_commands)
    app.cli.add_command(notify.notify_commands)
