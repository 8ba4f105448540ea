"""The JSON API under /api/v1: health, OpenAPI, feedback, reports, status, categories.

JSON in, JSON out. Bodies over 64 KiB get 413, anything but application/json 415, a body
that is not a JSON object 400, and fields at fault 422 naming each one. Cross-origin
requests are answered only for the origins in CORS_ORIGINS.

The words meant for people (messages, labels) are in the language `Accept-Language` asks
for, among the site's (`i18n.select_language`); ids, states, codes and addresses never
change with it. Every answer under /api/ says so: `Vary: Accept-Language`.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from site_builder import languages

from . import db, i18n, intake, limits, notify, recording
from .config import API_MAX_BYTES
from .errors import DATABASE_DOWN, api_error
from .i18n import _
from .status import looks_like_tracking_code, status_of, status_path
from .tracking import EXAMPLE
from .web import catalog, client_address, cors, published

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.after_request(cors)


@bp.after_app_request
def vary_by_language(response):
    """Every answer under /api/ (the register's and the statistics' too, and errors) words
    its messages in the language Accept-Language asks for."""
    if request.path == "/api" or request.path.startswith("/api/"):
        response.vary.add("Accept-Language")
    return response


@bp.before_request
def limit_body():
    request.max_content_length = current_app.config.get("API_MAX_BYTES", API_MAX_BYTES)


@bp.get("/health")
def health():
    try:
        db.ping()
    except db.DatabaseUnavailable:
        current_app.logger.warning("health check: database unavailable", exc_info=True)
        return api_error(503, DATABASE_DOWN, code="database_unavailable")
    return jsonify(status="ok", database="ok")


@bp.get("/openapi.json")
def openapi():
    from .openapi import document

    return jsonify(document(catalog()))


@bp.get("/report-categories")
def report_categories():
    return jsonify(categories=[
        {
            "id": category.id,
            "label": _(category.label),
            "hint": _(category.hint),
            "rules": [{"policy_id": rule.policy_id, "section": rule.section,
                       "citation": _(rule.citation)} for rule in category.rules],
        }
        for category in catalog().categories
    ])


@bp.post("/feedback")
@limits.submissions
def send_feedback():
    return _submit("feedback", intake.FEEDBACK_FIELDS, intake.check_feedback)


@bp.post("/reports")
@limits.submissions
def send_report():
    return _submit("report", intake.REPORT_FIELDS, intake.check_report)


@bp.get("/status/<tracking_code>")
def status(tracking_code: str):
    found = None
    if looks_like_tracking_code(tracking_code):
        found = status_of(db.session(), tracking_code, published(), catalog().outcomes)
    if found is None:
        return api_error(404, _("No submission has this tracking code; check it and try "
                                "again. Codes look like %(example)s.", example=EXAMPLE))
    return jsonify(found.as_json())


def _submit(kind: str, specs: dict, check):
    if request.mimetype != "application/json":
        return api_error(415)
    body = request.get_data(cache=False)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(body) >= limit:
        # A streamed (chunked) body is cut off at the limit rather than refused: refuse it.
        return api_error(413, _("The request body is over the limit of %(limit)s bytes.",
                                limit=languages.whole_number(limit, i18n.language().code)))
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return api_error(400, _("The body is not valid JSON (UTF-8)."))
    if not isinstance(data, dict):
        return api_error(400, _("The body must be a JSON object with the submission's "
                                "fields."))
    unknown = intake.unknown_fields(specs, data)
    checked = check(data, catalog())
    fields = {**unknown, **checked.errors}
    if fields:
        return api_error(422, _("Some fields are missing or not valid; see `fields`."), fields)
    receipt = recording.record(
        db.engine(), db.session, kind, checked.values, source="api",
        language=i18n.language().code,
        client=recording.client_hash(client_address(), current_app.secret_key),
        duplicate_window=current_app.config["DUPLICATE_WINDOW_SECONDS"],
        announce=notify.announcer(current_app),
    )
    current_app.logger.info("recorded %s %s via the API%s", kind, receipt.tracking_code,
                            " (repeat)" if receipt.duplicate else "")
    status_url = status_path(kind, receipt.tracking_code)
    response = jsonify(tracking_code=receipt.tracking_code, status_url=status_url,
                       api_status_url=f"/api/v1/status/{receipt.tracking_code}",
                       duplicate=receipt.duplicate)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/status/{receipt.tracking_code}"
    return response
