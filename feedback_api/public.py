"""The public forms: feedback on a policy, a report of a possible violation, and the status
look-up. Server-rendered, working without JavaScript, and never forgetting what was typed:
an error, an expired CSRF token, a rate limit or a database outage all send the form back
filled in.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from site_builder.languages import N_, whole_number

from . import db, i18n, intake, judging, limits, notify, recording
from .errors import DATABASE_DOWN, rate_limited, submission_limit_message
from .forms import (
    FeedbackForm,
    ReopenForm,
    ReportForm,
    SubmissionForm,
    spam_reason,
    started_token,
)
from .i18n import _
from .status import Status, status_of
from .tracking import EXAMPLE, normalise_tracking_code
from .web import catalog, client_address, published

bp = Blueprint("public", __name__)

# The order fields appear on each page, so the error summary follows the page.
FEEDBACK_ORDER = ("policy_id", "section", "message", "name", "email", "wants_reply")
REPORT_ORDER = ("account_id", "account_url", "post_url", "seen_at", "category", "description",
                "name", "email", "wants_reply")
SESSION_EXPIRED = N_("Your session timed out, so this was not sent. Everything you typed is "
                     "still here: check it and send it again.")
LOOKUP_TITLE = N_("Check the status of your feedback or report")


# ---------------------------------------------------------------------------------------
# Feedback


@bp.get("/feedback/")
def feedback_form():
    values = {"policy_id": "", "section": "", "section_policy": ""}
    policy = catalog().policy(request.args.get("policy") or request.args.get("policy_id"))
    if policy is not None:
        values["policy_id"] = policy.id
        section = (request.args.get("section") or "").strip().lower()
        if section in policy.sections:
            values["section"] = section
            values["section_policy"] = policy.id
    return feedback_page(FeedbackForm(formdata=None), values)


@bp.post("/feedback/")
@limits.submissions
def send_feedback():
    form = FeedbackForm()
    values = _typed(form)
    if not form.validate():
        if form.csrf_failed():
            return feedback_page(form, values, notice=_(SESSION_EXPIRED), status=400)
    checked = intake.check_feedback(intake.from_form(form.raw()), catalog())
    section_policy = catalog().policy(values.get("section_policy"))
    if checked.values.get("section") and section_policy is not None \
            and section_policy.id != checked.values.get("policy_id"):
        lang = i18n.language().code
        label = section_policy.section_label(checked.values["section"], lang) or ""
        checked.errors["section"] = _(
            "%(section)s is part of %(policy)s, not the policy you chose: choose %(short_name)s "
            "again, or choose ‘The whole policy’", section=label,
            policy=section_policy.name_in(lang),
            short_name=section_policy.short_name_in(lang))
    if not checked.ok:
        return feedback_page(form, values, errors=_in_order(checked.errors, FEEDBACK_ORDER),
                             status=422)
    return _record(form, "feedback", checked.values, lambda **kw: feedback_page(form, values,
                                                                                **kw))


def feedback_page(form: FeedbackForm, values: dict, errors: dict | None = None,
                  notice: str | None = None, status: int = 200):
    section_policy = catalog().policy(values.get("section_policy")) or \
        catalog().policy(values.get("policy_id"))
    section_label = None
    if values.get("section") and section_policy is not None:
        section_label = section_policy.section_label(values["section"], i18n.language().code)
    return render_template(
        "feedback_form.html", form=form, values=values, errors=errors or {}, notice=notice,
        policies=catalog().policies_in_order(), section_label=section_label,
        section_policy=section_policy, started=values.get("started") or started_token(),
        title=_("Give feedback on a policy"), message_max=_message_max(),
    ), status


# ---------------------------------------------------------------------------------------
# Reports


@bp.get("/report/")
def report_form():
    values = {}
    account = catalog().account(request.args.get("account") or request.args.get("account_id"))
    if account is not None:
        values["account_id"] = account.id
    return report_page(ReportForm(formdata=None), values)


@bp.post("/report/")
@limits.submissions
def send_report():
    form = ReportForm()
    values = _typed(form)
    if not form.validate():
        if form.csrf_failed():
            return report_page(form, values, notice=_(SESSION_EXPIRED), status=400)
    checked = intake.check_report(intake.from_form(form.raw()), catalog())
    if not checked.ok:
        return report_page(form, values, errors=_in_order(checked.errors, REPORT_ORDER),
                           status=422)
    return _record(form, "report", checked.values, lambda **kw: report_page(form, values, **kw))


def report_page(form: ReportForm, values: dict, errors: dict | None = None,
                notice: str | None = None, status: int = 200):
    return render_template(
        "report_form.html", form=form, values=values, errors=errors or {}, notice=notice,
        accounts=catalog().accounts_in_order(), categories=catalog().categories,
        started=values.get("started") or started_token(),
        title=_("Report a possible policy violation"), message_max=_message_max(),
    ), status


# ---------------------------------------------------------------------------------------
# Shared by both forms


def _typed(form: SubmissionForm) -> dict:
    """What the resident typed, as strings, to fill the form in again."""
    values = {}
    for name, value in request.form.items():
        if name != "csrf_token":
            values[name] = value[: intake.MESSAGE_MAX * 2]
    values["wants_reply"] = form.wants_reply.data
    return values


def _message_max() -> str:
    """The longest comment or description, as the page's language writes the number."""
    return whole_number(intake.MESSAGE_MAX, i18n.language().code)


def _in_order(errors: dict[str, str], order: tuple[str, ...]) -> dict[str, str]:
    return dict(sorted(errors.items(),
                       key=lambda item: order.index(item[0]) if item[0] in order else 99))


def _record(form: SubmissionForm, kind: str, values: dict, page):
    try:
        receipt = recording.record(
            db.engine(), db.session, kind, values, source="form",
            language=i18n.language().code,
            client=recording.client_hash(client_address(), current_app.secret_key),
            duplicate_window=current_app.config["DUPLICATE_WINDOW_SECONDS"],
            announce=notify.announcer(current_app),
            spam_reason=spam_reason(form),
        )
    except db.DatabaseUnavailable:
        current_app.logger.error("could not record a %s: database unavailable", kind,
                                 exc_info=True)
        return page(notice=_(DATABASE_DOWN) + " " + _("Everything you typed is still here."),
                    status=503)
    current_app.logger.info("recorded %s %s%s", kind, receipt.tracking_code,
                            " (repeat)" if receipt.duplicate else "")
    return redirect(url_for(f"public.{kind}_sent", code=receipt.tracking_code), 303)


@bp.errorhandler(RateLimitExceeded)
def rate_limited_page(error: RateLimitExceeded):
    """The form sent back filled in, when the client is over its limit (429); anything
    else of this blueprint gets the app's 429 page."""
    if request.method != "POST" or request.endpoint not in ("public.send_feedback",
                                                            "public.send_report"):
        return rate_limited(error)
    message = submission_limit_message()
    try:
        if request.endpoint == "public.send_feedback":
            form = FeedbackForm()
            response, _status = feedback_page(form, _typed(form), notice=message, status=429)
        else:
            form = ReportForm()
            response, _status = report_page(form, _typed(form), notice=message, status=429)
    except HTTPException:  # a body too big to read back: the plain 429 page
        return rate_limited(error)
    return response, 429


# ---------------------------------------------------------------------------------------
# Confirmation and status


@bp.get("/feedback/sent/<code>")
def feedback_sent(code: str):
    return _confirmation(code, "feedback")


@bp.get("/report/sent/<code>")
def report_sent(code: str):
    return _confirmation(code, "report")


def _confirmation(code: str, kind: str):
    status = status_of(db.session(), code, published(), catalog().outcomes)
    if status is None or status.kind != kind:
        abort(404)
    # The status page in the language of this page (`status_path` is the default language's).
    return render_template("confirmation.html", status=status,
                           status_url=url_for("public.status_page", kind=kind,
                                              code=status.tracking_code),
                           title=_("Feedback sent") if kind == "feedback" else _("Report sent"))


@bp.get("/report/status")
@bp.get("/feedback/status")
def status_lookup():
    kind = "report" if request.path.startswith("/report") else "feedback"
    code = request.args.get("code")
    if code is None:
        return render_template("status_lookup.html", errors={}, code="", example=EXAMPLE,
                               title=_(LOOKUP_TITLE))
    canonical = normalise_tracking_code(code)
    if canonical is None:
        message = (_("Enter the tracking code from your confirmation page, like %(example)s",
                     example=EXAMPLE) if code.strip() else _("Enter your tracking code"))
        return render_template("status_lookup.html", errors={"code": message}, code=code[:100],
                               example=EXAMPLE, title=_(LOOKUP_TITLE)), 422
    return redirect(url_for("public.status_page", kind=kind, code=canonical), 303)


@bp.get("/<any(feedback, report):kind>/status/<code>")
def status_page(kind: str, code: str):
    status = status_of(db.session(), code, published(), catalog().outcomes)
    if status is None:
        return render_template(
            "status_lookup.html", example=EXAMPLE, code=code[:100],
            errors={"code": _("No feedback or report has this tracking code. Check the code "
                              "on your confirmation page (it looks like %(example)s) and try "
                              "again", example=EXAMPLE)},
            title=_(LOOKUP_TITLE)), 404
    if status.tracking_code != code:
        return redirect(url_for("public.status_page", kind=status_kind(status),
                                code=status.tracking_code), 301)
    return render_status(status)


def render_status(status: Status, reopen_error: str | None = None,
                  reopen_typed: str | None = None) -> str:
    """The status page: what the public may see, and the request to reopen a decision
    while the resident may make it (`resident.reopen`)."""
    return render_template("status.html", status=status, catalog=catalog(),
                           describe=judging.describe, reopen_form=ReopenForm(formdata=None),
                           reopen_error=reopen_error, reopen_typed=reopen_typed,
                           title=_("Status of %(code)s", code=status.tracking_code))


def status_kind(status: Status) -> str:
    return "report" if status.kind == "report" else "feedback"
