"""Residents hear back: a message at each public step through a durable outbox, a
one-click stop, and a request to reopen a decision once within 30 days."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import create_engine, text, update

from feedback_api import outbox
from feedback_api.models import Submission
from tests.conftest import ROOT
from tests.inbox.conftest import item, item_id, page_text, post, send_feedback, send_report
from tests.inbox.test_notify_and_stats import mail_settings

RESIDENT = {"name": "Ana Resident", "email": "ana@example.org", "wants_reply": True}


def outbox_rows(url: str, code: str) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [dict(r) for r in connection.execute(text(
                "SELECT o.* FROM outbox o JOIN submissions s ON s.id = o.submission_id "
                "WHERE s.tracking_code = :code ORDER BY o.id"), {"code": code}).mappings()]
    finally:
        engine.dispose()


def send_now(app) -> str:
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def resident_mail(smtp, count: int) -> list:
    return [d for d in smtp.mailbox.wait_for(count, timeout=5)
            if d["to"] == [RESIDENT["email"]]]


def test_a_resident_hears_at_each_step_and_can_stop(make_app, smtp, database_url, signed_in):
    app = make_app(**mail_settings(smtp.port, smtp.ca_file, NOTIFY_EMAIL=""))
    triager = signed_in("triager")
    code = send_feedback(triager, **RESIDENT)
    quiet = send_feedback(triager, message="No reply wanted, thank you.",
                          email="bo@example.org")
    url = f"/inbox/items/{item_id(database_url, code)}"
    assert outbox_rows(database_url, code) == []  # received: the confirmation page says so

    assert post(triager, f"{url}/move", {"to": "triaged"}).status_code == 303
    assert [r["event"] for r in outbox_rows(database_url, code)] == ["acknowledged"]
    assert "1 sent" in send_now(app)
    [first] = resident_mail(smtp, 1)
    message = first["message"]
    assert message["Subject"] == f"{code}: Staff have read what you sent"
    body = message.get_payload(decode=True).decode()
    assert f"https://transparency.example.gov/feedback/status/{code}" in body
    stop_link = message["List-Unsubscribe"].strip("<>")
    assert stop_link.startswith(f"https://transparency.example.gov/feedback/status/{code}/stop")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Please say how long" not in body  # never what they wrote

    assert post(triager, f"{url}/resolve", {"reason": "feedback-taken-up",
                                            "public_note": "We will add it."}).status_code == 303
    assert "1 sent" in send_now(app)
    decided = resident_mail(smtp, 2)[-1]["message"].get_payload(decode=True).decode()
    assert "A decision was made" in decided and "We will add it." in decided
    assert "0 sent" in send_now(app)  # nothing twice
    assert outbox_rows(database_url, quiet) == []

    page = page_text(triager.get(url))
    assert "Messages to the resident" in page and "sent 20" in page

    path = stop_link.removeprefix("https://transparency.example.gov")
    assert "Stop the messages" in page_text(triager.get(path))
    bad = triager.post(path.replace("token=", "token=x"))
    assert bad.status_code == 404
    one_click = triager.post(path, data="List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 303
    assert item(database_url, code)["messages_stopped_at"] is not None
    assert post(triager, f"{url}/reopen").status_code == 303
    assert post(triager, f"{url}/resolve", {"reason": "feedback-noted",
                                            "public_note": "Noted."}).status_code == 303
    assert len(outbox_rows(database_url, code)) == 2  # stopped: nothing new is queued


def test_the_message_is_committed_with_the_change_and_sent_once_after_a_kill(
        make_app, smtp, database_url, signed_in, tmp_path):
    """A worker killed between the commit and the send: the next `notify send` sends the
    message, once."""
    triager = signed_in("triager")
    code = send_report(triager, **RESIDENT)
    url = f"/inbox/items/{item_id(database_url, code)}"
    ready = tmp_path / "committed"
    # A separate process moves the item (committing the message), then waits to be killed
    # before anything could send it.
    script = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from feedback_api import create_app, db, outbox, triage
        from feedback_api.models import Submission
        app = create_app({json.dumps({"SECRET_KEY": "k" * 40, "DATABASE_URL": database_url,
                                       "SITE_DIR": ""})})
        with app.app_context():
            session = db.session()
            item = session.get(Submission, {item_id(database_url, code)})
            change = triage.move(item.state, "investigating")
            outbox.queue_change(session, item, change, "Staff have read what you sent",
                                event="acknowledged")
            for column, value in change.items():
                setattr(item, column, value)
            session.commit()
            Path({str(ready)!r}).write_text("yes")
            time.sleep(60)
    """)
    worker = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT,
                              start_new_session=True)
    try:
        for _ in range(300):
            if ready.exists():
                break
            worker.wait(timeout=0.1) if worker.poll() is not None else None
            import time
            time.sleep(0.1)
        assert ready.exists(), "the worker did not commit"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert item(database_url, code)["state"] == "investigating"
    [row] = outbox_rows(database_url, code)
    assert row["sent_at"] is None

    app = make_app(**mail_settings(smtp.port, smtp.ca_file, NOTIFY_EMAIL=""))
    assert "1 sent" in send_now(app)
    assert "0 sent" in send_now(app)
    assert len(resident_mail(smtp, 1)) == 1
    assert outbox_rows(database_url, code)[0]["sent_at"] is not None
    assert url  # the item the message is about


def test_a_message_that_cannot_be_sent_stays_due(make_app, database_url, signed_in):
    app = make_app(**mail_settings(1, NOTIFY_EMAIL=""))  # nothing listens on port 1
    triager = signed_in("triager")
    code = send_feedback(triager, **RESIDENT)
    post(triager, f"/inbox/items/{item_id(database_url, code)}/move", {"to": "triaged"})
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 1 and "1 not sent" in result.output
    [row] = outbox_rows(database_url, code)
    assert row["sent_at"] is None and row["attempts"] == 1 and row["last_error"]
    assert row["claimed_at"] is None  # the next run tries again


def test_an_address_erased_before_sending_is_never_written_to(make_app, smtp, database_url,
                                                              signed_in):
    triager = signed_in("triager")
    code = send_feedback(triager, **RESIDENT)
    post(triager, f"/inbox/items/{item_id(database_url, code)}/move", {"to": "triaged"})
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(update(Submission).where(Submission.tracking_code == code)
                           .values(email=None))
    engine.dispose()
    app = make_app(**mail_settings(smtp.port, smtp.ca_file, NOTIFY_EMAIL=""))
    assert "1 cancelled" in send_now(app)
    assert resident_mail(smtp, 1) == []


def test_reopen_once_within_the_window_audited(signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    url = f"/inbox/items/{item_id(database_url, code)}"
    assert post(triager, f"{url}/dismiss", {"reason": "not-a-violation"}).status_code == 303
    resident = triager.application.test_client()
    page = resident.get(f"/report/status/{code}").get_data(as_text=True)
    assert "Ask us to look at it again" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    reopen = f"/report/status/{code}/reopen"

    short = resident.post(reopen, data={"csrf_token": token, "reason": "wrong"})
    assert short.status_code == 422 and "10 to 2,000 characters" in page_text(short)
    done = resident.post(reopen, data={"csrf_token": token,
                                       "reason": "The post is still up and still rude."})
    assert done.status_code == 303
    row = item(database_url, code)
    assert row["state"] == "triaged" and row["reopen_requested_at"] is not None
    staff_page = page_text(triager.get(url))
    assert "The resident asked to reopen it: The post is still up and still rude." in staff_page
    assert "Reopen requested" in staff_page or "reopen-requested" in staff_page

    assert post(triager, f"{url}/dismiss", {"reason": "not-a-violation"}).status_code == 303
    page = resident.get(f"/report/status/{code}").get_data(as_text=True)
    assert "Ask us to look at it again" not in page  # once only
    again = resident.post(reopen, data={"csrf_token": token, "reason": "Please look again!"})
    assert again.status_code == 409 and "once, within 30 days" in page_text(again)
    no_token = resident.post(reopen, data={"reason": "No token here at all."})
    assert no_token.status_code == 400


def test_reopen_is_closed_after_thirty_days(signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    post(triager, f"/inbox/items/{item_id(database_url, code)}/dismiss",
         {"reason": "not-a-violation"})
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(update(Submission).where(Submission.tracking_code == code).values(
            closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31)))
    engine.dispose()
    page = triager.get(f"/report/status/{code}").get_data(as_text=True)
    assert "Ask us to look at it again" not in page


def test_stop_tokens_belong_to_one_code():
    token = outbox.stop_token("secret", "SMR-AAAA-BBBB-CCCC-DDDD")
    assert outbox.stop_token_ok("secret", "SMR-AAAA-BBBB-CCCC-DDDD", token)
    assert not outbox.stop_token_ok("secret", "SMR-AAAA-BBBB-CCCC-DDDE", token)
    assert not outbox.stop_token_ok("other", "SMR-AAAA-BBBB-CCCC-DDDD", token)
