"""A damaged content tree never half-publishes.

`transparency build` (run as a subprocess, as staff run it) on content with a folder, a
dangling link, a named pipe or a device where a file should be, bytes that are not UTF-8, a
5 MB policy, or a front matter "billion laughs" bomb: it stops within seconds, exits 1,
prints one `path:line: message` for each fault, and leaves the previous site exactly as it
was: same files, same bytes, same modification times.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CONTENT

TRANSPARENCY = Path(sys.executable).with_name("transparency")
TIMEOUT_SECONDS = 30  # the subprocess is killed after this; it must finish far sooner
FAST_SECONDS = 10
MEMORY_CAP = 2 * 1024**3  # a build that reads a device "file" must fail, not eat the machine
PROBLEM = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+): (?P<message>\S.*)$")
OLD_TIME_NS = 1_600_000_000 * 10**9  # 2020-09-13: any rewrite of the old site would show


def folder_for_policy(content: Path) -> tuple[str, str]:
    (content / "policies" / "parks-recreation-social-media.md").unlink()
    (content / "policies" / "parks-recreation-social-media.md").mkdir()
    return "policies/parks-recreation-social-media.md", "folder"


def folder_for_registry(content: Path) -> tuple[str, str]:
    (content / "registries" / "accounts.yaml").unlink()
    (content / "registries" / "accounts.yaml").mkdir()
    return "registries/accounts.yaml", "folder"


def dangling_link_for_policy(content: Path) -> tuple[str, str]:
    (content / "policies" / "apd-social-media.md").unlink()
    (content / "policies" / "apd-social-media.md").symlink_to(content / "gone" / "apd.md")
    return "policies/apd-social-media.md", "does not exist"


def pipe_for_registry(content: Path) -> tuple[str, str]:
    # Opening a named pipe for reading waits for a writer: a build must not wait.
    (content / "registries" / "platforms.yaml").unlink()
    os.mkfifo(content / "registries" / "platforms.yaml")
    return "registries/platforms.yaml", "pipe"


def pipe_for_policy(content: Path) -> tuple[str, str]:
    os.mkfifo(content / "policies" / "draft-in-progress.md")
    return "policies/draft-in-progress.md", "pipe"


def device_for_policy(content: Path) -> tuple[str, str]:
    # /dev/zero never ends: reading it "as a file" would fill the memory.
    (content / "policies" / "endless.md").symlink_to("/dev/zero")
    return "policies/endless.md", "device"


def invalid_utf8(content: Path) -> tuple[str, str]:
    policy = content / "policies" / "ai-1-19.md"
    data = policy.read_bytes()
    line = data[: data.index(b"title:")].count(b"\n") + 1
    policy.write_bytes(data.replace(b"title:", b"title: \xff\xfe", 1))
    return f"policies/ai-1-19.md:{line}", "not valid UTF-8"


def five_megabyte_policy(content: Path) -> tuple[str, str]:
    body = "A clause pasted again and again, far beyond any real policy.\n" * 90_000
    (content / "policies" / "pasted.md").write_text(
        "---\nid: pasted\ntitle: Pasted\n---\n\n" + body, encoding="utf-8")
    assert (content / "policies" / "pasted.md").stat().st_size > 5_000_000
    return "policies/pasted.md:1", "over the limit"


def alias_bomb(content: Path) -> tuple[str, str]:
    # Nine levels of nine aliases: 387 million strings if anything expanded it.
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    (content / "policies" / "laughs.md").write_text(
        "---\nid: laughs\ntitle: Laughs\nkind: department-policy\nstatus: draft\n"
        + "\n".join(lines) + "\n---\n\nBody.\n", encoding="utf-8")
    return "policies/laughs.md:6", "anchors and aliases"


FAULTS = {
    "folder-for-a-policy": folder_for_policy,
    "folder-for-a-registry": folder_for_registry,
    "dangling-link": dangling_link_for_policy,
    "pipe-for-a-registry": pipe_for_registry,
    "pipe-for-a-policy": pipe_for_policy,
    "device-for-a-policy": device_for_policy,
    "invalid-utf8": invalid_utf8,
    "five-megabyte-policy": five_megabyte_policy,
    "alias-bomb": alias_bomb,
}


def previous_site(out: Path) -> None:
    """A site from an earlier build, with old modification times."""
    (out / "policies" / "ai-1-19").mkdir(parents=True)
    (out / "data").mkdir()
    (out / "index.html").write_text("<!doctype html><title>Policies</title>Earlier build")
    (out / "policies" / "ai-1-19" / "index.html").write_text("<!doctype html>AI 1-19")
    (out / "data" / "policies.json").write_text('{"site_version": "earlier", "policies": []}')
    for path in [*out.rglob("*"), out]:
        os.utime(path, ns=(OLD_TIME_NS, OLD_TIME_NS), follow_symlinks=False)


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under the folder (and the folder itself): type, size, mtime, bytes."""
    entries = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        entries[str(path.relative_to(folder))] = (info.st_mode, info.st_size,
                                                  info.st_mtime_ns, digest)
    return entries


def build(content: Path, out: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`transparency build`, with its memory capped by the shell and a time limit."""
    capped = f'ulimit -v {MEMORY_CAP // 1024} && exec "$0" "$@"'
    started = time.monotonic()
    try:
        result = subprocess.run(
            ["/bin/sh", "-c", capped, str(TRANSPARENCY), "build", "--content", str(content),
             "--out", str(out)],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"transparency build was still running after {TIMEOUT_SECONDS} s "
                    "(and was killed): it must stop on bad content, not wait on it")
    return result, time.monotonic() - started


@pytest.fixture
def tree(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "site"
    previous_site(out)
    return content, out


def assert_failed_cleanly(result, seconds: float, out: Path, before: dict,
                          parent_before: list, expected: list[tuple[str, str]]) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr[-2000:])
    assert seconds < FAST_SECONDS, f"the build took {seconds:.1f} s to refuse bad content"
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "build stopped" in result.stderr
    lines = result.stdout.splitlines()
    assert lines, "no problem was printed"
    assert [line for line in lines if not PROBLEM.match(line)] == []
    for where, words in expected:
        assert any(line.startswith(f"{where}:") and words in line for line in lines), \
            (where, words, lines)
    assert snapshot(out) == before, "the previous site was changed"
    assert sorted(p.name for p in out.parent.iterdir()) == parent_before, \
        "the build left something next to the site"


# Alone, the faults that could make a build wait forever, fill the memory or take long;
# the last test has every fault at once.
ALONE = ["pipe-for-a-registry", "device-for-a-policy", "five-megabyte-policy", "alias-bomb"]


@pytest.mark.parametrize("fault", ALONE)
def test_a_fault_alone_stops_the_build_and_keeps_the_old_site(tree, fault):
    content, out = tree
    expected = FAULTS[fault](content)
    before, parent_before = snapshot(out), sorted(p.name for p in out.parent.iterdir())
    result, seconds = build(content, out)
    assert_failed_cleanly(result, seconds, out, before, parent_before, [expected])


def test_all_faults_at_once_are_each_reported_in_one_run(tree):
    content, out = tree
    expected = [damage(content) for damage in FAULTS.values()]
    before, parent_before = snapshot(out), sorted(p.name for p in out.parent.iterdir())
    result, seconds = build(content, out)
    assert_failed_cleanly(result, seconds, out, before, parent_before, expected)
