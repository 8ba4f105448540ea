"""Who may do what in the inbox: sign-in and sign-out, the session, roles, CSRF, and the
sign-in limits.

- `needs(role)` marks a view with the least role it needs; the blueprint's guard checks it
  before any view runs. A view with no mark needs admin.
- Anonymous: GET and HEAD are sent to the sign-in page, anything else gets 401.
- A signed-in member without the role gets 403.
- A POST without a valid CSRF token gets 400 with a page that says what to do.
- Sign-in attempts that fail count against both the address and the account
  (INBOX_SIGN_IN_LIMIT, default 5 per minute each); over the limit, everyone gets the same
  message, whether or not the account exists.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

from .. import audit, db, limits, staff
from ..staff import Member
from . import bp

PUBLIC = "public"
SESSION_KEY = "inbox"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
REQUIRED: dict[str, str] = {}  # endpoint -> least role

SIGN_IN_FAILED = ("The email address or password is not right. Check them and try again; "
                  "after several tries, sign-in is paused for a minute.")
SIGN_IN_PAUSED = ("Too many sign-in attempts. For your security, sign-in is paused: wait a "
                  "minute and try again. If you have forgotten your password, ask an inbox "
                  "administrator to reset it.")
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


def signed_in() -> Member | None:
    """The member whose session this is: active, current, and not idle too long."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    now = time.time()
    idle = current_app.config["INBOX_IDLE_MINUTES"] * 60
    try:
        staff_id, version, seen = int(held["id"]), int(held["v"]), float(held["seen"])
    except (KeyError, TypeError, ValueError):
        session.pop(SESSION_KEY, None)
        return None
    if now - seen > idle:
        session.pop(SESSION_KEY, None)
        g.session_expired = True
        return None
    found = staff.current(db.session(), staff_id, version)
    if found is None:
        session.pop(SESSION_KEY, None)
        return None
    if now - seen > 30:  # refresh the idle clock without a new cookie on every click
        session[SESSION_KEY] = {**held, "seen": now}
    return found


def start_session(row) -> None:
    session.clear()  # a fresh session (and CSRF token) on every sign-in
    session[SESSION_KEY] = {"id": row.id, "v": row.session_version, "seen": time.time()}


def end_session() -> None:
    session.clear()


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only somewhere in the inbox."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/inbox/") \
                and "\\" not in target:
            return target
    return url_for("inbox.item_list")


# ---------------------------------------------------------------------------------------
# Sign-in and sign-out


@bp.route("/login", methods=["GET", "POST"])
@needs(PUBLIC)
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
        g.sign_in_failed = True
        return _sign_in_page(values, {}, notice=SIGN_IN_FAILED, status=401)
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
    db.session().commit()
    end_session()
    return redirect(url_for("inbox.sign_in"), 303)


@bp.errorhandler(limits.SignInLimitExceeded)
def sign_in_paused(error: limits.SignInLimitExceeded):
    page, status = _sign_in_page({"email": (request.form.get("email") or "")[:300]}, {},
                                 notice=SIGN_IN_PAUSED, status=429)
    response = current_app.make_response((page, status))
    limits.rate_limit_headers(response, error.limit)
    return response


def limit_sign_in(app: Flask) -> None:
    """INBOX_SIGN_IN_LIMIT on failed sign-ins, per address and per account."""
    if not limits.enabled(app):
        return

    def account() -> str:
        return staff.normalise_email(request.form.get("email") or "")[:254]

    def failed() -> bool:
        return bool(g.get("sign_in_failed"))

    throttle = limits.SignInLimits.from_config(app.config, app.extensions["limit_counts"])
    endpoint = "inbox.sign_in"
    app.view_functions[endpoint] = throttle.limited(app.view_functions[endpoint], account,
                                                    failed)
