"""No suppressed count in the public statistics can be worked out from the published ones.

The published numbers add up: the total is the sum of the types and of the states, the
reports are the sum of the categories, and the months plus the older items make the total.
`feasible_values` plays someone who knows that and nothing else (a hidden count is at least
1, since a 0 is published as 0) and finds every value each hidden count could have; each
must have more than one. It is exact: given the total and the number of reports, the four
sums are independent, and h hidden counts that add up to r can each be anything from 1 to
r - h + 1. The checks run on the live endpoint over seeded databases and, through
`stats.publish`, on a few hundred random sets of items.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback_api import stats
from feedback_api.models import KINDS
from feedback_api.triage import STATES
from tests.api.conftest import shipped_catalog
from tests.inbox.conftest import NOW, seed

TODAY = NOW.date()


def feasible_values(body: dict, older: int | None = None) -> dict[str, set[int]]:
    """Every value each hidden count (and the items older than the months shown) could
    have, given the published numbers. `older`: the number of older items, when someone
    knows it (for example because the service is younger than the months shown)."""
    def split(rows, key):
        known = {r[key]: r["count"] for r in rows if not r["suppressed"]}
        hidden = [f"{key}:{r[key]}" for r in rows if r["suppressed"]]
        return sum(known.values()), hidden, known

    state_sum, hidden_states, _ = split(body["by_state"], "state")
    category_sum, hidden_categories, _ = split(body["by_category"], "category")
    month_sum, hidden_months, _ = split(body["by_month"], "month")
    _, hidden_kinds, kinds = split(body["by_kind"], "kind")
    total = body["total"]["count"]
    bound = 2 * (state_sum + month_sum + category_sum + 10)
    totals = [total] if total is not None else range(1, bound)
    found: dict[str, set[int]] = {name: set() for name in
                                  [*hidden_states, *hidden_categories, *hidden_months,
                                   *hidden_kinds, "total", "older"]}

    def share(remaining: int, hidden: list[str], spare: bool):
        """Whether `remaining` can be shared among the hidden counts (each at least 1; with
        `spare`, what is left over goes to the older items); each count's values."""
        if not hidden:
            return (remaining >= 0) if spare else (remaining == 0), range(0)
        if remaining < len(hidden):
            return False, range(0)
        return True, range(1, remaining - len(hidden) + 2)

    for t in totals:
        reports = [kinds["report"]] if "report" in kinds else range(1, t + 1)
        for r in reports:
            f = t - r
            if "feedback" in kinds and kinds["feedback"] != f:
                continue
            if "feedback" not in kinds and f < 1:
                continue
            ok_states, state_values = share(t - state_sum, hidden_states, False)
            ok_categories, category_values = share(r - category_sum, hidden_categories, False)
            left_for_months = t - month_sum - (older or 0)
            ok_months, month_values = share(left_for_months, hidden_months, older is None)
            if not (ok_states and ok_categories and ok_months):
                continue
            found["total"].add(t)
            if "kind:report" in found:
                found["kind:report"].add(r)
            if "kind:feedback" in found:
                found["kind:feedback"].add(f)
            for names, values in ((hidden_states, state_values),
                                  (hidden_categories, category_values),
                                  (hidden_months, month_values)):
                for name in names:
                    found[name].update(values)
            if older is None and hidden_months:
                most = left_for_months - len(hidden_months)
                found["older"].update(range(0, most + 1))
            elif older is None:
                found["older"].add(left_for_months)
            else:
                found["older"].add(older)
    return found


def assert_nothing_recoverable(body: dict, older: int | None = None,
                               actual_older: int = 0) -> None:
    found = feasible_values(body, older)
    hidden = [name for name, values in found.items() if name not in ("total", "older")]
    if body["total"]["suppressed"]:
        hidden.append("total")
    for name in hidden:
        assert len(found[name]) > 1, f"{name} can be worked out: it is {found[name]}"
    if 0 < actual_older < stats.SUPPRESS_BELOW and older is None:
        assert len(found["older"]) > 1, f"the older items can be worked out: {found['older']}"


def by(rows: list[dict], key: str) -> dict:
    return {row[key]: row["count"] for row in rows}


def report(category: str, state: str = "new", **row) -> dict:
    return {"kind": "report", "category": category, "state": state, **row}


def feedback(state: str = "new", **row) -> dict:
    return {"kind": "feedback", "category": None, "policy_id": "ai-1-19", "state": state,
            **row}


def test_three_pieces_of_feedback_cannot_be_worked_out_from_the_reports_categories(
        client, database_url):
    # 40 reports in two categories of 20: the categories add up to the reports, and the
    # total minus the reports is the feedback.
    seed(database_url, [*[report("personal-attack") for _ in range(20)],
                        *[report("other") for _ in range(20)],
                        *[feedback() for _ in range(3)]])
    body = client.get("/api/v1/stats").get_json()
    assert body["total"]["count"] == 43
    assert by(body["by_kind"], "kind")["feedback"] is None
    assert_nothing_recoverable(body, older=0)


def test_two_hidden_ones_in_a_breakdown_get_company(client, database_url):
    # One item resolved and one dismissed among 30 new ones: two hidden counts that add up
    # to 2 can only be 1 and 1.
    seed(database_url, [*[report("other") for _ in range(30)],
                        report("other", "resolved", closed_at=NOW),
                        report("other", "dismissed", closed_at=NOW)])
    body = client.get("/api/v1/stats").get_json()
    states = by(body["by_state"], "state")
    assert states["resolved"] is None and states["dismissed"] is None
    assert_nothing_recoverable(body, older=0)


def test_a_few_old_items_cannot_be_worked_out_from_the_months(client, database_url):
    # Two items from three years ago: every month shown is published and adds up to the
    # total less those two.
    old = NOW - dt.timedelta(days=3 * 365)
    seed(database_url, [*[report("other") for _ in range(12)],
                        *[report("other", created_at=NOW - dt.timedelta(days=40))
                          for _ in range(9)],
                        *[report("other", created_at=old) for _ in range(2)]])
    body = client.get("/api/v1/stats").get_json()
    assert body["total"]["count"] == 23
    assert_nothing_recoverable(body, actual_older=2)


def test_a_hidden_total_hides_everything_small(client, database_url):
    seed(database_url, [report("personal-attack"), feedback()])
    body = client.get("/api/v1/stats").get_json()
    assert body["total"] == {"count": None, "suppressed": True}
    assert_nothing_recoverable(body, older=0)


# ---------------------------------------------------------------------------------------
# Random sets of items, through stats.publish


MONTHS_BACK = 28  # a few items older than the 24 months shown
CATEGORIES = shipped_catalog().categories


def raw_counts(items: list[tuple[str, str, str, int]]) -> dict:
    """What stats.counts finds in a database holding these items (spam left out)."""
    found: dict[str, dict[str, int]] = {"kind": {}, "state": {}, "category": {}, "month": {}}
    for kind, state, category, months_back in items:
        year, month = TODAY.year, TODAY.month - months_back
        while month < 1:
            year, month = year - 1, month + 12
        for name, key in (("kind", kind), ("state", state),
                          ("category", category if kind == "report" else None),
                          ("month", f"{year:04d}-{month:02d}")):
            if key:
                found[name][key] = found[name].get(key, 0) + 1
    found["total"] = {"all": len(items)}
    return found


# Skewed, so that small counts are common: most items in one state, category and month.
ITEM = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from([STATES[0]] * 4 + list(STATES)),
    st.sampled_from([CATEGORIES[0].id] * 4 + [c.id for c in CATEGORIES]),
    st.sampled_from([0] * 6 + [1] * 3 + list(range(MONTHS_BACK))),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ITEM, max_size=60))
def test_no_hidden_count_can_be_worked_out_from_any_set_of_items(items):
    body = stats.publish(raw_counts(items), TODAY, CATEGORIES)
    older = sum(1 for item in items if item[3] >= stats.MONTHS)
    # Someone who does not know how many items are older than the months shown, and, when
    # there are none, someone who knows it (the service is younger than the months shown):
    # then the months alone must protect every hidden count.
    assert_nothing_recoverable(body, actual_older=older)
    if older == 0:
        assert_nothing_recoverable(body, older=0)
    # Nothing is hidden that need not be: every published count is the real one.
    raw = raw_counts(items)
    for row in body["by_state"]:
        assert row["count"] in (None, raw["state"].get(row["state"], 0))
    for row in body["by_category"]:
        assert row["count"] in (None, raw["category"].get(row["category"], 0))


def test_small_counts_are_hidden_and_large_ones_mostly_published():
    items = ([("report", "new", "other", 0)] * 40 + [("report", "resolved", "other", 0)] * 30
             + [("feedback", "new", "other", 1)] * 25 + [("report", "new", "personal-attack", 0)])
    body = stats.publish(raw_counts(items), TODAY, CATEGORIES)
    categories = by(body["by_category"], "category")
    assert categories["personal-attack"] is None and categories["other"] is None
    assert by(body["by_kind"], "kind") == {"feedback": 25, "report": 71}
    assert body["total"]["count"] == 96
    assert_nothing_recoverable(body, older=0)
