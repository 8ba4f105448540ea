"""Who may do what in the inbox: sign-in and sign-out, the session, roles, CSRF, and the
sign-in limits.

- The inbox is in English: its address in another language (`/es/inbox/`) is sent on to
  its own (`/inbox/`) before anything else.
- `needs(role)` marks a view with the least role it needs; the blueprint's guard checks it
  before any view runs. A view with no mark needs admin.
- Anonymous: GET and HEAD are sent to the sign-in page, anything else gets 401.
- A signed-in member without the role gets 403.
- A POST without a valid CSRF token gets 400 with a page that says what to do.
- Sessions are held on the server (`staff_sessions`); the cookie carries only a token.
  Signing out, INBOX_IDLE_MINUTES without activity and INBOX_SESSION_HOURS after signing in
  each end the session there, so a copy of the cookie stops working too.
- Failed sign-ins are limited (Flask-Limiter, `feedback_api.limits`) per account
  (INBOX_SIGN_IN_LIMIT, except from addresses the account signed in from lately), per
  account and address (INBOX_SIGN_IN_SOURCE_LIMIT) and per address
  (INBOX_SIGN_IN_ADDRESS_LIMIT); over a limit the password is not checked, and everyone
  gets the same message, whether or not the account exists.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from urllib.parse import urlsplit

from flask import (
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

from .. import audit, db, i18n, limits, staff
from ..forms import NOT_FROM_THIS_SITE, from_this_site
from ..staff import Member
from . import bp

PUBLIC = "public"
SESSION_KEY = "inbox"
# A session's "last used" time is written at most this often (seconds), not on every click.
SEEN_EVERY_SECONDS = 30
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
REQUIRED: dict[str, str] = {}  # endpoint -> least role

SIGN_IN_FAILED = ("The email address or password is not right. Check them and try again; "
                  "after several tries, sign-in is paused for a while.")
SIGN_IN_PAUSED = ("Too many sign-in attempts. For your security, sign-in is paused: wait {wait} "
                  "and try again. If you have forgotten your password, ask an inbox "
                  "administrator to reset it; an administrator can also lift the pause.")
CSRF_FAILED = ("This form could not be accepted: it has expired, or it was not sent from "
               "the inbox. Nothing was changed. Go back, reload the page, and send it again.")


def needs(role: str):
    """Mark a view with the least role it needs ("public" for the sign-in page only)."""

    def mark(view):
        REQUIRED[f"{bp.name}.{view.__name__}"] = role
        return view

    return mark


def member() -> Member | None:
    return g.get("member")


@bp.context_processor
def inbox_globals():
    return {"csrf_token": generate_csrf, "member": g.get("member")}


@bp.before_request
def in_english():
    """The inbox's own address for one in another language (308: a form is sent again)."""
    if not request.environ.get(i18n.ENVIRON_KEY):
        return None
    prefix = i18n.language().prefix
    root = request.script_root
    if not prefix or not root.endswith(prefix):
        return None
    return redirect(root[:-len(prefix)] + request.full_path.rstrip("?"), 308)


@bp.before_request
def guard():
    role = REQUIRED.get(request.endpoint or "", "admin")
    if role == PUBLIC:
        return _check_csrf()
    found = signed_in()
    if found is None:
        return _sign_in_first()
    g.member = found
    if not found.can(role):
        return problem(403, "You cannot do this",
                       f"This needs the {role} role; you are signed in as a {found.role}. "
                       "Ask an inbox administrator if you need it."), 403
    return _check_csrf()


def _check_csrf():
    if request.method in SAFE_METHODS:
        return None
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return problem(400, "This form has expired", CSRF_FAILED), 400
    if not from_this_site():
        return problem(400, "This form was not sent from the inbox", NOT_FROM_THIS_SITE + (
            " Nothing was changed: open the inbox and try again from its page.")), 400
    return None


def _sign_in_first():
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("inbox.sign_in", next=request.full_path.rstrip("?"),
                                expired=1 if g.get("session_expired") else None))
    return problem(401, "Please sign in again",
                   "You are not signed in, or your session has ended, so nothing was changed. "
                   "Sign in and try again.", sign_in=True), 401


def problem(status: int, title: str, message: str, sign_in: bool = False) -> str:
    return render_template("inbox/problem.html", status=status, title=title, message=message,
                           sign_in=sign_in)


def now() -> dt.datetime:
    """The time sessions are measured by (from time.time, in UTC)."""
    return dt.datetime.fromtimestamp(time.time(), dt.UTC)


def signed_in() -> Member | None:
    """The member whose session this is: one the server still holds (not signed out), of
    an active account, used within INBOX_IDLE_MINUTES and begun within INBOX_SESSION_HOURS.

    The cookie carries only the session's token; the server decides everything else, so a
    copy of a cookie is worth nothing once its session has ended."""
    held = session.get(SESSION_KEY)
    token = held.get("token") if isinstance(held, dict) else None
    if not isinstance(token, str):
        if held is not None:
            session.pop(SESSION_KEY, None)
        return None
    database = db.session()
    found = staff.find_session(database, token)
    if found is None:
        session.pop(SESSION_KEY, None)
        return None
    row, who = found
    moment = now()
    config = current_app.config
    if moment - row.seen_at > dt.timedelta(minutes=config["INBOX_IDLE_MINUTES"]):
        g.session_expired = True  # the sign-in page says so (?expired=1)
    elif moment - row.started_at > dt.timedelta(hours=config["INBOX_SESSION_HOURS"]):
        hours = config["INBOX_SESSION_HOURS"]
        flash(f"You were signed out because a session lasts at most {hours} hour"
              f"{'s' if hours != 1 else ''} after signing in, even while you are working. "
              "Sign in again to carry on.")
    else:
        if (moment - row.seen_at).total_seconds() > SEEN_EVERY_SECONDS:
            row.seen_at = moment
            database.commit()
        return who
    staff.end_session(database, token)
    database.commit()
    session.pop(SESSION_KEY, None)
    return None


def start_session(row) -> None:
    """A new session on the server for `row`, and a fresh cookie (and CSRF token) holding
    its token; the caller commits. A session the browser already had ends, and so do
    sessions anyone left to expire."""
    database = db.session()
    held = session.get(SESSION_KEY)
    if isinstance(held, dict):
        staff.end_session(database, held.get("token"))
    moment = now()
    config = current_app.config
    staff.end_old_sessions(
        database, seen_before=moment - dt.timedelta(minutes=config["INBOX_IDLE_MINUTES"]),
        started_before=moment - dt.timedelta(hours=config["INBOX_SESSION_HOURS"]))
    token = staff.open_session(database, row, moment)
    session.clear()
    session[SESSION_KEY] = {"token": token}


def end_session() -> None:
    """End this browser's session on the server (committed, with anything the caller added,
    such as the audit event), then forget the cookie."""
    held = session.get(SESSION_KEY)
    if isinstance(held, dict):
        staff.end_session(db.session(), held.get("token"))
    db.session().commit()
    session.clear()


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only somewhere in the inbox, and never anything that
    could break out of the Location header (spaces, CR, LF or other control characters)."""
    if target and not any(c.isspace() or unicodedata.category(c)[0] == "C" for c in target):
        try:
            parts = urlsplit(target)
        except ValueError:  # e.g. "//[" (an unfinished IPv6 address)
            parts = None
        if parts is not None and not parts.scheme and not parts.netloc \
                and parts.path.startswith("/inbox/") and "\\" not in target \
                and ".." not in parts.path.split("/"):
            return target
    return url_for("inbox.item_list")


# ---------------------------------------------------------------------------------------
# Sign-in and sign-out


@bp.route("/login", methods=["GET", "POST"])
@needs(PUBLIC)
@limits.failed_sign_ins_per_account
@limits.failed_sign_ins_per_address
@limits.failed_sign_ins_per_source  # first of equal windows: the one its X-RateLimit-* show
def sign_in():
    values = {"email": ""}
    if request.method == "GET":
        notice = None
        if request.args.get("expired") or g.get("session_expired"):
            minutes = current_app.config["INBOX_IDLE_MINUTES"]
            notice = (f"You were signed out after {minutes} minute{'s' if minutes != 1 else ''}"
                      " without activity. Sign in again to carry on.")
        elif signed_in() is not None:
            return redirect(safe_next(request.args.get("next")))
        return _sign_in_page(values, {}, notice=notice)
    email = (request.form.get("email") or "")[:300]
    password = request.form.get("password") or ""
    values["email"] = email
    errors = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return _sign_in_page(values, errors, status=422)
    row = staff.authenticate(db.session(), email, password)
    if row is None:
        return _sign_in_page(values, {}, notice=SIGN_IN_FAILED, status=401)  # counted
    limits.remember_sign_in(row.email)
    start_session(row)
    audit.record(db.session(), row.email, "signed-in", actor_id=row.id)
    db.session().commit()
    return redirect(safe_next(request.args.get("next")), 303)


def _sign_in_page(values: dict, errors: dict, notice: str | None = None, status: int = 200):
    return render_template("inbox/login.html", values=values, errors=errors, notice=notice,
                           next=request.args.get("next") or "", title="Sign in to the inbox"
                           ), status


@bp.post("/logout")
@needs("viewer")
def sign_out():
    found = member()
    audit.record(db.session(), found.email, "signed-out", actor_id=found.id)
    end_session()  # the session ends on the server: a copy of the cookie no longer works
    return redirect(url_for("inbox.sign_in"), 303)


@bp.errorhandler(RateLimitExceeded)
def sign_in_paused(error: RateLimitExceeded):
    """Over a sign-in limit: the page again, saying how long to wait (Retry-After and
    X-RateLimit-* are Flask-Limiter's)."""
    breached = limits.sign_in_limiter.current_limit
    wait = limits.wait_in_words(breached.reset_at) if breached is not None else "a minute"
    return _sign_in_page({"email": (request.form.get("email") or "")[:300]}, {},
                         notice=SIGN_IN_PAUSED.format(wait=wait), status=429)


def limit_sign_in(app: Flask) -> None:
    """Set up the sign-in limits (the decorators on `sign_in`) for this app."""
    limits.init_sign_ins(app)
