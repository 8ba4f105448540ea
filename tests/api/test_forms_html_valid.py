"""Every page the public side of the app serves is valid HTML (the W3C Nu HTML Checker).

The pages are fetched as a browser would get them (forms blank, sent back with errors,
confirmations, status look-ups, the error pages) and checked in one run of the checker.
The markup does not depend on the database, so this runs on SQLite only.
"""

from __future__ import annotations

import re

from feedback_api import create_app
from tests.api.conftest import app_config, send_form
from tests.conftest import assert_valid_app_pages, free_port

CODE = re.compile(r"SMR(-[0-9A-HJKMNP-TV-Z]{4}){4}")


def test_every_public_page_is_valid_html(make_sqlite_app, catalog, tmp_path):
    client = make_sqlite_app(RATELIMIT_SUBMIT="2 per minute").test_client()
    pages: dict[str, tuple[int, str]] = {}

    def keep(name: str, response) -> None:
        pages[name] = (response.status_code, response.get_data(as_text=True))

    keep("feedback form", client.get("/feedback/"))
    keep("feedback form for a clause", client.get("/feedback/?policy=ai-1-19&section=k-c"))
    keep("report form", client.get("/report/"))
    keep("report form for an account", client.get("/report/?account=city-x-sample"))
    keep("feedback with errors", send_form(client, "/feedback/", message="", email="ana-at"))
    keep("report with errors", send_form(client, "/report/", category="other",
                                         description=""))
    keep("session expired (400)", client.post("/feedback/", data={"policy_id": "ai-1-19",
                                                                  "message": "Hello"}))

    keep("too large (413)", client.post("/feedback/", data={"message": "x" * 600_000}))

    sent = send_form(client, "/feedback/", policy_id="ai-1-19", section="k-c",
                     message="Please say how long removed comments are kept.")
    confirmation = client.get(sent.headers["Location"])
    keep("feedback confirmation", confirmation)
    code = CODE.search(confirmation.get_data(as_text=True)).group(0)
    reported = send_form(client, "/report/", account_id="city-x-sample", category="other",
                         description="The account argued with a resident.")
    keep("report confirmation", client.get(reported.headers["Location"]))
    keep("report over the limit (429)", send_form(client, "/report/", category="other",
                                                  account_id="city-x-sample",
                                                  description="A third one in a minute."))

    keep("status look-up", client.get("/feedback/status"))
    keep("status look-up with an error", client.get("/feedback/status?code=12345"))
    keep("status", client.get(f"/feedback/status/{code}"))
    keep("status of an unknown code (404)", client.get("/report/status/SMR-0000-0000-0000-0000"))
    keep("not found (404)", client.get("/feedback/nothing-here"))
    keep("method not allowed (405)", client.delete("/feedback/"))

    down = create_app(app_config(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
                                 catalog))
    try:
        keep("database down (503)", send_form(down.test_client(), "/feedback/",
                                              policy_id="ai-1-19", message="Keep this."))
    finally:
        down.extensions["db_engine"].dispose()

    statuses = {name: status for name, (status, _) in pages.items()}
    assert statuses == {
        "feedback form": 200, "feedback form for a clause": 200, "report form": 200,
        "report form for an account": 200, "feedback with errors": 422,
        "report with errors": 422, "session expired (400)": 400,
        "feedback confirmation": 200, "report confirmation": 200,
        "report over the limit (429)": 429, "status look-up": 200,
        "status look-up with an error": 422, "status": 200,
        "status of an unknown code (404)": 404, "not found (404)": 404,
        "too large (413)": 413, "method not allowed (405)": 405, "database down (503)": 503,
    }
    assert_valid_app_pages({name: html for name, (_, html) in pages.items()}, tmp_path)
