"""Translations through their history: each translated version of a policy.

A translation is one file (`content/translations/<lang>/<id>.md`) naming the version it
translates. When staff update it to translate a newer version, its earlier states stay
in git; each of them is the translation of the version it named. `read_committed` reads
every committed state of every translation in one pass (one `git log` over the
translations folder and one `git cat-file --batch`, kept between builds like the
policies' log pass, `gitlog.Log`), and `with_translations` gives each policy's history
its translations (`PolicyHistory.translated`): per language, per version number, the
latest committed translation of that version, and the working-tree file for the version
it names.

Only the working-tree file is checked (`translations.history_problems`); an older state
is shown as it was committed, its markup made inert like any old text. A state that does
not parse, or that looks like it holds a credential, is not shown (the build warns). A
translation removed from the working tree takes its earlier versions off the site, and a
file deleted and made again starts a history of its own; a committed state translating a
later version than the working-tree file names is not shown either: that file is the
latest word.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import secrets_scan, store
from .content import Library, decode
from .credentials import policy_credentials
from .gitlog import (
    GitError,
    Log,
    Repository,
    commits_since,
    load_log,
    log_key,
    read_blobs,
    read_folder_log,
    save_log,
)
from .history_types import PolicyHistory
from .translations import FOLDER, Translation, parse_translation


@dataclass(frozen=True)
class Committed:
    """A translation file as one commit left it."""

    commit: str
    path: str  # relative to the content folder
    translation: Translation | None  # None when it does not parse
    withheld: str = ""  # why it is not shown ("" when it is)


Found = dict[tuple[str, str], list[Committed]]  # by (language folder, file name's stem)


def _code_hash() -> str:
    """The source of the modules the committed translations are read by."""
    return "translations:" + store.source_hash(
        "translation_history.py", "translations.py", "gitlog.py", "content.py",
        "credentials.py", "schema.py", "yaml_fields.py", "outline.py",
        "secrets_scan.py") + secrets_scan.SCANNER


def _where(rel: str) -> tuple[str, str] | None:
    """(language folder, policy id) for a translation file's path, or None for any
    other path under the translations folder."""
    parts = rel.split("/")
    if len(parts) != 3 or parts[0] != FOLDER or not parts[2].endswith(".md") \
            or parts[1].startswith(".") or parts[2].startswith("."):
        return None
    return parts[1], parts[2][:-3]


def _read(raw: bytes | None, rel: str) -> tuple[Translation | None, str]:
    """What a committed state of a translation says, and why it is not shown."""
    if raw is None:
        return None, "it is missing from the repository"
    text, _ = decode(raw, rel)
    if text is None:
        return None, "it is not UTF-8"
    translation, _problems = parse_translation(text, rel)
    if translation is None:
        return None, "its front matter does not pass today's checks"
    _data, found = policy_credentials(text, rel)
    if found:
        return translation, (f"{found[0].message.split(';')[0]} (line {found[0].line}); "
                             "this state of the translation is not published")
    return translation, ""


def read_committed(repo: Repository, library: Library) -> tuple[Found, list[str]]:
    """Every committed state of each translation file in the working tree
    (`Library.translations`), oldest first, by (language, policy id); and warnings for
    the build log when git could not be read. Content without translations asks git
    nothing.

    With the build's store, the log pass is kept between builds (as the policies' is):
    the next build reads only the commits after the HEAD it ended at, and no file it has
    read before."""
    present = set(library.translations)
    if not present:
        return {}, []
    key = log_key(repo, _code_hash()) if store.current().enabled else None
    kept = load_log(key) if key else None
    known = kept.files if kept is not None else {}
    prefix = repo.prefix

    def read(repository: Repository, since: str | None = None):
        return read_folder_log(repository, FOLDER, since)

    try:
        commits = commits_since(repo, kept, read)
        states: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for commit in commits:
            for change in commit.changes:
                gone = (change.old_path if change.status == "R"
                        else change.path if change.blob is None else None)
                if gone and (where := _where(gone[len(prefix):])) is not None:
                    states.pop(where, None)  # deleted or moved away: its history ends
                if change.blob is None:
                    continue
                rel = change.path[len(prefix):]
                where = _where(rel)
                if where in present:
                    states.setdefault(where, []).append((commit.sha, rel, change.blob))
        wanted = (blob for kept_states in states.values() for _, _, blob in kept_states
                  if blob not in known)
        blobs = read_blobs(repo.top, wanted)
    except GitError as error:
        return {}, [f"history: reading the translations' history failed ({error}); each "
                    "translation is shown for the version it names only"]
    files: dict[str, tuple] = {}
    found: Found = {}
    for where, kept_states in states.items():
        for sha, rel, blob in kept_states:
            parsed = files.get(blob) or known.get(blob)
            if parsed is None:
                parsed = _read(blobs.get(blob), rel)
            if blob in blobs or blob in known:  # kept; one missing from the repository is not
                files[blob] = parsed
            translation, withheld = parsed
            if translation is not None and translation.path != rel:
                translation = replace(translation, path=rel)
            found.setdefault(where, []).append(Committed(sha, rel, translation, withheld))
    if key is not None and (kept is None or kept.head != repo.head
                            or files.keys() != known.keys()):
        save_log(key, Log(repo.head, commits, files))
    return found, []


def with_translations(histories: dict[str, PolicyHistory], library: Library, found: Found,
                      ) -> tuple[dict[str, PolicyHistory], list[str]]:
    """Each history with its translated versions (`PolicyHistory.translated`): for each
    translation in the working tree (`Library.translations`), the latest committed state
    of each version up to the one it names, and the file itself for that one; and
    warnings about the committed states that are not shown."""
    translated: dict[str, dict[str, dict[int, Translation]]] = {}
    warnings: list[str] = []
    for (lang, pid), current in sorted(library.translations.items()):
        history = histories.get(pid)
        if history is None:
            continue
        named = current.meta.translates_version
        versions: dict[int, Translation | None] = {}
        for state in found.get((lang, pid), ()):
            translation = state.translation
            if state.withheld:
                warnings.append(f"history: {state.path} at commit {state.commit[:7]}: "
                                f"{state.withheld}")
            if translation is None or translation.meta.lang != lang \
                    or translation.meta.policy != pid:
                continue
            number = translation.meta.translates_version
            if number <= named:
                versions[number] = None if state.withheld else translation
        versions[named] = current
        translated.setdefault(pid, {})[lang] = {
            number: translation for number, translation in sorted(versions.items())
            if translation is not None and history.version(number) is not None}
    return ({pid: replace(history, translated=translated[pid]) if pid in translated
             else history for pid, history in histories.items()}, warnings)
