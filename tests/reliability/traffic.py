"""Simulated residents for the reliability tests, and what the database must hold after.

Each resident is a thread that sends its submissions one after another to the JSON API from
its own address: an `X-Forwarded-For` header, which the app believes with TRUSTED_PROXIES=1
as it believes nginx. Every request has a timeout, every resident stops by itself after a
number of requests or a time limit, and every answer is kept with the moments the request
was sent and answered, so a test can tell which answers fell inside an outage.

Every submission carries a marker (`[run-resident-n]`) in its text, so each row in the
database can be matched to the request that made it.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.client import HTTPException

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from tests.api.conftest import FEEDBACK, REPORT, http, rows

TRACKING_CODE = re.compile(r"^SMR(-[0-9A-HJKMNP-TV-Z]{4}){4}$")
MARKER = re.compile(r"\[(?P<marker>[0-9a-f]+-\d+-\d+)\]$")
REQUIRED = ("tracking_code", "kind", "state", "created_at", "updated_at", "source",
            "client_hash", "content_hash", "message", "is_spam", "wants_reply")
PAUSE_AFTER_NO_ANSWER = 0.05


@dataclass(frozen=True)
class Answer:
    resident: int
    n: int
    kind: str
    marker: str
    sent: float  # time.monotonic() when the request was sent
    answered: float  # ... and when the answer (or the failure) came
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    headers: dict = field(default_factory=dict)
    body: bytes = b""

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def tracking_code(self) -> str | None:
        data = self.json() if self.status == 201 else None
        return data.get("tracking_code") if isinstance(data, dict) else None


def kind_for(resident: int, n: int) -> str:
    """A steady mix: one report for every two pieces of feedback."""
    return "report" if (resident + n) % 3 == 0 else "feedback"


def submission(kind: str, marker: str) -> tuple[str, bytes]:
    """The API path and JSON body of one submission carrying `marker` at the end of its text."""
    if kind == "feedback":
        payload, path = {**FEEDBACK, "message": f"{FEEDBACK['message']} [{marker}]"}, "feedback"
    else:
        payload, path = {**REPORT, "description": f"{REPORT['description']} [{marker}]"}, \
            "reports"
    return f"/api/v1/{path}", json.dumps(payload).encode()


def resident_address(resident: int, _n: int) -> str:
    """One address per resident (TEST-NET ranges: never a real client)."""
    return f"198.51.{100 + resident // 250}.{resident % 250 + 1}"


def fresh_address(resident: int, n: int) -> str:
    """A new address for every request: traffic that no limit ever applies to."""
    return f"10.{resident % 250}.{n // 250 % 250}.{n % 250 + 1}"


class Residents:
    """`count` residents sending submissions in parallel, each one at a time.

    `requests_each` bounds each resident (a number, or one number per resident);
    `time_limit` bounds them all; `stop()` ends them early. `url` may be a callable, so a
    test can point the residents at a restarted server.
    """

    def __init__(self, url: str | Callable[[], str], count: int,
                 requests_each: int | Sequence[int], *,
                 address: Callable[[int, int], str] = resident_address,
                 kind: Callable[[int, int], str] = kind_for,
                 pause: float = 0.0, time_limit: float = 90.0):
        self._url = url if callable(url) else (lambda: url)
        self.count = count
        self.requests_each = ([requests_each] * count if isinstance(requests_each, int)
                              else list(requests_each))
        assert len(self.requests_each) == count
        self.address = address
        self.kind = kind
        self.pause = pause
        self.time_limit = time_limit
        self.run_id = secrets.token_hex(4)
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._deadline = 0.0

    def marker(self, resident: int, n: int) -> str:
        return f"{self.run_id}-{resident}-{n}"

    def start(self) -> Residents:
        self._deadline = time.monotonic() + self.time_limit
        self._threads = [threading.Thread(target=self._resident, args=(r,), daemon=True,
                                          name=f"resident-{r}") for r in range(self.count)]
        for thread in self._threads:
            thread.start()
        return self

    def _resident(self, resident: int) -> None:
        for n in range(self.requests_each[resident]):
            if self._stop.is_set() or time.monotonic() > self._deadline:
                return
            answer = self.send(resident, n)
            with self._lock:
                self.answers.append(answer)
            if answer.status is None:
                time.sleep(PAUSE_AFTER_NO_ANSWER)  # the server is down: do not spin
            elif self.pause:
                time.sleep(self.pause)

    def send(self, resident: int, n: int) -> Answer:
        kind = self.kind(resident, n)
        marker = self.marker(resident, n)
        path, body = submission(kind, marker)
        headers = {"Content-Type": "application/json",
                   "X-Forwarded-For": self.address(resident, n)}
        sent = time.monotonic()
        try:
            status, answer_headers, answer_body = http("POST", self._url() + path, body=body,
                                                       headers=headers)
        except (OSError, HTTPException):
            return Answer(resident, n, kind, marker, sent, time.monotonic(), None)
        return Answer(resident, n, kind, marker, sent, time.monotonic(), status,
                      answer_headers, answer_body)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self.join(timeout)

    def join(self, timeout: float) -> None:
        """Wait for every resident to finish; fail if one is still running at the end."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        running = [t.name for t in self._threads if t.is_alive()]
        assert not running, f"residents still sending after {timeout} s: {running[:5]}"

    def snapshot(self) -> list[Answer]:
        with self._lock:
            return list(self.answers)

    def wait_for(self, condition: Callable[[list[Answer]], bool], timeout: float) -> bool:
        """Wait until `condition(answers so far)` holds, at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self.snapshot()):
                return True
            if not any(t.is_alive() for t in self._threads):
                return condition(self.snapshot())
            time.sleep(0.02)
        return False


def acknowledged(answers: list[Answer], after: float = float("-inf")) -> list[Answer]:
    return [a for a in answers if a.status == 201 and a.sent > after]


# ---------------------------------------------------------------------------------------
# What the database holds


def incomplete(row) -> list[str]:
    """What is missing or malformed in a stored submission."""
    problems = [f"{name} is empty" for name in REQUIRED if row[name] is None or row[name] == ""]
    if row["tracking_code"] and not TRACKING_CODE.match(row["tracking_code"]):
        problems.append(f"tracking code {row['tracking_code']!r} is malformed")
    if row["kind"] == "feedback" and not row["policy_id"]:
        problems.append("feedback without a policy")
    if row["kind"] == "report" and not (row["category"] and (
            row["account_id"] or row["account_url"] or row["post_url"])):
        problems.append("report without a category or an account or post")
    if row["message"] and not MARKER.search(row["message"]):
        problems.append("text cut short (no marker at its end)")
    return problems


def check_nothing_lost(answers: list[Answer], database_url: str,
                       may_be_stored: set[str] = frozenset()) -> dict[str, dict]:
    """Every acknowledged submission is stored once, whole, under the code it was given.

    Rows nobody was told about are allowed only for markers in `may_be_stored`: requests
    that were cut off (killed server, database going down) after the commit. Returns the
    stored rows by marker.
    """
    stored: dict[str, dict] = {}
    doubles, broken = [], []
    for row in rows(database_url):
        found = MARKER.search(row["message"] or "")
        problems = incomplete(row)
        if problems:
            broken.append((row["id"], problems))
        if found is None:
            continue
        if found["marker"] in stored:
            doubles.append(found["marker"])
        stored[found["marker"]] = dict(row)
    assert broken == [], f"{len(broken)} incomplete rows, e.g. {broken[:3]}"
    assert doubles == [], f"{len(doubles)} submissions stored twice, e.g. {doubles[:3]}"

    acked = {a.marker: a for a in answers if a.status == 201}
    missing = [m for m in acked if m not in stored]
    assert missing == [], f"{len(missing)} of {len(acked)} acknowledged submissions are " \
                          f"missing from the database, e.g. {missing[:3]}"
    wrong = [m for m, a in acked.items()
             if (stored[m]["tracking_code"], stored[m]["kind"]) != (a.tracking_code, a.kind)]
    assert wrong == [], f"stored under another tracking code or kind: {wrong[:3]}"
    unexplained = [m for m in stored if m not in acked and m not in may_be_stored]
    assert unexplained == [], f"{len(unexplained)} rows were stored although their request " \
                              f"was answered otherwise, e.g. {unexplained[:3]}"
    codes = [row["tracking_code"] for row in stored.values()]
    assert len(codes) == len(set(codes)), "two submissions share a tracking code"
    return stored


def integrity_problems(database_url: str) -> list[str]:
    """The database's own check: PRAGMA integrity_check on SQLite; on PostgreSQL amcheck
    (B-tree and heap) when the server has it, and always a full scan against the indexes."""
    engine = create_engine(database_url)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                result = [r[0] for r in connection.execute(text("PRAGMA integrity_check"))]
                keys = list(connection.execute(text("PRAGMA foreign_key_check")))
            problems = [] if result == ["ok"] else result
            return problems + [f"foreign key: {k}" for k in keys]
        return _postgres_problems(engine)
    finally:
        engine.dispose()


def _postgres_problems(engine) -> list[str]:
    problems = []
    amcheck = True
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    except SQLAlchemyError:
        amcheck = False  # a server without contrib: the scans below still run
    with engine.begin() as connection:
        tables = [r[0] for r in connection.execute(text(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"))]
        if amcheck:
            indexes = [r[0] for r in connection.execute(text(
                "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c "
                "ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public'"))]
            for index in indexes:
                try:
                    with connection.begin_nested():
                        connection.execute(text(
                            "SELECT bt_index_check(CAST(:index AS regclass), true)"),
                            {"index": index})
                except SQLAlchemyError as error:
                    problems.append(f"index {index}: {getattr(error, 'orig', error)}")
            for table in tables:
                for row in connection.execute(text(
                        "SELECT blkno, offnum, msg FROM verify_heapam(CAST(:t AS regclass))"),
                        {"t": table}):
                    problems.append(f"table {table} block {row.blkno}: {row.msg}")
        # A full scan and the primary key and tracking code indexes must agree.
        connection.execute(text("SET LOCAL enable_indexscan = off"))
        connection.execute(text("SET LOCAL enable_bitmapscan = off"))
        connection.execute(text("SET LOCAL enable_indexonlyscan = off"))
        scanned = connection.execute(text(
            "SELECT count(*), count(DISTINCT tracking_code), "
            "count(*) FILTER (WHERE tracking_code IS NULL OR message IS NULL) "
            "FROM submissions")).one()
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        connection.execute(text("SET LOCAL enable_indexscan = on"))
        connection.execute(text("SET LOCAL enable_indexonlyscan = on"))
        by_key = connection.execute(text("SELECT count(*) FROM submissions WHERE id > 0")).one()
        by_code = connection.execute(text(
            "SELECT count(*) FROM submissions WHERE tracking_code > ''")).one()
    if not (scanned[0] == scanned[1] == by_key[0] == by_code[0]) or scanned[2]:
        problems.append(f"scan and indexes disagree: {scanned} {by_key[0]} {by_code[0]}")
    return problems
