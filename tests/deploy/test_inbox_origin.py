"""INBOX_ORIGIN: the staff inbox on an origin of its own, as the app enforces it.

With it set, the inbox answers on that host alone (a GET for it elsewhere is sent there,
anything else is not found), that host answers nothing but the inbox and the static files
its pages use, and the sign-in cookie can reach no other host. deploy/nginx-inbox.conf
puts it in front (tests/deploy/test_nginx_inbox.py); this is the app on its own.
"""

from __future__ import annotations

import pytest

from feedback_api import create_app
from feedback_api.config import ConfigError
from tests.api.conftest import app_config, catalog, sqlite_database  # noqa: F401  (fixtures)

SITE = "https://transparency.example.gov"
INBOX = "https://inbox.example.gov"


@pytest.fixture
def make(sqlite_database, catalog):  # noqa: F811
    made = []

    def build(**overrides):
        app = create_app(app_config(sqlite_database, catalog, **overrides))
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions["db_engine"].dispose()


def test_the_inbox_answers_only_on_its_origin(make):
    app = make(INBOX_ORIGIN=INBOX + "/")  # written with a slash, as it often is
    site = app.test_client()
    response = site.get("/inbox/?state=new&q=ana", base_url=SITE)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{INBOX}/inbox/?state=new&q=ana"
    assert "Set-Cookie" not in response.headers
    assert site.get("/inbox", base_url=SITE).headers["Location"] == f"{INBOX}/inbox"
    for path in ("/inbox/login", "/inbox/export"):
        assert site.post(path, data={"email": "x"}, base_url=SITE).status_code == 404, path
    # The site's own answers are as they were.
    assert site.get("/report/", base_url=SITE).status_code == 200
    assert site.get("/api/v1/health", base_url=SITE).status_code == 200

    inbox = app.test_client()
    page = inbox.get("/inbox/login", base_url=INBOX)
    assert page.status_code == 200 and b"Sign in" in page.data
    assert inbox.get("/feedback/static/inbox.css", base_url=INBOX).status_code == 200
    for path in ("/report/", "/feedback/?policy=ai-1-19", "/api/v1/health", "/"):
        assert inbox.get(path, base_url=INBOX).status_code == 404, path


def test_without_it_the_inbox_answers_next_to_the_site(make):
    client = make().test_client()
    assert client.get("/inbox/login", base_url=SITE).status_code == 200
    assert client.get("/inbox/login", base_url=INBOX).status_code == 200


def test_the_sign_in_cookie_is_for_the_inbox_host_alone(make):
    app = make(INBOX_ORIGIN=INBOX, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/inbox/login", base_url=INBOX)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-feedback_session=")
    attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "secure" in attributes and "path=/" in attributes
    assert not [a for a in attributes if a.startswith("domain")]
    # Over plain HTTP (development) a __Host- cookie could not be set: the name stays.
    app = make(INBOX_ORIGIN="http://localhost:8000", SESSION_COOKIE_SECURE=False)
    response = app.test_client().get("/inbox/login", base_url="http://localhost:8000")
    assert response.headers["Set-Cookie"].startswith("feedback_session=")


@pytest.mark.parametrize("value", ["inbox.example.gov", "https://inbox.example.gov/inbox/",
                                   "ftp://inbox.example.gov", "https://user:pw@inbox.example.gov",
                                   "https://inbox.example.gov:port"])
def test_inbox_origin_must_be_an_origin(make, value):
    with pytest.raises(ConfigError, match="INBOX_ORIGIN must be an origin"):
        make(INBOX_ORIGIN=value)


def test_a_cookie_for_the_whole_domain_is_refused_with_it(make):
    with pytest.raises(ConfigError, match="SESSION_COOKIE_DOMAIN"):
        make(INBOX_ORIGIN=INBOX, SESSION_COOKIE_DOMAIN=".example.gov")


def test_the_inbox_links_to_the_site_on_the_sites_own_address(make):
    """The inbox's host serves nothing but the inbox: its links to the site's pages and
    forms go to SITE_URL, while the forms, on the site's origin, keep relative links."""
    app = make(INBOX_ORIGIN=INBOX, SITE_URL=SITE + "/")
    page = app.test_client().get("/inbox/login", base_url=INBOX).get_data(as_text=True)
    assert f'href="{SITE}/"' in page and f'href="{SITE}/policies/"' in page
    assert f'href="{SITE}/feedback/"' in page and f'href="{SITE}/report/"' in page
    with app.test_request_context("/inbox/", base_url=INBOX):
        policy_address = app.jinja_env.globals["policy_address"]
        assert policy_address("ai-1-19", "k-c") == f"{SITE}/policies/ai-1-19/#k-c"
    form = app.test_client().get("/report/", base_url=SITE).get_data(as_text=True)
    assert 'href="/policies/"' in form and 'href="/feedback/"' in form
