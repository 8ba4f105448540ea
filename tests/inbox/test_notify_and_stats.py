"""Email to staff about new violation reports, through a real (local) SMTP server; and the
public statistics with their suppression of small counts."""

from __future__ import annotations

import datetime as dt
import logging

from openapi_spec_validator import validate
from sqlalchemy import create_engine, update

from feedback_api import notify
from feedback_api.models import Submission
from feedback_api.stats import suppress
from tests.conftest import free_port
from tests.inbox.conftest import (
    NOW,
    item,
    item_id,
    read_form,
    seed,
    send_feedback,
    send_report,
)
from tests.inbox.smtp import SMTPServer, smtp_certificate  # noqa: F401  (a fixture)


def mail_settings(port: int, ca_file: str | None = None, **overrides) -> dict:
    return {"NOTIFY_EMAIL": "comms-triage@cabq.gov", "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port, "SMTP_USER": "inbox", "SMTP_PASSWORD": "mail password",
            "SMTP_CA_FILE": ca_file or "", "SITE_URL": "https://transparency.example.gov",
            **overrides}


def test_a_new_report_emails_staff_a_link_and_nothing_personal(make_app, smtp, database_url):
    app = make_app(**mail_settings(smtp.port, smtp.ca_file))
    client = app.test_client()
    code = send_report(client, name="Ana Resident", email="ana@example.org",
                       description="The account called me an idiot in the replies.")
    notify.wait(app)
    [delivered] = smtp.mailbox.wait_for(1)
    assert delivered["to"] == ["comms-triage@cabq.gov"] and delivered["user"] == "inbox"
    assert delivered["encrypted"] and not smtp.said_in_cleartext("mail password")
    message = delivered["message"]
    assert message["Subject"] == "New report of a possible violation"
    body = message.get_payload(decode=True).decode()
    link = f"https://transparency.example.gov/inbox/items/{item_id(database_url, code)}"
    assert link in body
    assert "Arguing with the public" in body
    for private in ("Ana Resident", "ana@example.org", "idiot", code):
        assert private not in message.as_string()


def test_feedback_and_spam_send_no_email(make_app, smtp):
    app = make_app(**mail_settings(smtp.port, smtp.ca_file))
    client = app.test_client()
    send_feedback(client)
    token = read_form(client.get("/report/").get_data(as_text=True)).values["csrf_token"]
    client.post("/report/", data={"csrf_token": token, "website": "http://robot",
                                  "category": "other", "description": "Robot text here.",
                                  "post_url": "https://x.com/a/status/2"})
    send_report(client, description="A real report after all that.")
    notify.wait(app)
    delivered = smtp.mailbox.wait_for(1)
    assert len(delivered) == 1
    assert "A real report" not in delivered[0]["message"].as_string()


def test_a_broken_mail_server_never_fails_the_intake(make_app, caplog):
    app = make_app(**mail_settings(free_port()))  # nothing listens there
    with caplog.at_level(logging.ERROR, logger="feedback_api.notify"):
        code = send_report(app.test_client())
        notify.wait(app)
    assert code.startswith("SMR-")
    assert "could not email comms-triage@cabq.gov about a new report" in caplog.text


def test_no_email_without_a_configured_address(make_app, smtp):
    app = make_app(**mail_settings(smtp.port, smtp.ca_file, NOTIFY_EMAIL=""))
    send_report(app.test_client())
    notify.wait(app)
    assert smtp.mailbox.wait_for(1, timeout=0.5) == []


def minutes_ago(minutes: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)


def test_a_sent_email_is_recorded_and_not_sent_again(make_app, smtp, database_url):
    app = make_app(**mail_settings(smtp.port, smtp.ca_file))
    code = send_report(app.test_client())
    notify.wait(app)
    assert len(smtp.mailbox.wait_for(1)) == 1
    assert item(database_url, code)["notified_at"] is not None
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0 and "about 0 of 0 reports" in result.output
    assert len(smtp.mailbox.wait_for(2, timeout=0.5)) == 1


def test_an_email_that_could_not_be_sent_is_sent_by_the_timer_command(
        make_app, smtp, database_url):
    down = make_app(**mail_settings(free_port()))  # the mail server is down at intake
    code = send_report(down.test_client(), description="Sent while the mail was down.")
    notify.wait(down)
    assert item(database_url, code)["notified_at"] is None
    # As if a worker had been killed between the commit and the send:
    [killed] = seed(database_url, [{"created_at": minutes_ago(10)}])
    # Not emailed about: too recent (its own email may still be on the way), too old,
    # spam, feedback.
    seed(database_url, [{"created_at": minutes_ago(1)}, {"created_at": minutes_ago(25 * 60)},
                        {"created_at": minutes_ago(10), "is_spam": True},
                        {"created_at": minutes_ago(10), "kind": "feedback"}])
    engine = create_engine(database_url)
    with engine.begin() as connection:  # the first report, too, has waited past the grace
        connection.execute(update(Submission).where(Submission.tracking_code == code)
                           .values(created_at=minutes_ago(5)))
    engine.dispose()

    app = make_app(**mail_settings(smtp.port, smtp.ca_file))
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Emailed comms-triage@cabq.gov about 2 of 2 reports still due.",
        "Messages to residents: 0 sent, 0 not sent, 0 cancelled (0 new about revisions)."]
    delivered = smtp.mailbox.wait_for(2)
    links = sorted(m["message"].get_payload(decode=True).decode().split("inbox/items/")[1]
                   .split()[0] for m in delivered)
    assert links == sorted(str(item_id(database_url, c)) for c in (code, killed))
    assert item(database_url, killed)["notified_at"] is not None
    again = app.test_cli_runner().invoke(args=["notify", "send"])
    assert "about 0 of 0 reports" in again.output
    assert len(smtp.mailbox.wait_for(3, timeout=0.5)) == 2


def test_the_timer_command_says_when_mail_is_down_and_keeps_the_email_due(
        make_app, database_url, caplog):
    [code] = seed(database_url, [{"created_at": minutes_ago(10)}])
    app = make_app(**mail_settings(free_port()))
    with caplog.at_level(logging.ERROR, logger="feedback_api.notify"):
        result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 1
    assert "about 0 of 1 report still due" in result.output
    assert "1 could not be sent; they stay due" in result.output
    assert "could not email comms-triage@cabq.gov" in caplog.text
    assert item(database_url, code)["notified_at"] is None
    unset = make_app(**mail_settings(free_port(), NOTIFY_EMAIL=""))
    result = unset.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0 and "Emailed" not in result.output  # no staff email
    assert "Messages to residents: 0 sent" in result.output
    no_server = make_app(**mail_settings(free_port(), NOTIFY_EMAIL="", SMTP_HOST=""))
    result = no_server.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0 and "No mail server is set up" in result.output


# ---------------------------------------------------------------------------------------
# Statistics


def test_small_counts_are_suppressed_and_a_lone_one_gets_company():
    assert suppress({"a": 12, "b": 3, "c": 0, "d": 40}) == {"a": None, "b": None, "c": 0,
                                                            "d": 40}
    assert suppress({"a": 12, "b": 3, "c": 1}) == {"a": 12, "b": None, "c": None}
    assert suppress({"a": 5, "b": 0}) == {"a": 5, "b": 0}
    assert suppress({"a": 4}) == {"a": None}


def by(rows: list[dict], key: str) -> dict:
    return {row[key]: (row["count"], row["suppressed"]) for row in rows}


def test_the_statistics_count_without_spam_or_personal_data(client, database_url):
    seed(database_url, [
        *[{"category": "personal-attack", "state": "resolved", "closed_at": NOW,
           "name": "Ana Resident", "email": "ana@example.org"} for _ in range(6)],
        *[{"category": "other", "state": "new"} for _ in range(2)],
        *[{"kind": "feedback", "category": None, "policy_id": "ai-1-19"} for _ in range(9)],
        *[{"category": "other", "is_spam": True} for _ in range(30)],
    ])
    response = client.get("/api/v1/stats")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    stats = response.get_json()
    assert stats["total"] == {"count": 17, "suppressed": False}
    assert by(stats["by_kind"], "kind") == {"report": (8, False), "feedback": (9, False)}
    categories = by(stats["by_category"], "category")
    assert categories["personal-attack"] == (None, True)  # 6, hidden beside the lone 2
    assert categories["other"] == (None, True)  # 2 (the 30 spam are not counted)
    assert categories["political-campaigning"] == (0, False)
    states = by(stats["by_state"], "state")
    assert states["new"] == (11, False) and states["resolved"] == (6, False)
    months = by(stats["by_month"], "month")
    assert months["2026-11"] == (17, False)
    assert len(stats["by_month"]) == 24 and stats["suppressed_below"] == 5
    text = response.get_data(as_text=True)
    for private in ("Ana Resident", "ana@example.org", "SMR-", "seeded report"):
        assert private not in text


def test_the_statistics_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    operation = document["paths"]["/api/v1/stats"]["get"]
    assert operation["operationId"] == "stats"
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) >= {"by_kind", "by_state", "by_category", "by_month"}
    assert schema["properties"]["suppressed_below"]["const"] == 5
