"""Load and validate `content/`: policies (Markdown + YAML front matter) and registries.

Every file is read and parsed once into plain data (`Policy`, `Library`); every problem is
collected as a `Problem` (`path:line: message`), never raised, so one run reports them all.
`parse_policy` works on text, so the history stage can parse old versions from git blobs.
The YAML of each file is read and validated by `yaml_fields`, its credentials found by
`credentials`; this module reads the files and checks what spans them.
"""

from __future__ import annotations

import difflib
import functools
import gc
import os
import posixpath
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import markdown_it
import pydantic
import yaml

from . import citations, languages, schema, secrets_scan, store, yaml_fields
from .active_content import field_problems
from .active_content import problems as active_content
from .addresses import POLICY_PAGE_IDS
from .credentials import file_credentials
from .outline import Outline, parse_outline
from .packing import Packed
from .problem import Problem
from .translations import load_translations
from .yaml_fields import front_line, line_for, read_yaml, show, split_front_matter, validate

MAX_FILE_BYTES = 1024 * 1024
POLICY_DIR = "policies"
REGISTRY_DIR = "registries"
REGISTRY_FILES = {
    "platforms.yaml": schema.PlatformRegistry,
    "accounts.yaml": schema.AccountRegistry,
}
# Registries a content folder may leave out: without withdrawn.yaml, nothing is withdrawn;
# the site builds without the feedback app's two (which it needs: feedback_api.catalog);
# without citations.yaml, the site cites AI 1-19 §K and §O.a (schema.SiteCitations).
OPTIONAL_REGISTRY_FILES = {
    "withdrawn.yaml": schema.WithdrawnRegistry,
    "report-categories.yaml": schema.ReportCategoryRegistry,
    "outcomes.yaml": schema.OutcomeRegistry,
    "citations.yaml": schema.SiteCitations,
    "responses.yaml": schema.ResponsesRegistry,
    "languages.yaml": schema.LanguagesRegistry,
}
WITHDRAWN = f"{REGISTRY_DIR}/withdrawn.yaml"
RESPONSES = f"{REGISTRY_DIR}/responses.yaml"


@dataclass(frozen=True)
class Policy(Packed):  # the store keeps old versions' bodies packed
    meta: schema.PolicyMeta
    path: str  # relative to the content folder, with '/' separators
    body: str
    body_line: int  # file line where the body starts
    outline: Outline
    front_matter: str  # the raw YAML, so a later stage can tell text from metadata changes

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass(frozen=True)
class Library:
    root: Path
    policies: dict[str, Policy] = field(default_factory=dict)
    platforms: schema.PlatformRegistry | None = None
    accounts: schema.AccountRegistry | None = None
    unloaded: frozenset[str] = frozenset()  # ids of policies whose problems kept them out
    withdrawals: tuple[schema.Withdrawal, ...] = ()  # registries/withdrawn.yaml
    withdrawal_lines: dict[tuple[str, int], int] = field(default_factory=dict)  # its lines
    report_categories: schema.ReportCategoryRegistry | None = None
    outcomes: schema.OutcomeRegistry | None = None
    citations: schema.SiteCitations = schema.SiteCitations()
    # registries/responses.yaml: Responds-to codes pushed by mistake, and their lines
    dropped_responses: tuple[tuple[schema.DroppedResponse, int], ...] = ()
    # registries/languages.yaml; without it the site is in English alone
    languages: schema.LanguagesRegistry = schema.ENGLISH_ONLY
    # content/translations/<lang>/<id>.md, by (language, policy id)
    translations: dict = field(default_factory=dict)

    def policy_at(self, path: str) -> Policy | None:
        return next((p for p in self.policies.values() if p.path == path), None)

    def required_elements(self) -> list[tuple[Policy, schema.RequiredElement]]:
        return [
            (p, element)
            for p in self.policies.values()
            if p.meta.requires
            for element in p.meta.requires
        ]


# ---------------------------------------------------------------------------------------
# Files


def read_text(file: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read a content file as UTF-8 text, or say why it cannot be read.

    Only regular files are read: a named pipe would wait for a writer forever and a device
    such as /dev/zero never ends, so the file is opened without blocking and checked first.
    """
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        if file.is_symlink() and not file.exists():
            return None, [Problem(rel, 1, f"is a link to {os.readlink(file)}, which does not "
                                          "exist; put the file itself here")]
        return None, [Problem(rel, 1, f"cannot read the file ({error.strerror}); check its "
                                      "permissions")]
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, [Problem(rel, 1, f"is {_special_file(info.st_mode)}, not a file; put "
                                          "the file itself here")]
        if info.st_size > MAX_FILE_BYTES:
            return None, [Problem(rel, 1, f"file is {info.st_size:,} bytes, over the limit of "
                                          f"{MAX_FILE_BYTES:,}; split the policy or remove "
                                          "pasted material")]
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, [Problem(rel, 1, f"cannot read the file ({error.strerror}); check its "
                                      "permissions")]
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(rel, 1, f"file is over the limit of {MAX_FILE_BYTES:,} bytes; "
                                      "split the policy or remove pasted material")]
    return decode(data, rel)


def _special_file(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def decode(data: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Problem(rel, line, f"not valid UTF-8 (byte {data[error.start]:#04x}); "
                                         "save the file as UTF-8")]
    return text.removeprefix("\ufeff").replace("\r\n", "\n"), []


def parse_policy(text: str, rel: str) -> tuple[Policy | None, list[Problem]]:
    """Parse one policy file's text. Problems are reported against `rel`."""
    parts = split_front_matter(text)
    if parts is None:
        return None, [Problem(rel, 1, "no front matter; start the file with a '---' line, the "
                                      "YAML fields, and another '---' line")]
    front, body, body_line = parts
    parsed = read_yaml(front, rel, first_line=2)
    if parsed.data is None and parsed.problems:
        return None, parsed.problems
    problems = parsed.problems + file_credentials(parsed, text, rel, 2)
    meta, schema_problems = validate(schema.PolicyMeta, parsed, rel, 2, "the front matter")
    problems += schema_problems
    outline = parse_outline(body, body_line)
    problems += [Problem(rel, line, message) for line, message in outline.problems]
    if meta is None:
        return None, problems
    return Policy(meta, rel, body, body_line, outline, front), problems


def active_content_problems(text: str, rel: str) -> list[Problem]:
    """What in a policy file could act on the site (`active_content.py`): in its body and
    in its front matter's values. Part of the check of the files as they are; versions in
    the history are read without it, and the render stage shows such text as written."""
    parts = split_front_matter(text)
    if parts is None:
        return []
    front, body, body_line = parts
    parsed = read_yaml(front, rel, first_line=2)
    return ([Problem(rel, line, message) for line, message in active_content(body, body_line)]
            + [Problem(rel, line_for(parsed.lines, where, 2), message)
               for where, message in field_problems(parsed.data)])


def checked_policy(text: str, rel: str) -> tuple[Policy | None, list[Problem], str | None]:
    """`parse_policy` and `active_content_problems` of a policy file, and the id a file
    that does not load declares: kept in the build's store by text, path and code, so a
    rebuild parses only the files that changed (parsing them all was most of its load)."""
    cache = store.current()
    key = cache.enabled and store.Store.key("policy-file", _checking_code(), rel, text)
    kept = cache.get_object(key) if key else None
    if isinstance(kept, tuple) and len(kept) == 3 and isinstance(kept[0], Policy | None):
        return kept
    policy, problems = parse_policy(text, rel)
    problems += active_content_problems(text, rel)
    checked = (policy, problems, None if policy is not None else yaml_fields.declared_id(text))
    if key:
        cache.put_object(key, checked)
    return checked


@functools.cache
def _checking_code() -> str:
    """The code a policy file is checked by: these modules and the libraries they use."""
    return store.source_hash(
        "content.py", "yaml_fields.py", "credentials.py", "secrets_scan.py", "outline.py",
        "schema.py", "active_content.py", "problem.py") + "\0".join((
            secrets_scan.SCANNER, pydantic.VERSION, yaml.__version__, markdown_it.__version__))


def parse_registry(text: str, rel: str, model: type[pydantic.BaseModel]):
    parsed = read_yaml(text, rel)
    if parsed.data is None and parsed.problems:
        return None, parsed.problems, parsed.lines
    problems = parsed.problems + file_credentials(parsed, text, rel, 1)
    registry, schema_problems = validate(model, parsed, rel, 1, "the registry")
    return registry, problems + schema_problems, parsed.lines


def load_library(root: Path) -> tuple[Library, list[Problem]]:
    """Read every content file once; return the library and every problem found.

    Whether the versions registries/withdrawn.yaml names exist is a question for the
    history (`withdrawals.history_problems`), which `check` and the build ask after this.
    Python's cyclic collector is paused meanwhile: what is loaded is kept, and the
    collector went over it again and again while the store gave it back.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_library(Path(root))
    finally:
        if collecting:
            gc.enable()


def _load_library(root: Path) -> tuple[Library, list[Problem]]:
    problems: list[Problem] = []
    policies: dict[str, Policy] = {}
    unloaded: set[str | None] = set()
    policy_dir = root / POLICY_DIR
    if not policy_dir.is_dir():
        problems.append(Problem(f"{POLICY_DIR}/", 0, "folder missing; policies live in "
                                                     f"{root}/{POLICY_DIR}/*.md"))
    files = sorted(policy_dir.iterdir()) if policy_dir.is_dir() else []
    for file in files:
        rel = f"{POLICY_DIR}/{file.name}"
        if file.name.startswith("."):
            continue
        if file.suffix != ".md":
            problems.append(Problem(rel, 1, "only Markdown policies (*.md) belong in "
                                            f"{POLICY_DIR}/; move or remove this file"))
            continue
        text, read_problems = read_text(file, rel)
        problems += read_problems
        if text is None:
            continue
        policy, policy_problems, declared = checked_policy(text, rel)
        problems += policy_problems
        if policy is None:
            unloaded.add(declared)
            continue
        if policy.id in policies:
            problems.append(Problem(rel, front_line(policy.front_matter, "id"),
                                    f"duplicate policy id {policy.id!r}; "
                                    f"{policies[policy.id].path} already uses it"))
            continue
        policies[policy.id] = policy

    registries: dict[str, Any] = {}
    registry_lines: dict[str, dict] = {}
    registry_dir = root / REGISTRY_DIR
    known = {**REGISTRY_FILES, **OPTIONAL_REGISTRY_FILES}
    for name, model in known.items():
        rel = f"{REGISTRY_DIR}/{name}"
        file = registry_dir / name
        if not file.exists() and not file.is_symlink():
            if name not in OPTIONAL_REGISTRY_FILES:
                problems.append(Problem(rel, 0, "registry missing; see content/README.md "
                                                "for its fields"))
            continue
        text, read_problems = read_text(file, rel)
        problems += read_problems
        if text is None:
            continue
        registry, registry_problems, lines = parse_registry(text, rel, model)
        problems += registry_problems
        registries[name] = registry
        registry_lines[name] = lines
    if registry_dir.is_dir():
        for file in sorted(registry_dir.iterdir()):
            if file.name not in known and not file.name.startswith("."):
                problems.append(Problem(f"{REGISTRY_DIR}/{file.name}", 1,
                                        "unknown registry; the registries are "
                                        f"{', '.join(known)}"))

    withdrawn = registries.get("withdrawn.yaml")
    withdrawal_lines = {
        (item.policy, item.version): line_for(registry_lines["withdrawn.yaml"],
                                               ("withdrawals", i), 1)
        for i, item in enumerate(withdrawn.withdrawals if withdrawn else ())
    }
    library = Library(root, policies, registries.get("platforms.yaml"),
                      registries.get("accounts.yaml"), frozenset(unloaded - {None}),
                      tuple(withdrawn.withdrawals) if withdrawn else (), withdrawal_lines,
                      registries.get("report-categories.yaml"), registries.get("outcomes.yaml"),
                      registries.get("citations.yaml") or schema.SiteCitations(),
                      _dropped(registries.get("responses.yaml"),
                               registry_lines.get("responses.yaml", {})),
                      registries.get("languages.yaml") or schema.ENGLISH_ONLY)
    translated, translation_problems = load_translations(
        root, policies, library.languages, read_text, library.unloaded)
    library.translations.update(translated)
    problems += translation_problems + check_library(library, registry_lines)
    return library, sorted(set(problems))


# ---------------------------------------------------------------------------------------
# Checks across files


def check_library(library: Library, registry_lines: dict[str, dict]) -> list[Problem]:
    problems: list[Problem] = []
    policies = library.policies
    for policy in policies.values():
        meta = policy.meta
        if meta.parent and meta.parent not in policies and meta.parent not in library.unloaded:
            close = difflib.get_close_matches(meta.parent, list(policies), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(policy.path, front_line(policy.front_matter, "parent"),
                                    f"parent {meta.parent!r} is not a policy id{hint}"))
        if meta.parent == meta.id:
            problems.append(Problem(policy.path, front_line(policy.front_matter, "parent"),
                                    "a policy cannot be its own parent"))
        problems += _check_links(library, policy)
        problems += _check_page_ids(policy)

    required = library.required_elements()
    for policy in policies.values():
        if policy.meta.kind != "comprehensive-policy":
            continue
        satisfies = policy.meta.satisfies or {}
        line = front_line(policy.front_matter, "satisfies")
        for resolution, element in required:
            if element.id not in satisfies:
                problems.append(Problem(
                    policy.path, line,
                    f"required element {element.id!r} ({element.title}, "
                    f"{resolution.meta.title} "
                    f"{resolution.outline.label_of(element.clause) or element.clause}) is not "
                    "covered; add a "
                    f"section for it and `{element.id}: <section-id>` under satisfies",
                ))
        known = {e.id for _, e in required}
        for element_id, section_id in satisfies.items():
            if known and element_id not in known:
                close = difflib.get_close_matches(element_id, sorted(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(Problem(policy.path, line,
                                        f"satisfies: {element_id!r} is not an element any "
                                        f"resolution requires{hint}"))
            if section_id not in policy.outline.anchors:
                problems.append(Problem(policy.path, line,
                                        f"satisfies: {element_id} points at section "
                                        f"{section_id!r}, which is not in this policy"))
    for resolution, element in required:
        if element.clause not in resolution.outline.anchors:
            problems.append(Problem(resolution.path,
                                    front_line(resolution.front_matter, "requires"),
                                    f"requires: element {element.id!r} cites clause "
                                    f"{element.clause!r}, which is not in the text"))

    platforms = library.platforms
    if platforms is not None:
        problems += _duplicates([p.id for p in platforms.platforms], "platforms",
                                f"{REGISTRY_DIR}/platforms.yaml",
                                registry_lines.get("platforms.yaml", {}))
    accounts = library.accounts
    if accounts is not None:
        rel = f"{REGISTRY_DIR}/accounts.yaml"
        lines = registry_lines.get("accounts.yaml", {})
        problems += _duplicates([a.id for a in accounts.accounts], "accounts", rel, lines)
        by_id = {p.id: p for p in platforms.platforms} if platforms else {}
        for i, account in enumerate(accounts.accounts):
            platform = by_id.get(account.platform)
            if platforms is not None and platform is None:
                close = difflib.get_close_matches(account.platform, list(by_id), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else (
                    "; add it to platforms.yaml first")
                problems.append(Problem(rel, line_for(lines, ("accounts", i, "platform"), 1),
                                        f"platform {account.platform!r} is not in "
                                        f"platforms.yaml{hint}"))
            elif platform is not None:
                host = (urlsplit(str(account.url)).hostname or "").lower()
                if not any(host == d or host.endswith("." + d) for d in platform.domains):
                    problems.append(Problem(
                        rel, line_for(lines, ("accounts", i, "url"), 1),
                        f"url host {show(host)} is not a {platform.name} address "
                        f"({', '.join(platform.domains)})",
                    ))
    problems += [Problem(*found) for found in citations.problems(library, registry_lines)]
    problems += languages.catalogue_problems(library.languages, f"{REGISTRY_DIR}/languages.yaml")
    return problems + _check_withdrawals(library, registry_lines.get("withdrawn.yaml", {}))


def _check_page_ids(policy: Policy) -> list[Problem]:
    """No section takes an id the policy page uses for itself (`addresses.POLICY_PAGE_IDS`)."""
    anchors = policy.outline.anchors
    return [Problem(policy.path, anchors[anchor], f"section id {anchor!r} is used by the "
                                                  "policy page itself; choose another id")
            for anchor in POLICY_PAGE_IDS if anchor in anchors]


def _dropped(registry: schema.ResponsesRegistry | None, lines
             ) -> tuple[tuple[schema.DroppedResponse, int], ...]:
    return tuple((item, line_for(lines, ("dropped", i), 1))
                 for i, item in enumerate(registry.dropped if registry else ()))


def _check_withdrawals(library: Library, lines) -> list[Problem]:
    """Each withdrawal names a policy, once a version. (That the version exists is
    checked against the history: `withdrawals.withdrawal_problems`.)"""
    problems = []
    seen: dict[tuple[str, int], int] = {}
    for i, item in enumerate(library.withdrawals):
        line = line_for(lines, ("withdrawals", i), 1)
        if item.policy not in library.policies and item.policy not in library.unloaded:
            close = difflib.get_close_matches(item.policy, list(library.policies), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(WITHDRAWN, line_for(lines, ("withdrawals", i, "policy"),
                                                         line),
                                    f"policy {item.policy!r} is not a policy id{hint}"))
        key = (item.policy, item.version)
        if key in seen:
            problems.append(Problem(WITHDRAWN, line,
                                    f"version {item.version} of {item.policy} is withdrawn "
                                    f"twice (first on line {seen[key]}); keep one entry"))
        else:
            seen[key] = line
    return problems


def _duplicates(ids: list[str], key: str, rel: str, lines) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for i, item in enumerate(ids):
        line = line_for(lines, (key, i, "id"), 1)
        if item in seen:
            problems.append(Problem(rel, line, f"duplicate id {item!r} (first on line "
                                               f"{seen[item]})"))
        else:
            seen[item] = line
    return problems


def _check_links(library: Library, policy: Policy) -> list[Problem]:
    problems = []
    base = posixpath.dirname(policy.path)
    for link in policy.outline.links:
        target = link.target
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("/"):
            continue
        path, anchor = parts.path, parts.fragment
        other = policy
        if path:
            rel = posixpath.normpath(posixpath.join(base, path))
            other = library.policy_at(rel)
            if other is None:
                if (library.root / rel).exists():
                    # Another file, or a policy whose own problems kept it out of the
                    # library: those are reported against it, not as broken links here.
                    continue
                problems.append(Problem(policy.path, link.line,
                                        f"broken link {target!r}: no policy file {rel}; link "
                                        "to another policy as `its-file.md#section`"))
                continue
        if anchor and anchor not in other.outline.anchors:
            close = difflib.get_close_matches(anchor, list(other.outline.anchors), n=1)
            hint = f"; did you mean #{close[0]}?" if close else ""
            problems.append(Problem(policy.path, link.line,
                                    f"broken link {target!r}: {other.path} has no section or "
                                    f"clause #{anchor}{hint}"))
    return problems
