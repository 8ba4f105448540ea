"""Exports to CSV and JSON: filters, the public-release redaction, spreadsheet formula
neutralising, and the audit log export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from feedback_api.records import redact, spreadsheet_safe
from tests.inbox.conftest import post, send_feedback, send_report


@pytest.mark.parametrize("text,expected", [
    ("Write to ana.r+city@example.org today", "Write to [email removed] today"),
    ("Call (505) 555-0123 or 505.555.0199", "Call [phone removed] or [phone removed]"),
    ("Cell +1 505 555 0123, desk 555-0100", "Cell [phone removed], desk [phone removed]"),
    ("Call 5055550123 now", "Call [phone removed] now"),
    ("Seen 2026-03-27 at 14:30 under AI 1-19 §K.c", "Seen 2026-03-27 at 14:30 under AI 1-19 §K.c"),
    ("https://x.com/abq_city/status/1234567890", "https://x.com/abq_city/status/1234567890"),
])
def test_redaction_blanks_emails_and_phone_numbers_only(text, expected):
    assert redact(text) == expected


def test_redaction_blanks_the_senders_name_wherever_it_appears():
    text = "My name is Ana Lucia Resident. ANA LUCIA RESIDENT again; Lucia, and Ana. Banana."
    assert redact(text, ["Ana Lucia Resident"]) == (
        "My name is [name removed]. [name removed] again; [name removed], and [name removed]."
        " Banana.")
    assert redact("Li wrote to Al.", ["Al Li"]) == "Li wrote to Al."  # too short to blank
    assert redact("Al Li wrote.", ["Al Li"]) == "[name removed] wrote."


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil\")", "+1+2", "-2+3", "@SUM(A1)",
                                  "\tTAB", "\rCR"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(cell):
    assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_safe("A normal cell = fine") == "A normal cell = fine"
    assert spreadsheet_safe(12) == 12


def export(client, **fields):
    response = post(client, "/inbox/export", fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return response


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_a_staff_export_keeps_everything_and_neutralises_formulas(signed_in):
    admin = signed_in("admin")
    code = send_report(admin, description="=HYPERLINK(\"http://evil.example\",\"click\")",
                       name="@Ana", email="ana@example.org")
    send_feedback(admin)
    response = export(admin, state="all", kind="report", format="csv")
    assert response.mimetype == "text/csv"
    [row] = read_csv(response)
    assert row["tracking_code"] == code
    assert row["message"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row["name"] == "'@Ana" and row["email"] == "ana@example.org"
    raw = response.get_data(as_text=True)
    assert raw.splitlines()[1].startswith('"')  # every cell quoted


def test_a_public_release_redacts_personal_data(signed_in):
    admin = signed_in("admin")
    code = send_report(admin, name="Ana Resident", email="ana@example.org",
                       description="Ana Resident here: reach me at ana@example.org or "
                                   "(505) 555-0123. The account insulted me.")
    response = export(admin, state="all", format="json", public="on")
    body = json.loads(response.get_data(as_text=True))
    assert body["public_release"] is True and body["filters"] == {"state": "all"}
    [record] = body["items"]
    text = json.dumps(record)
    for private in ("Ana Resident", "ana@example.org", "555-0123", code):
        assert private not in text
    assert {"name", "email", "tracking_code", "internal_note", "assignee"}.isdisjoint(record)
    assert record["message"] == ("[name removed] here: reach me at [email removed] or "
                                 "[phone removed]. The account insulted me.")

    [row] = read_csv(export(admin, state="all", format="csv", public="on"))
    assert "name" not in row and "Ana" not in json.dumps(row)


def test_an_export_follows_the_filters(signed_in):
    admin = signed_in("admin")
    reports = [send_report(admin, description=f"Report {n}") for n in range(3)]
    feedback = send_feedback(admin)
    rows = read_csv(export(admin, kind="report", sort="oldest"))
    assert [r["tracking_code"] for r in rows] == reports
    rows = read_csv(export(admin, q=feedback))
    assert [r["tracking_code"] for r in rows] == [feedback]
    assert read_csv(export(admin, state="resolved")) == []


def test_the_audit_log_exports_as_csv(signed_in, audit_mark):
    admin = signed_in("admin")
    code = send_report(admin)
    export(admin, state="all")
    response = post(admin, "/inbox/audit/export")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = read_csv(response)
    assert rows[0].keys() == {"id", "at", "actor", "action", "tracking_code", "detail"}
    mine = [r for r in rows if int(r["id"]) > 0 and r["actor"] == "ada.admin@cabq.gov"]
    assert [r["action"] for r in mine][-2:] == ["signed-in", "exported"]
    assert code not in [r["tracking_code"] for r in rows]  # exports name no items
    assert audit_mark()[-1]["action"] == "audit-exported"
