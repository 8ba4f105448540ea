"""Sign-in pauses, for admins: which staff accounts are paused after failed sign-ins, until
when, and a button to lift an account's pauses (audited as "sign-in-unlocked"; the same as
`flask --app feedback_api users unlock EMAIL`). The limits are feedback_api.limits'."""

from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, render_template, request, url_for
from redis import RedisError

from .. import audit, db, limits, staff
from . import bp
from .access import needs, problem

STORAGE_DOWN = ("The sign-in counts cannot be read just now: the rate limit storage is not "
                "answering. Try again in a minute.")


def moment(timestamp: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC) if timestamp else None


@bp.get("/sign-in-pauses")
@needs("admin")
def sign_in_pauses():
    accounts = [row.email for row in staff.members(db.session())]
    try:
        pauses = limits.sign_in_pauses(accounts)
    except (RedisError, OSError):
        return problem(503, "Sign-in pauses", STORAGE_DOWN), 503
    return render_template("inbox/locks.html", title="Sign-in pauses", moment=moment,
                           pauses=pauses, known_days=limits.KNOWN_DAYS)


@bp.post("/sign-in-pauses/lift")
@needs("admin")
def lift_sign_in_pause():
    found = staff.find(db.session(), (request.form.get("email") or "")[:300])
    if found is None:
        return problem(400, "No such account",
                       "No staff account has that address, so there was nothing to lift. "
                       "Go back to the list of sign-in pauses and choose one there."), 400
    try:
        cleared = limits.lift_sign_in_pauses(found.email)
    except (RedisError, OSError):
        return problem(503, "Sign-in pauses", STORAGE_DOWN), 503
    audit.record(db.session(), g.member.email, "sign-in-unlocked", actor_id=g.member.id,
                 detail={"email": found.email, "windows": cleared})
    db.session().commit()
    flash(f"{found.email} can sign in again now: its failed sign-ins were cleared.")
    return redirect(url_for("inbox.sign_in_pauses"), 303)
