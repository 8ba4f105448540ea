"""History: every public version of every policy, read from the content's git history.

`read_history` gives each policy's versions and changelog (`PolicyHistory`, defined in
`history_types.py` and imported by the other stages from here), and the translation of
each version that has one (`translation_history.py`). What makes a version is
in `lineage.py` (and, for staff, docs/publishing.md); uncommitted edits are "unpublished
changes": shown in a local preview, never a version.

The whole history is read in one pass (`gitlog.py`): one `git log` over the policies
folder and one long-lived `git cat-file --batch` for the file contents. Each policy's
versions are then parsed, withdrawals applied and credentials looked for
(`withdrawals.py`). With a cache folder, both the log pass and each policy's parsed
versions are kept between builds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from . import secrets_scan, store, translation_history
from .content import POLICY_DIR, Library, Policy, decode
from .gitlog import (
    GitError,
    Log,
    Repository,
    commits_since,
    load_log,
    locate,
    log_key,
    read_blobs,
    save_log,
)
from .history_types import (
    DEFAULT_ROLE,
    FIRST_VERSION_NOTE,
    ChangeEntry,
    Correction,
    Leak,
    PolicyHistory,
    Response,
    Span,
    Version,
    spans,
    version_on,
)
from .lineage import (
    UNREAD,
    File,
    Lineage,
    State,
    join_by_id,
    kept_file,
    norm_digest,
    parse_versions,
    read_file,
    trace_lineages,
    walk,
)
from .packing import packed
from .parallel import in_processes, workers
from .tracking_codes import normalise_tracking_code
from .withdrawals import leaks, withdraw

READ_MIN = 64  # fewer file versions to read than this: not worth a process
PARSE_MIN = 8  # fewer policies to parse than this: not worth a process

__all__ = [
    "FIRST_VERSION_NOTE",
    "ChangeEntry",
    "Correction",
    "Leak",
    "PolicyHistory",
    "Response",
    "Span",
    "Version",
    "read_history",
    "spans",
    "version_on",
]


def _code_hash() -> str:
    """The source of the modules a policy's versions are parsed by."""
    return store.source_hash("history.py", "history_types.py", "gitlog.py", "lineage.py",
                             "withdrawals.py", "content.py", "yaml_fields.py",
                             "credentials.py", "problem.py", "outline.py", "schema.py",
                             "active_content.py", "secrets_scan.py", "tracking_codes.py",
                             "packing.py",
                             ) + secrets_scan.SCANNER


# A policy's versions, its changelog (in `walk`'s order), the credentials in its commits
# (`leaks`) and the warnings for the build log: all a lineage makes (`_made`).
Made = tuple[tuple[Version, ...], list[ChangeEntry], tuple[Leak, ...], list[str]]


def _made(lineage: Lineage, fallback: Policy, prefix: str) -> Made:
    """What a policy's lineage makes; `fallback` (the current file) stands in for a
    version whose metadata no longer parses."""
    warn: list[str] = []
    drafts, entries = walk(lineage, warn)
    versions = parse_versions(drafts, fallback, prefix, warn)
    return versions, entries, leaks(drafts, prefix), warn


def _made_key(lineage: Lineage, fallback: Policy, prefix: str) -> str:
    """Where the store keeps what a lineage made: every commit, path and file version in
    the policy's history (a commit id covers its message, date and trailers), the current
    file and the code. A published version never changes."""
    return store.Store.key(
        "history-made", _code_hash(), prefix, fallback.path, str(fallback.body_line),
        fallback.front_matter, fallback.body,
        *(f"{state.commit.sha}\0{state.path}\0{state.blob}" for state in lineage.states))


def _keep(key: str, made: Made, fallback: Policy) -> None:
    """Keep what a lineage made under `key`. Its latest version is most often the current
    file as the load stage read it (`fallback`, which the key covers): then the entry
    leaves that version's text out, and `_kept` puts the file back. The other versions'
    texts, clauses, anchors and metadata are packed (`packing.packed`): a rebuild reads
    those of few policies, and the versions of one repeat each other, which the pack's compression
    finds (the entries of 800 policies: 53 MB before, 13 MB packed)."""
    versions = list(made[0])
    if versions and versions[-1].policy == fallback:
        versions[-1] = replace(versions[-1], policy=None)
    shown = [i for i, version in enumerate(versions) if version.policy is not None]
    outlines = packed([versions[i].policy.outline for i in shown],
                      ("preamble", "sections", "anchors"))
    policies = packed([replace(versions[i].policy, outline=outline)
                       for i, outline in zip(shown, outlines, strict=True)], ("body", "meta"))
    for i, policy in zip(shown, policies, strict=True):
        versions[i] = replace(versions[i], policy=policy)
    store.current().put_object(key, (tuple(versions), *made[1:]))


def _kept(key: str, fallback: Policy) -> Made | None:
    """What `_keep` kept under `key`; None when the store has nothing there, or a damaged
    or foreign entry."""
    kept = store.current().get_object(key)
    if not (isinstance(kept, tuple) and len(kept) == 4 and isinstance(kept[0], tuple)
            and isinstance(kept[1], list) and isinstance(kept[2], tuple)
            and isinstance(kept[3], list)):
        return None
    versions = kept[0]
    if versions and versions[-1].policy is None:
        versions = (*versions[:-1], replace(versions[-1], policy=fallback))
    return versions, *kept[1:]


def _all_made(work: dict[str, tuple[Lineage, Policy]],
              repo: Repository) -> tuple[dict[str, Made], dict[str, str]]:
    """What each policy's lineage makes (`work`: its lineage and current file, by id),
    and the key the store keeps it under (`_made_key`; none without a store).

    Parsing and outlining every version of every policy was most of the history stage,
    so in a build with a store each is kept there, and a rebuild makes again only those
    whose history or file changed: their texts are read from git again (the kept log
    pass holds none), and when there are many they are made in one process per core."""
    cache = store.current()
    keys = {pid: _made_key(lineage, policy, repo.prefix)
            for pid, (lineage, policy) in work.items()} if cache.enabled else {}
    made = {pid: kept for pid, key in keys.items()
            if (kept := _kept(key, work[pid][1])) is not None}
    todo = [pid for pid in work if pid not in made]
    _with_texts([work[pid][0] for pid in todo], repo.top)
    if cache.enabled and len(todo) >= PARSE_MIN and workers() > 1:
        def make(share: list[str]) -> dict:
            for pid in share:
                _keep(keys[pid], _made(*work[pid], repo.prefix), work[pid][1])
            return {}

        in_processes(make, todo, workers())
        made.update((pid, kept) for pid in todo
                    if (kept := _kept(keys[pid], work[pid][1])) is not None)
    for pid in todo:
        if pid not in made:  # one at a time, or one a process could not keep
            made[pid] = _made(*work[pid], repo.prefix)
            if cache.enabled:
                _keep(keys[pid], made[pid], work[pid][1])
    return made, keys


def _with_texts(lineages: list[Lineage], top: Path) -> None:
    """Give the file versions of these lineages the texts the kept log pass left out
    (`lineage.kept_file`), read from git in one pass: they are about to be parsed."""
    states = [state for lineage in lineages for state in lineage.states
              if state.text is UNREAD]
    blobs = read_blobs(top, (state.blob for state in states))
    for state in states:
        raw = blobs.get(state.blob)
        state.text = decode(raw, state.path)[0] if raw is not None else None
        state.missing = raw is None


def _read_files(needed: dict[str, str], blobs: dict[str, bytes]) -> dict[str, File]:
    """What each file version says (`read_file`, by blob; `needed` names each one's first
    path), in one process per core when there are many: reading the front matter and
    looking for credentials is most of a first build's history stage."""
    todo = sorted(needed.items())

    def read(share: list[tuple[str, str]]) -> dict:
        return {"files": {blob: read_file(blobs.get(blob), path) for blob, path in share}}

    files: dict[str, File] = {}
    for report in in_processes(read, todo, workers() if len(todo) >= READ_MIN else 1):
        files.update(report["files"])
    return files


def drop_responses(histories: dict[str, PolicyHistory],
                   library: Library) -> dict[str, PolicyHistory]:
    """The histories without the Responds-to codes registries/responses.yaml drops: codes
    a pushed commit named by mistake (`responds.dropped_problems` checks each entry)."""
    if not library.dropped_responses:
        return histories

    def dropped(pid: str, number: int, response: Response) -> bool:
        return any(item.policy == pid and item.version == number
                   and (normalise_tracking_code(item.code) or item.code) == response.code
                   for item, _ in library.dropped_responses)

    changed = {}
    for pid, history in histories.items():
        versions = tuple(replace(v, responses=tuple(
            replace(r, dropped=dropped(pid, v.number, r)) for r in v.responses))
            for v in history.versions)
        changed[pid] = replace(history, versions=versions)
    return changed


def _one_version(policy: Policy, *, unpublished: bool, complete: bool,
                 warnings: tuple[str, ...] = ()) -> PolicyHistory:
    version = Version(1, policy, None, None, policy.meta.change_note or "", DEFAULT_ROLE)
    return PolicyHistory(policy.id, (version,), (), unpublished, warnings, complete,
                         (policy.path,))


def _without_history(library: Library, error: GitError,
                     ) -> tuple[dict[str, PolicyHistory], list[str], None]:
    """Each policy with one version, and why, when reading git failed."""
    histories = {pid: _one_version(p, unpublished=False, complete=False)
                 for pid, p in library.policies.items()}
    return histories, [f"history: reading git failed ({error}); each policy is built "
                       "with one version and no history"], None


def read_history(
    content_dir: Path, library: Library,
) -> tuple[dict[str, PolicyHistory], list[str]]:
    """Versions per policy id, with their translations, and warnings for the build log.

    In a build with a store (`store.opened`), each policy's parsed versions are kept
    between builds, keyed by the commits and file versions of its history and its current
    file. So is the log pass: the commits up to HEAD and what each file version says, so
    that the next build reads only the commits after that HEAD (`commits_since`). The
    translations' history is read the same way (`translation_history.py`); without a
    history, each translation is the translation of the version it names.
    """
    histories, warnings, repo = _policy_histories(content_dir, library)
    found, more = (translation_history.read_committed(repo, library) if repo is not None
                   else ({}, []))
    histories, shown = translation_history.with_translations(histories, library, found)
    return histories, warnings + more + shown


def _policy_histories(
    content_dir: Path, library: Library,
) -> tuple[dict[str, PolicyHistory], list[str], Repository | None]:
    """Versions per policy id, warnings, and the repository they were read from (None
    when they could not be)."""
    repo, reason = locate(content_dir)
    if repo is None or repo.shallow or repo.head is None:
        if repo is None:
            why = (f"{content_dir} is not in a git repository ({reason}); each policy is "
                   "built with one version and no history")
        elif repo.shallow:
            why = (f"{repo.top} is a shallow clone, so its history is incomplete; each policy "
                   "is built with one version. Fetch the full history (git fetch --unshallow, "
                   "or fetch-depth: 0 in CI) before publishing")
        else:
            why = (f"{repo.top} has no commits yet; every policy is built as unpublished "
                   "changes. Commit the content to publish version 1")
        unpublished = repo is not None and not repo.shallow
        histories = {
            pid: _one_version(policy, unpublished=unpublished, complete=False)
            for pid, policy in library.policies.items()
        }
        return histories, [f"history: {why}"], None

    folder = f"{repo.prefix}{POLICY_DIR}/"
    key = log_key(repo, _code_hash()) if store.current().enabled else None
    kept = load_log(key) if key else None
    known = kept.files if kept is not None else {}
    try:
        commits = commits_since(repo, kept)
        lineages, at_head, pending = trace_lineages(commits, folder)
        blobs = read_blobs(repo.top, (blob for _, _, _, blob in pending if blob not in known))
    except GitError as error:
        return _without_history(library, error)
    needed: dict[str, str] = {}
    for _, _, path, blob in pending:
        if blob not in known:
            needed.setdefault(blob, path)
    read = _read_files(needed, blobs)
    files: dict[str, File] = {}
    seen: dict[str, str] = {}
    for lineage, commit, path, blob in pending:
        parsed = known.get(blob) or read[blob]
        if blob in known:
            files[blob] = parsed
        elif blob in blobs and blob not in files:  # one missing from the repository is not kept
            files[blob] = kept_file(parsed, seen)
        lineage.states.append(State(commit, path, blob, *parsed,
                                    missing=blob not in known and blob not in blobs))
    if key is not None and (kept is None or kept.head != repo.head
                            or files.keys() != known.keys()):
        save_log(key, Log(repo.head, commits, files), kept)
    position = {commit.sha: i for i, commit in enumerate(commits)}
    lineages = join_by_id(lineages, position)
    at_head = {path: lineage.resolved() for path, lineage in at_head.items()}

    warnings: list[str] = []
    histories: dict[str, PolicyHistory] = {}
    found: dict[str, Lineage | None] = {}
    for pid, policy in library.policies.items():
        lineage = at_head.get(f"{repo.prefix}{policy.path}")
        if lineage is None or not lineage.states:
            # Renamed or re-created in the working tree: find its history by id.
            lineage = next(
                (x for x in reversed(lineages) if x.states and x.states[-1].policy_id == pid),
                None,
            )
        found[pid] = lineage if lineage is not None and lineage.states else None
    try:
        made, sources = _all_made({pid: (lineage, library.policies[pid])
                                   for pid, lineage in found.items() if lineage is not None},
                                  repo)
    except GitError as error:
        return _without_history(library, error)
    for pid, policy in library.policies.items():
        repo_path = f"{repo.prefix}{policy.path}"
        lineage = found[pid]
        if lineage is None:
            message = (f"history: {policy.path} is not committed yet; it is built as "
                       "unpublished changes (version 1 is published when it is committed)")
            warnings.append(message)
            histories[pid] = _one_version(policy, unpublished=True, complete=True,
                                          warnings=(message,))
            continue
        versions, entries, found_leaks, policy_warnings = made[pid]
        withdrawn = {w.version: w for w in library.withdrawals if w.policy == pid}
        versions, entries = withdraw(versions, list(entries), withdrawn, policy)
        last = lineage.states[-1]
        unpublished = (
            lineage.ended is not None
            or at_head.get(repo_path) is not lineage
            or (last.front, last.norm) != (policy.front_matter, norm_digest(policy.body))
        )
        entries.sort(key=lambda e: e.published)
        histories[pid] = PolicyHistory(
            pid,
            versions,
            tuple(reversed(entries)),
            unpublished,
            tuple(policy_warnings),
            True,
            tuple(p[len(repo.prefix):] for p in dict.fromkeys(lineage.paths)),
            found_leaks,
            source=sources.get(pid),
        )
        warnings += [f"history: {w}" for w in policy_warnings]
    histories = drop_responses(histories, library)
    warnings += [f"history: {policy.path} at commit {r.commit[:7]}: Responds-to {r.code!r} "
                 "is not a tracking code; it is not shown (`transparency check` stops on it)"
                 for pid, policy in sorted(library.policies.items()) if pid in histories
                 for v in histories[pid].versions for r in v.responses
                 if not r.valid and not r.dropped]
    return histories, warnings, repo
