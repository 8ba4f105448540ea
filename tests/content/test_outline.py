"""The outline stage: sections, prose and lettered clauses with stable anchors."""

from site_builder.outline import parse_outline, slugify

BODY = """\
Intro prose before any section.

## Rules {#rules}

Some prose.

A. First rule.
B. Second rule, with items:
    a. item one
    b. item two that runs
    on to a second line.
        i. deep one
        ii. deep two

    A later paragraph of b.

Prose after the clauses, with a [link](other.md#k-c).

```
C. not a clause inside a fence
```

## Signature

Lawrence Rael
"""


def test_clauses_nest_by_indentation_with_ids_from_their_markers():
    outline = parse_outline(BODY, first_line=10)
    assert outline.problems == ()
    ids = [c.id for c in outline.clauses()]
    assert ids == ["a", "b", "b-a", "b-b", "b-b-i", "b-b-ii"]
    assert outline.label_of("b-b-ii") == "§B.b.ii"
    b_b = next(c for c in outline.clauses() if c.id == "b-b")
    assert b_b.text == "item two that runs\non to a second line.\n\nA later paragraph of b."
    assert b_b.line == 10 + 9


def test_sections_prose_fences_and_links():
    outline = parse_outline(BODY, first_line=1)
    assert [s.id for s in outline.sections] == ["rules", "signature"]
    assert outline.preamble[0].prose == "Intro prose before any section."
    rules = outline.sections[0]
    kinds = ["clauses" if b.clauses else "prose" for b in rules.blocks]
    assert kinds == ["prose", "clauses", "prose"]
    assert "C. not a clause inside a fence" in rules.blocks[2].prose
    assert [(link.target, link.line) for link in outline.links] == [("other.md#k-c", 17)]
    assert outline.section_of("b-b-i").id == "rules"


def test_problems_are_reported_with_lines():
    outline = parse_outline("# Title\n\n## A {#Bad Id}\n\n## B {#b}\n\n## B again {#b}\n```\n")
    problems = outline.problems
    assert any(line == 1 and "'#' heading" in m for line, m in problems)
    assert any(line == 3 and "not a valid anchor" in m for line, m in problems)
    assert any(line == 7 and "used twice" in m for line, m in problems)
    assert any("never closed" in m for _, m in problems)


def test_slugify_is_stable_ascii():
    assert slugify("Café & *Rules*: Part 2") == "cafe-rules-part-2"
    assert slugify("!!!") == "section"
