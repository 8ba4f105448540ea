"""The mail to staff is encrypted unless told otherwise, and the mail password never
crosses the network in cleartext unless explicitly allowed: against real (local) SMTP
servers that offer STARTTLS, speak TLS from the start, or offer neither, with a throwaway
self-signed certificate."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from feedback_api import notify
from feedback_api.config import ConfigError
from tests.inbox.conftest import seed, send_report
from tests.inbox.smtp import SMTPServer, smtp_certificate  # noqa: F401  (a fixture)

PASSWORD = "mail password"
CREDENTIALS = ("inbox", PASSWORD)


@pytest.fixture
def servers(smtp_certificate):  # noqa: F811
    """Start test mail servers: servers(tls=..., credentials=..., auth_in_cleartext=...)."""
    started = []

    def start(**options) -> SMTPServer:
        server = SMTPServer(certificate=smtp_certificate, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def ca_file(smtp_certificate) -> str:  # noqa: F811
    return str(smtp_certificate[0])


def settings(server: SMTPServer, **overrides) -> dict:
    return {"NOTIFY_EMAIL": "comms-triage@cabq.gov", "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": server.port, "SMTP_USER": "inbox", "SMTP_PASSWORD": PASSWORD,
            "SITE_URL": "https://transparency.example.gov", **overrides}


def report_and_wait(app) -> None:
    send_report(app.test_client())
    notify.wait(app)


def test_by_default_the_connection_is_upgraded_before_the_password_is_sent(
        make_app, servers, ca_file):
    server = servers(tls="starttls", credentials=CREDENTIALS, auth_in_cleartext=True)
    app = make_app(**settings(server, SMTP_CA_FILE=ca_file))
    report_and_wait(app)
    [delivered] = server.mailbox.wait_for(1)
    assert delivered["encrypted"] and delivered["user"] == "inbox"
    assert server.auth_attempts == [{"encrypted": True}]
    assert not server.said_in_cleartext(PASSWORD)
    assert not server.said_in_cleartext("New report of a possible violation")


def test_a_server_without_starttls_gets_no_password_and_no_email(make_app, servers,
                                                                  ca_file, caplog):
    # A server that would take the password in cleartext (or someone in the middle who
    # strips STARTTLS from the server's answer).
    server = servers(tls=None, credentials=CREDENTIALS)
    app = make_app(**settings(server, SMTP_CA_FILE=ca_file))
    with caplog.at_level(logging.ERROR, logger="feedback_api.notify"):
        report_and_wait(app)
    assert server.mailbox.wait_for(1, timeout=0.5) == []
    assert server.auth_attempts == []
    assert not server.said_in_cleartext(PASSWORD)
    assert "does not offer STARTTLS" in caplog.text and "SMTP_TLS=implicit" in caplog.text


def test_a_certificate_that_cannot_be_trusted_gets_no_password(make_app, servers, caplog):
    server = servers(tls="starttls", credentials=CREDENTIALS)
    app = make_app(**settings(server))  # the system's certificates only
    with caplog.at_level(logging.ERROR, logger="feedback_api.notify"):
        report_and_wait(app)
    assert server.mailbox.wait_for(1, timeout=0.5) == []
    assert server.auth_attempts == [] and not server.said_in_cleartext(PASSWORD)
    assert "certificate verify failed" in caplog.text


def test_implicit_tls(make_app, servers, ca_file):
    server = servers(tls="implicit", credentials=CREDENTIALS)
    app = make_app(**settings(server, SMTP_TLS="implicit", SMTP_CA_FILE=ca_file))
    report_and_wait(app)
    [delivered] = server.mailbox.wait_for(1)
    assert delivered["encrypted"] and delivered["user"] == "inbox"
    assert server.cleartext == []  # not a byte before the handshake


def test_the_older_smtp_starttls_setting_still_works(make_app, servers, ca_file):
    server = servers(tls="starttls", credentials=CREDENTIALS)
    app = make_app(**settings(server, SMTP_STARTTLS="true", SMTP_CA_FILE=ca_file))
    report_and_wait(app)
    [delivered] = server.mailbox.wait_for(1)
    assert delivered["encrypted"] and not server.said_in_cleartext(PASSWORD)


@pytest.mark.parametrize("plain", [{"SMTP_TLS": "off"}, {"SMTP_STARTTLS": "false"},
                                   {"SMTP_TLS": "OFF", "SMTP_STARTTLS": "0"}])
def test_a_password_without_tls_stops_the_start_naming_the_setting(make_app, servers,
                                                                   plain):
    server = servers(tls=None, credentials=CREDENTIALS)
    with pytest.raises(ConfigError, match="SMTP_ALLOW_PLAINTEXT_AUTH=1"):
        make_app(**settings(server, **plain))


def test_a_relay_on_this_machine_may_take_the_password_in_cleartext_when_allowed(
        make_app, servers):
    server = servers(tls=None, credentials=CREDENTIALS)
    app = make_app(**settings(server, SMTP_TLS="off", SMTP_ALLOW_PLAINTEXT_AUTH="1"))
    report_and_wait(app)
    [delivered] = server.mailbox.wait_for(1)
    assert not delivered["encrypted"] and delivered["user"] == "inbox"


def test_a_relay_without_a_password_may_be_plain(make_app, servers):
    server = servers(tls=None)
    app = make_app(**settings(server, SMTP_TLS="off", SMTP_USER="", SMTP_PASSWORD=""))
    report_and_wait(app)
    [delivered] = server.mailbox.wait_for(1)
    assert not delivered["encrypted"] and delivered["user"] is None


@pytest.mark.parametrize("bad,named", [
    ({"SMTP_TLS": "ssl"}, "SMTP_TLS must be starttls, implicit or off"),
    ({"SMTP_TLS": "implicit", "SMTP_STARTTLS": "true"}, "SMTP_STARTTLS=true and SMTP_TLS"),
    ({"SMTP_ALLOW_PLAINTEXT_AUTH": "maybe"}, "SMTP_ALLOW_PLAINTEXT_AUTH must be true or false"),
    ({"SMTP_CA_FILE": "/nonexistent/ca.pem"}, "SMTP_CA_FILE"),
])
def test_settings_that_cannot_be_used_stop_the_start(make_app, servers, bad, named):
    server = servers(tls="starttls", credentials=CREDENTIALS)
    with pytest.raises(ConfigError, match=named):
        make_app(**settings(server, **bad))


def test_each_mode_has_its_usual_port():
    base = {"NOTIFY_EMAIL": "a@cabq.gov", "SMTP_HOST": "mail.cabq.gov"}
    assert notify.mailer_from(base).port == 587
    assert notify.mailer_from({**base, "SMTP_TLS": "implicit"}).port == 465
    assert notify.mailer_from({**base, "SMTP_TLS": "off"}).port == 25
    assert notify.mailer_from({**base, "SMTP_STARTTLS": False}).port == 25
    assert notify.mailer_from({**base, "SMTP_PORT": 2525}).port == 2525


def test_the_timer_command_says_why_nothing_was_sent(make_app, servers, ca_file,
                                                     database_url, caplog):
    seed(database_url, [{"created_at": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)}])
    server = servers(tls=None, credentials=CREDENTIALS)
    app = make_app(**settings(server, SMTP_CA_FILE=ca_file))
    with caplog.at_level(logging.ERROR, logger="feedback_api.notify"):
        result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 1 and "1 could not be sent" in result.output
    assert "does not offer STARTTLS" in caplog.text
    assert not server.said_in_cleartext(PASSWORD)
