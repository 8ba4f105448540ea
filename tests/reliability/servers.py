"""Servers the reliability tests own and may stop: a PostgreSQL cluster and a Redis.

Both run on loopback on a free port in a temporary folder, never the machine's shared
services, and every wait has a time limit. PostgreSQL refuses to run as root, so when the
tests run as root the cluster belongs to the `postgres` user (through `runuser`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from http.client import HTTPException
from pathlib import Path

from tests.api.conftest import http
from tests.conftest import free_port, port_open

PG_BIN = Path(os.environ.get("TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server")
WAIT_SECONDS = 30


def wait_until(condition, timeout: float, every: float = 0.05) -> bool:
    """Poll `condition` until it is true or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(every)


def serving(server, timeout: float = 60) -> bool:
    """Wait until a gunicorn answers its health check: its workers have loaded the app.

    gunicorn listens before its workers have imported the app, and on a busy machine that
    can take longer than a resident's request timeout.
    """
    def healthy() -> bool:
        try:
            return http("GET", server.url + "/api/v1/health")[0] == 200
        except (OSError, HTTPException):
            return False

    return wait_until(healthy, timeout, every=0.1)


# ---------------------------------------------------------------------------------------
# PostgreSQL


def postgres_missing() -> str | None:
    """Why a throwaway cluster cannot be made here, or None when it can."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / tool).exists():
            return f"PostgreSQL server binaries ({PG_BIN / tool})"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "a 'postgres' user to run a throwaway cluster as (tests run as root)"
        if not shutil.which("runuser"):
            return "runuser, to run a throwaway PostgreSQL cluster as 'postgres'"
    return None


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder that the test may stop and start."""

    def __init__(self):
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="reliability-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as_owner = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync", "--no-instructions")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, tool: str, *args: str, timeout: float = WAIT_SECONDS) -> str:
        # Output to a file: a server started by pg_ctl keeps a pipe open after pg_ctl exits.
        with tempfile.TemporaryFile("w+") as output:
            result = subprocess.run(
                [*self._as_owner, str(PG_BIN / tool), *args], stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT, timeout=timeout, text=True,
            )
            output.seek(0)
            text = output.read()
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}):\n{text}\n{self.server_log()}")
        return text

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=60")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", str(WAIT_SECONDS), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", str(WAIT_SECONDS),
                  "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def destroy(self) -> None:
        try:
            if self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# Redis


class ThrowawayRedis:
    """A redis-server of the test's own: no persistence, so a restart starts empty."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_until(lambda: port_open("127.0.0.1", self.port), 10):
            self.stop()
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Stop it at once (SIGKILL): to the app, Redis has simply gone away."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


# ---------------------------------------------------------------------------------------
# Processes


def child_pids(parent: int) -> set[int]:
    """The processes whose parent is `parent` (gunicorn's workers, for its master)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == parent:
            children.add(int(entry.name))
    return children
