"""What a public release and retention take out of the text: phone numbers in the forms
residents write them, social security numbers and spelt-out email addresses; and what they
leave alone: dates, times, policy and section numbers, tracking codes, years, post ids.
And what they keep of the addresses a report names."""

from __future__ import annotations

import json

import pytest

from feedback_api.records import redact
from tests.inbox.conftest import post, send_report


@pytest.mark.parametrize("text,expected", [
    ("Call +15055550100 today", "Call [phone removed] today"),
    ("Call 505–555–0100 today", "Call [phone removed] today"),  # en dashes
    ("Call (505) 555-0100 today", "Call [phone removed] today"),
    ("Call (505)555-0100 today", "Call [phone removed] today"),
    ("Call 505.555.0100.", "Call [phone removed]."),
    ("Call 505-555-0100 x123 today", "Call [phone removed] today"),
    ("Call 505-555-0100 ext. 123 today", "Call [phone removed] today"),
    ("Call 505 555 0100 extension 12", "Call [phone removed]"),
    ("Call +1 (505) 555-0100 ext 7, or 1-800-555-0199", "Call [phone removed], or [phone removed]"),
    ("Call 5055550100x123.", "Call [phone removed]."),
    ("My cousin in London: +44 20 7946 0958.", "My cousin in London: [phone removed]."),
    ("desk 555-0100", "desk [phone removed]"),
])
def test_phone_numbers_in_the_forms_residents_write_them_are_blanked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("My SSN is 123-45-6789, please delete it", "My SSN is [SSN removed], please delete it"),
    ("SSN 123 45 6789.", "SSN [SSN removed]."),
])
def test_social_security_numbers_are_blanked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Write to ana at example dot org please", "Write to [email removed] please"),
    ("Write to ana [at] example [dot] org please", "Write to [email removed] please"),
    ("Write to ana(at)example.org please", "Write to [email removed] please"),
    ("Write to Ana.Resident (at) mail (dot) example (dot) org.", "Write to [email removed]."),
    ("Write to ana{at}example{dot}org", "Write to [email removed]"),
    ("Write to ana AT example DOT org", "Write to [email removed]"),
])
def test_spelt_out_email_addresses_are_blanked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "Seen 2026-03-27 at 14:30 under AI 1-19 §K.c and §1.A.5",
    "Posted on 03/27/2026 at 2:30 pm, and again 3/28/26.",
    "Ordinance 2-12-1-5, Resolution R-19-150, section 12.3.4, rule 2-1-3.",
    "Between 1999-2001 and in 2024, 2025 and 2026; ZIP 87102-1234.",
    "My earlier report SMR-QGW9-SHH4-X0YK-9PYT and records request 2026-000123.",
    "https://x.com/abq_city/status/1234567890123456789 and "
    "https://www.facebook.com/cityofalbuquerque/posts/5055550100",
    "It had 12345678 views and 1,234,567 likes; call 311 or 911.",
    "We met at city hall. The post at cabq.gov went up at 9.30.",
    "Version 2.14.3 of the app, invoice 1234567890.",
])
def test_dates_policies_sections_codes_years_and_ids_survive(text):
    assert redact(text) == text


def test_a_long_hostile_text_is_redacted_quickly():
    import time

    texts = ["a." * 2500, "ana at " * 700, "1-" * 2500, "(505) " * 800, "x [at] y " * 500]
    start = time.perf_counter()
    for text in texts:
        redact(text, ["Ana Resident"])
    assert time.perf_counter() - start < 2


# ---------------------------------------------------------------------------------------
# The addresses in a public release


def test_a_public_release_keeps_an_official_accounts_address_and_no_post_address(signed_in):
    admin = signed_in("admin")
    send_report(admin, account_id="", account_url="https://x.com/abq_city_sample",
                post_url="https://x.com/ana_resident_505/status/1")
    send_report(admin, account_id="", account_url="https://www.instagram.com/ana.resident/",
                post_url="https://www.instagram.com/p/Ana5055550100/", description="Other.")
    response = post(admin, "/inbox/export", {"state": "all", "format": "json", "public": "on",
                                             "sort": "oldest"})
    official, personal = json.loads(response.get_data(as_text=True))["items"]
    assert (official["account_id"], official["account_url"], official["post_url"]) == \
        ("city-x-sample", "https://x.com/abq_city_sample", None)
    assert (personal["account_id"], personal["account_url"], personal["post_url"]) == \
        (None, None, None)
    text = response.get_data(as_text=True)
    assert "ana_resident" not in text and "ana.resident" not in text
