"""The item page shows, beside every address a resident gave, the site it really opens:
an internationalised name in its ASCII (xn--) form, so look-alike letters stand out."""

from __future__ import annotations

import re

from tests.inbox.conftest import item_id, seed, send_report


def hosts_beside(html: str) -> list[str]:
    return re.findall(r'<span class="url-host">\(site: <span class="code">([^<]*)</span>\)',
                      html)


def test_the_real_host_is_shown_beside_each_address(signed_in, database_url):
    viewer = signed_in("viewer")
    code = send_report(viewer, account_id="", account_url="https://\uff58.com/abq_city",
                       post_url="https://\u0430pple.com/abq_city/status/1")
    html = viewer.get(f"/inbox/items/{item_id(database_url, code)}").get_data(as_text=True)
    assert hosts_beside(html) == ["x.com", "xn--pple-43d.com"]
    assert ('status/1</a> <span class="url-host">(site: <span class="code">'
            'xn--pple-43d.com</span>)</span>') in html


def test_an_address_stored_before_the_stricter_rules_shows_where_it_goes(signed_in,
                                                                       database_url):
    viewer = signed_in("viewer")
    [code] = seed(database_url, [{
        "account_url": "https://x.com@evil.example/abq_city",
        "post_url": "https://evil.example\\.x.com/\u202e1/sutats/ytic_qba"}])
    html = viewer.get(f"/inbox/items/{item_id(database_url, code)}").get_data(as_text=True)
    assert hosts_beside(html) == ["evil.example", "evil.example"]


def test_an_ordinary_link_gets_its_host(signed_in, database_url):
    viewer = signed_in("viewer")
    code = send_report(viewer, post_url="https://x.com/abq_city_sample/status/1")
    html = viewer.get(f"/inbox/items/{item_id(database_url, code)}").get_data(as_text=True)
    assert hosts_beside(html) == ["x.com"]
    assert ('<a href="https://x.com/abq_city_sample/status/1" rel="noopener noreferrer '
            'nofollow">https://x.com/abq_city_sample/status/1</a> <span class="url-host">'
            ) in html
