"""Retention on a database with items of many ages and one on legal hold, through
`flask retention apply`; and the `flask users` commands."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from feedback_api import retention
from tests.conftest import ROOT
from tests.inbox.conftest import NOW, empty_inbox, item, seed

FLASK = Path(sys.executable).with_name("flask")
DAY = dt.timedelta(days=1)


def ago(days: int) -> dt.datetime:
    return NOW - days * DAY


def contact(**row) -> dict:
    return {"name": "Ana Resident", "email": "ana@example.org", "wants_reply": True,
            "message": "Ana Resident here, ana@example.org, 505-555-0123: the post was rude.",
            **row}


def test_retention_on_items_of_many_ages(app, database_url, monkeypatch):
    codes = dict(zip([
        "open-old", "fresh-closed", "closed-400", "closed-400-held", "closed-1200",
        "closed-1200-held", "spam-400", "spam-2000", "closed-200",
    ], seed(database_url, [
        contact(created_at=ago(1500), state="investigating"),
        contact(created_at=ago(20), state="resolved", closed_at=ago(10)),
        contact(created_at=ago(420), state="dismissed", closed_at=ago(400)),
        contact(created_at=ago(420), state="resolved", closed_at=ago(400), legal_hold=True),
        contact(created_at=ago(1300), state="resolved", closed_at=ago(1200)),
        contact(created_at=ago(1300), state="resolved", closed_at=ago(1200), legal_hold=True),
        contact(created_at=ago(400), is_spam=True, spam_reason="honeypot"),
        contact(created_at=ago(2000), is_spam=True, spam_reason="honeypot"),
        contact(created_at=ago(300), state="resolved", closed_at=ago(200)),
    ]), strict=True))
    engine = create_engine(database_url)
    with engine.begin() as connection:
        closed_id = item(database_url, codes["closed-400"])["id"]
        connection.execute(text(
            "INSERT INTO item_notes (submission_id, author_email, body, created_at) VALUES "
            "(:id, 'tom.triager@cabq.gov', 'Rang ana@example.org back.', :at)"),
            {"id": closed_id, "at": ago(400)})
    monkeypatch.setattr(retention, "utcnow", lambda: NOW)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would anonymise 2 items." in dry.output and "Would delete 2 items." in dry.output
    assert "Kept 2 items on legal hold" in dry.output and "nothing was changed" in dry.output
    assert item(database_url, codes["closed-400"])["email"] == "ana@example.org"

    done = runner.invoke(args=["retention", "apply"])
    assert done.exit_code == 0, done.output
    assert "Anonymised 2 items." in done.output and "Deleted 2 items." in done.output

    for name in ("closed-400", "spam-400"):
        row = item(database_url, codes[name])
        assert (row["name"], row["email"], row["wants_reply"], row["client_hash"]) == \
            (None, None, False, "")
        assert row["message"] == ("[name removed] here, [email removed], [phone removed]: "
                                  "the post was rude.")
        assert row["anonymised_at"] is not None
    for name in ("closed-1200", "spam-2000"):
        with engine.connect() as connection:
            found = connection.execute(text("SELECT count(*) FROM submissions WHERE "
                                            "tracking_code = :c"), {"c": codes[name]})
            assert found.scalar_one() == 0
    for name in ("open-old", "fresh-closed", "closed-200", "closed-400-held",
                 "closed-1200-held"):
        row = item(database_url, codes[name])
        assert row["email"] == "ana@example.org" and "Ana Resident" in row["message"], name
    with engine.connect() as connection:
        note = connection.execute(text("SELECT body FROM item_notes WHERE submission_id = :id"),
                                  {"id": closed_id}).scalar_one()
        assert note == "Rang [email removed] back."
        logged = connection.execute(text(
            "SELECT action, actor FROM audit_events WHERE tracking_code IN (:a, :b)"),
            {"a": codes["closed-400"], "b": codes["closed-1200"]}).all()
    engine.dispose()
    assert sorted(logged) == [("anonymised", "retention"), ("deleted", "retention")]

    again = runner.invoke(args=["retention", "apply"])  # safe to run daily
    assert "Anonymised 0 items." in again.output and "Deleted 0 items." in again.output
    assert "Kept 2 items on legal hold" in again.output


def test_retention_ages_come_from_the_configuration(make_app, database_url, monkeypatch):
    app = make_app(RETENTION_ANONYMISE_DAYS=30, RETENTION_DELETE_DAYS=90)
    [code] = seed(database_url, [contact(state="resolved", created_at=ago(50),
                                         closed_at=ago(40))])
    monkeypatch.setattr(retention, "utcnow", lambda: NOW)
    result = app.test_cli_runner().invoke(args=["retention", "apply"])
    assert "anonymise 30 days after closing, delete after 90 days" in result.output
    assert item(database_url, code)["email"] is None


# ---------------------------------------------------------------------------------------
# flask users


def test_users_commands_read_the_password_from_stdin(app, database_url):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "Ana.Admin@cabq.gov", "--role", "admin"],
                            input="a long admin passphrase\n")
    assert created.exit_code == 0, created.output
    assert created.output.strip() == "Created admin ana.admin@cabq.gov."
    short = runner.invoke(args=["users", "create", "tom@cabq.gov", "--role", "triager"],
                          input="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    again = runner.invoke(args=["users", "create", "ana.admin@cabq.gov", "--role", "viewer"],
                          input="another long passphrase\n")
    assert again.exit_code == 1 and "already has an account" in again.output
    no_argument = runner.invoke(args=["users", "create", "x@cabq.gov", "--role", "admin",
                                      "a password on the command line"])
    assert no_argument.exit_code == 2
    bad_role = runner.invoke(args=["users", "create", "x@cabq.gov", "--role", "boss"])
    assert bad_role.exit_code == 2

    listed = runner.invoke(args=["users", "list"])
    assert "ana.admin@cabq.gov" in listed.output and "admin" in listed.output
    assert "active" in listed.output and "never" in listed.output
    disabled = runner.invoke(args=["users", "disable", "ana.admin@cabq.gov"])
    assert disabled.exit_code == 0 and "cannot sign in" in disabled.output
    assert "disabled" in runner.invoke(args=["users", "list"]).output
    reset = runner.invoke(args=["users", "reset-password", "ana.admin@cabq.gov"],
                          input="a brand new passphrase\n")
    assert reset.exit_code == 0 and "sessions have ended" in reset.output
    missing = runner.invoke(args=["users", "disable", "nobody@cabq.gov"])
    assert missing.exit_code == 1 and "No account has the address" in missing.output


def test_flask_users_create_as_a_real_command(sqlite_database, tmp_path):
    # One real process, on SQLite: the commands' logic runs on both databases above.
    empty_inbox(sqlite_database)
    env = {**os.environ, "DATABASE_URL": sqlite_database, "INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run(
        [str(FLASK), "--app", "feedback_api", "users", "create", "vera@cabq.gov", "--role",
         "viewer"], input="a viewer's passphrase\n", env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Created viewer vera@cabq.gov.\n"
    assert "passphrase" not in result.stdout + result.stderr
