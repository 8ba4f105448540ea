"""The public forms through Flask's test client, on SQLite and PostgreSQL: what a resident
sees, what is kept when something goes wrong, and what is recorded."""

from __future__ import annotations

import re
import time

from feedback_api import create_app
from tests.api.conftest import app_config, form_values, read_form, rows, send_form
from tests.conftest import free_port

CODE = re.compile(r"SMR(-[0-9A-HJKMNP-TV-Z]{4}){4}")


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_comment_link_from_a_section_prefills_the_form(client):
    response = client.get("/feedback/?policy=AI-1-19&section=k-c")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    form = read_form(html)
    assert form.values["policy_id"] == "ai-1-19"
    assert form.values["section"] == "k-c"
    assert "AI 1-19 §K.c" in page_text(response)
    assert form.values["csrf_token"] and form.values["started"]
    assert form.values["website"] == ""  # the honeypot starts empty


def test_an_unknown_section_is_not_offered(client):
    form = read_form(client.get("/feedback/?policy=ai-1-19&section=zz").get_data(as_text=True))
    assert form.values["policy_id"] == "ai-1-19"
    assert "section" not in form.values or form.values["section"] == ""


def test_the_forms_say_what_happens_before_anyone_types(client):
    for url in ("/feedback/", "/report/"):
        html = client.get(url).get_data(as_text=True)
        notice = html.index("Before you start")
        assert notice < html.index("<form")
        before = html[notice:html.index("<form")]
        assert "Inspection of Public Records Act" in before
        assert "AI 1-19 §H" in before
        assert "anonymous" in before
        assert "Your contact details (optional)" in html


def test_pages_look_like_the_site(client):
    html = client.get("/feedback/").get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in html
    assert "City of Albuquerque — Social Media Policies" in html
    assert 'href="/"' in html and 'href="/policies/"' in html
    assert "<header" in html and '<main id="main"' in html and "<footer" in html
    assert "City of Albuquerque social media policies" in html
    css = client.get("/feedback/static/forms.css")
    assert css.status_code == 200 and "#1d3557" in css.get_data(as_text=True)


def test_feedback_is_sent_confirmed_and_its_status_shown(client, database_url):
    response = send_form(client, "/feedback/?policy=ai-1-19&section=k-c",
                         message="Say how long removed comments are kept.", name="Ana",
                         email="ana@example.org", wants_reply="y")
    assert response.status_code == 303
    confirmation = client.get(response.headers["Location"])
    assert confirmation.status_code == 200
    code = CODE.search(page_text(confirmation)).group(0)
    assert "What happens next" in page_text(confirmation)
    status_link = f"/feedback/status/{code}"
    assert f'href="{status_link}"' in confirmation.get_data(as_text=True)

    [row] = rows(database_url)
    assert (row["tracking_code"], row["source"], row["policy_id"], row["section"]) == \
        (code, "form", "ai-1-19", "k-c")
    assert (row["name"], row["email"], row["wants_reply"], row["is_spam"]) == \
        ("Ana", "ana@example.org", True, False)

    status = client.get(status_link)
    assert status.status_code == 200
    text = page_text(status)
    assert code in text and "Received" in text and "Feedback on a policy" in text
    for private in ("Ana", "ana@example.org", "removed comments"):
        assert private not in text


def test_anonymous_is_the_default(client, database_url):
    values = form_values(client, "/feedback/")
    assert values["name"] == "" and values["email"] == "" and "wants_reply" not in values
    assert send_form(client, "/feedback/", policy_id="ai-1-19", message="Fine.").status_code == 303
    [row] = rows(database_url)
    assert row["name"] is None and row["email"] is None and not row["wants_reply"]


def test_an_invalid_form_shows_the_errors_and_keeps_what_was_typed(client, database_url):
    response = send_form(client, "/feedback/?policy=ai-1-19&section=k-c", message="",
                         name="Ana <b>Resident</b>", email="not-an-email", wants_reply="y")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count('role="alert"') == 1
    summary = html[html.index('id="error-summary"'):html.index("</div>", html.index(
        'id="error-summary"'))]
    assert "autofocus" in summary and "There is a problem" in summary
    assert 'href="#message"' in summary and 'href="#email"' in summary
    assert "<title>Error:" in html
    form = read_form(html)
    assert form.ids["message"]["aria-describedby"] == "message-hint message-error"
    assert form.ids["message"]["aria-invalid"] == "true"
    assert "Enter your comment" in html
    assert "name@example.com" in html  # says how to fix it
    assert form.values["name"] == "Ana <b>Resident</b>"
    assert "<b>Resident</b>" not in html  # escaped, never markup
    assert form.values["email"] == "not-an-email"
    assert form.values["wants_reply"] == "y"
    assert (form.values["policy_id"], form.values["section"]) == ("ai-1-19", "k-c")
    assert rows(database_url) == []


def test_a_long_comment_is_kept_and_the_limit_explained(client):
    long = "word " * 1100
    response = send_form(client, "/feedback/", policy_id="ai-1-19", message=long)
    assert response.status_code == 422
    assert "5,000 characters or fewer" in page_text(response)
    assert read_form(response.get_data(as_text=True)).values["message"].strip() == long.strip()


def test_choosing_another_policy_than_the_sections_one_is_explained(client, database_url):
    response = send_form(client, "/feedback/?policy=ai-1-19&section=k-c",
                         policy_id="parks-recreation-social-media", message="Hello")
    assert response.status_code == 422
    assert "§K.c is part of AI 1-19" in page_text(response)
    whole = send_form(client, "/feedback/?policy=ai-1-19&section=k-c",
                      policy_id="parks-recreation-social-media", section="", message="Hello")
    assert whole.status_code == 303
    [row] = rows(database_url)
    assert (row["policy_id"], row["section"]) == ("parks-recreation-social-media", None)


def test_an_expired_token_sends_the_form_back_filled_in(make_app, database_url):
    client = make_app(WTF_CSRF_TIME_LIMIT=1).test_client()
    values = form_values(client, "/feedback/")
    time.sleep(2.1)  # the resident takes longer than the token lasts
    values.update(policy_id="ai-1-19", message="A long considered comment.", name="Ana")
    response = client.post("/feedback/", data=values)
    assert response.status_code == 400
    text = page_text(response)
    assert "session timed out" in text and "send it again" in text
    form = read_form(response.get_data(as_text=True))
    assert form.values["message"] == "A long considered comment."
    assert form.values["name"] == "Ana"
    assert form.values["csrf_token"] != values["csrf_token"]
    assert rows(database_url) == []
    again = client.post("/feedback/", data=form.values)
    assert again.status_code == 303
    assert len(rows(database_url)) == 1


def test_a_form_without_a_token_is_not_recorded(client, database_url):
    values = form_values(client, "/report/")
    values.pop("csrf_token")
    response = client.post("/report/", data={**values, "category": "other",
                                             "description": "x", "account_id": "city-x-sample"})
    assert response.status_code == 400
    assert rows(database_url) == []


def test_a_filled_honeypot_is_accepted_quietly_and_marked_as_spam(client, database_url):
    response = send_form(client, "/feedback/", policy_id="ai-1-19", message="Buy now",
                         website="http://spam.example")
    assert response.status_code == 303
    confirmation = client.get(response.headers["Location"])
    assert CODE.search(page_text(confirmation))
    [row] = rows(database_url)
    assert row["is_spam"] and row["spam_reason"] == "honeypot"


def test_a_form_filled_in_faster_than_a_person_can_is_marked_as_spam(make_app, database_url):
    client = make_app(FORM_MIN_SECONDS=3).test_client()
    response = send_form(client, "/report/", category="other", description="Too quick",
                         account_id="city-x-sample")
    assert response.status_code == 303
    [row] = rows(database_url)
    assert row["is_spam"] and row["spam_reason"] == "too-fast"


def test_a_forged_start_time_is_marked_as_spam(client, database_url):
    response = send_form(client, "/feedback/", policy_id="ai-1-19", message="Hi",
                         started="0")
    assert response.status_code == 303
    [row] = rows(database_url)
    assert row["is_spam"] and row["spam_reason"] == "no-start-time"


def test_the_same_form_sent_twice_is_recorded_once(client, database_url):
    first = send_form(client, "/feedback/", policy_id="ai-1-19", message="Twice")
    second = send_form(client, "/feedback/", policy_id="ai-1-19", message="Twice")
    assert first.headers["Location"] == second.headers["Location"]
    assert len(rows(database_url)) == 1


def test_the_report_form_lists_the_directory_and_the_rules(client):
    html = client.get("/report/").get_data(as_text=True)
    form = read_form(html)
    assert form.ids["account_id"]["tag"] == "select"
    assert "@abq_city_sample on X (formerly Twitter) (Office of Communications)" in html
    assert form.ids["account_url"]["type"] == "url"
    assert form.ids["seen_at"]["type"] == "date"
    for citation in ("AI 1-19 §K.b", "AI 1-19 §K.e", "AI 1-19 §K.d", "AI 1-19 §K.l",
                     "AI 1-19 §U.b", "AI 1-19 §M.a", "Resolution §1.A.3"):
        assert citation in html
    assert 'id="category"' in html  # the error summary's link target is the first radio


def test_a_report_is_sent(client, database_url):
    response = send_form(client, "/report/?account=city-x-sample", category="political-campaigning",
                         post_url="https://x.com/abq_city_sample/status/9",
                         seen_at="2026-03-27", description="Endorsed a ballot measure.")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/report/sent/SMR-")
    [row] = rows(database_url)
    assert (row["kind"], row["category"], row["account_id"], row["seen_at"]) == \
        ("report", "political-campaigning", "city-x-sample", "2026-03-27")


def test_a_report_without_an_account_or_post_says_what_to_give(client, database_url):
    response = send_form(client, "/report/", category="other", description="Something")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#account_id"' in html
    assert "give the link to the post" in html
    form = read_form(html)
    assert form.values["category"] == "other" and form.values["description"] == "Something"
    assert rows(database_url) == []


def test_the_database_being_down_keeps_what_was_typed(catalog, tmp_path):
    for url in (f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
                f"sqlite:///{tmp_path}/no-such-folder/feedback.sqlite3"):
        app = create_app(app_config(url, catalog))
        client = app.test_client()
        response = send_form(client, "/feedback/", policy_id="ai-1-19",
                             message="Do not lose this.", email="ana@example.org")
        assert response.status_code == 503
        assert "database is unavailable" in page_text(response)
        form = read_form(response.get_data(as_text=True))
        assert form.values["message"] == "Do not lose this."
        assert form.values["email"] == "ana@example.org"
        app.extensions["db_engine"].dispose()


def test_status_look_up(client):
    code = CODE.search(client.get(send_form(client, "/feedback/", policy_id="ai-1-19",
                                            message="Hi").headers["Location"])
                       .get_data(as_text=True)).group(0)
    lookup = client.get("/feedback/status")
    assert lookup.status_code == 200 and 'name="code"' in lookup.get_data(as_text=True)
    typed = code.lower().replace("-", " ")
    found = client.get("/feedback/status", query_string={"code": typed})
    assert found.status_code == 303 and found.headers["Location"].endswith(code)
    assert client.get(found.headers["Location"]).status_code == 200

    wrong = client.get("/feedback/status", query_string={"code": "12345"})
    assert wrong.status_code == 422
    assert 'href="#code"' in wrong.get_data(as_text=True)
    missing = client.get("/report/status/SMR-0000-0000-0000-0000")
    assert missing.status_code == 404
    assert "No feedback or report has this tracking code" in page_text(missing)
    assert read_form(missing.get_data(as_text=True)).values["code"] == "SMR-0000-0000-0000-0000"
    assert 'action="/report/status"' in missing.get_data(as_text=True)


def test_pages_outside_the_forms_are_our_own(client):
    for url in ("/feedback/nothing", "/report/sent/SMR-0000-0000-0000-0000", "/report/x/y"):
        response = client.get(url)
        assert response.status_code == 404
        assert "City of Albuquerque — Social Media Policies" in response.get_data(as_text=True)


def test_over_https_a_form_must_come_from_a_page_of_this_site(client, database_url):
    site = "https://localhost"
    values = read_form(client.get("/feedback/", base_url=site).get_data(as_text=True)).values
    values.update(policy_id="ai-1-19", message="Sent from somewhere else?")
    for referrer in (None, "https://elsewhere.example/feedback/"):
        headers = {"Referer": referrer} if referrer else {}
        refused = client.post("/feedback/", data=values, headers=headers, base_url=site)
        assert refused.status_code == 400
        assert read_form(refused.get_data(as_text=True)).values["message"] == \
            "Sent from somewhere else?"
    assert rows(database_url) == []
    sent = client.post("/feedback/", data=values, base_url=site,
                       headers={"Referer": f"{site}/feedback/"})
    assert sent.status_code == 303
    assert len(rows(database_url)) == 1
