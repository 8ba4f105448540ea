"""The inbox's exports: the items matching the list's filters (CSV or JSON), and the
audit log (CSV). Admins only; each export is written to the audit log.

An item's row is `records.item_record`'s: the language the resident wrote in (its code,
`es`) is its last column, in a staff export and a public release alike.
"""

from __future__ import annotations

from flask import Response, g, request

from .. import audit, db, judging, records
from ..models import utcnow
from . import bp, queries
from .access import needs
from .views import bad_request, catalog, write_audit


@bp.post("/export")
@needs("admin")
def export():
    """The items matching the list's filters, as CSV or JSON. Filters that cannot be used
    stop it (400): leaving one out would export more than was asked for. A staff export
    writes "exported-personal-data" to the history of each item with contact details."""
    parsed = queries.parse(request.form, catalog())
    if parsed.errors:
        bad_request("Nothing was exported", "These filters could not be used, and leaving "
                    "them out would export more than you asked for: " + "; ".join(
                        f"{name}: {message}" for name, message in parsed.errors.items())
                    + ". Correct them in the list, then export again.")
    filters = parsed.filters
    public = request.form.get("public") == "on"
    kind = request.form.get("format") if request.form.get("format") in ("csv", "json") \
        else "csv"
    session = db.session()
    names = queries.staff_names(session)
    now = utcnow()
    rows = []
    for item in queries.ids_of(session, filters, g.member.id):
        rows.append(records.item_record(item, public, names.get(item.assignee_id),
                                        judged=judging.judged(session, item.id)))
        if not public and (item.name or item.email):
            write_audit("exported-personal-data", item, {"format": kind})
    write_audit("exported", None, {"format": kind, "public_release": public,
                                   "items": len(rows), "filters": filters.describe()})
    session.commit()
    stem = f"inbox-{'public-' if public else ''}{now.strftime('%Y%m%d-%H%M%S')}"
    if kind == "json":
        body = records.to_json(rows, public, filters.describe(), now)
        mimetype = "application/json"
    else:
        body = records.to_csv(rows, public)
        mimetype = "text/csv"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{stem}.{kind}"',
        "Cache-Control": "no-store"})


@bp.post("/audit/export")
@needs("admin")
def audit_export():
    session = db.session()
    events = list(audit.events(session))
    write_audit("audit-exported", None, {"events": len(events)})
    session.commit()
    stem = f"inbox-audit-{utcnow().strftime('%Y%m%d-%H%M%S')}"
    return Response(audit.to_csv(events), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{stem}.csv"',
        "Cache-Control": "no-store"})
