"""The public register of decisions (`/decisions/`, `GET /api/v1/decisions`): what was
decided under each clause, with small counts suppressed so no one is singled out, and
nothing personal, no text, no codes, no disciplinary action."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import create_engine, insert

from feedback_api.decisions import Decision, register
from feedback_api.models import JudgedClause
from tests.conftest import assert_valid_app_pages, axe_violations
from tests.inbox.conftest import seed


def decide(url: str, month: str, clause: str, n: int, *, reason="violation-confirmed",
           state="resolved", outcomes="reprimand,post-removed") -> list[str]:
    """n decided reports citing AI 1-19 at `clause`, version 1, closed in `month`."""
    closed = dt.datetime.fromisoformat(f"{month}-15T12:00:00+00:00")
    codes = seed(url, [{"state": state, "state_reason": reason, "outcomes": outcomes,
                        "closed_at": closed, "message": "The text of a secret report.",
                        "name": "Ana Resident", "email": "ana@example.org"}
                       for _ in range(n)])
    engine = create_engine(url)
    with engine.begin() as connection:
        ids = dict(connection.exec_driver_sql(
            "SELECT tracking_code, id FROM submissions").all())
        connection.execute(insert(JudgedClause), [
            {"submission_id": ids[code], "position": 0, "policy_id": "ai-1-19",
             "clause": clause, "version": 1, "in_effect_from": "2020-01-01",
             "url": f"/policies/ai-1-19/versions/1/#{clause}"} for code in codes])
    engine.dispose()
    return codes


def published(row: dict) -> bool:
    return not row["suppressed"]


def test_the_register_counts_and_lists_without_singling_anyone_out(app, database_url):
    many = decide(database_url, "2026-03", "k-c", 6)
    few = decide(database_url, "2026-04", "m-a", 2, reason="not-a-violation",
                 state="dismissed", outcomes=None)
    decide(database_url, "2026-04", "k-c", 5)
    client = app.test_client()
    answer = client.get("/api/v1/decisions")
    assert answer.status_code == 200
    data = answer.get_json()

    clauses = {row["clause"]: row for row in data["by_clause"]}
    assert clauses["k-c"]["label"] == "AI 1-19 §K.c"
    assert clauses["m-a"] == {**clauses["m-a"], "count": None, "suppressed": True}
    # By subtraction: with m-a hidden, k-c (11) and the total (13) cannot both be shown.
    assert clauses["k-c"]["count"] in (11, None)
    assert data["citations_count"]["suppressed"] or clauses["k-c"]["suppressed"]
    months = {row["month"]: row for row in data["by_month"]}
    assert (months["2026-03"]["count"], months["2026-04"]["count"]) == (6, 7)
    assert data["decisions_count"]["count"] in (13, None)
    outcomes = {row["outcome"]: row for row in data["by_outcome"]}
    assert outcomes["not-substantiated"]["suppressed"]
    assert data["decisions_count"]["suppressed"] or outcomes["substantiated"]["suppressed"]

    listed = data["decisions"]
    assert len(listed) == 11 and data["not_listed"]  # the two m-a decisions are not listed
    assert {d["clause"]["clause"] for d in listed} == {"k-c"}
    assert listed[0]["month"] == "2026-04"
    assert listed[0]["actions"] == ["Post removed or corrected"]  # never the reprimand
    assert listed[0]["clause"]["url"] == "/policies/ai-1-19/versions/1/#k-c"

    text = answer.get_data(as_text=True)
    page = client.get("/decisions/").get_data(as_text=True)
    for private in ("Ana Resident", "ana@example.org", "secret report", "eprimand",
                    *many, *few):
        assert private not in text and private not in page


def test_filters_by_policy_and_clause(app, database_url):
    decide(database_url, "2026-03", "k-c", 5)
    decide(database_url, "2026-03", "m-a", 6)
    client = app.test_client()
    only = client.get("/api/v1/decisions?policy=ai-1-19&clause=m-a").get_json()
    assert [row["clause"] for row in only["by_clause"]] == ["m-a"]
    assert {d["clause"]["clause"] for d in only["decisions"]} == {"m-a"}
    page = client.get("/decisions/?policy=ai-1-19&clause=m-a").get_data(as_text=True)
    assert "Showing the decisions that cite AI 1-19 §M.a" in page


@pytest.mark.parametrize("query, message", [
    ("policy=nope", "policy 'nope' is not a policy of this site"),
    ("clause=k-c", "clause needs policy too"),
    ("policy=ai-1-19&clause=%3Cscript%3E", "is not a clause's anchor"),
])
def test_a_filter_that_cannot_be_used_says_why(app, query, message):
    client = app.test_client()
    answer = client.get(f"/api/v1/decisions?{query}")
    assert answer.status_code == 400 and message in answer.get_json()["error"]["message"]
    page = client.get(f"/decisions/?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True).replace(
        "&#39;", "'")
    assert "<script>" not in page.get_data(as_text=True)


def test_suppression_holds_against_subtraction_in_every_breakdown():
    """However the decisions fall, no hidden count can be worked out from the shown ones."""
    known = _catalog()
    for sizes in itertools.product((0, 1, 2, 5, 7), repeat=3):
        found = [Decision(month, "substantiated", "Substantiated", (), (("ai-1-19", c, 1),))
                 for month, c, n in zip(("2026-01", "2026-02", "2026-03"),
                                        ("k-a", "k-b", "k-c"), sizes, strict=True)
                 for _ in range(n)]
        data = register(found, known, None, None)
        for rows, total in ((data["by_clause"], data["citations_count"]),
                            (data["by_month"], data["decisions_count"])):
            hidden = [r for r in rows if r["suppressed"]]
            assert all(r["count"] is None for r in hidden)
            for r in rows:
                if r["count"] is not None:
                    assert r["count"] == 0 or r["count"] >= 5
            if len(hidden) == 1:  # one hidden cell: the total must not give it away
                assert total["suppressed"], (sizes, rows, total)


def _catalog():
    from tests.api.conftest import shipped_catalog

    return shipped_catalog()


def test_the_register_page_is_valid_html(app, database_url, tmp_path):
    decide(database_url, "2026-03", "k-c", 6)
    decide(database_url, "2026-04", "m-a", 2)
    client = app.test_client()
    pages = {"register": client.get("/decisions/").get_data(as_text=True),
             "register for a clause": client.get(
                 "/decisions/?policy=ai-1-19&clause=k-c").get_data(as_text=True),
             "register with a bad filter": client.get(
                 "/decisions/?policy=nope").get_data(as_text=True)}
    assert_valid_app_pages(pages, tmp_path)


@pytest.mark.browser
def test_the_register_is_accessible(page, app, database_url, tiny_site):
    from feedback_api.serve import start

    decide(database_url, "2026-03", "k-c", 6)
    decide(database_url, "2026-04", "m-a", 2)
    running = start(tiny_site, app)
    try:
        page.goto(f"{running.url.rstrip('/')}/decisions/")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Decisions")
        assert axe_violations(page) == []
    finally:
        running.stop()
