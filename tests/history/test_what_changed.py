""""What changed": the latest changes on one page, every change on the page of its year."""

from __future__ import annotations

import json
import re

from site_builder.build import build_site
from site_builder.content import load_library
from site_builder.pages import what_changed
from tests.conftest import CONTENT
from tests.history.conftest import Repo, three_versions


def entries(page) -> list[str]:
    """The change entries of a built page, as text."""
    html = page.read_text(encoding="utf-8")
    article = html[html.index("<article"):html.index("</article>")]
    items = re.findall(r"<li>(.*?)</li>", article, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_the_latest_changes_and_a_page_for_each_year(tmp_path, monkeypatch):
    monkeypatch.setattr(what_changed, "RECENT_CHANGES", 3)
    repo = Repo(tmp_path / "repo")
    for file in (CONTENT / "policies").iterdir():
        repo.write(f"policies/{file.name}", file.read_text())
    repo.commit("Adopt the City's social media policies", "2025-03-02")
    three_versions(repo)  # three versions of one more policy, in 2026
    shipped = len(load_library(CONTENT)[0].policies)
    out = tmp_path / "site"
    build_site(repo.content, out, log=lambda _: None)

    latest = entries(out / "changes/index.html")
    assert len(latest) == 3
    assert all("Social Media Test Policy" in e and "2026" in e for e in latest), latest
    assert [re.search(r"Version (\d)", e)[1] for e in latest] == ["3", "2", "1"]
    page = (out / "changes/index.html").read_text()
    assert 'href="2025/"' in page and 'href="2026/"' in page
    assert "The 3 latest of" in page and f"{shipped + 3} changes" in page

    of_2025 = entries(out / "changes/2025/index.html")
    assert len(of_2025) == shipped
    assert all("2025" in e and "first version" in e for e in of_2025), of_2025
    assert len(entries(out / "changes/2026/index.html")) == 3
    year_page = (out / "changes/2025/index.html").read_text()
    assert 'href="../"' in year_page and 'href="../2026/"' in year_page

    # Out of the nav and of the search index, like the other dated pages.
    assert "changes/2025" not in (out / "index.html").read_text()
    index = json.loads((out / "search/search_index.json").read_text())
    assert not any(doc["location"].startswith("changes/") for doc in index["docs"])
