"""The language a resident wrote in, in the inbox: marked in the list and on the item page,
a filter like the others, a reminder beside the public note to write it in that language,
and a column in the exports. On SQLite and PostgreSQL (the markup and axe checks on
SQLite)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.api.conftest import REPORT
from tests.conftest import assert_valid_app_pages
from tests.inbox.conftest import (
    EMAILS,
    PASSWORD,
    add_staff,
    item,
    item_id,
    page_text,
    post,
    seed,
    send_report,
)
from tests.inbox.test_inbox_browser import assert_accessible, live  # noqa: F401  (a fixture)

CODE = re.compile(r"SMR(?:-[0-9A-Z]{4}){4}")
HINT = "The resident wrote in Spanish: write the public note in Spanish."


def send_spanish_report(client, **fields) -> str:
    """A report sent through the API by a client that asks for Spanish."""
    response = client.post("/api/v1/reports", json={**REPORT, **fields},
                           headers={"Accept-Language": "es"})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["tracking_code"]


def rows_of(response, status: int = 200) -> dict[str, str]:
    """The list's rows, by tracking code: each row's text."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    if "<tbody>" not in html:
        return {}
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = {}
    for row in body.split("<tr>")[1:]:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
        rows[CODE.search(row).group(0)] = text
    return rows


def textarea(html: str, field_id: str) -> str:
    found = re.search(rf'<textarea[^>]*\bid="{field_id}"[^>]*>', html)
    assert found, field_id
    return found.group(0)


def test_a_spanish_item_is_marked_in_the_list_and_on_its_page(signed_in, database_url):
    viewer = signed_in("viewer")
    spanish = send_spanish_report(viewer, description="La cuenta discutió con un vecino.")
    english = send_report(viewer)
    assert item(database_url, spanish)["language"] == "es"
    assert item(database_url, english)["language"] == "en"

    rows = rows_of(viewer.get("/inbox/"))
    assert "Written in Spanish" in rows[spanish]
    assert "Spanish" not in rows[english] and "English" not in rows[english]
    html = viewer.get("/inbox/").get_data(as_text=True)
    assert '<span class="tag"><span class="visually-hidden">Written in </span>Spanish</span>' \
        in html  # the mark is English, like the page
    assert html.count('<td class="snippet" lang="es">') == 1  # the resident's words are not

    page = viewer.get(f"/inbox/items/{item_id(database_url, spanish)}")
    assert "Language Spanish" in page_text(page)
    assert '<div class="submitted-text" lang="es">La cuenta' in page.get_data(as_text=True)
    page = viewer.get(f"/inbox/items/{item_id(database_url, english)}")
    assert "Language English" in page_text(page)
    assert 'lang="es"' not in page.get_data(as_text=True)


def test_the_language_filter_narrows_the_list_and_is_kept(app, signed_in, database_url):
    viewer = signed_in("viewer")
    [spanish, *english] = seed(database_url, [{"language": "es"}, {"language": "en"},
                                              {"language": "en"}])
    assert set(rows_of(viewer.get("/inbox/"))) == {spanish, *english}
    assert list(rows_of(viewer.get("/inbox/?language=es"))) == [spanish]
    assert set(rows_of(viewer.get("/inbox/?language=en"))) == set(english)
    assert rows_of(viewer.get("/inbox/?language=es&state=resolved")) == {}

    form = viewer.get("/inbox/?language=es").get_data(as_text=True)
    assert '<option value="es" selected>Spanish</option>' in form
    assert '<option value="">Any language</option>' in form
    assert '<option value="en">English</option>' in form

    # Kept across pages, with the order and the other filters.
    app.config["INBOX_PAGE_SIZE"] = 2
    more = seed(database_url, [{"language": "es"}, {"language": "es"}])
    first = viewer.get("/inbox/?language=es&sort=oldest")
    assert 'href="/inbox/?language=es&amp;sort=oldest&amp;page=2" rel="next"' in \
        first.get_data(as_text=True)
    second = viewer.get("/inbox/?language=es&sort=oldest&page=2")
    assert 'href="/inbox/?language=es&amp;sort=oldest" rel="prev"' in \
        second.get_data(as_text=True)
    assert [*rows_of(first), *rows_of(second)] == [spanish, *more]


def test_a_bulk_action_returns_to_the_list_in_its_language(signed_in, database_url):
    triager = signed_in("triager")
    [spanish] = seed(database_url, [{"language": "es"}])
    response = post(triager, "/inbox/bulk", {
        "item": [str(item_id(database_url, spanish))], "action": "spam",
        "back": "?language=es&state=all"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/inbox/?state=all&language=es"


@pytest.mark.parametrize("value", ["xx", "ES", "spanish", "es-MX"])
def test_a_language_the_registry_does_not_have_is_named_and_left_out(value, signed_in,
                                                                     database_url):
    viewer = signed_in("viewer")
    codes = seed(database_url, [{"language": "es"}, {"language": "en"}])
    response = viewer.get(f"/inbox/?language={value}")
    text = page_text(response)
    assert "Some filters could not be used" in text
    assert "Choose a language from the list" in text
    assert set(rows_of(response, status=400)) == set(codes)  # the list still shows
    assert 'id="filter-language-error"' in response.get_data(as_text=True)


def test_an_export_with_an_unknown_language_exports_nothing(signed_in, database_url):
    admin = signed_in("admin")
    seed(database_url, [{"language": "es"}])
    response = post(admin, "/inbox/export", {"language": "xx", "format": "csv"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Nothing was exported" in text and "language: Choose a language from the list" in text


def test_the_public_note_is_asked_for_in_the_residents_language(signed_in, database_url):
    triager = signed_in("triager")
    spanish = send_spanish_report(triager, description="La cuenta insultó a un vecino.")
    english = send_report(triager)
    spanish_url = f"/inbox/items/{item_id(database_url, spanish)}"
    english_url = f"/inbox/items/{item_id(database_url, english)}"

    html = triager.get(spanish_url).get_data(as_text=True)
    assert page_text(triager.get(spanish_url)).count(HINT) == 2  # resolve and dismiss
    for action in ("resolve", "dismiss"):
        field = textarea(html, f"{action}-public_note")
        assert 'lang="es"' in field
        assert f"{action}-public_note-language" in field  # read out with the field
        assert f'id="{action}-public_note-language"' in html

    # Shown again when a change is refused, with what was typed.
    refused = post(triager, f"{spanish_url}/resolve", {"reason": "violation-confirmed",
                                                      "public_note": "Lo corregimos."})
    assert refused.status_code == 422
    assert HINT in page_text(refused)
    assert 'lang="es"' in textarea(refused.get_data(as_text=True), "resolve-public_note")

    html = triager.get(english_url).get_data(as_text=True)
    assert "The resident wrote in" not in html and 'lang="es"' not in html
    assert "public_note-language" not in html


def test_exports_carry_the_language(signed_in, database_url):
    admin = signed_in("admin")
    spanish = send_spanish_report(admin, description="La cuenta borró mi comentario.")
    english = send_report(admin)
    for public in (False, True):
        extra = {"public": "on"} if public else {}
        response = post(admin, "/inbox/export", {"state": "all", "format": "csv", **extra})
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert "language" in rows[0]
        assert sorted(row["language"] for row in rows) == ["en", "es"]
        if not public:
            assert {row["tracking_code"]: row["language"] for row in rows} == {
                spanish: "es", english: "en"}

        response = post(admin, "/inbox/export", {"state": "all", "format": "json", **extra})
        assert response.status_code == 200
        items = json.loads(response.get_data(as_text=True))["items"]
        assert sorted(entry["language"] for entry in items) == ["en", "es"]

    response = post(admin, "/inbox/export", {"language": "es", "format": "json"})
    exported = json.loads(response.get_data(as_text=True))
    assert [entry["tracking_code"] for entry in exported["items"]] == [spanish]
    assert exported["filters"] == {"language": "es"}


def test_the_inbox_in_another_language_is_sent_to_the_inbox(app, signed_in, database_url):
    anonymous = app.test_client()
    response = anonymous.get("/es/inbox/?language=es&state=all")
    assert response.status_code == 308
    assert response.headers["Location"] == "/inbox/?language=es&state=all"
    assert anonymous.get("/es/inbox/login").headers["Location"] == "/inbox/login"
    viewer = signed_in("viewer")
    [spanish] = seed(database_url, [{"language": "es"}])
    response = viewer.get(f"/es/inbox/items/{item_id(database_url, spanish)}")
    assert response.status_code == 308
    assert response.headers["Location"] == f"/inbox/items/{item_id(database_url, spanish)}"
    response = viewer.post("/es/inbox/export", data={"format": "csv"})
    assert response.status_code == 308 and response.headers["Location"] == "/inbox/export"
    page = viewer.get("/inbox/")
    assert '<html lang="en">' in page.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_pages_that_show_a_language_are_valid_html(signed_in, database_url, tmp_path):
    admin = signed_in("admin")
    spanish = send_spanish_report(admin, description="La cuenta discutió con un vecino.")
    send_report(admin)
    url = f"/inbox/items/{item_id(database_url, spanish)}"
    pages = {}
    for name, response in (
            ("list", admin.get("/inbox/?state=all")),
            ("list in Spanish", admin.get("/inbox/?language=es")),
            ("list with an unknown language", admin.get("/inbox/?language=xx")),
            ("Spanish item", admin.get(url)),
            ("Spanish item, refused", post(admin, f"{url}/resolve", {
                "reason": "violation-confirmed", "public_note": "Lo corregimos."}))):
        pages[name] = response.get_data(as_text=True)
    assert_valid_app_pages(pages, tmp_path)


@pytest.mark.browser
def test_a_triager_filters_by_language_and_axe_finds_nothing(page, live):  # noqa: F811
    app, url = live
    add_staff(app, "triager")
    resident = app.test_client()
    spanish = send_spanish_report(resident, description="La cuenta discutió con un vecino.")
    english = send_report(resident)

    page.goto(f"{url}/inbox/login")
    page.get_by_label("Email address").fill(EMAILS["triager"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/inbox/")
    page.get_by_text("Filter and search").click()
    page.get_by_label("Language").select_option(label="Spanish")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"language=es"))
    table = page.locator("table.inbox-table")
    assert spanish in table.inner_text() and english not in table.inner_text()
    assert_accessible(page, "list of Spanish items")

    page.get_by_role("link", name=spanish).click()
    page.wait_for_url(re.compile(r"/inbox/items/\d+$"))
    page.locator("summary", has_text="Resolve").click()
    note = page.locator("#resolve-public_note")
    assert note.get_attribute("lang") == "es"
    assert HINT in note.evaluate("field => field.ariaDescribedByElements"
                                 ".map(e => e.textContent).join(' ')")
    assert_accessible(page, "Spanish item")
