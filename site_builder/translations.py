"""Policies in other languages: `content/translations/<lang>/<policy-id>.md`.

A translation names the version of the policy it translates and who made it (official,
courtesy or machine). Its front matter gives the policy's title and summary in that
language; its body, when it has one, is the text, with the English's headings (`{#id}`)
and clause markers, so a clause has the same anchor in both languages.

`load_translations` reads and checks the files on their own (`load_library` calls it);
`history_problems` checks them against the history: the version must exist, and the
text must have that version's anchors. `translation_for` is what the pages and the open
data ask. A translation's earlier states, the translations of earlier versions, are read
from git by `translation_history.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import schema
from .active_content import field_problems
from .credentials import file_credentials
from .outline import Outline, parse_outline
from .problem import Problem
from .yaml_fields import line_for, read_yaml, split_front_matter, validate

FOLDER = "translations"


@dataclass(frozen=True)
class Translation:
    meta: schema.TranslationMeta
    path: str  # relative to the content folder
    body: str  # "" when only the title and summary are translated
    body_line: int
    outline: Outline
    lines: dict  # the front matter's fields → their lines

    @property
    def lang(self) -> str:
        return self.meta.lang

    @property
    def policy(self) -> str:
        return self.meta.policy

    @property
    def has_text(self) -> bool:
        return bool(self.body.strip())

    def line(self, field: str) -> int:
        return line_for(self.lines, (field,), 2)


def load_translations(root: Path, policies: dict, registry: schema.LanguagesRegistry,
                      read_text, unloaded: frozenset[str] = frozenset(),
                      ) -> tuple[dict[tuple[str, str], Translation], list[Problem]]:
    """Every translation by (language, policy id), and the problems found in the files.
    A translation of a policy in `unloaded` (whose own problems kept it out) is left out
    without a word: the policy's problems are the ones to fix."""
    from .active_content import problems as active_content

    found: dict[tuple[str, str], Translation] = {}
    problems: list[Problem] = []
    folder = Path(root) / FOLDER
    if not folder.is_dir():
        return found, problems
    codes = {language.code for language in registry.languages if not language.default}
    for language_dir in sorted(folder.iterdir()):
        rel_dir = f"{FOLDER}/{language_dir.name}"
        if language_dir.name.startswith("."):
            continue
        if not language_dir.is_dir() or language_dir.name not in codes:
            listed = ", ".join(sorted(codes)) or "none besides the default"
            problems.append(Problem(rel_dir, 1, "not a language of the site (registries/"
                                                f"languages.yaml lists {listed}); add the "
                                                "language there or move this"))
            continue
        for file in sorted(language_dir.iterdir()):
            rel = f"{rel_dir}/{file.name}"
            if file.name.startswith("."):
                continue
            if file.suffix != ".md":
                problems.append(Problem(rel, 1, f"only Markdown translations (*.md) belong in "
                                                f"{rel_dir}/; move or remove this file"))
                continue
            text, read_problems = read_text(file, rel)
            problems += read_problems
            if text is None:
                continue
            translation, file_problems = parse_translation(text, rel)
            problems += file_problems
            if translation is None or translation.policy in unloaded:
                continue
            problems += [Problem(rel, line, message) for line, message
                         in active_content(translation.body, translation.body_line)]
            problems += _fits(translation, file, language_dir.name, policies)
            found[(translation.lang, translation.policy)] = translation
    return found, problems


def parse_translation(text: str, rel: str) -> tuple[Translation | None, list[Problem]]:
    parts = split_front_matter(text)
    if parts is None:
        return None, [Problem(rel, 1, "no front matter; start the file with a '---' line, the "
                                      "YAML fields (policy, lang, translates_version, kind, "
                                      "title, summary), and another '---' line")]
    front, body, body_line = parts
    parsed = read_yaml(front, rel, first_line=2)
    if parsed.data is None and parsed.problems:
        return None, parsed.problems
    meta, problems = validate(schema.TranslationMeta, parsed, rel, 2, "the front matter")
    problems = file_credentials(parsed, text, rel, 2) + problems + [
        Problem(rel, line_for(parsed.lines, where, 2), message)
        for where, message in field_problems(parsed.data)]
    outline = parse_outline(body, body_line)
    problems = parsed.problems + problems + [Problem(rel, line, message)
                                             for line, message in outline.problems]
    if meta is None:
        return None, problems
    return Translation(meta, rel, body, body_line, outline, parsed.lines), problems


def _fits(translation: Translation, file: Path, folder_lang: str, policies: dict):
    problems = []
    meta = translation.meta
    if meta.lang != folder_lang:
        problems.append(Problem(translation.path, translation.line("lang"),
                                f"lang is {meta.lang!r} but the file is in the "
                                f"{folder_lang!r} folder; make them the same"))
    if meta.policy != file.stem:
        problems.append(Problem(translation.path, translation.line("policy"),
                                f"policy is {meta.policy!r} but the file is named "
                                f"{file.name}; name it {meta.policy}.md"))
    policy = policies.get(meta.policy)
    if policy is None:
        problems.append(Problem(translation.path, translation.line("policy"),
                                f"{meta.policy!r} is not a policy id; translations are "
                                "named after the policy they translate"))
    elif meta.sample != policy.meta.sample:
        state = "is" if policy.meta.sample else "is not"
        problems.append(Problem(translation.path, translation.line("sample"),
                                f"the policy {state} a sample: set sample: "
                                f"{str(policy.meta.sample).lower()}"))
    if translation.has_text and policy is not None and policy.meta.incomplete \
            and not meta.incomplete:
        problems.append(Problem(translation.path, 1, "the policy has an `incomplete` note; "
                                                     "translate it as `incomplete`"))
    return problems


def history_problems(translations: dict[tuple[str, str], Translation],
                     histories: dict) -> list[Problem]:
    """A translation must name a version that exists, and its text must have that
    version's section and clause anchors, in the same order. Only the working-tree file is
    held to this: a translation's earlier states, in its history, stay as they were
    (`translation_history.py`). Without a history, no version is numbered or published
    to hold it to."""
    problems = []
    for translation in translations.values():
        history = histories.get(translation.policy)
        if history is None or not history.complete:
            continue
        number = translation.meta.translates_version
        version = history.version(number)
        if version is None:
            latest = history.current.number
            problems.append(Problem(translation.path, translation.line("translates_version"),
                                    f"{translation.policy} has no version {number} (its "
                                    f"versions are 1 to {latest}); name the version this "
                                    "text translates"))
            continue
        if not translation.has_text:
            continue
        problems += _anchor_problems(translation, version.policy.outline, number)
    return problems


def _anchor_problems(translation: Translation, english: Outline, number: int):
    theirs, ours = list(english.anchors), list(translation.outline.anchors)
    if theirs == ours:
        return []
    missing = [anchor for anchor in theirs if anchor not in translation.outline.anchors]
    extra = [anchor for anchor in ours if anchor not in english.anchors]
    where = f"version {number} of {translation.policy}"
    if extra:
        anchor = extra[0]
        return [Problem(translation.path, translation.outline.anchors[anchor],
                        f"anchor #{anchor} is not in {where}; keep the English's headings "
                        "({#id}) and clause letters as they are"
                        + (f" (also: {', '.join('#' + a for a in extra[1:6])})"
                           if len(extra) > 1 else ""))]
    if missing:
        return [Problem(translation.path, translation.body_line,
                        f"{where} has anchors this translation lacks: "
                        f"{', '.join('#' + a for a in missing[:6])}"
                        + (" …" if len(missing) > 6 else "")
                        + "; translate every section and clause")]
    return [Problem(translation.path, translation.body_line,
                    f"the sections and clauses are in another order than in {where}; "
                    "keep the English's order")]


def translation_for(translations: dict, lang: str, policy_id: str) -> Translation | None:
    return translations.get((lang, policy_id))
