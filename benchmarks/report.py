"""Writing a benchmark's figures into its own section of docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
INTRO = "Measured speed, newest first.\n"


def write_section(name: str, section: str, doc: Path = DOC) -> str:
    """Replace the section between `<!-- name:start -->` and `<!-- name:end -->`.

    A section not yet in the file goes first, right after the introduction: newest first.
    Returns the block written.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = doc.read_text() if doc.exists() else f"# Benchmarks\n\n{INTRO}"
    block = f"{start}\n{section.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    elif INTRO in text:
        at = text.index(INTRO) + len(INTRO)
        text = text[:at] + "\n" + block + "\n" + text[at:]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text)
    return block
