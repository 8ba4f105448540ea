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
from .content import POLICY_DIR, Library, Policy
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
    Draft,
    File,
    Lineage,
    State,
    join_by_id,
    norm_digest,
    parse_versions,
    read_file,
    trace_lineages,
    walk,
)
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
                             "active_content.py", "secrets_scan.py") + secrets_scan.SCANNER


def _cached_versions(
    lineage: Lineage, drafts: list[Draft], fallback: Policy, prefix: str, warn: list[str],
) -> tuple[Version, ...]:
    """`parse_versions`, kept between builds in the build's store.

    Parsing and outlining every version of every policy was most of the history stage,
    and a published version never changes. The key is every commit, path and file version
    in the policy's history (a commit id covers its message, date and trailers), the
    current file (its text stands in for a version whose metadata no longer parses) and
    the code.
    """
    cache = store.current()
    if not cache.enabled:
        return parse_versions(drafts, fallback, prefix, warn)
    key = _versions_key(lineage, fallback, prefix)
    kept = cache.get_object(key)
    if kept is not None:
        versions, warnings = kept
        warn.extend(warnings)
        return versions
    before = len(warn)
    versions = parse_versions(drafts, fallback, prefix, warn)
    cache.put_object(key, (versions, warn[before:]))
    return versions


def _versions_key(lineage: Lineage, fallback: Policy, prefix: str) -> str:
    return store.Store.key(
        "history-versions", _code_hash(), prefix, fallback.path, str(fallback.body_line),
        fallback.front_matter, fallback.body,
        *(f"{state.commit.sha}\0{state.path}\0{state.blob}" for state in lineage.states))


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


def _parse_ahead(work: list[tuple[Lineage, Policy]], prefix: str) -> None:
    """Parse the versions of these policies (lineage, current file) that the store does
    not hold yet into it, in one process per core when there are many, so that
    `_cached_versions` finds them: outlining every version was most of a first build's
    history stage. What parsing warns about is kept with them."""
    cache = store.current()
    todo = [(lineage, policy) for lineage, policy in work
            if not cache.keep(_versions_key(lineage, policy, prefix))]
    jobs = workers() if len(todo) >= PARSE_MIN else 1
    if jobs < 2 or not cache.enabled:
        return  # each is parsed as it comes

    def parse(share: list[tuple[Lineage, Policy]]) -> dict:
        for lineage, policy in share:
            drafts, _ = walk(lineage, [])
            _cached_versions(lineage, drafts, policy, prefix, [])
        return {}

    in_processes(parse, todo, jobs)


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
        histories = {pid: _one_version(p, unpublished=False, complete=False)
                     for pid, p in library.policies.items()}
        return histories, [f"history: reading git failed ({error}); each policy is built "
                           "with one version and no history"], None
    needed: dict[str, str] = {}
    for _, _, path, blob in pending:
        if blob not in known:
            needed.setdefault(blob, path)
    read = _read_files(needed, blobs)
    files: dict[str, File] = {}
    for lineage, commit, path, blob in pending:
        parsed = known.get(blob) or read[blob]
        if blob in blobs or blob in known:  # kept; one missing from the repository is not
            files[blob] = parsed
        lineage.states.append(State(commit, path, blob, *parsed))
    if key is not None and (kept is None or kept.head != repo.head
                            or files.keys() != known.keys()):
        save_log(key, Log(repo.head, commits, files))
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
    _parse_ahead([(lineage, library.policies[pid]) for pid, lineage in found.items()
                  if lineage is not None], repo.prefix)
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
        policy_warnings: list[str] = []
        drafts, entries = walk(lineage, policy_warnings)
        versions = _cached_versions(lineage, drafts, policy, repo.prefix, policy_warnings)
        withdrawn = {w.version: w for w in library.withdrawals if w.policy == pid}
        versions, entries = withdraw(versions, entries, withdrawn, policy)
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
            leaks(drafts, repo.prefix),
        )
        warnings += [f"history: {w}" for w in policy_warnings]
    histories = drop_responses(histories, library)
    warnings += [f"history: {policy.path} at commit {r.commit[:7]}: Responds-to {r.code!r} "
                 "is not a tracking code; it is not shown (`transparency check` stops on it)"
                 for pid, policy in sorted(library.policies.items()) if pid in histories
                 for v in histories[pid].versions for r in v.responses
                 if not r.valid and not r.dropped]
    return histories, warnings, repo
