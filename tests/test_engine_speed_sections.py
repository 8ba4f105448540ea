"""Version pages converted a section at a time: the same page as `Page.render`, and the
page converted whole whenever a section alone could come out differently."""

from __future__ import annotations

import logging

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from site_builder.engine import sections
from site_builder.engine.mkdocs_pass import CONFIG

PAGE = "policies/p/versions/{n}/index.md"

HEAD = """\
# Policy P — version {n} {{#version--title}}

!!! warning "Version {n}"

    [See the current version](../../index.md) · [All versions](../index.md)

"""


def section(n: int, words: str = "Departments keep their accounts current.") -> str:
    return f"""\
## Section {n} {{#section-{n}}}

[Link](#section-{n}){{: .policy-permalink }}
{{: .policy-tools }}

-   **{chr(64 + n)}.** {words} [Link](#{chr(96 + n)}){{: .policy-permalink }}
    {{: #{chr(96 + n)} .policy-clause }}

    -   **a.** Posts are [accurate](https://example.org/a) and *signed*.
        {{: #{chr(96 + n)}-a .policy-clause }}

| Kind | Rule |
| --- | --- |
| post | kept |

"""


@pytest.fixture
def site(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    config = load_config(str(CONFIG), docs_dir=str(docs), site_dir=str(tmp_path / "site"))
    paths = ["policies/p/index.md", "policies/p/versions/index.md",
             *(PAGE.format(n=n) for n in range(1, 5))]
    for path in paths:
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text("# x\n")
    files = Files([File(path, str(docs), str(tmp_path / "site"), True) for path in paths])
    return config, files


def page_of(site, n: int, markdown: str) -> Page:
    config, files = site
    page = Page(None, files.get_file_from_path(PAGE.format(n=n)), config)
    page.markdown = markdown
    return page


def rendered(page: Page) -> tuple:
    def toc(items):
        return [(i.title, i.id, i.level, toc(i.children)) for i in items]

    return (page.content, toc(page.toc), page._title_from_render,
            sorted(page.present_anchor_ids),
            {file.src_uri: links for file, links in (page.links_to_anchors or {}).items()})


def both(site, n: int, markdown: str, memo: sections.Memo) -> tuple[tuple, tuple]:
    config, files = site
    whole = page_of(site, n, markdown)
    whole.render(config, files)
    parts = page_of(site, n, markdown)
    sections.render(parts, config, files, memo)
    return rendered(whole), rendered(parts)


@pytest.fixture
def conversions(monkeypatch) -> list[str]:
    converted: list[str] = []
    real = sections._convert

    def counted(page, text, *rest):
        converted.append(text)
        return real(page, text, *rest)

    monkeypatch.setattr(sections, "_convert", counted)
    return converted


def versions() -> list[str]:
    return [HEAD.format(n=1) + section(1) + section(2) + section(3),
            HEAD.format(n=2) + section(1) + section(2, "Posts are reviewed.") + section(3),
            HEAD.format(n=3) + section(1) + section(2, "Posts are reviewed.") + section(3)
            + section(4)]


def test_memoised_sections_give_the_page_whole_conversion_gives(site, conversions):
    memo: sections.Memo = {}
    for n, markdown in enumerate(versions(), start=1):
        whole, parts = both(site, n, markdown, memo)
        assert parts == whole
    # the head of each page (its links depend on where it is) and each distinct section
    assert len(conversions) == 3 + 3 + 1 + 1
    assert all("../../index.md" not in text for text in memo)
    assert "accurate" in whole[0] and 'href="https://example.org/a"' in whole[0]
    assert whole[1][0][1] == "version--title" and whole[2] == "Policy P — version 3"


def test_a_memoised_sections_links_to_its_anchors_are_checked_on_every_page(site):
    config, files = site
    memo: sections.Memo = {}
    text = HEAD.format(n=1) + section(1) + "## More {#more}\n\nSee [gone](#gone).\n\n"
    sections.render(page_of(site, 1, text), config, files, memo)
    again = page_of(site, 2, text.replace("version 1", "version 2"))
    sections.render(again, config, files, memo)
    assert "See [gone](#gone).\n\n" in "".join(memo)
    assert again.links_to_anchors[again.file]["gone"] == "#gone"
    messages = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        again.validate_anchor_links(files=files, log_level=logging.WARNING)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    assert any("'#gone'" in m and "no such anchor" in m for m in messages), messages


@pytest.mark.parametrize("markdown", [
    # a reference defined in one section and used in another
    HEAD.format(n=1) + "## One {#one}\n\nSee [the rules][r].\n\n## Two {#two}\n\n"
    "[r]: https://example.org/rules\n",
    # the same heading in two sections: whole-page ids are made unique, a section's not
    HEAD.format(n=1) + "## Purpose\n\nOne.\n\n## Purpose\n\nTwo.\n",
    # an explicit id that a heading's own id in another section runs into
    HEAD.format(n=1) + "## Scope\n\nOne.\n\n## Rules\n\nTwo.\n{: #scope }\n",
    # raw HTML, which Python-Markdown may carry across blank lines and headings
    HEAD.format(n=1) + "## One {#one}\n\n<div markdown>\n\n## Two {#two}\n\n</div>\n",
    # fenced code, in which a heading line is text
    HEAD.format(n=1) + "## One {#one}\n\n```\n\n## not a heading\n\n```\n",
])
def test_a_page_that_sections_could_change_is_converted_whole(site, markdown, conversions):
    memo: sections.Memo = {}
    whole, parts = both(site, 1, markdown, memo)
    assert parts == whole


def test_a_reference_or_a_shared_id_is_not_memoised(site):
    memo: sections.Memo = {}
    both(site, 1, HEAD.format(n=1) + "## Purpose\n\nOne.\n\n## Purpose\n\nTwo.\n", memo)
    both(site, 2, HEAD.format(n=1) + "## One {#one}\n\n[r]: https://example.org\n\n", memo)
    assert all("[r]:" not in text for text in memo)
    whole, parts = both(site, 3, HEAD.format(n=1) + "## One {#one}\n\n[x][r]\n\n"
                        "## Two {#two}\n\n[r]: https://example.org\n", memo)
    assert parts == whole and 'href="https://example.org"' in whole[0]


def test_a_configuration_other_than_the_sites_converts_whole(site, conversions):
    config, files = site
    config["markdown_extensions"] = [*config["markdown_extensions"], "def_list"]
    memo: sections.Memo = {}
    whole, parts = both(site, 1, versions()[0], memo)
    assert parts == whole and conversions == [] and memo == {}


def test_what_a_section_logs_is_logged_once(site, caplog):
    markdown = HEAD.format(n=1) + "## One {#one}\n\n[missing](nowhere.md)\n\n## Two {#two}\n\nx\n"
    config, files = site
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        sections.render(page_of(site, 1, markdown), config, files, {})
    found = [r.getMessage() for r in caplog.records if "nowhere.md" in r.getMessage()]
    assert len(found) == 1
