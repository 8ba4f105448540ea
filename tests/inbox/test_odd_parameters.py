"""Odd values in the inbox's parameters get a 400 that names the parameter and says what to
give instead, never a 500 (or a 503 from a database that refused the value); nothing a
client sends reaches a Location header unchecked. On SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select

from feedback_api.models import ItemNote
from tests.inbox.conftest import (
    EMAILS,
    PASSWORD,
    add_staff,
    csrf_token,
    item,
    item_id,
    page_text,
    post,
    seed,
    send_report,
)

# (query string, the message naming what to give instead)
ODD_FILTERS = {
    "page=²": "Give the page as a number, like 2",
    "page=٣": "Give the page as a number, like 2",
    "page=0": "Give the page as a number, like 2",
    "page=99999999999999999999": "Give the page as a number, like 2",
    "assignee=²": "Choose someone from the list",
    "assignee=99999999999999999999": "Choose someone from the list",
    "to=9999-12-31": "Enter a date from 2000-01-01 to 2999-12-31",
    "from=9999-12-31": "Enter a date from 2000-01-01 to 2999-12-31",
    "from=0001-01-01": "Enter a date from 2000-01-01 to 2999-12-31",
    "q=ab%00cd": "Search for text without control characters",
}


@pytest.mark.parametrize("query", ODD_FILTERS)
def test_an_odd_filter_is_a_400_that_names_it_and_still_lists(query, signed_in, database_url):
    viewer = signed_in("viewer")
    [code] = seed(database_url, [{}])
    response = viewer.get(f"/inbox/?{query}")
    assert response.status_code == 400, (query, response.status_code)
    text = page_text(response)
    assert "Some filters could not be used" in text and ODD_FILTERS[query] in text
    assert code in response.get_data(as_text=True)  # the rest of the list still shows


def test_an_item_number_no_database_could_hold_is_a_400(signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    for number in (2**64 + 5, 2**40, 2**31):
        response = triager.get(f"/inbox/items/{number}")
        assert response.status_code == 400, number
        text = page_text(response)
        assert "This is not an item number" in text
        assert "item numbers run from 1 to 2,147,483,647" in text
        note = post(triager, f"/inbox/items/{number}/notes", {"note": "Hello"})
        assert note.status_code == 400, number
    assert triager.get(f"/inbox/items/{2**31 - 1}").status_code == 404  # could exist; does not
    assert item(database_url, code)["state"] == "new"


@pytest.mark.parametrize("value", ["²", str(2**70), "-1", "0", "1 OR 1=1", "١٢"])
def test_a_bulk_selection_that_is_not_item_numbers_is_a_400(value, signed_in, database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    good = str(item_id(database_url, code))
    response = post(triager, "/inbox/bulk", {"item": [good, value], "action": "spam"})
    assert response.status_code == 400
    text = page_text(response)
    assert "This selection cannot be used" in text and "nothing was changed" in text
    assert item(database_url, code)["state"] == "new"


def test_cr_and_lf_in_the_list_to_return_to_never_reach_the_location_header(signed_in,
                                                                             database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    back = "?state=all&kind=report\r\nSet-Cookie: stolen=1&sort=oldest"
    response = post(triager, "/inbox/bulk", {"item": str(item_id(database_url, code)),
                                             "action": "spam", "back": back})
    assert response.status_code == 303
    assert response.headers["Location"] == "/inbox/?state=all&sort=oldest"  # rebuilt
    assert "stolen" not in str(response.headers)
    assert item(database_url, code)["state"] == "dismissed"


@pytest.mark.parametrize("target", ["/inbox/\r\nSet-Cookie: stolen=1", "/inbox/%0d%0aX: 1",
                                    "/inbox/items/1\n", "/inbox/ items", "//[", "/inbox/../"])
def test_cr_and_lf_in_where_to_go_after_sign_in_fall_back_to_the_list(app, target):
    add_staff(app, "viewer")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/inbox/login?" + urlencode({"next": target}),
                           data={"email": EMAILS["viewer"], "password": PASSWORD,
                                 "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/inbox/"
    assert "stolen" not in str(response.headers)


def test_a_sign_in_address_with_a_nul_is_answered_like_an_unknown_one(app):
    add_staff(app, "viewer")
    client = app.test_client()
    response = client.post("/inbox/login", data={
        "email": EMAILS["viewer"] + "\x00", "password": PASSWORD,
        "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "email address or password is not right" in page_text(response)


@pytest.mark.parametrize("field, form", [("note", "notes"), ("public_note", "resolve"),
                                         ("internal_note", "dismiss")])
def test_a_note_with_a_control_character_is_refused_with_the_reason(field, form, signed_in,
                                                                    database_url):
    triager = signed_in("triager")
    code = send_report(triager)
    url = f"/inbox/items/{item_id(database_url, code)}"
    data = {"reason": "addressed" if form == "resolve" else "not-a-violation",
            field: "Checked\x00 with the department."}
    response = post(triager, f"{url}/{form}", data)
    assert response.status_code == 422
    assert "contains a control character" in page_text(response)
    assert item(database_url, code)["state"] == "new"
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(ItemNote)) == 0
    engine.dispose()


def test_an_export_with_a_filter_it_cannot_use_exports_nothing(signed_in, audit_mark):
    admin = signed_in("admin")
    send_report(admin)
    response = post(admin, "/inbox/export", {"state": "all", "to": "9999-12-31",
                                             "format": "csv"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Nothing was exported" in text and "to: Enter a date from 2000-01-01" in text
    assert [e for e in audit_mark() if e["action"].startswith("exported")] == []


# ---------------------------------------------------------------------------------------
# Whatever the list's query string holds: never a 5xx.

LIST_PARAMETERS = ["state", "kind", "category", "policy", "account", "assignee", "from", "to",
                   "q", "spam", "sort", "page"]
odd_values = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec=None), max_size=12),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["²", "٣", "0", "-1", "me", "none", "open", "all", "\x00", "%",
                     "9999-12-31", "0001-01-01", "2026-02-30", "1e9", " 1", "SMR-0000-0000"]),
)
queries = st.dictionaries(st.sampled_from(LIST_PARAMETERS), odd_values, max_size=5)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=queries)
@example(query={"page": "²"})
@example(query={"assignee": "٣", "to": "9999-12-31"})
@example(query={"q": "\x00\x00", "from": "0001-01-01"})
def test_the_list_never_answers_a_5xx_whatever_its_query(signed_in_viewer, query):
    response = signed_in_viewer.get(
        "/inbox/?" + urlencode(query, quote_via=quote, errors="surrogatepass"))
    assert response.status_code in (200, 400), (query, response.status_code)


@pytest.fixture
def signed_in_viewer(signed_in, database_url):
    seed(database_url, [{}, {"state": "resolved"}])
    return signed_in("viewer")
