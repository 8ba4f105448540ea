"""The examples of docs/api.md: real requests to the feedback app and the answers it gives.

`ApiExamples()` makes the app with `create_app`, as `transparency serve` does, on a new
SQLite database in a temporary folder (created with `flask db upgrade`) and the policies in
content/, and sends each example with Flask's test client. The page shows each request as
the curl command that sends it to a local `transparency serve`, and the answer as it came:
with `curl -i`, the status line and the headers the example is about; then the JSON, laid
out for reading. Tracking codes and times are shown as stand-ins (`tools.standins`).

The app runs with its default limits, as residents meet them. Each example is sent from a
client address of its own (198.51.100.0/24, set aside for documentation), so no example
counts against another's limit or is a repeat of another. An example whose answer is not
the expected status stops `make docs` rather than documenting a fault.

In docs/api.md the first block makes the examples and writes the note on how they are made;
later blocks write one example each:

    <!-- [[[cog
    from tools.docs_api import ApiExamples
    api = ApiExamples()
    cog.out(api.note())
    ]]] -->
    <!-- [[[end]]] -->
"""

from __future__ import annotations

import json
import secrets
import tempfile
import textwrap
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from limits import parse_many

from feedback_api import create_app
from site_builder import addresses
from tools.standins import MOMENT, SEED, StandIns, iso

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
BASE = "http://127.0.0.1:8000"
WIDTH = 92
JSON_TYPE = "application/json"
RATE_LIMIT = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@dataclass(frozen=True, eq=False)
class Call:
    """One request of an example, and the answer it is expected to get."""

    method: str
    path: str
    expect: int
    json: object = None  # the body, as JSON
    body: str | bytes | None = None  # or the body as sent
    content_type: str | None = None
    shown_body: str | None = None  # how curl sends `body`, when it is not written out
    headers: tuple[str, ...] | None = None  # the answer's headers to show (curl -i)


FEEDBACK = Call("POST", "/api/v1/feedback", 201, json={
    "policy_id": "ai-1-19", "section": "k-c",
    "message": "Please say how long removed comments are kept."},
    headers=("Content-Type", "Location", *RATE_LIMIT))
ANSWERED = Call("POST", "/api/v1/feedback", 201, json={
    "policy_id": "ai-1-19", "section": "k-c",
    "message": "Say how long removed comments are kept, and who may see them."})
REPORT = Call("POST", "/api/v1/reports", 201, json={
    "category": "arguing-with-the-public", "account_id": "city-x-sample",
    "post_url": "https://x.com/abq_city_sample/status/1", "seen_at": "2026-03-27",
    "description": "The account argued with a resident in the replies."},
    headers=("Location",))
CATEGORIES = Call("GET", "/api/v1/report-categories", 200)
HEALTH = Call("GET", "/api/v1/health", 200, headers=())
ERRORS = (
    Call("POST", "/api/v1/feedback", 422, json={
        "policy_id": "AI-9-99", "message": "", "wants_reply": True, "colour": "blue"}),
    Call("POST", "/api/v1/feedback", 415, body="policy_id=ai-1-19",
         content_type="application/x-www-form-urlencoded", headers=()),
    Call("POST", "/api/v1/feedback", 400, body='{"policy_id": ', content_type=JSON_TYPE),
    Call("POST", "/api/v1/feedback", 413, content_type=JSON_TYPE,
         body=json.dumps({"policy_id": "ai-1-19", "message": "x" * 70_000}),
         shown_body="--data-binary @70-kilobytes.json", headers=()),
    Call("DELETE", "/api/v1/feedback", 405, headers=("Allow",)),
    Call("POST", "/api/v1/feedback", 422, json={
        "policy_id": "ai-1-19", "message": "Hi", "email": "ana@example", "wants_reply": "yes"}),
    Call("POST", "/api/v1/reports", 422, json={
        "category": "Other", "description": "x", "account_id": "", "post_url": "",
        "seen_at": "27/03/2026"}),
)
EMPTY_VALUES = Call("POST", "/api/v1/feedback", 201, json={
    "policy_id": "ai-1-19", "message": "Please keep the archive of removed comments public.",
    "section": "", "name": "", "email": "", "wants_reply": ""}, headers=("Location",))


class ApiExamples:
    """The app on a throwaway database, and the examples of docs/api.md sent to it."""

    def __init__(self, content: Path = CONTENT) -> None:
        self.stand_ins = StandIns()
        folder = tempfile.TemporaryDirectory(prefix="docs-api-")
        self.app = create_app({
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": f"sqlite:///{Path(folder.name) / 'feedback.sqlite3'}",
            "CONTENT_DIR": str(content),
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_KEY_PREFIX": f"docs-{secrets.token_hex(4)}",
            "SITE_DIR": str(Path(folder.name) / "site"),
        })
        with self.app.app_context():
            result = self.app.test_cli_runner().invoke(args=["db", "upgrade"])
        if result.exit_code != 0:
            raise RuntimeError(f"flask db upgrade failed: {result.output}") from result.exception
        engine = self.app.extensions.get("db_engine")
        if engine is not None:
            weakref.finalize(self, engine.dispose)
        weakref.finalize(self, folder.cleanup)
        self._clients = 0
        self._codes: dict[Call, str] = {}

    # -----------------------------------------------------------------------------------
    # The examples, each a piece of Markdown

    def note(self) -> str:
        """How the examples are made, as a paragraph."""
        return textwrap.fill(
            "The examples on this page are made by running the code (`make docs`): each "
            "request is sent to the app, on a new SQLite database and the policies in "
            "`content/`, and the answer is written as it came back, the JSON laid out for "
            "reading; with `curl -i`, only the status line and the headers the example is "
            "about are shown. `tests/test_docs.py` fails when the app answers differently "
            "from this page. What differs from one run to the next is shown as a stand-in: "
            f"tracking codes are drawn from a generator seeded with `{SEED!r}`, and times "
            f"are shown as if every request had been sent at {iso(MOMENT)}, "
            "`X-RateLimit-Reset` and `Retry-After` to the minute. Each example is sent from "
            "a client address of its own, so none counts against another's limits.",
            WIDTH, break_on_hyphens=False, break_long_words=False) + "\n"

    def feedback(self) -> str:
        return self.console(FEEDBACK)

    def report(self) -> str:
        return self.console(REPORT)

    def categories(self) -> str:
        return self.console(CATEGORIES)

    def categories_table(self) -> str:
        answer = self.send(CATEGORIES, self._client())
        rows = ["| id | Label | Cites |", "| --- | --- | --- |"]
        for category in answer.get_json()["categories"]:
            cites = ", ".join(rule["citation"] for rule in category["rules"]) or "—"
            rows.append(f"| `{category['id']}` | {category['label']} | {cites} |")
        return "\n".join(rows) + "\n"

    def status(self) -> str:
        code = self._code_of(FEEDBACK)
        return self.console(Call("GET", f"/api/v1/status/{code.lower()}", 200))

    def status_led_to(self) -> str:
        """Feedback that version 3 of AI 1-19 responds to: the site's open data, as a build
        writes it from the commit's `Responds-to:` trailer, names its code."""
        code = self._code_of(ANSWERED)
        data = Path(self.app.config["SITE_DIR"]) / addresses.POLICIES_DATA
        data.parent.mkdir(parents=True, exist_ok=True)
        data.write_text(json.dumps({"policies": [{"id": "ai-1-19", "versions": [
            {"number": number, "url": addresses.version_url("ai-1-19", number),
             "diff_url": addresses.diff_url("ai-1-19", number), "withdrawn": None,
             "responds_to": [code] if number == 3 else []} for number in (1, 2, 3)]}]}))
        return self.console(Call("GET", f"/api/v1/status/{code}", 200))

    def health(self) -> str:
        return self.console(HEALTH)

    def errors(self) -> str:
        return self.console(*ERRORS)

    def empty_values(self) -> str:
        return self.console(EMPTY_VALUES)

    def rate_limited(self, indent: int = 0) -> str:
        """The answer to one submission more than the shortest limit allows; each line
        indented by `indent` spaces (for a block inside a list item)."""
        limit = parse_many(self.app.config["RATELIMIT_SUBMIT"])[0]
        client = self._client()
        for number in range(1, limit.amount + 1):
            self.send(_feedback(f"Comment number {number} on the archive of removed comments."),
                      client)
        last = _feedback("One more comment on the archive of removed comments.", 429,
                         headers=(*RATE_LIMIT, "Retry-After"))
        period = limit.GRANULARITY.name + ("s" if limit.multiples > 1 else "")
        comment = (f"# submission {limit.amount + 1} from one client within {limit.multiples} "
                   f"{period}: over the limit of {limit.amount}")
        return self._markdown([comment + "\n" + self._example(last, client)], indent)

    # -----------------------------------------------------------------------------------
    # Sending and showing

    def console(self, *calls: Call) -> str:
        """A console block: each call sent from a client of its own, and its answer."""
        return self._markdown([self._example(call, self._client()) for call in calls])

    def send(self, call: Call, client: str):
        """Send `call` from `client`; the answer, which must have the expected status."""
        options: dict = {"method": call.method, "environ_base": {"REMOTE_ADDR": client}}
        if call.json is not None:
            options["json"] = call.json
        elif call.body is not None:
            options["data"] = call.body
        if call.content_type:
            options["content_type"] = call.content_type
        answer = self.app.test_client().open(call.path, **options)
        if answer.status_code != call.expect:
            raise RuntimeError(f"{call.method} {call.path} was answered {answer.status}, not "
                               f"{call.expect}:\n{answer.get_data(as_text=True)}")
        if answer.status_code == 201:
            code = answer.get_json()["tracking_code"]
            self.stand_ins.tracking_code(code)
            self._codes.setdefault(call, code)
        return answer

    def _example(self, call: Call, client: str) -> str:
        sent = time.time()
        answer = self.send(call, client)
        lines = [curl(call)]
        if call.headers is not None:
            lines.append(f"HTTP/1.1 {answer.status}")
            for name in call.headers:
                if name in answer.headers:
                    value = self._header(name, answer.headers[name], sent)
                    lines.append(f"{name}: {value}")
            lines.append("")
        body = answer.get_data(as_text=True)
        lines.append(layout(json.loads(body)) if answer.is_json else body)
        return self.stand_ins.apply("\n".join(lines))

    def _header(self, name: str, value: str, sent: float) -> str:
        if name == "X-RateLimit-Reset":
            return self.stand_ins.unix_time(value, sent)
        if name == "Retry-After":
            return self.stand_ins.seconds(value)
        if name == "Allow":  # a set, in an order that changes from run to run
            return ", ".join(sorted(method.strip() for method in value.split(",")))
        return value

    def _code_of(self, call: Call) -> str:
        if call not in self._codes:
            self.send(call, self._client())
        return self._codes[call]

    def _client(self) -> str:
        self._clients += 1
        return f"198.51.100.{self._clients}"

    @staticmethod
    def _markdown(examples: list[str], indent: int = 0) -> str:
        text = "\n\n".join(examples)
        block = f"```console\n{text}\n```\n"
        return textwrap.indent(block, " " * indent, lambda line: line.strip() != "")


def _feedback(message: str, expect: int = 201, headers: tuple[str, ...] | None = None) -> Call:
    return Call("POST", "/api/v1/feedback", expect,
                json={"policy_id": "ai-1-19", "message": message}, headers=headers)


# ---------------------------------------------------------------------------------------
# Layout


def curl(call: Call) -> str:
    """The curl command that sends `call` to a local `transparency serve`."""
    words = ["$ curl"]
    if call.headers is not None:
        words.append("-i")
    if call.method != "GET":
        words.append(f"-X {call.method}")
    words.append(BASE + call.path)
    options = []
    if call.json is not None or call.content_type == JSON_TYPE:
        options.append(f"-H 'Content-Type: {JSON_TYPE}'")
    if call.shown_body:
        options.append(call.shown_body)
    elif call.json is not None:
        options.append("-d " + _json_argument(call.json))
    elif call.body is not None:
        options.append("-d " + _quote(str(call.body)))
    return _wrap(" ".join(words), options)


def _wrap(first: str, options: list[str]) -> str:
    """`first`, then the options, a new line (after ` \\`) when the next does not fit."""
    lines = [first]
    for option in options:
        if "\n" not in option and len(lines[-1]) + 1 + len(option) + 2 <= WIDTH:
            lines[-1] += " " + option
        else:
            lines[-1] += " \\"
            lines.append("    " + option.replace("\n", "\n    "))
    return "\n".join(lines)


def _json_argument(value: dict) -> str:
    """A JSON object as a quoted shell argument, its members wrapped to the width."""
    items = [f"{_dumps(key)}: {_dumps(item)}" for key, item in value.items()]
    room = WIDTH - len("    -d '{")
    lines = [""]
    for item in items:
        if lines[-1] and len(lines[-1]) + len(item) + 3 > room:
            lines[-1] += ","
            lines.append(item)
        else:
            lines[-1] += (", " if lines[-1] else "") + item
    return _quote("{" + "\n     ".join(lines) + "}")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def layout(value, indent: int = 0, lead: int = 0) -> str:
    """JSON for reading: a value on one line when it fits, else one member a line."""
    flat = _dumps(value)
    if (indent + lead + len(flat) <= WIDTH or not isinstance(value, dict | list)
            or not value):
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        members = [f"{pad}{_dumps(key)}: {layout(item, indent + 2, len(_dumps(key)) + 2)}"
                   for key, item in value.items()]
        return "{\n" + ",\n".join(members) + "\n" + " " * indent + "}"
    members = [pad + layout(item, indent + 2) for item in value]
    return "[\n" + ",\n".join(members) + "\n" + " " * indent + "]"
