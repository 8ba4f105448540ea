"""Benchmark: `POST /api/v1/reports` through gunicorn on loopback, against bare baselines.

    python -m benchmarks.intake [--seconds 10] [--runs 3] [--warmup 3] [--connections 32]
                                [--workers 4] [--threads 4] [--without-limits]
                                [--no-postgres] [--client auto|wrk|python] [--no-doc]

For SQLite (WAL, synchronous=FULL, as the app configures it) and for PostgreSQL (throwaway
databases in TEST_POSTGRES_URL's server, dropped at the end), servers run side by side
with the same gunicorn settings (deploy/gunicorn.conf.py with WEB_CONCURRENCY workers of
GUNICORN_THREADS threads), each on a database of its own:

1. the app, `feedback_api:create_app()`, with production's settings: TRUSTED_PROXIES=1,
   limits in Redis (BENCHMARK_REDIS_URL, default database 14, under a key prefix of its
   own that is removed at the end) and the default RATELIMIT_SUBMIT;
2. a bare Flask endpoint answering a constant (benchmarks/_intake_baseline.py);
3. a bare Flask endpoint inserting the same report with the plain driver (sqlite3 or
   psycopg) into the app's `submissions` table, one commit per request;
4. with --without-limits, the app with its rate limits off, to show what they cost.

wrk (`apt-get install wrk`) sends a valid JSON report per request over 32 keep-alive
connections (benchmarks/intake.lua), each request from its own address (X-Forwarded-For)
(an IPv6 /64 of its own, as the limit counts IPv6 clients) and with its own text, so
neither the rate limit nor the duplicate window is measured.
Without wrk a bounded Python client (asyncio, one process) stands in; it saturates long
before the servers do, so its figures say little about the servers.

After a warm-up of each server, `runs` rounds of `seconds` each in which the servers take
turns in a rotating order, so load from elsewhere on the machine falls on all of them
alike; medians of the rounds. Accepted means answered 201; anything else is counted apart.
The servers' CPU time per answer comes from /proc. Prints the figures and writes them to
docs/benchmarks.md (its own section only).

Not part of the test suite. About 3.5 minutes with the defaults, 5 with --without-limits.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from benchmarks.databases import throwaway_postgres
from benchmarks.report import DOC, write_section

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "intake"
LUA = ROOT / "benchmarks" / "intake.lua"
GUNICORN = Path(sys.executable).parent / "gunicorn"
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
REDIS = os.environ.get("BENCHMARK_REDIS_URL", "redis://127.0.0.1:6379/14")
PATH = "/api/v1/reports"
WRK_THREADS = 2

# Targets of the 2026-11 issue: the app against the plain-driver baseline.
TARGET_THROUGHPUT = 0.7
TARGET_P99 = 1.5

TEXT = ("The account argued with a resident in the replies to a post about the weekend hours "
        "of the public library, called the resident's question a waste of everyone's time and "
        "then deleted the resident's follow-up comment. Other people had asked the same "
        "question under the same post and got no answer either.")


@dataclass
class Run:
    accepted: int  # 201s
    other: int  # any other status, and socket errors and timeouts
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    cpu_ms: float = float("nan")  # the server's CPU time per answer

    @property
    def per_second(self) -> float:
        return self.accepted / self.seconds


# ---------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with deploy/gunicorn.conf.py on loopback, in its own process group."""

    def __init__(self, name: str, env: dict, workers: int, threads: int,
                 app: str | None = None):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{PATH}"
        self.command = [str(GUNICORN), "-c", str(CONFIG.relative_to(ROOT)),
                        "--bind", f"127.0.0.1:{self.port}"] + ([app] if app else [])
        self.log = open(WORK / f"{name}.log", "w")  # closed in stop()
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, **env, "WEB_CONCURRENCY": str(workers),
                 "GUNICORN_THREADS": str(threads)},
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"gunicorn for {name} did not start; see "
                                       f"{(WORK / f'{name}.log').relative_to(ROOT)}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def report_body(run: int, thread: int, n: int) -> bytes:
    """The report benchmarks/intake.lua sends, for the Python client and the checks."""
    return json.dumps({
        "category": "arguing-with-the-public", "account_id": "city-x-sample",
        "post_url": f"https://x.com/abq_city_sample/status/{n}", "seen_at": "2026-11-20",
        "description": f"{TEXT} (Report {run}-{thread}-{n})",
    }).encode()


def address(run: int, thread: int, n: int) -> str:
    """An IPv6 address of a /64 of its own (the limit counts an IPv6 client by its /64)."""
    return f"fd{run % 256:02x}:{thread:x}:{n // 65536:x}:{n % 65536:x}::1"


def post_once(url: str, run: int) -> tuple[int, bytes]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        connection.request("POST", parts.path, body=report_body(run, 0, 1), headers={
            "Content-Type": "application/json", "X-Forwarded-For": address(run, 0, 1)})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------
# Load


def wrk_run(url: str, seconds: int, connections: int, run: int) -> Run:
    command = ["wrk", f"-t{min(WRK_THREADS, connections)}", f"-c{connections}",
               f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), url, "--", str(run)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                          check=True)
    line = next(line for line in reversed(done.stdout.splitlines()) if line.startswith("{"))
    figures = json.loads(line)
    accepted = figures["statuses"].get("201", 0)
    other = figures["requests"] - accepted + sum(figures["errors"].values())
    return Run(accepted, other, figures["duration_us"] / 1e6, figures["p50_us"] / 1000,
               figures["p99_us"] / 1000, figures["statuses"])


def python_run(url: str, seconds: int, connections: int, run: int) -> Run:
    return asyncio.run(_python_load(url, seconds, connections, run))


async def _python_load(url: str, seconds: int, connections: int, run: int) -> Run:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = [0]
    start = time.perf_counter()
    deadline = start + seconds

    async def connection(number: int) -> None:
        sent = 0
        reader = writer = None
        while time.perf_counter() < deadline:
            sent += 1
            body = report_body(run, number, sent)
            head = (f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                    f"X-Forwarded-For: {address(run, number, sent)}\r\n\r\n").encode()
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(parts.hostname, parts.port), 10)
                began = time.perf_counter()
                writer.write(head + body)
                await writer.drain()
                answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                lines = answer.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in lines[1:] if line)}
                await asyncio.wait_for(
                    reader.readexactly(int(headers.get("content-length", "0"))), 10)
                latencies.append(time.perf_counter() - began)
                status = lines[0].split()[1]
                statuses[status] = statuses.get(status, 0) + 1
                if headers.get("connection", "").lower() == "close":
                    writer.close()
                    writer = None
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                errors[0] += 1
                if writer is not None:
                    writer.close()
                writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(connection(n + 1) for n in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000

    accepted = statuses.get("201", 0)
    return Run(accepted, sum(statuses.values()) - accepted + errors[0], elapsed,
               percentile(50), percentile(99), statuses)


# ---------------------------------------------------------------------------------------
# Databases


def sqlite_databases(roles: list[str]) -> tuple[dict, callable]:
    from feedback_api import db as feedback_db

    paths = {}
    for role in roles:
        path = WORK / f"{role}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = feedback_db.make_engine(f"sqlite:///{path}")
        feedback_db.upgrade(engine)
        engine.dispose()
        paths[role] = path
    databases = {role: f"sqlite:///{path}" for role, path in paths.items()}
    databases["driver"] = str(paths["driver"])  # a plain path for sqlite3
    databases["count"] = lambda role: _sqlite_count(paths[role])
    return databases, lambda: None


def _sqlite_count(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM submissions").fetchone()[0]


def postgres_databases(roles: list[str]) -> tuple[dict, callable] | None:
    import psycopg

    from feedback_api import db as feedback_db

    run = secrets.token_hex(4)
    made = throwaway_postgres({role: f"intake_bench_{run}_{role}" for role in roles})
    if made is None:
        return None
    urls, drop = made
    try:
        for url in urls.values():
            engine = feedback_db.make_engine(url.render_as_string(hide_password=False))
            feedback_db.upgrade(engine)
            engine.dispose()
    except Exception:
        drop()
        raise

    def count(role: str) -> int:
        driver = urls[role].set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(driver) as connection:
            return connection.execute("SELECT count(*) FROM submissions").fetchone()[0]

    databases = {role: url.render_as_string(hide_password=False) for role, url in urls.items()}
    databases["driver"] = urls["driver"].set(drivername="postgresql") \
        .render_as_string(hide_password=False)  # a plain URL for psycopg
    databases["count"] = count
    return databases, drop


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def remove_redis_keys(prefix: str) -> int:
    import redis

    connection = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    removed = 0
    batch = []
    for key in connection.scan_iter(match=f"*{prefix}*", count=1000):
        batch.append(key)
        if len(batch) == 1000:
            removed += connection.delete(*batch)
            batch = []
    if batch:
        removed += connection.delete(*batch)
    return removed


# ---------------------------------------------------------------------------------------
# One database: the servers taking turns


TARGETS = {
    "constant": "bare Flask, constant answer",
    "driver": "bare Flask + {driver} insert",
    "app": "the app (feedback_api)",
    "unlimited": "the app, rate limits off",
}


def group_cpu_seconds(group: int) -> float:
    """User and system CPU time of the live processes in this process group (Linux)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measure(backend: str, databases: dict, args, load, redis_url: str | None) -> dict:
    prefix = f"intake-bench-{secrets.token_hex(4)}"
    app_env = {
        "DATABASE_URL": databases["app"], "SECRET_KEY": secrets.token_urlsafe(48),
        "TRUSTED_PROXIES": "1", "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": prefix, "INSTANCE_PATH": str(WORK / "instance"),
    }
    servers: dict[str, Server] = {}
    sent = 0
    runs: dict[str, list[Run]] = {}
    try:
        servers["constant"] = Server(f"{backend}-constant", {"BASELINE_MODE": "constant"},
                                     args.workers, args.threads,
                                     "benchmarks._intake_baseline:create_app()")
        servers["driver"] = Server(f"{backend}-driver", {
            "BASELINE_MODE": "driver", "BASELINE_DATABASE": databases["driver"]},
            args.workers, args.threads, "benchmarks._intake_baseline:create_app()")
        servers["app"] = Server(f"{backend}-app", app_env, args.workers, args.threads)
        if "unlimited" in databases:
            servers["unlimited"] = Server(
                f"{backend}-unlimited", {**app_env, "DATABASE_URL": databases["unlimited"]},
                args.workers, args.threads, "benchmarks._intake_baseline:app_without_limits()")
        run = 1
        for server in servers.values():
            status, body = post_once(server.url, run)
            if status != 201:
                raise RuntimeError(f"{server.name} answered {status}: {body[:300]!r}")
            run += 1
        sent += 1
        print(f"{backend}: warm-up, {args.warmup} s each", file=sys.stderr)
        for key, server in servers.items():
            warm = load(server.url, args.warmup, args.connections, run)
            sent += warm.accepted if key == "app" else 0
            run += 1
        runs = {key: [] for key in servers}
        order = list(servers)
        for round_number in range(args.runs):
            turn = order[round_number % len(order):] + order[:round_number % len(order)]
            for key in turn:
                cpu = group_cpu_seconds(servers[key].process.pid)
                result = load(servers[key].url, args.seconds, args.connections, run)
                answered = result.accepted + result.other
                result.cpu_ms = (group_cpu_seconds(servers[key].process.pid) - cpu) \
                    / max(answered, 1) * 1000
                run += 1
                runs[key].append(result)
                if key == "app":
                    sent += result.accepted
                print(f"{backend} round {round_number + 1} {key:8} "
                      f"{result.per_second:7.0f} accepted/s  p50 {result.p50_ms:6.1f} ms  "
                      f"p99 {result.p99_ms:6.1f} ms  other {result.other}  "
                      f"CPU {result.cpu_ms:.2f} ms/request", file=sys.stderr)
    finally:
        for server in servers.values():
            server.stop()
        if redis_url:
            remove_redis_keys(prefix)
    stored = databases["count"]("app")
    return {"runs": runs, "stored": stored, "acknowledged": sent,
            "gunicorn": servers["app"].command}


def summary(runs: list[Run]) -> dict:
    return {
        "per_second": statistics.median(r.per_second for r in runs),
        "p50_ms": statistics.median(r.p50_ms for r in runs),
        "p99_ms": statistics.median(r.p99_ms for r in runs),
        "other": sum(r.other for r in runs),
        "accepted": sum(r.accepted for r in runs),
        "cpu_ms": statistics.median(r.cpu_ms for r in runs),
        "each": [r.per_second for r in runs],
    }


# ---------------------------------------------------------------------------------------
# Report


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "memory": "?", "cpu": platform.machine()}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def versions(postgres_url: str | None, redis_url: str | None, client: str) -> str:
    parts = [f"Python {platform.python_version()}"]
    for package in ("Flask", "Werkzeug", "gunicorn", "SQLAlchemy", "psycopg", "Flask-Limiter",
                    "limits", "redis"):
        try:
            parts.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    parts.append(f"SQLite {sqlite3.sqlite_version}")
    if postgres_url:
        import psycopg

        with psycopg.connect(postgres_url) as connection:
            parts.append("PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]
                         .split()[0])
    if redis_url:
        import redis

        parts.append("Redis " + redis.Redis.from_url(redis_url).info("server")["redis_version"])
    if client == "wrk":
        done = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        parts.append((done.stdout + done.stderr).split("Copyright")[0].strip())
    return ", ".join(parts)


def bar(value: float, top: float, width: int = 40) -> str:
    n = round(width * value / top) if top else 0
    return "█" * n + "·" * (width - n)


def report(results: dict, args, context: dict) -> str:
    info = context["machine"]
    workers, threads = args.workers, args.threads
    driver_names = {"SQLite": "sqlite3", "PostgreSQL": "psycopg"}
    command = (f"python -m benchmarks.intake --seconds {args.seconds} --runs {args.runs} "
               f"--warmup {args.warmup} --connections {args.connections} "
               f"--workers {workers} --threads {threads}"
               + (" --without-limits" if args.without_limits else ""))
    lines = [
        "## Intake: `POST /api/v1/reports` under load (`python -m benchmarks.intake`)",
        "",
        f"Measured {context['date']} on {info['cpu']}, {info['cpus']} cores "
        f"(`nproc`), {info['memory']} of memory, Linux {platform.release()}; load average "
        f"{context['load_before']:.2f} before and {context['load_after']:.2f} after the run, "
        "on a machine shared with other work (it slows every server alike, so compare the "
        f"ratios). {context['versions']}.",
        "",
        "```",
        command,
        f"WEB_CONCURRENCY={workers} GUNICORN_THREADS={threads} "
        "gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:PORT [APP]",
    ]
    if context["client"] == "wrk":
        lines.append(f"wrk -t{min(WRK_THREADS, args.connections)} -c{args.connections} "
                     f"-d{args.seconds}s --timeout 10s -s benchmarks/intake.lua "
                     f"http://127.0.0.1:PORT{PATH} -- RUN")
    else:
        lines.append(f"(wrk not installed: the Python client of benchmarks/intake.py, "
                     f"{args.connections} connections; `apt-get install wrk` for real "
                     "figures)")
    lines += [
        "```",
        "",
        f"Every server is gunicorn with the shipped settings (gthread, {workers} workers × "
        f"{threads} threads, access log on) on loopback. {args.connections} keep-alive "
        "connections send valid reports (about 560 bytes of JSON) as fast as they are "
        "answered, every request from its own address (an IPv6 /64 of its own, in "
        "`X-Forwarded-For`; the app runs "
        "with `TRUSTED_PROXIES=1` as behind nginx) and with its own text, so neither the "
        "rate limit nor the duplicate window is what is measured. The app runs as in "
        "production: limits in "
        f"{'Redis' if context['redis'] else 'memory (Redis was not reachable)'} with the "
        "default `RATELIMIT_SUBMIT`, the duplicate check, one commit per report. The "
        "baselines are bare Flask apps in the same gunicorn: one answers a constant; the "
        "other parses the JSON and inserts the report into the app's own `submissions` "
        "table (same schema and indexes, in a database of its own) with the plain driver "
        "(sqlite3 in WAL mode with synchronous=FULL, as the app sets SQLite up; psycopg, "
        "which commits durably) and commits before answering. "
        f"A warm-up of {args.warmup} s per server, then {args.runs} rounds of "
        f"{args.seconds} s in which the servers take turns (the order rotates each round); "
        "medians of the rounds. *Accepted*: answered 201; anything else, and socket "
        "errors, under *other*. Latencies are "
        f"{'wrk' if context['client'] == 'wrk' else 'the Python client'}'s, over all "
        "answers. *CPU/request*: CPU "
        "time of the server's processes (master and workers) per answer, from /proc; the "
        "database and Redis servers' own time is not in it.",
        "",
        "| database | server | accepted/s | p50 | p99 | other | CPU/request "
        "| app ÷ driver baseline |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    verdicts = []
    for backend, result in results.items():
        figures = {key: summary(runs) for key, runs in result["runs"].items()}
        base = figures["driver"]
        for key, label in TARGETS.items():
            if key not in figures:
                continue
            f = figures[key]
            ratio = ""
            if key in ("app", "unlimited"):
                throughput = f["per_second"] / base["per_second"]
                p99 = f["p99_ms"] / base["p99_ms"]
                ratio = f"throughput {throughput:.2f}×, p99 {p99:.2f}×"
                if key == "app":
                    ratio = f"throughput **{throughput:.2f}×**, p99 **{p99:.2f}×**"
                    verdicts.append((backend, throughput, p99))
            lines.append(f"| {backend} | {label.format(driver=driver_names[backend])} | "
                         f"{f['per_second']:,.0f} | {f['p50_ms']:.1f} ms | "
                         f"{f['p99_ms']:.1f} ms | {f['other']} | {f['cpu_ms']:.2f} ms | "
                         f"{ratio} |")
    lines += ["", "Targets: the app's throughput at least "
              f"{TARGET_THROUGHPUT}× the driver baseline's, its p99 at most "
              f"{TARGET_P99}× the baseline's.", ""]
    for backend, throughput, p99 in verdicts:
        met = [throughput >= TARGET_THROUGHPUT, p99 <= TARGET_P99]
        lines.append(f"- {backend}: throughput {throughput:.2f}× "
                     f"({'met' if met[0] else 'not met'}), p99 {p99:.2f}× "
                     f"({'met' if met[1] else 'not met'}).")
    top = max(summary(runs)["per_second"] for result in results.values()
              for runs in result["runs"].values())
    lines += ["", "Accepted requests per second (median of the rounds):", "", "```"]
    for backend, result in results.items():
        for key in TARGETS:
            if key in result["runs"]:
                f = summary(result["runs"][key])
                lines.append(f"{backend:10} {key:9} {bar(f['per_second'], top)} "
                             f"{f['per_second']:6,.0f}")
    lines += ["```", "", "Each round, accepted/s (the spread shows how much the machine's "
              "other work moved the figures):", ""]
    for backend, result in results.items():
        each = "; ".join(
            f"{key} " + ", ".join(f"{v:,.0f}" for v in summary(result["runs"][key])["each"])
            for key in TARGETS if key in result["runs"])
        lines.append(f"- {backend}: {each}. Rows in the app's database afterwards: "
                     f"{result['stored']:,}; 201s the client counted: "
                     f"{result['acknowledged']:,} (a request cut off at the end of a round "
                     "can be stored without being counted, never the other way round).")
    if NOTES:
        lines += ["", NOTES.strip()]
    return "\n".join(lines) + "\n"


NOTES = """
Where the app's time goes (cProfile in one process, 2026-12-07, and the *rate limits off*
row). The submission limit is Flask-Limiter's since 2026-12-07 (`feedback_api/limits.py`:
a shared limit with `deduct_when`, fixed windows, Redis through `limits` and redis-py). A
report the app accepts costs six Redis round trips: before the view, a read of each of
RATELIMIT_SUBMIT's two windows (with `deduct_when` Flask-Limiter tests first and counts
only once the report is recorded); after it, an increment of each (a short script); and a
read of the shortest window's count and time to live for the `X-RateLimit-*` headers. It
also costs one database round trip: the duplicate look-up, the insert and the commit are
one autocommitted `INSERT ... SELECT ... WHERE NOT EXISTS` statement. The driver baseline
makes three database round trips (`BEGIN`, `INSERT`, `COMMIT`) and none to Redis. From
2026-11-22 to 2026-12-07 the app had a limiter of its own that made one Redis round trip
per report (a Lua script checking and counting every window at once): the earlier figures
in this section's history are that limiter's.

In cProfile, one process sending reports one after another to Redis on this machine, the
limits add about 1.5 ms of the worker's own CPU to each accepted report (3.2 ms with them,
1.6 ms without): most of it in redis-py for the six commands (the connection pool, the
retry wrapper, packing, the socket calls and the RESP3 parser), then Flask-Limiter's own
work (resolving the view's limits, its request context, the conditional deduction and the
headers); Redis's own time comes on top and is not in *CPU/request*. On two cores shared
with the load client, Redis and the database, that CPU is what caps the app's throughput
and lifts its tail: compare *CPU/request* and the *rate limits off* row, which is the floor
for this route in Flask. Requests the limits do not apply to reach no storage (Flask-
Limiter's `request_filter` skips them before it looks up any limit).

On SQLite every writer waits for SQLite's single write lock, sleeping in its busy handler
(1, 2, 5, ... up to 100 ms between tries) when it finds it taken: that is where the SQLite
tails come from, and on this shared 2-core machine the fsync behind each commit makes the
SQLite rows move a lot from round to round. The app's statement commits inside one sqlite3
call, with the GIL released, whereas the baseline holds the lock from its `INSERT` to its
`COMMIT` across a GIL hand-over.

What would narrow the gap: fewer Redis round trips per report. Flask-Limiter's
`deduct_when` (a test before the view, a hit after it, per window) and its headers (a
separate read) fix the number at six for two windows; a `limits` storage that answers a
client's windows in one script, or headers taken from the hit's own answer, would bring it
back towards one.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each round")
    parser.add_argument("--runs", type=int, default=3, help="rounds per server")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per server")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn WEB_CONCURRENCY")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn GUNICORN_THREADS")
    parser.add_argument("--without-limits", action="store_true",
                        help="also run the app with its rate limits off (what they cost)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--no-doc", action="store_true", help="print, do not write the doc")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
        if client == "python":
            print("wrk is not installed (Debian/Ubuntu: `apt-get install wrk`, macOS: "
                  "`brew install wrk`); using the bounded Python client, whose own speed "
                  "limits the figures", file=sys.stderr)
    elif client == "wrk" and not shutil.which("wrk"):
        print("wrk is not installed: `apt-get install wrk` (or --client python)",
              file=sys.stderr)
        return 2
    load = wrk_run if client == "wrk" else python_run
    WORK.mkdir(parents=True, exist_ok=True)
    redis_url = REDIS if redis_available() else None
    if redis_url is None:
        print(f"Redis not reachable at {REDIS}; the app keeps its limits in memory",
              file=sys.stderr)
    roles = ["app", "driver"] + (["unlimited"] if args.without_limits else [])

    context = {"date": dt.date.today().isoformat(), "machine": machine(),
               "load_before": os.getloadavg()[0], "client": client, "redis": redis_url}
    results = {}
    databases, _ = sqlite_databases(roles)
    results["SQLite"] = measure("SQLite", databases, args, load, redis_url)
    postgres = None if args.no_postgres else postgres_databases(roles)
    if postgres is not None:
        databases, drop = postgres
        try:
            results["PostgreSQL"] = measure("PostgreSQL", databases, args, load, redis_url)
            context["versions"] = versions(databases["driver"], redis_url, client)
        finally:
            drop()
    else:
        context["versions"] = versions(None, redis_url, client)
    context["load_after"] = os.getloadavg()[0]
    section = report(results, args, context)
    print(section)
    if not args.no_doc:
        write_section("intake", section)
        print(f"written to {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
