"""What retention keeps of an anonymised report: the official account it was about, not the
address of a post or of anyone else's account, and no way back to the sender."""

from __future__ import annotations

import datetime as dt

from feedback_api import retention
from tests.inbox.conftest import NOW, item, seed


def test_anonymising_keeps_official_accounts_and_drops_post_and_personal_addresses(
        app, database_url, monkeypatch):
    closed = {"state": "resolved", "created_at": NOW - dt.timedelta(days=420),
              "closed_at": NOW - dt.timedelta(days=400), "name": "Ana Resident",
              "email": "ana@example.org", "wants_reply": True}
    official, personal, open_report = seed(database_url, [
        {**closed, "account_id": "city-x-sample", "account_url": "https://x.com/abq_city_sample",
         "post_url": "https://x.com/ana_resident_505/status/1790000000000000001",
         "message": "The City replied to my post, call me at (505) 555-0100 ext. 12."},
        {**closed, "account_url": "https://www.instagram.com/ana.resident/",
         "post_url": "https://www.instagram.com/p/C0ffee/?img_index=1",
         "message": "An account that looks like mine; ana [at] example [dot] org."},
        {"state": "investigating", "account_url": "https://www.instagram.com/ana.resident/",
         "post_url": "https://www.instagram.com/p/C0ffee/", "name": "Ana Resident"},
    ])
    monkeypatch.setattr(retention, "utcnow", lambda: NOW)
    result = app.test_cli_runner().invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 2 items." in result.output

    row = item(database_url, official)
    assert (row["account_id"], row["account_url"], row["post_url"]) == \
        ("city-x-sample", "https://x.com/abq_city_sample", None)
    assert row["message"] == "The City replied to my post, call me at [phone removed]."
    assert row["content_hash"] == "" and row["client_hash"] == ""

    row = item(database_url, personal)
    assert (row["account_id"], row["account_url"], row["post_url"]) == (None, None, None)
    assert row["message"] == "An account that looks like mine; [email removed]."

    row = item(database_url, open_report)  # still open: staff may need it
    assert row["post_url"] == "https://www.instagram.com/p/C0ffee/"
    assert row["account_url"] == "https://www.instagram.com/ana.resident/"
