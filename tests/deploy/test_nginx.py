"""deploy/nginx.conf as shipped, run by a real nginx in front of a real gunicorn.

`tests/deploy/stack.py` runs the pair: the shipped file with only its site-specific lines
replaced, checked with `nginx -t`, in front of gunicorn with deploy/gunicorn.conf.py,
TRUSTED_PROXIES=1, SQLite and memory rate limits. Behind them: the shipped content built
into a temporary folder.

nginx missing: skipped, or a failure under CI=true (`make test` installs it).
"""

from __future__ import annotations

import gzip as gzip_module
import json
import socket
import ssl
import warnings
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from feedback_api import PAGE_POLICY, SITE_POLICY
from tests.api.conftest import REPORT, read_form
from tests.deploy.stack import (
    ALLOWED_WARNINGS,
    HOST,
    TIMEOUT,
    header,
    running,
)
from tests.reliability.servers import wait_until


def gunzip(body: bytes) -> bytes:
    return gzip_module.decompress(body)


@pytest.fixture(scope="module")
def stack(built_site, tmp_path_factory):
    with running(tmp_path_factory.mktemp("nginx"), built_site,
                 {"RATELIMIT_SUBMIT": "1000 per minute"}) as started:
        yield started


# ---------------------------------------------------------------------------------------
# The config itself


def test_nginx_accepts_the_shipped_config(stack):
    warnings = [line for line in stack.check_output.splitlines()
                if "[warn]" in line and not ALLOWED_WARNINGS.search(line)]
    assert "test is successful" in stack.check_output
    assert "[emerg]" not in stack.check_output
    assert warnings == []


def test_https_offers_tls_1_2_and_1_3_and_nothing_older(stack):
    # Stated in the file (ssl_protocols), not left to the nginx build's default: 1.22's
    # offers TLS 1.0 and 1.1 and not 1.3.
    def handshake(version: ssl.TLSVersion) -> str | None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cafile=str(stack.cert))
        context.set_ciphers("ALL:@SECLEVEL=0")  # let the client try even the old ones
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0 and 1.1 are
            context.minimum_version = context.maximum_version = version
        try:
            with socket.create_connection(("127.0.0.1", stack.https_port),
                                          timeout=TIMEOUT) as raw:
                with context.wrap_socket(raw, server_hostname=HOST) as tls:
                    return tls.version()
        except ssl.SSLError:
            return None

    assert handshake(ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    assert handshake(ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    assert handshake(ssl.TLSVersion.TLSv1_1) is None
    assert handshake(ssl.TLSVersion.TLSv1) is None


def test_https_offers_http2(stack):
    context = ssl.create_default_context(cafile=str(stack.cert))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", stack.https_port), timeout=TIMEOUT) as raw:
        with context.wrap_socket(raw, server_hostname=HOST) as tls:
            assert tls.selected_alpn_protocol() == "h2"


# ---------------------------------------------------------------------------------------
# The static site


def test_http_is_redirected_to_https(stack):
    status, headers, _ = stack.request("GET", "/policies/ai-1-19/?x=1", scheme="http")
    assert status == 301
    assert header(headers, "Location") == [f"https://{HOST}/policies/ai-1-19/?x=1"]


def test_the_redirect_goes_to_the_configured_name_whatever_host_is_asked_for(stack):
    # A request naming another host still reaches this server (the only one on the port,
    # as the default server is on a real machine); it must not send residents there.
    for host in ("evil.example", "transparency.test.evil.example"):
        status, headers, _ = stack.request("GET", "/policies/ai-1-19/", scheme="http",
                                           host=host)
        assert status == 301
        assert header(headers, "Location") == [f"https://{HOST}/policies/ai-1-19/"], host


def test_nginx_does_not_say_which_version_it_is(stack):
    for scheme, method, path in (("https", "GET", "/"), ("https", "GET", "/no-such-page"),
                                 ("https", "POST", "/"), ("http", "GET", "/")):
        status, headers, body = stack.request(method, path, scheme=scheme)
        assert header(headers, "Server") == ["nginx"], (method, path)
        assert b"nginx/" not in body, (method, path, status)
    # nginx's own error page (a POST to a static page) names nginx without a version.
    assert stack.request("POST", "/")[0] == 405


def test_a_symbolic_link_in_the_site_is_not_followed_out_of_it(stack, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET OUTSIDE THE SITE\n")
    (outside / "index.html").write_text("<p>SECRET OUTSIDE THE SITE</p>\n")
    links = [stack.site / "leak.txt", stack.site / "leak", stack.site / "assets" / "leak.txt"]
    links[0].symlink_to(outside / "secret.txt")
    links[1].symlink_to(outside, target_is_directory=True)
    links[2].symlink_to(outside / "secret.txt")
    try:
        for path in ("/leak.txt", "/leak/", "/leak/secret.txt", "/assets/leak.txt"):
            status, _, body = stack.request("GET", path)
            assert status in (403, 404), (path, status)
            assert b"SECRET OUTSIDE THE SITE" not in body, path
        # The site's own files are still served.
        assert stack.request("GET", "/assets/transparency/site.css")[0] == 200
    finally:
        for link in links:
            link.unlink()


@pytest.mark.parametrize("path", ["/", "/policies/ai-1-19/"])
def test_site_pages_are_served_with_the_security_headers(stack, path):
    status, headers, body = stack.request("GET", path)
    assert status == 200
    assert header(headers, "Content-Type") == ["text/html; charset=utf-8"]
    assert header(headers, "X-Content-Type-Options") == ["nosniff"]
    assert header(headers, "Referrer-Policy") == ["same-origin"]
    assert header(headers, "Strict-Transport-Security") == ["max-age=31536000"]
    assert b"City of Albuquerque" in body


def test_assets_and_data_have_their_content_types(stack):
    status, headers, _ = stack.request("GET", "/assets/transparency/site.css")
    assert (status, header(headers, "Content-Type")) == (200, ["text/css"])
    status, headers, body = stack.request("GET", "/data/policies.json")
    assert (status, header(headers, "Content-Type")) == (200, ["application/json"])
    assert "policies" in json.loads(body)


def test_the_site_is_sent_compressed_and_the_apps_pages_are_not(stack):
    gzip = {"Accept-Encoding": "gzip"}
    for path in ("/policies/ai-1-19/", "/assets/transparency/site.css",
                 "/data/policies.json", "/search/search_index.json"):
        status, headers, body = stack.request("GET", path, headers=gzip)
        _, _, plain = stack.request("GET", path)
        assert (status, header(headers, "Content-Encoding")) == (200, ["gzip"]), path
        assert gunzip(body) == plain and len(body) < len(plain) / 2, path
    material = next((stack.site / "assets").glob("*/main.*.min.css"))
    _, headers, _ = stack.request("GET", f"/{material.relative_to(stack.site)}", headers=gzip)
    assert header(headers, "Content-Encoding") == ["gzip"]
    # Its name changes with its content, so it is kept a year; our own files are not.
    assert header(headers, "Cache-Control") == ["max-age=31536000"]
    assert header(headers, "X-Content-Type-Options") == ["nosniff"]
    _, headers, _ = stack.request("GET", "/assets/transparency/site.css")
    assert header(headers, "Cache-Control") == []
    # A page with a CSRF token next to what the visitor typed is never compressed (BREACH).
    status, headers, _ = stack.request("GET", "/feedback/?policy=ai-1-19", headers=gzip)
    assert status == 200 and header(headers, "Content-Encoding") == []


def test_an_unknown_page_gets_the_sites_own_404(stack):
    status, headers, body = stack.request("GET", "/policies/no-such-policy/")
    assert status == 404
    assert header(headers, "Content-Type") == ["text/html; charset=utf-8"]
    assert header(headers, "Strict-Transport-Security") == ["max-age=31536000"]
    assert b"404 - Not found" in body
    assert b"City of Albuquerque" in body


# ---------------------------------------------------------------------------------------
# The feedback app behind it


def test_health_is_answered_by_the_app(stack):
    status, headers, body = stack.request("GET", "/api/v1/health")
    assert status == 200
    assert header(headers, "Content-Type") == ["application/json"]
    assert json.loads(body) == {"database": "ok", "status": "ok"}


def test_app_responses_carry_each_security_header_once(stack):
    _, headers, _ = stack.request("GET", "/report/")
    assert header(headers, "X-Content-Type-Options") == ["nosniff"]
    assert header(headers, "Referrer-Policy") == ["same-origin"]
    assert header(headers, "Strict-Transport-Security") == ["max-age=31536000"]
    # The app's other headers come through: its own policy for its pages.
    assert header(headers, "X-Frame-Options") == ["DENY"]
    assert header(headers, "Content-Security-Policy") == [PAGE_POLICY]


@pytest.mark.parametrize("path", ["/", "/policies/ai-1-19/", "/policies/ai-1-19/versions/",
                                  "/policies/ai-1-19/compare/", "/no-such-page",
                                  "/assets/transparency/site.js", "/data/policies.json",
                                  "/api/v1/health"])
def test_every_answer_has_one_content_security_policy_and_frame_options(stack, path):
    # The site's policy: the one `transparency serve` sends (feedback_api.SITE_POLICY),
    # here also on the app's answers that bring none of their own (JSON).
    _, headers, _ = stack.request("GET", path)
    assert header(headers, "Content-Security-Policy") == [SITE_POLICY], path
    assert header(headers, "X-Frame-Options") == ["DENY"], path
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in SITE_POLICY.split("; ")
    assert "unsafe-inline" not in SITE_POLICY


def test_nginx_own_answers_carry_the_policy_too(stack):
    status, headers, _ = stack.request(
        "POST", "/report/", body=b"x" * (600 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    assert header(headers, "Content-Security-Policy") == [SITE_POLICY]
    assert header(headers, "X-Frame-Options") == ["DENY"]
    status, headers, _ = stack.request("POST", "/")
    assert status == 405 and header(headers, "Content-Security-Policy") == [SITE_POLICY]


def test_an_unknown_api_address_gets_the_apps_json_404(stack):
    status, headers, body = stack.request("GET", "/api/v1/no-such-thing")
    assert status == 404
    assert json.loads(body)["error"]["code"] == "not_found"


def test_a_report_sent_to_the_api_is_accepted_and_its_status_pages_work(stack):
    body = json.dumps({**REPORT, "description": "Sent through nginx to the API."}).encode()
    status, _, answer = stack.request("POST", "/api/v1/reports", body=body,
                                      headers={"Content-Type": "application/json"})
    assert status == 201, answer
    receipt = json.loads(answer)
    code = receipt["tracking_code"]

    status, headers, page = stack.request("GET", receipt["status_url"])
    assert status == 200
    assert header(headers, "Content-Type") == ["text/html; charset=utf-8"]
    assert code.encode() in page

    status, _, answer = stack.request("GET", receipt["api_status_url"])
    assert status == 200
    assert json.loads(answer)["tracking_code"] == code


def test_a_report_sent_with_the_form_over_https_is_accepted(stack):
    # The form checks its CSRF token and, over HTTPS, that the Referer is this site: both
    # depend on nginx passing Host and X-Forwarded-Proto.
    status, headers, page = stack.request("GET", "/report/")
    assert status == 200
    cookies = SimpleCookie()
    for value in header(headers, "Set-Cookie"):
        cookies.load(value)
    values = read_form(page.decode()).values
    values.update({**REPORT, "description": "Sent through nginx with the form."})
    status, headers, answer = stack.request(
        "POST", "/report/", body=urlencode(values).encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={m.value}" for k, m in cookies.items()),
            "Referer": f"https://{HOST}/report/"})
    assert status == 303, answer[:2000]
    (location,) = header(headers, "Location")
    assert location.startswith(("/report/sent/", f"https://{HOST}/report/sent/"))
    status, _, _ = stack.request("GET", location.removeprefix(f"https://{HOST}"))
    assert status == 200


def test_bodies_over_512_kib_are_refused(stack):
    big = b"x" * (600 * 1024)
    # Over nginx's limit nginx answers: JSON in the app's shape for the API, a page for
    # the forms.
    status, headers, answer = stack.request("POST", "/api/v1/reports", body=big,
                                            headers={"Content-Type": "application/json"})
    assert status == 413
    assert header(headers, "Content-Type") == ["application/json"]
    assert json.loads(answer)["error"] == {
        "code": "payload_too_large",
        "message": "The request body is over the limit of 512 KiB."}
    status, headers, answer = stack.request(
        "POST", "/report/", body=big,
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    assert header(headers, "Content-Type") == ["text/html; charset=utf-8"]
    assert b"<h1>What you sent is too long</h1>" in answer and b"up to 512 KiB" in answer
    # The internal answers are not addresses of their own.
    assert stack.request("GET", "/.too-large.json")[0] == 404
    # Under nginx's limit the app's own limits apply: 64 KiB for the API, in JSON.
    status, _, answer = stack.request("POST", "/api/v1/reports", body=b"x" * (100 * 1024),
                                      headers={"Content-Type": "application/json"})
    assert status == 413
    assert json.loads(answer)["error"]["code"] == "payload_too_large"


def test_a_forged_x_forwarded_for_buys_no_fresh_rate_limit(built_site, tmp_path):
    with running(tmp_path, built_site, {"RATELIMIT_SUBMIT": "2 per minute"}) as limited:
        def send(n: int, source: str = "127.0.0.1", **headers):
            body = json.dumps({**REPORT, "description": f"Report number {n}."}).encode()
            status, _, answer = limited.request(
                "POST", "/api/v1/reports", body=body, source=source,
                headers={"Content-Type": "application/json", **headers})
            return status, answer

        answers = [send(n, **{"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(1, 4)]
        assert [status for status, _ in answers] == [201, 201, 429]
        assert json.loads(answers[2][1])["error"]["code"] == "rate_limited"
        # Another resident (another address) still has their own limit.
        assert send(4, source="127.0.0.2")[0] == 201
        logs = limited.logs()
    assert "transparency.access.log" in logs
    for name, text in logs.items():
        for address in ("127.0.0.1", "127.0.0.2", "203.0.113."):
            assert address not in text, f"{name} keeps a client address:\n{text}"


def test_the_access_log_keeps_no_query_string_of_the_inbox(stack):
    # Staff search the inbox by a resident's name or email address.
    stack.request("GET", "/inbox/?q=ana.resident%40example.org&state=new")
    stack.request("GET", "/inbox/login?next=%2Finbox%2F%3Fq%3Dana.resident")
    stack.request("GET", "/inbox?q=ana.resident")
    stack.request("GET", "/feedback/?policy=ai-1-19&section=k-c")
    # Elsewhere the address is logged as asked for. (A line is written once the answer
    # has gone out, so the last one may come a moment after it.)
    last = '"GET /feedback/?policy=ai-1-19&section=k-c HTTP/1.1" 200'
    assert wait_until(lambda: last in stack.logs()["transparency.access.log"], TIMEOUT)
    log = stack.logs()["transparency.access.log"]
    assert '"GET /inbox/ HTTP/1.1"' in log and '"GET /inbox/login HTTP/1.1"' in log
    assert "ana.resident" not in log and "example.org" not in log
    # gunicorn's access log (deploy/gunicorn.conf.py) has paths alone.
    assert wait_until(lambda: '"GET /feedback/ HTTP/1.1"' in stack.gunicorn.read_output(),
                      TIMEOUT)
    app_log = stack.gunicorn.read_output()
    assert '"GET /inbox/ HTTP/1.1"' in app_log
    assert "ana.resident" not in app_log and "example.org" not in app_log


def test_the_access_logs_keep_no_client_address(stack):
    stack.request("GET", "/", scheme="http")
    stack.request("GET", "/")
    stack.request("GET", "/no-such-page")
    stack.request("GET", "/api/v1/health")
    logs = stack.logs()
    assert '"GET /api/v1/health HTTP/1.1" 200' in logs["transparency.access.log"]
    for name, text in logs.items():
        assert "127.0.0.1" not in text, f"{name} keeps the client address:\n{text}"
