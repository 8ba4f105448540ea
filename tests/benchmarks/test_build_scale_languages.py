"""build_scale --languages: the Spanish it adds to a generated repository passes the
content check, and its figures go to a section of their own.

The figures of the document tests are made up: they check the document, not a build.
"""

import json
import os
import random

import benchmarks.build_history as build_history
import benchmarks.build_scale as build_scale
from site_builder import store
from site_builder.content import load_library
from site_builder.history import read_history
from site_builder.outline import parse_outline
from site_builder.translations import history_problems, parse_translation


def generated_policy(n: int = 7) -> str:
    sections = build_history.first_body(random.Random(n))
    return build_history.render(f"gen-{n:03d}", n, sections, "2024-02-01")


def test_a_generated_translation_has_the_englishs_anchors_and_length():
    english = generated_policy()
    text = build_scale.spanish_translation(english, 10)
    translation, problems = parse_translation(text, "translations/es/gen-007.md")
    assert problems == []
    meta = translation.meta
    assert (meta.policy, meta.lang, meta.translates_version) == ("gen-007", "es", 10)
    assert meta.title == "Política generada 7"
    assert "Los departamentos deben seguir estas reglas:" in translation.body
    body = english.split("---\n", 2)[2]
    assert list(translation.outline.anchors) == list(parse_outline(body).anchors)
    assert 1.0 <= len(translation.body) / len(body) <= 1.3  # Spanish is a little longer


def test_the_body_keeps_markers_fences_and_implicit_anchors():
    body = ("## Use of the site\n\nThe staff review every post.\n\n"
            "A. Department accounts:\n    a. Removed within days.\n    i. Public record.\n"
            "- Training guidance\n\n```\nstaff review\n```\n")
    spanish = build_scale.spanish_body(body)
    assert spanish.splitlines() == [
        "## Use of the sitio {#use-of-the-site}", "", "The personal revisión cada publicación.",
        "", "A. Departamento accounts:", "    a. Retirado dentro días.",
        "    i. Público registro.", "- Capacitación orientación", "", "```", "staff review",
        "```"]
    assert list(parse_outline(spanish).anchors) == list(parse_outline(body).anchors)


def test_the_stage_lines_of_other_languages_have_figures_of_their_own():
    lines = {"mkdocs       2.41 s": ("mkdocs", "2.41"),
             "mkdocs es    2.38 s": ("mkdocs es", "2.38"),
             "archive zh-Hant  1.00 s": ("archive zh-Hant", "1.00")}
    for line, groups in lines.items():
        assert build_scale.STAGE.match(line).groups() == groups
    assert build_scale.STAGE.match("built 12 pages into /x in 3.4 s") is None
    times = {"mkdocs": 2.0, "mkdocs es": 2.5, "load": 0.2}
    assert build_scale.stage_cell(times, "mkdocs") == "2.0 + 2.5 s"
    assert build_scale.stage_cell(times, "load") == "0.2 s"
    assert build_scale.stage_cell(times, "archive") == "–"


def test_spanish_added_to_a_generated_repository_passes_the_check(tmp_path, monkeypatch):
    monkeypatch.setattr(build_scale, "WORK", tmp_path)
    shipped = build_scale.ROOT / "content"
    english = build_scale.english_only(shipped)
    assert not (english / "registries" / build_scale.LANGUAGES).exists()
    assert (english / "registries" / "platforms.yaml").is_file()
    repo = tmp_path / "repo"
    build_history.generate(repo, 3, 2, shipped=english)
    content = repo / "content"
    library, problems = load_library(content)
    assert problems == [] and len(library.languages.languages) == 1

    count = build_scale.add_spanish(repo, shipped, 2)
    shipped_translations = len(list((shipped / "translations" / "es").glob("*.md")))
    assert count == 3 + shipped_translations
    library, problems = load_library(content)
    assert problems == []
    assert [language.code for language in library.languages.languages] == ["en", "es"]
    assert len(library.translations) == count
    with store.opened(tmp_path / "cache"):
        histories, _ = read_history(content, library)
    assert history_problems(library.translations, histories) == []
    assert histories["gen-002"].current.number == 2
    status = build_scale.git("status", "--porcelain", cwd=repo)
    assert status == ""  # one commit holds it all


def times(total: float, pages: float, **stages: float) -> dict:
    return {"total": total, "process": 1.0, "page_count": pages, **stages}


def run(size: int, english: list[float], spanish: list[float]) -> dict:
    pages = size * 31.0
    return {"size": size, "versions": 10, "commits": size * 10 + 1,
            "translations": size + 5,
            "en": [times(t, pages, mkdocs=t / 4) for t in english],
            "es": [times(t, 2 * pages, mkdocs=t / 8, **{"mkdocs es": t / 8})
                   for t in spanish]}


def results(work, label: str, runs: list[dict], mtime: int, repeat: int = 3) -> None:
    path = work / f"languages-{label}.json"
    path.write_text(json.dumps({"schema": build_scale.LANGUAGES_SCHEMA, "label": label,
                                "date": "2026-12-08", "machine": "test box",
                                "loads": ["0.5", "0.7"], "repeat": repeat,
                                "new": "this work tree at 634ae2a", "runs": runs}))
    os.utime(path, (mtime, mtime))


def test_the_languages_section_has_the_time_per_page_and_its_target(tmp_path, monkeypatch):
    monkeypatch.setattr(build_scale, "WORK", tmp_path)
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nMeasured speed, newest first.\n\n"
                   "<!-- build_scale:start -->\nthe scale figures\n<!-- build_scale:end -->\n"
                   "\nnotes written by hand\n")
    results(tmp_path, "first", [run(50, [20.0], [44.0])], 1_000, repeat=1)
    results(tmp_path, "second", [run(50, [20.0, 21.0, 22.0], [40.0, 42.0, 50.0]),
                                 run(200, [80.0, 80.0, 80.0], [180.0, 180.0, 180.0])], 2_000)
    build_scale.write_languages_doc(doc)
    text = doc.read_text()
    assert text.index("<!-- build_scale_languages:start -->") < text.index("the scale figures")
    assert text.rstrip().endswith("notes written by hand")
    current = text[text.index("### Current: second"):text.index("### Earlier runs")]
    assert "Median of 3 runs per figure, the two builds taking turns" in current
    assert "55 at 50 policies (50 generated, 5 shipped)" in current
    assert build_scale.LANGUAGES_HEAD in current
    # medians: 21 s for 1,550 pages, 42 s for 3,100: the same time per page
    assert "| 50 × 10 | 1,550 | 21.0 s | 13.5 ms | 3,100 | 42.0 s | 13.5 ms | 1.00× |" \
        in current
    assert "| 200 × 10 | 6,200 | 80.0 s | 12.9 ms | 12,400 | 180.0 s | 14.5 ms | 1.12× |" \
        in current
    assert "| 50 | English + Spanish | 42.0 s | 1.0 s | – | – | – | – | 5.2 + 5.2 s |" \
        in current
    assert "time per page at 50 policies: 1.00×, met" in current
    assert "time per page at 200 policies: 1.12×, **missed**" in current
    earlier = text[text.index("### Earlier runs"):]
    assert "| first | 2026-12-08 | 50 × 10 | 1,550 | 20.0 s | 12.9 ms | 3,100 | 44.0 s " \
           "| 14.2 ms | 1.10× |" in earlier
    assert "| second |" not in earlier

    build_scale.write_languages_doc(doc)  # written again: the rows read back are not doubled
    assert doc.read_text() == text
    (tmp_path / "languages-second.json").unlink()
    (tmp_path / "languages-first.json").unlink()
    rows = build_scale.languages_rows_in_doc(text)
    assert list(rows) == ["second", "first"]
    assert rows["second"][1] == ("| second | 2026-12-08 | 200 × 10 | 6,200 | 80.0 s | 12.9 ms "
                                 "| 12,400 | 180.0 s | 14.5 ms | 1.12× |")


def test_the_shipped_contents_languages_are_named(tmp_path, monkeypatch):
    monkeypatch.setattr(build_scale, "WORK", tmp_path)
    assert build_scale.shipped_languages(build_scale.ROOT / "content")[0] == "en"
    assert build_scale.shipped_languages(tmp_path) == ["en"]
    pages = 155.0
    full = {"total": 4.0, "process": 1.0, "page_count": pages}
    (tmp_path / "results-alone.json").write_text(json.dumps({
        "schema": build_scale.SCHEMA, "label": "alone", "date": "2026-12-08",
        "machine": "test box", "loads": ["0.5"], "repeat": 1, "new": "this work tree",
        "shipped": 1.5, "shipped_warm": 0.8, "shipped_languages": ["en", "es"],
        "runs": [{"size": 5, "versions": 10, "commits": 50, "full": {"new": [full]},
                  "bare": [2.0], "bare_all_in_nav": []}]}))
    doc = tmp_path / "benchmarks.md"
    build_scale.write_doc(doc)
    assert "the shipped `content/` (in en and es): 1.5 s from an empty cache" in doc.read_text()
