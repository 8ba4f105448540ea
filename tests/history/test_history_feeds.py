"""Atom feeds (RFC 4287) and the review calendar (RFC 5545), checked against the standards."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from site_builder.feeds import feed_files, fold
from tests.history.conftest import policy_text, three_versions

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


def feeds_for(repo, site_url=None):
    library, histories, _ = repo.history()
    return feed_files(library, histories, site_url=site_url, generated="2026-04-02T10:00:00Z",
                      today=dt.date(2026, 4, 2))


def check_atom(text: str) -> ET.Element:
    """The parts of RFC 4287 a feed reader relies on."""
    feed = ET.fromstring(text.encode("utf-8"))
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    assert RFC3339.match(feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    ids = set()
    for entry in feed.findall(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id")
        assert entry_id.startswith("urn:uuid:") and entry_id not in ids
        ids.add(entry_id)
        assert entry.findtext(f"{ATOM}title")
        assert RFC3339.match(entry.findtext(f"{ATOM}updated"))
        alternate = [link for link in entry.findall(f"{ATOM}link")
                     if link.get("rel", "alternate") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("href")
    return feed


def test_atom_feeds_list_each_version_newest_first_with_relative_links(repo):
    three_versions(repo)
    files = feeds_for(repo)
    feed = check_atom(files["feeds/social-media.atom"])
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == [f"AI 9-99: Social Media Test Policy: version {n}" for n in (3, 2, 1)]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links == ["../policies/social-media/versions/3/changes/",
                     "../policies/social-media/versions/2/changes/",
                     "../policies/social-media/versions/1/"]
    assert entries[1].findtext(f"{ATOM}author/{ATOM}name") == "Office of Communications"
    assert feed.findtext(f"{ATOM}updated") == "2026-03-10T12:00:00Z"
    site = check_atom(files["feeds/changes.atom"])
    assert len(site.findall(f"{ATOM}entry")) == 3


def test_atom_links_are_absolute_with_a_site_url_and_ids_do_not_depend_on_it(repo):
    three_versions(repo)
    relative = check_atom(feeds_for(repo)["feeds/changes.atom"])
    absolute = check_atom(feeds_for(repo, "https://policies.example.org/")["feeds/changes.atom"])
    hrefs = [e.find(f"{ATOM}link").get("href") for e in absolute.findall(f"{ATOM}entry")]
    assert hrefs[0] == "https://policies.example.org/policies/social-media/versions/3/changes/"
    ids = lambda f: [e.findtext(f"{ATOM}id") for e in f.findall(f"{ATOM}entry")]  # noqa: E731
    assert ids(relative) == ids(absolute)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_review_calendar_is_valid_icalendar(repo):
    repo.write("policies/a-very-long-policy.md", policy_text(
        id="a-very-long-policy",
        title="A policy whose title is long enough; to need folding, commas and semicolons",
        reviewed="2025-03-01"))
    three_versions(repo)
    text = feeds_for(repo)["feeds/reviews.ics"]
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    events = text.count("BEGIN:VEVENT")
    assert events == text.count("END:VEVENT") >= 4  # two policies and two registries
    uids = [x for x in lines if x.startswith("UID:")]
    assert len(uids) == events == len(set(uids))
    assert sum(x.startswith("DTSTAMP:") for x in lines) == events
    assert all(re.match(r"^DTSTAMP:\d{8}T\d{6}Z$", x) for x in lines if x.startswith("DTSTAMP"))
    assert "DTSTART;VALUE=DATE:20270115" in lines  # reviewed 2026-01-15, every 12 months
    summary = next(x for x in lines if "A policy whose title" in x)
    assert summary == ("SUMMARY:Review due: AI 9-99: A policy whose title is long enough\\; "
                       "to need folding\\, commas and semicolons")
    assert any("This review is overdue" in x for x in lines)


def test_folding_never_splits_a_character():
    line = "DESCRIPTION:" + "Política de redes sociales — é " * 10
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line


def test_a_policys_feed_is_written_again_only_when_its_key_or_the_address_changes(
        repo, tmp_path, monkeypatch):
    from site_builder import feeds, store

    three_versions(repo)
    library, histories, _ = repo.history()
    made: list[str] = []
    atom_feed = feeds.atom_feed

    def making(library, items, *, feed_path, **kwargs):
        made.append(feed_path)
        return atom_feed(library, items, feed_path=feed_path, **kwargs)

    def build(keys, site_url=None):
        made.clear()
        return feed_files(library, histories, site_url=site_url,
                          generated="2026-04-02T10:00:00Z", today=dt.date(2026, 4, 2),
                          keys=keys)

    keys = {pid: f"key of {pid}" for pid in library.policies}
    plain = feeds_for(repo)
    monkeypatch.setattr(feeds, "atom_feed", making)
    with store.opened(tmp_path / "cache"):
        assert build(keys) == plain
        assert len(made) == len(keys) + 1  # and the site's feed
        assert build(keys) == plain
        assert made == ["feeds/changes.atom"]
        assert build({**keys, "social-media": "a new key"}) == plain
        assert made == ["feeds/social-media.atom", "feeds/changes.atom"]
        other = build(keys, site_url="https://example.org/")
        assert len(made) == len(keys) + 1
        assert other["feeds/social-media.atom"] != plain["feeds/social-media.atom"]
