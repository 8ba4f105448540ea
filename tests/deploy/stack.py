"""deploy/nginx.conf and deploy/nginx-inbox.conf as shipped, run by a real nginx in front
of a real gunicorn.

The config is the shipped files with only what they mark as site-specific replaced (listen
ports, server names, the `# PATH` lines, the upstream address, the log paths), each
replacement checked to have found its line, so a change to a file's shape fails here
instead of being worked around. Both files are included in a main config like Debian's
(mime types, an http-level access log), as two sites, and checked with `nginx -t` before
nginx runs in the foreground. The site answers as HOST, the inbox's own server as
INBOX_HOST, on the same ports (one certificate names both). Behind them: gunicorn with
deploy/gunicorn.conf.py, TRUSTED_PROXIES=1, SQLite.

The nginx tests use it, and so does the Lighthouse benchmark, which measures pages as
residents get them.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from feedback_api.db import make_engine, upgrade
from tests.api.conftest import Gunicorn
from tests.conftest import ROOT, free_port, port_open
from tests.reliability.servers import serving, wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SHIPPED = ROOT / "deploy" / "nginx.conf"
SHIPPED_INBOX = ROOT / "deploy" / "nginx-inbox.conf"
HOST = "transparency.test"
INBOX_HOST = "inbox.transparency.test"
INBOX_ORIGIN = f"https://{INBOX_HOST}"
TIMEOUT = 10
# nginx 1.25.1 and later deprecate `listen ... http2`; the file keeps it for Debian 12's 1.22.
ALLOWED_WARNINGS = re.compile(r'the "listen \.\.\. http2" directive is deprecated')


def nginx_available() -> bool:
    return os.access(NGINX, os.X_OK)


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------------
# The config under test


def substitute(text: str, pattern: str, replacement: str, count: int = 1,
               name: str = "deploy/nginx.conf") -> str:
    """Replace the lines matching `pattern`; exactly `count` of them must be there."""
    new, found = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert found == count, (
        f"{name} changed shape: {found} line(s) match {pattern!r}, expected "
        f"{count}; update the substitutions in {Path(__file__).name}")
    return new


def _listen(text: str, name: str, *, http_port: int, https_port: int, ipv6: bool) -> str:
    """A shipped file's listen lines on this test's ports, on the loopback addresses."""
    text = substitute(text, r"^(\s*)listen 80;$", rf"\1listen 127.0.0.1:{http_port};", name=name)
    text = substitute(text, r"^(\s*)listen 443( ssl.*);$",
                      rf"\1listen 127.0.0.1:{https_port}\2;", name=name)
    # The IPv6 twins on ::1 when the machine has it, else left out.
    text = substitute(text, r"^(\s*)listen \[::\]:80;\n",
                      rf"\1listen [::1]:{http_port};\n" if ipv6 else "", name=name)
    return substitute(text, r"^(\s*)listen \[::\]:443( ssl.*);\n",
                      rf"\1listen [::1]:{https_port}\2;\n" if ipv6 else "", name=name)


def _paths(text: str, name: str, log: str, logs: Path, paths: dict[str, Path]) -> str:
    """A shipped file's access log and `# PATH` lines pointed at this test's files."""
    logged = len(re.findall(rf"^\s*access_log /var/log/nginx/{re.escape(log)} ", text,
                            flags=re.MULTILINE))
    assert logged >= 1, f"{name} no longer logs to {log}"
    text = substitute(text, rf"^(\s*)access_log /var/log/nginx/{re.escape(log)} ",
                      rf"\1access_log {logs}/{log} ", count=logged, name=name)
    marked = re.findall(r"^\s*(\S+)\s+\S+;\s*# PATH$", text, flags=re.MULTILINE)
    assert sorted(marked) == sorted(paths), (
        f"{name} marks {marked} with # PATH; this test knows {sorted(paths)}")
    for directive, path in paths.items():
        text = substitute(text, rf"^(\s*){directive}\s+\S+;(\s*# PATH)$",
                          rf"\1{directive} {path};\2", name=name)
    leftover = re.findall(r"^\s*[^#\s].*(?:/etc/|/var/|/srv/|/run/).*$", text, flags=re.MULTILINE)
    assert not leftover, f"{name} has paths this test does not replace: {leftover}"
    return text


def derived_config(*, http_port: int, https_port: int, upstream: str, cert: Path, key: Path,
                   site: Path, logs: Path, ipv6: bool) -> str:
    """deploy/nginx.conf with its site-specific lines pointed at this test's files and ports."""
    name = "deploy/nginx.conf"
    text = _listen(SHIPPED.read_text(), name, http_port=http_port, https_port=https_port,
                   ipv6=ipv6)
    text = substitute(text, r"^(\s*)server_name transparency\.example\.gov;$",
                      rf"\1server_name {HOST};", count=2)
    text = substitute(text, r"^(\s*)server 127\.0\.0\.1:8001;$", rf"\1server {upstream};")
    return _paths(text, name, "transparency.access.log", logs,
                  {"ssl_certificate": cert, "ssl_certificate_key": key, "root": site})


def derived_inbox_config(*, http_port: int, https_port: int, cert: Path, key: Path,
                         logs: Path, ipv6: bool) -> str:
    """deploy/nginx-inbox.conf likewise: the same ports as the site's, its own names."""
    name = "deploy/nginx-inbox.conf"
    text = _listen(SHIPPED_INBOX.read_text(), name, http_port=http_port,
                   https_port=https_port, ipv6=ipv6)
    text = substitute(text, r"^(\s*)server_name inbox\.transparency\.example\.gov;$",
                      rf"\1server_name {INBOX_HOST};", count=2, name=name)
    # The site's own name, where the inbox's host sends everything but the inbox.
    text = substitute(text, r"^(\s*)return 302 https://transparency\.example\.gov\$request_uri;$",
                      rf"\1return 302 https://{HOST}$request_uri;", name=name)
    return _paths(text, name, "transparency-inbox.access.log", logs,
                  {"ssl_certificate": cert, "ssl_certificate_key": key})


def main_config(folder: Path, *site_configs: Path) -> str:
    """A minimal main config around the sites, like Debian's /etc/nginx/nginx.conf."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # the temp folders are 0700
    temp = "\n".join(f"    {kind}_temp_path {folder / 'tmp' / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    includes = "\n".join(f"    include {config};" for config in site_configs)
    return f"""{user}pid {folder / 'nginx.pid'};
error_log {folder / 'logs' / 'error.log'} warn;
worker_processes 1;
events {{
    worker_connections 64;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # Debian's main config logs every request here in the combined format (with the
    # client address) unless a server says otherwise.
    access_log {folder / 'logs' / 'main.access.log'};
{temp}
{includes}
}}
"""


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=DNS:{HOST},DNS:{INBOX_HOST},IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=TIMEOUT,
    )
    return cert, key


# ---------------------------------------------------------------------------------------
# Servers


class Nginx:
    """nginx in the foreground (`daemon off;`) with the test config, in its own process group."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.main = folder / "nginx.conf"
        self.output = tempfile.TemporaryFile("w+")
        self.process: subprocess.Popen | None = None

    def command(self, *args: str) -> list[str]:
        return [NGINX, "-p", f"{self.folder}/", "-e", str(self.folder / "logs" / "error.log"),
                "-c", str(self.main), *args]

    def check(self) -> str:
        result = subprocess.run(self.command("-t"), capture_output=True, text=True,
                                timeout=TIMEOUT)
        assert result.returncode == 0, f"nginx -t failed:\n{result.stderr}"
        return result.stderr

    def start(self, ports: list[int]) -> None:
        self.process = subprocess.Popen(
            self.command("-g", "daemon off;"), stdin=subprocess.DEVNULL, stdout=self.output,
            stderr=subprocess.STDOUT, start_new_session=True, text=True)
        up = wait_until(lambda: self.process.poll() is not None
                        or all(port_open("127.0.0.1", port) for port in ports), TIMEOUT)
        if not up or self.process.poll() is not None:
            raise RuntimeError(f"nginx did not start:\n{self.stop()}")

    def stop(self) -> str:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=TIMEOUT)
        self.output.seek(0)
        return self.output.read() + self.error_log()

    def error_log(self) -> str:
        try:
            return (self.folder / "logs" / "error.log").read_text(errors="replace")
        except OSError:
            return ""


@dataclass
class Stack:
    folder: Path
    site: Path
    http_port: int
    https_port: int
    cert: Path
    check_output: str
    nginx: Nginx
    gunicorn: Gunicorn

    def request(self, method: str, path: str, *, scheme: str = "https", body: bytes | None = None,
                headers: dict | None = None, source: str = "127.0.0.1", host: str = HOST):
        """One request through nginx, as from `source`, for `host`: (status, headers, body).

        Headers come back as a list of pairs, so that a repeated header shows.
        """
        if scheme == "https":
            context = ssl.create_default_context(cafile=str(self.cert))
            connection = http.client.HTTPSConnection(
                "127.0.0.1", self.https_port, context=context, timeout=TIMEOUT,
                source_address=(source, 0))
        else:
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.http_port, timeout=TIMEOUT, source_address=(source, 0))
        try:
            connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def logs(self) -> dict[str, str]:
        return {log.name: log.read_text(errors="replace")
                for log in sorted((self.folder / "logs").glob("*access.log"))}


def header(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


@contextlib.contextmanager
def running(folder: Path, site: Path, app_env: dict):
    """nginx with the shipped config in front of gunicorn with the shipped settings."""
    (folder / "logs").mkdir(parents=True)
    (folder / "tmp").mkdir()
    database = f"sqlite:///{folder / 'feedback.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    cert, key = self_signed(folder)
    http_port, https_port = free_port(), free_port()
    with contextlib.ExitStack() as cleanup:
        app = Gunicorn({"DATABASE_URL": database, "TRUSTED_PROXIES": "1",
                        "RATELIMIT_STORAGE_URI": "memory://", **app_env}, workers=1, threads=4)
        cleanup.callback(app.stop)
        site_config = folder / "transparency.conf"
        site_config.write_text(derived_config(
            http_port=http_port, https_port=https_port, upstream=f"127.0.0.1:{app.port}",
            cert=cert, key=key, site=site, logs=folder / "logs", ipv6=ipv6_loopback()))
        inbox_config = folder / "transparency-inbox.conf"
        inbox_config.write_text(derived_inbox_config(
            http_port=http_port, https_port=https_port, cert=cert, key=key,
            logs=folder / "logs", ipv6=ipv6_loopback()))
        nginx = Nginx(folder)
        nginx.main.write_text(main_config(folder, site_config, inbox_config))
        check_output = nginx.check()
        nginx.start([http_port, https_port])
        cleanup.callback(nginx.stop)
        assert serving(app, timeout=30), f"gunicorn did not answer:\n{app.read_output()}"
        yield Stack(folder, site, http_port, https_port, cert, check_output, nginx, app)
