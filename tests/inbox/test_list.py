"""The inbox list: counts per state, each filter, search, order and pages."""

from __future__ import annotations

import datetime as dt
import re

from tests.inbox.conftest import NOW, add_staff, page_text, seed

CODE = re.compile(r"SMR(?:-[0-9A-Z]{4}){4}")


def codes_on(response, status: int = 200) -> list[str]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    table = response.get_data(as_text=True).split("<tbody>")
    return CODE.findall(table[1].split("</tbody>")[0]) if len(table) > 1 else []


def at(days_ago: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago)


def test_counts_per_state_and_the_open_items_by_default(signed_in, database_url):
    viewer = signed_in("viewer")
    seed(database_url, [{"state": "new"}] * 3 + [{"state": "triaged"}, {"state": "resolved"}]
         + [{"is_spam": True}] * 2)
    response = viewer.get("/inbox/")
    text = page_text(response)
    for count in ("3 New", "1 Triaged", "0 Investigating", "1 Resolved", "0 Dismissed",
                  "2 Suspected spam"):
        assert count in text, count
    assert len(codes_on(response)) == 4  # open, spam hidden
    assert "Items 1 to 4 of 4" in text
    assert len(codes_on(viewer.get("/inbox/?state=all"))) == 5
    assert len(codes_on(viewer.get("/inbox/?state=all&spam=only"))) == 2
    assert len(codes_on(viewer.get("/inbox/?state=all&spam=include"))) == 7


def test_each_filter(app, signed_in, database_url):
    viewer = signed_in("viewer")
    triager_id = add_staff(app, "triager")
    [attack, campaign, feedback, assigned, old] = seed(database_url, [
        {"category": "personal-attack", "account_id": "city-x-sample", "created_at": at(1)},
        {"category": "political-campaigning", "created_at": at(2)},
        {"kind": "feedback", "category": None, "policy_id": "ai-1-19", "section": "k-c",
         "created_at": at(3)},
        {"category": "other", "assignee_id": triager_id, "created_at": at(4)},
        {"category": "other", "created_at": at(40)},
    ])
    cases = {
        "kind=feedback": [feedback],
        "kind=report": [attack, campaign, assigned, old],
        "category=personal-attack": [attack],
        "policy=ai-1-19": [feedback],
        "account=city-x-sample": [attack],
        f"assignee={triager_id}": [assigned],
        "assignee=none": [attack, campaign, feedback, old],
        f"from={at(3).date()}&to={at(2).date()}": [campaign, feedback],
        f"to={at(10).date()}": [old],
        "sort=oldest": [old, assigned, feedback, campaign, attack],
    }
    for query, expected in cases.items():
        assert codes_on(viewer.get(f"/inbox/?{query}")) == expected, query


def test_a_filter_that_cannot_be_used_is_named_and_left_out(signed_in, database_url):
    viewer = signed_in("viewer")
    seed(database_url, [{}, {}])
    response = viewer.get("/inbox/?category=nonsense&from=yesterday&q=x")
    text = page_text(response)
    assert "Choose a category from the list" in text
    assert "Enter the date like 2026-03-27" in text
    assert "Search for at least 2 characters" in text
    assert len(codes_on(response, status=400)) == 2  # a bad request, but the list still shows


def test_search_finds_text_and_tracking_codes_and_treats_wildcards_as_text(signed_in,
                                                                           database_url):
    viewer = signed_in("viewer")
    [rude, percent, other] = seed(database_url, [
        {"message": "The reply was RUDE and dismissive."},
        {"message": "They promised 100% of the budget."},
        {"message": "Something else entirely."},
    ])
    assert codes_on(viewer.get("/inbox/?q=rude")) == [rude]
    assert codes_on(viewer.get("/inbox/?q=100%25")) == [percent]
    assert codes_on(viewer.get("/inbox/?q=%25%25")) == []  # "%" is not a wildcard
    assert codes_on(viewer.get("/inbox/?q=_ls")) == []  # "_" is not a wildcard
    typed = other.lower().replace("-", " ")
    assert codes_on(viewer.get(f"/inbox/?q={typed}")) == [other]


def test_pages_of_fifty(signed_in, database_url):
    seed(database_url, [{"created_at": NOW - dt.timedelta(minutes=n)} for n in range(120)])
    viewer = signed_in("viewer")
    first = viewer.get("/inbox/")
    assert len(codes_on(first)) == 50
    assert "Items 1 to 50 of 120" in page_text(first) and "Page 1 of 3" in page_text(first)
    third = viewer.get("/inbox/?page=3")
    assert len(codes_on(third)) == 20 and "Items 101 to 120 of 120" in page_text(third)
    assert 'rel="prev"' in third.get_data(as_text=True)
    assert 'rel="next"' not in third.get_data(as_text=True)
    beyond = viewer.get("/inbox/?page=999")
    assert codes_on(beyond) == codes_on(third)
    everything = codes_on(first) + codes_on(viewer.get("/inbox/?page=2")) + codes_on(third)
    assert len(set(everything)) == 120
