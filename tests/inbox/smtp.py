"""A tiny SMTP server for tests: enough of RFC 5321 for `smtplib` to deliver a message,
on a loopback port, keeping every message it receives. Optionally it asks for AUTH PLAIN.
"""

from __future__ import annotations

import base64
import socketserver
import threading
from email import message_from_bytes
from email.message import Message


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

    def handle(self) -> None:
        server: SMTPServer = self.server  # type: ignore[assignment]
        self.reply("220 test.smtp ready")
        sender, recipients, authenticated = None, [], None
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-test.smtp\r\n")
                if server.credentials:
                    self.wfile.write(b"250-AUTH PLAIN\r\n")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 test.smtp")
            elif verb == "AUTH":
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
                    data = self.rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                raw = b"".join(lines)
                with server.mailbox.arrived:
                    server.mailbox.messages.append({
                        "from": sender, "to": recipients, "user": authenticated,
                        "message": message_from_bytes(raw)})
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
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, credentials: tuple[str, str] | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.credentials = credentials
        self.mailbox = Mailbox()
        self.port = self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def body_of(message: Message) -> str:
    return message.get_content() if hasattr(message, "get_content") else \
        message.get_payload(decode=True).decode()
