"""A tiny SMTP server for tests: enough of RFC 5321 for `smtplib` to deliver a message,
on a loopback port, keeping every message it receives. Optionally it asks for AUTH PLAIN,
offers STARTTLS (RFC 3207) or speaks TLS from the first byte, with a throwaway self-signed
certificate (`self_signed_certificate`, made with openssl). It keeps what each client sent
before the connection was encrypted, so a test can tell whether a password crossed the
network in cleartext.
"""

from __future__ import annotations

import base64
import socketserver
import ssl
import subprocess
import threading
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid for a day, and its key."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture(scope="session")
def smtp_certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A throwaway certificate for the test mail servers: (cert, key)."""
    return self_signed_certificate(tmp_path_factory.mktemp("smtp-tls"))


class Mailbox:
    def __init__(self):
        self.messages: list[dict] = []
        self.arrived = threading.Condition()

    def wait_for(self, count: int, timeout: float = 10) -> list[dict]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def read_line(self) -> bytes:
        line = self.rfile.readline()
        if not self.encrypted:
            with self.server.lock:
                self.server.cleartext.append(line)
        return line

    def handle(self) -> None:
        server: SMTPServer = self.server  # type: ignore[assignment]
        self.encrypted = server.tls == "implicit"
        if self.encrypted:
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError):
                return  # the client did not trust the certificate
        self.reply("220 test.smtp ready")
        sender, recipients, authenticated = None, [], None
        while True:
            line = self.read_line()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                lines = ["test.smtp"]
                if server.tls == "starttls" and not self.encrypted:
                    lines.append("STARTTLS")
                if server.credentials and (self.encrypted or server.auth_in_cleartext):
                    lines.append("AUTH PLAIN")
                lines.append("8BITMIME")
                for n, text in enumerate(lines):
                    self.reply(f"250{' ' if n == len(lines) - 1 else '-'}{text}")
            elif verb == "HELO":
                self.reply("250 test.smtp")
            elif verb == "STARTTLS" and server.tls == "starttls" and not self.encrypted:
                self.reply("220 2.0.0 Ready to start TLS")
                try:
                    self.connection = self.request = server.context.wrap_socket(
                        self.connection, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client did not trust the certificate
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                self.encrypted = True
                sender, recipients, authenticated = None, [], None
            elif verb == "AUTH":
                with server.lock:
                    server.auth_attempts.append({"encrypted": self.encrypted})
                parts = command.split(" ")
                user, password = base64.b64decode(parts[2]).split(b"\0")[1:]
                if (user.decode(), password.decode()) == server.credentials:
                    authenticated = user.decode()
                    self.reply("235 2.7.0 Authentication successful")
                else:
                    self.reply("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                if server.credentials and not authenticated:
                    self.reply("530 5.7.0 Authentication required")
                    continue
                sender = command.split(":", 1)[1].strip().strip("<>").split(">")[0]
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.read_line()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                raw = b"".join(lines)
                with server.mailbox.arrived:
                    server.mailbox.messages.append({
                        "from": sender, "to": recipients, "user": authenticated,
                        "encrypted": self.encrypted, "message": message_from_bytes(raw)})
                    server.mailbox.arrived.notify_all()
                self.reply("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SMTPServer(socketserver.ThreadingTCPServer):
    """`tls`: None (cleartext only), "starttls" (offers STARTTLS) or "implicit" (TLS from
    the first byte); both need `certificate`, (cert, key). With `credentials`, AUTH PLAIN
    is offered once the connection is encrypted, or before with `auth_in_cleartext` (a
    server that would accept a password in cleartext)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, credentials: tuple[str, str] | None = None, tls: str | None = None,
                 certificate: tuple[Path, Path] | None = None,
                 auth_in_cleartext: bool = False):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.credentials = credentials
        self.tls = tls
        self.auth_in_cleartext = auth_in_cleartext or tls is None
        self.context = None
        if tls:
            assert certificate, "a TLS server needs a certificate"
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(*map(str, certificate))
        self.mailbox = Mailbox()
        self.lock = threading.Lock()
        self.cleartext: list[bytes] = []  # every line clients sent before encrypting
        self.auth_attempts: list[dict] = []
        self.port = self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def get_request(self):
        connection, address = super().get_request()
        if self.tls == "implicit":  # the handshake happens in the handler's thread
            connection = self.context.wrap_socket(connection, server_side=True,
                                                  do_handshake_on_connect=False)
        return connection, address

    def said_in_cleartext(self, text: str) -> bool:
        """Whether a client sent `text` (or its base64 in an AUTH PLAIN) unencrypted."""
        with self.lock:
            sent = b"".join(self.cleartext)
        if text.encode() in sent:
            return True
        for line in sent.split(b"\r\n"):
            parts = line.split(b" ")
            if len(parts) == 3 and parts[0].upper() == b"AUTH":
                try:
                    if text.encode() in base64.b64decode(parts[2]):
                        return True
                except ValueError:
                    pass
        return False

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def body_of(message: Message) -> str:
    return message.get_content() if hasattr(message, "get_content") else \
        message.get_payload(decode=True).decode()
