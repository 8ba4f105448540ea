"""The loop closed, end to end: a resident's feedback, a revision that responds to it
published through git and built, and the resident's status saying where it led. A real
git repository, a real build, a real gunicorn on a real SQLite file, and a real mail
server for the message the resident asked for."""

from __future__ import annotations

import json

from feedback_api import create_app
from feedback_api.db import make_engine, upgrade
from site_builder.build import build_site
from site_builder.cli import main
from tests.api.conftest import SECRET, http
from tests.conftest import CONTENT
from tests.history.conftest import Repo
from tests.inbox.smtp import SMTPServer
from tools.docs_commands import add_to_clause


def test_feedback_led_to_a_revision_and_the_resident_can_see_it(tmp_path, gunicorn,
                                                                monkeypatch, capsys):
    repo = Repo(tmp_path / "repo")
    for folder in ("policies", "registries"):  # the shipped content, as the app reads it
        for file in (CONTENT / folder).iterdir():
            repo.write(f"{folder}/{file.name}", file.read_text())
    repo.commit("Import the policies", "2026-01-05")
    site = tmp_path / "site"
    build_site(repo.content, site, log=lambda _: None)

    database = f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    server = gunicorn({"DATABASE_URL": database, "CONTENT_DIR": str(repo.content),
                       "SITE_DIR": str(site), "RATELIMIT_STORAGE_URI": "memory://"})

    status, _, body = http("POST", f"{server.url}/api/v1/feedback", json.dumps({
        "policy_id": "ai-1-19", "section": "k-c", "email": "ana@example.org",
        "wants_reply": True,
        "message": "Please say how long removed comments are kept."}).encode(),
        {"Content-Type": "application/json"})
    assert status == 201, body
    code = json.loads(body)["tracking_code"]
    status, _, body = http("GET", f"{server.url}/api/v1/status/{code}")
    assert json.loads(body)["led_to"] == []

    # Staff revise §K.c in response, citing the feedback, check and build.
    policy = repo.content / "policies" / "ai-1-19.md"
    policy.write_text(add_to_clause(policy.read_text(), "K", "c",
                                    "Removed comments are kept for one year."))
    monkeypatch.setenv("DATABASE_URL", database)
    assert main(["revise", "ai-1-19", "--note", "§K.c: how long removed comments are kept.",
                 "--responds-to", code.lower(), "--commit",
                 "--content", str(repo.content)]) == 0, capsys.readouterr()
    assert main(["check", "--content", str(repo.content)]) == 0, capsys.readouterr()
    build_site(repo.content, site, log=lambda _: None)

    data = json.loads((site / "data/policies.json").read_text())
    versions = next(p for p in data["policies"] if p["id"] == "ai-1-19")["versions"]
    assert versions[-1]["responds_to"] == [code]
    number = versions[-1]["number"]

    status, _, body = http("GET", f"{server.url}/api/v1/status/{code}")
    found = json.loads(body)
    assert found["state_label"] == "Led to a revision"
    assert found["led_to"] == [{
        "policy_id": "ai-1-19", "version": number,
        "url": f"/policies/ai-1-19/versions/{number}/",
        "diff_url": f"/policies/ai-1-19/versions/{number}/changes/"}]
    for revision in found["led_to"]:  # each link resolves in the built site
        for url in (revision["url"], revision["diff_url"]):
            page = (site / url.strip("/") / "index.html").read_text()
            assert f'href="/feedback/status/{code}"' in page
            assert "responds to 1 piece of public feedback" in page
    status, _, page = http("GET", f"{server.url}/feedback/status/{code}")
    assert status == 200
    assert b"Led to a revision" in page
    assert f'href="/policies/ai-1-19/versions/{number}/"'.encode() in page

    # The resident asked for a reply: the timer's `notify send` notices the revision in the
    # open data, puts the message in the outbox and sends it to the mail server.
    mail = SMTPServer()
    try:
        sender = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": database,
                             "CONTENT_DIR": str(repo.content), "SITE_DIR": str(site),
                             "SMTP_HOST": "127.0.0.1", "SMTP_PORT": mail.port,
                             "SMTP_TLS": "off", "SITE_URL": "https://abq.example.gov"})
        result = sender.test_cli_runner().invoke(args=["notify", "send"])
        assert result.exit_code == 0, result.output
        assert "1 sent" in result.output and "(1 new about revisions)" in result.output
        [delivered] = mail.mailbox.wait_for(1)
        assert delivered["to"] == ["ana@example.org"]
        message = delivered["message"]
        assert message["Subject"] == (f"{code}: Your feedback led to a revision: version "
                                      f"{number} of the policy responds to it")
        assert f"https://abq.example.gov/feedback/status/{code}" in \
            message.get_payload(decode=True).decode()
        again = sender.test_cli_runner().invoke(args=["notify", "send"])
        assert "0 sent" in again.output and "(0 new about revisions)" in again.output
        sender.extensions["db_engine"].dispose()
    finally:
        mail.stop()
