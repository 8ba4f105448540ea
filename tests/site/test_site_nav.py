"""The nav lists every policy while there are few; past the limit it leads to the index."""

from __future__ import annotations

import shutil

from site_builder.build import build_site
from site_builder.engine import NAV_POLICY_LIMIT
from tests.conftest import CONTENT

PARKS = "parks-recreation-social-media"


def test_many_policies_stay_out_of_the_nav_but_are_built_and_indexed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    source = (content / "policies" / f"{PARKS}.md").read_text()
    for n in range(NAV_POLICY_LIMIT):
        (content / "policies" / f"extra-{n}.md").write_text(
            source.replace(f"id: {PARKS}", f"id: extra-{n}", 1))
    out = tmp_path / "site"
    build_site(content, out, log=lambda line: None)  # strict: any nav warning would stop it
    home = (out / "index.html").read_text()
    assert 'href="policies/extra-7/"' not in home
    assert "extra-7" in (out / "policies" / "index.html").read_text()
    page = (out / "policies" / "extra-7" / "index.html").read_text()
    assert "Comment on" in page


def test_few_policies_are_all_in_the_nav(tmp_path):
    out = tmp_path / "site"
    build_site(CONTENT, out, log=lambda line: None)
    home = (out / "index.html").read_text()
    assert 'href="policies/ai-1-19/"' in home
    assert f'href="policies/{PARKS}/"' in home
