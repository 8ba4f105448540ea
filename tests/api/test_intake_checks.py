"""Unit tests: tracking codes, the intake checks, report categories, configuration."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from feedback_api import create_app
from feedback_api.catalog import load_catalog
from feedback_api.config import ConfigError, database_url, settings
from feedback_api.intake import check_feedback, check_report, from_form
from feedback_api.limits import memory_storage_warning
from feedback_api.recording import content_hash
from feedback_api.tracking import ALPHABET, new_tracking_code, normalise_tracking_code
from tests.conftest import CONTENT

CODE = re.compile(r"^SMR-[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


# ---------------------------------------------------------------------------------------
# Tracking codes


def test_tracking_codes_carry_80_random_bits_in_a_phone_friendly_alphabet():
    codes = {new_tracking_code() for _ in range(5000)}
    assert len(codes) == 5000
    assert all(CODE.match(code) for code in codes)
    assert len(ALPHABET) == 32 and not set("ILOU") & set(ALPHABET)  # 16 chars x 5 bits = 80
    used = set("".join(code[4:].replace("-", "") for code in codes))
    assert used == set(ALPHABET)


@pytest.mark.parametrize("typed", [
    "SMR-7K3Q-9XWD-2F4M-8HJN", "smr-7k3q-9xwd-2f4m-8hjn", "SMR7K3Q9XWD2F4M8HJN",
    "7K3Q9XWD2F4M8HJN", " smr 7k3q 9xwd 2f4m 8hjn ", "SMR-7K3Q-9XWD-2F4M-8HJN\n",
])
def test_a_code_is_found_however_it_is_typed(typed):
    assert normalise_tracking_code(typed) == "SMR-7K3Q-9XWD-2F4M-8HJN"


def test_letters_misread_over_the_phone_are_read_as_the_digits_they_look_like():
    assert normalise_tracking_code("SMR-OOOO-IIII-LLLL-0000") == "SMR-0000-1111-1111-0000"


@pytest.mark.parametrize("typed", [
    "", "SMR", "SMR-7K3Q-9XWD-2F4M", "SMR-7K3Q-9XWD-2F4M-8HJNX", "SMR-UUUU-9XWD-2F4M-8HJN", "1",
    "x" * 500, "SMR-7K3Q-9XWD-2F4M-8HJ!",
])
def test_something_that_cannot_be_a_code_is_not_one(typed):
    assert normalise_tracking_code(typed) is None


# ---------------------------------------------------------------------------------------
# Checks


@pytest.fixture(scope="module")
def repo_catalog():
    from tests.conftest import CONTENT

    return load_catalog(CONTENT)


def test_policy_ids_are_accepted_in_any_case(repo_catalog):
    checked = check_feedback({"policy_id": "AI-1-19", "section": "K-C", "message": "Hi"},
                             repo_catalog)
    assert checked.ok
    assert checked.values["policy_id"] == "ai-1-19"
    assert checked.values["section"] == "k-c"


def test_unknown_policy_and_section_name_their_fields(repo_catalog):
    assert set(check_feedback({"policy_id": "ai-9-99", "message": "Hi"}, repo_catalog)
               .errors) == {"policy_id"}
    errors = check_feedback({"policy_id": "ai-1-19", "section": "zz-9", "message": "Hi"},
                            repo_catalog).errors
    assert set(errors) == {"section"}
    assert "AI 1-19 has no section" in errors["section"]


def test_text_limits_are_enforced_and_explained(repo_catalog):
    ok = check_feedback({"policy_id": "ai-1-19", "message": "a" * 5000, "name": "n" * 200,
                         "email": "a@" + "b" * 248 + ".org"}, repo_catalog)
    assert ok.ok, ok.errors
    too_long = check_feedback({"policy_id": "ai-1-19", "message": "a" * 5001,
                               "name": "n" * 201}, repo_catalog).errors
    assert "5,000 characters or fewer (it is 5,001)" in too_long["message"]
    assert "200 characters" in too_long["name"]
    url = "https://x.com/" + "a" * 2000
    report = check_report({"category": "other", "description": "x", "post_url": url},
                          repo_catalog).errors
    assert "2,000 characters" in report["post_url"]


def test_a_forms_line_breaks_count_once_and_json_text_as_sent(repo_catalog):
    message = "abc\r\n" * 1250  # 5,000 characters as typed; 6,250 as a form sends them
    assert check_feedback(from_form({"policy_id": "ai-1-19", "message": message}),
                          repo_catalog).ok
    errors = check_feedback({"policy_id": "ai-1-19", "message": message}, repo_catalog).errors
    assert "(it is 6,250)" in errors["message"]


@pytest.mark.parametrize("bad", ["nul\x00byte", "bell\x07", "lone \ud800 surrogate"])
def test_text_that_cannot_be_stored_is_refused_not_crashed_on(repo_catalog, bad):
    errors = check_feedback({"policy_id": "ai-1-19", "message": bad}, repo_catalog).errors
    assert set(errors) == {"message"}


def test_a_reply_needs_an_email_address(repo_catalog):
    errors = check_feedback({"policy_id": "ai-1-19", "message": "Hi", "wants_reply": True},
                            repo_catalog).errors
    assert "email" in errors and "reply" in errors["email"]
    assert check_feedback({"policy_id": "ai-1-19", "message": "Hi", "wants_reply": True,
                           "email": "me@example.org"}, repo_catalog).ok


def test_a_report_names_the_account_or_the_post(repo_catalog):
    errors = check_report({"category": "other", "description": "x"}, repo_catalog).errors
    assert set(errors) == {"account_id"}
    for where in ({"account_id": "city-x-sample"}, {"account_url": "https://x.com/someone"},
                  {"post_url": "https://x.com/someone/status/2"}):
        assert check_report({"category": "other", "description": "x", **where},
                            repo_catalog).ok


def test_an_account_address_from_the_directory_is_recognised(repo_catalog):
    checked = check_report({"category": "other", "description": "x",
                            "account_url": "https://X.com/abq_city_sample/"}, repo_catalog)
    assert checked.values["account_id"] == "city-x-sample"


@pytest.mark.parametrize("seen_at,ok", [
    ("2026-03-27", True), ("2026-03-27T14:30", True), ("2026-03-27T14:30:00Z", True),
    ("27/03/2026", False), ("2999-01-01", False), ("1999-12-31", False), ("yesterday", False),
])
def test_when_it_was_seen(repo_catalog, seen_at, ok):
    checked = check_report({"category": "other", "description": "x", "seen_at": seen_at,
                            "account_id": "city-x-sample"}, repo_catalog)
    assert checked.ok is ok, checked.errors


def test_unknown_account_and_category_name_their_fields(repo_catalog):
    errors = check_report({"category": "rudeness", "description": "x",
                           "account_id": "not-an-account", "post_url": "ftp://x"},
                          repo_catalog).errors
    assert set(errors) == {"category", "account_id", "post_url"}


def test_repeats_are_matched_whatever_the_spacing_and_case():
    a = content_hash("feedback", {"policy_id": "ai-1-19", "message": "Keep  it\nshort",
                                  "email": "Ana@Example.org", "wants_reply": True})
    b = content_hash("feedback", {"policy_id": "ai-1-19", "message": "keep it short",
                                  "email": "ana@example.org", "wants_reply": True})
    c = content_hash("report", {"policy_id": "ai-1-19", "message": "keep it short",
                                "email": "ana@example.org", "wants_reply": True})
    assert a == b != c


def test_a_repeat_needs_the_same_contact_details_too():
    said = {"policy_id": "ai-1-19", "message": "Keep it short"}
    anonymous = content_hash("feedback", {**said, "name": None, "email": None,
                                          "wants_reply": False})
    assert anonymous == content_hash("feedback", said)
    others = [{"name": "Ben"}, {"email": "ben@example.org"},
              {"email": "ben@example.org", "wants_reply": True}]
    hashes = {content_hash("feedback", {**said, **contact}) for contact in others}
    assert len(hashes) == 3 and anonymous not in hashes


def test_every_category_cites_rules_that_exist_in_the_published_policies(repo_catalog):
    categories = repo_catalog.categories
    cited = {rule.citation for c in categories for rule in c.rules}
    assert {"AI 1-19 §K.b", "AI 1-19 §K.e", "AI 1-19 §K.d", "AI 1-19 §K.l", "AI 1-19 §U.b",
            "AI 1-19 §M.a", "Resolution §1.A.3"} <= cited
    for category in categories:
        for rule in category.rules:
            policy = repo_catalog.policy(rule.policy_id)
            assert policy is not None, rule
            assert rule.section in policy.sections, rule
    assert categories[-1].id == "other"


def test_a_category_is_cited_as_its_policy_labels_the_clause_unless_the_registry_says(
        repo_catalog):
    rules = {c.id: c.rules for c in repo_catalog.categories}
    # cited_as in the registry: the resolution's own numbering.
    assert [r.citation for r in rules["personal-attack"]] == ["Resolution §1.A.3"]
    # The policy's number and the clause, as the site labels it.
    assert [r.citation for r in rules["confidential-information"]] == [
        "AI 1-19 §K.l", "AI 1-19 §U.b"]
    assert rules["other"] == ()


def test_the_policy_is_named_as_the_site_names_it(repo_catalog):
    ai = repo_catalog.policy("ai-1-19")
    assert ai.name == "AI 1-19: Social Media Policy"
    assert ai.short_name == "AI 1-19"
    unnumbered = repo_catalog.policy("comprehensive-social-media-policy")
    assert unnumbered.name == unnumbered.short_name == unnumbered.title


# ---------------------------------------------------------------------------------------
# Configuration


def test_secret_key_is_required_outside_development(monkeypatch, tmp_path, catalog):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "CATALOG": catalog})


def test_environment_settings_and_their_defaults():
    values = settings({})
    assert values["RATELIMIT_STORAGE_URI"] == "memory://"
    assert values["RATELIMIT_SUBMIT"] == "5 per minute;50 per day"
    assert values["TRUSTED_PROXIES"] == 0
    assert values["CORS_ORIGINS"] == ()
    values = settings({"TRUSTED_PROXIES": "1", "CORS_ORIGINS": "https://a.example, https://b.example/"})
    assert values["TRUSTED_PROXIES"] == 1
    assert values["CORS_ORIGINS"] == ("https://a.example", "https://b.example")
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        settings({"TRUSTED_PROXIES": "two"})


def test_the_inbox_and_mail_settings_are_in_the_one_table():
    values = settings({})
    assert (values["INBOX_IDLE_MINUTES"], values["INBOX_SESSION_HOURS"],
            values["INBOX_PAGE_SIZE"]) == (30, 8, 50)
    assert (values["RETENTION_ANONYMISE_DAYS"], values["RETENTION_DELETE_DAYS"]) == (365, 1095)
    assert values["SMTP_PORT"] == 0 and values["NOTIFY_EMAIL"] == ""
    values = settings({"INBOX_PAGE_SIZE": "25", "SMTP_PORT": ""},
                      {"RETENTION_DELETE_DAYS": 400})
    assert values["INBOX_PAGE_SIZE"] == 25
    assert values["SMTP_PORT"] == 0  # empty: the usual port of the mail connection
    assert values["RETENTION_DELETE_DAYS"] == 400  # an explicit setting over the environment
    for wrong, message in (({"INBOX_PAGE_SIZE": "fifty"}, "INBOX_PAGE_SIZE must be a whole"),
                           ({"INBOX_IDLE_MINUTES": "0"}, "INBOX_IDLE_MINUTES must be at least"),
                           ({"INBOX_SESSION_HOURS": "200"}, "INBOX_SESSION_HOURS must be from"),
                           ({"RETENTION_ANONYMISE_DAYS": "2000"}, "RETENTION_ANONYMISE_DAYS")):
        with pytest.raises(ConfigError, match=message):
            settings(wrong)


def test_without_the_report_categories_the_app_does_not_start(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "registries" / "report-categories.yaml").write_text("categories: []\n")
    with pytest.raises(ConfigError) as stopped:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "k" * 40,
                    "CONTENT_DIR": str(content)})
    assert str(stopped.value) == (
        f"{content}/registries/report-categories.yaml is not usable: "
        "registries/report-categories.yaml:1: categories: the list is empty; add at least one "
        "entry; the feedback app needs it (see content/README.md, and run `transparency "
        "check`)")


@pytest.mark.parametrize("name", ["RATELIMIT_SUBMIT", "INBOX_SIGN_IN_LIMIT"])
def test_a_limit_that_cannot_be_read_stops_the_start_naming_its_variable(name, tmp_path,
                                                                         catalog):
    with pytest.raises(ConfigError, match=name):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "CATALOG": catalog,
                    "SECRET_KEY": "k" * 40, name: "now and then"})


def test_database_urls(tmp_path):
    assert database_url(None, tmp_path / "instance") == \
        f"sqlite:///{tmp_path / 'instance' / 'feedback.sqlite3'}"
    assert (tmp_path / "instance").is_dir()
    assert database_url("postgresql://u@h/db", Path()) == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db", Path()) == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db", Path()) == "postgresql+psycopg://u@h/db"


def test_several_workers_on_memory_storage_are_warned_about():
    assert memory_storage_warning("memory://", 1) is None
    assert memory_storage_warning("redis://127.0.0.1:6379/0", 4) is None
    warning = memory_storage_warning("memory://", 3)
    assert "3 worker processes" in warning and "redis://" in warning
