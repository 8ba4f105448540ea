"""Benchmarks write their figures into their own section of docs/benchmarks.md."""

from benchmarks.report import write_section


def test_a_section_is_replaced_in_place_and_a_new_one_goes_first(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nMeasured speed, newest first.\n\n"
                   "<!-- a:start -->\nold figures\n<!-- a:end -->\n\nhand-written notes\n")
    write_section("a", "new figures", doc)
    write_section("b", "other figures", doc)
    write_section("a", "newer figures", doc)
    text = doc.read_text()
    assert text.index("other figures") < text.index("newer figures") < text.index("notes")
    assert "old figures" not in text and text.count("<!-- a:start -->") == 1
