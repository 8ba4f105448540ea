"""`flask users`: passwords that are long and hard to guess, addresses that are addresses,
roles changed on the command line (audited; the last admin stays one), and every refusal a
clear message with exit status 1, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from feedback_api.models import StaffMember
from tests.api.conftest import ROOT
from tests.inbox.conftest import EMAILS, csrf_token, empty_inbox, sign_in

FLASK = Path(sys.executable).with_name("flask")
GOOD = "correct horse battery staple"


def users(app, *args: str, password: str | None = None):
    result = app.test_cli_runner().invoke(
        args=["users", *args], input=None if password is None else password + "\n")
    assert "Traceback" not in result.output
    return result


def refused(result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: "), result.output
    for word in words:
        assert word in result.output, (word, result.output)
    return result.output


def accounts(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(select(StaffMember.email, StaffMember.role)).all())
    finally:
        engine.dispose()


@pytest.mark.parametrize("password, words", [
    (" " * 12, ["empty or only spaces"]),
    (" " * 40, ["empty or only spaces"]),
    ("   eleven ch   ", ["at least 12 characters", "not counting spaces"]),
    ("password1234", ["too easy to guess", "very common password"]),
    ("qwertyuiop123", ["too easy to guess"]),
    ("ana.garcia2026", ["too easy to guess", "address"]),  # the account's own address
    ("cabqtransparency", ["too easy to guess"]),
    ("a" * 30, ["too easy to guess", "repeats"]),
    ("tab\tin the middle of it", ["control character U+0009"]),
])
def test_a_weak_password_is_refused_with_the_reason(app, database_url, password, words):
    result = users(app, "create", "ana.garcia@cabq.gov", "--role", "admin", password=password)
    refused(result, *words)
    assert accounts(database_url) == {}
    assert password.strip() not in result.output or not password.strip()


def test_a_strong_password_is_taken_and_the_same_rules_apply_to_a_reset(app, database_url):
    assert users(app, "create", "ana.garcia@cabq.gov", "--role", "admin",
                 password=GOOD).exit_code == 0
    refused(users(app, "reset-password", "ana.garcia@cabq.gov", password=" " * 12),
            "empty or only spaces")
    refused(users(app, "reset-password", "ana.garcia@cabq.gov", password="password1234"),
            "very common password")
    assert sign_in(app.test_client(), "ana.garcia@cabq.gov", GOOD).status_code == 303
    done = users(app, "reset-password", "ana.garcia@cabq.gov",
                 password="plum lantern seventeen gravel")
    assert done.exit_code == 0 and "sessions have ended" in done.output


@pytest.mark.parametrize("address, words", [
    ("ana<script>@cabq.gov", ["contains '<'"]),
    ("ana@cabq.gov>", ["contains '>'"]),
    ("Ana Garcia <ana@cabq.gov>", ["contains a space"]),
    ("ana garcia@cabq.gov", ["contains a space"]),
    ("ana\x07@cabq.gov", ["control character U+0007"]),
    ("ana@@cabq.gov", ["more than one @"]),
    ("ana.cabq.gov", ["exactly one @"]),
    ("ana@cabq", ["needs a dot"]),
    ("ana@cabq..gov", ["after the @"]),
    ("ana..garcia@cabq.gov", ["before the @"]),
    ("@cabq.gov", ["nothing before the @"]),
    ("   ", ["Give an email address"]),
])
def test_an_address_that_is_not_one_is_refused_with_the_reason(app, database_url, address,
                                                               words):
    refused(users(app, "create", address, "--role", "viewer", password=GOOD), *words)
    assert accounts(database_url) == {}


def test_set_role_changes_a_role_and_is_audited(app, database_url, audit_mark):
    for email, role in (("ana.garcia@cabq.gov", "admin"), ("tom.nguyen@cabq.gov", "viewer")):
        assert users(app, "create", email, "--role", role, password=GOOD).exit_code == 0
    promoted = users(app, "set-role", "Tom.Nguyen@cabq.gov", "--role", "triager")
    assert promoted.exit_code == 0
    assert promoted.output == "tom.nguyen@cabq.gov is now a triager (was a viewer).\n"
    assert accounts(database_url)["tom.nguyen@cabq.gov"] == "triager"
    listed = users(app, "list").output
    assert any(line.split()[:2] == ["tom.nguyen@cabq.gov", "triager"]
               for line in listed.splitlines())
    [event] = [e for e in audit_mark() if e["action"] == "staff-role-changed"]
    assert event["actor"] == "command line"
    assert json.loads(event["detail"]) == {"email": "tom.nguyen@cabq.gov", "from": "viewer",
                                           "to": "triager"}

    client = app.test_client()  # the new role counts at once, without signing in again
    assert sign_in(client, "tom.nguyen@cabq.gov", GOOD).status_code == 303
    assert users(app, "set-role", "tom.nguyen@cabq.gov", "--role", "viewer").exit_code == 0
    denied = client.post("/inbox/bulk", data={"csrf_token": csrf_token(client, "/inbox/")})
    assert denied.status_code == 403


def test_the_last_active_admin_stays_an_admin(app, database_url):
    assert users(app, "create", EMAILS["admin"], "--role", "admin", password=GOOD).exit_code == 0
    refused(users(app, "set-role", EMAILS["admin"], "--role", "triager"),
            "only active admin", "make another account admin first")
    assert accounts(database_url)[EMAILS["admin"]] == "admin"
    assert users(app, "create", "ana.garcia@cabq.gov", "--role", "viewer",
                 password=GOOD).exit_code == 0
    assert users(app, "set-role", "ana.garcia@cabq.gov", "--role", "admin").exit_code == 0
    assert users(app, "set-role", EMAILS["admin"], "--role", "triager").exit_code == 0
    refused(users(app, "set-role", "ana.garcia@cabq.gov", "--role", "viewer"),
            "only active admin")


def test_set_role_refusals(app):
    assert users(app, "create", EMAILS["triager"], "--role", "triager",
                 password=GOOD).exit_code == 0
    refused(users(app, "set-role", EMAILS["triager"], "--role", "triager"),
            "already a triager", "nothing was changed")
    refused(users(app, "set-role", "nobody@cabq.gov", "--role", "admin"),
            "No account has the address 'nobody@cabq.gov'")
    unknown_role = users(app, "set-role", EMAILS["triager"], "--role", "boss")
    assert unknown_role.exit_code == 2 and "'boss' is not one of" in unknown_role.output


def test_a_refusal_from_the_real_command_is_a_message_not_a_traceback(sqlite_database,
                                                                      tmp_path):
    empty_inbox(sqlite_database)
    env = {**os.environ, "DATABASE_URL": sqlite_database, "INSTANCE_PATH": str(tmp_path)}
    for args, typed in ((["create", "x<y@cabq.gov", "--role", "viewer"], GOOD),
                        (["create", "vera@cabq.gov", "--role", "viewer"], " " * 12)):
        result = subprocess.run([str(FLASK), "--app", "feedback_api", "users", *args],
                                input=typed + "\n", env=env, cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    assert accounts(sqlite_database) == {}

