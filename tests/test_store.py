"""The build's one cache (`site_builder/store.py`): hit, miss, prune, and a crash mid-write."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from site_builder import store
from site_builder.store import Store


def test_a_value_put_is_got_back_and_a_missing_key_misses(tmp_path):
    kept = Store(tmp_path)
    key = Store.key("page", "policies/a/", "# Text")
    assert kept.get(key) is None
    kept.put_text(key, "<h1>Text</h1>")
    assert kept.get_text(key) == "<h1>Text</h1>"
    assert (kept.hits, kept.misses) == (1, 1)
    kept.put_json("k" * 64, {"files": {"a": "é"}})
    assert kept.get_json("k" * 64) == {"files": {"a": "é"}}
    kept.put_object("o" * 64, (1, ("two",)))
    assert kept.get_object("o" * 64) == (1, ("two",))


def test_keys_differ_with_any_part_and_with_where_the_parts_split():
    assert Store.key("a", "b") != Store.key("a", "c")
    assert Store.key("ab", "c") != Store.key("a", "bc")
    assert len(Store.key("x")) == 64


def test_a_closed_store_keeps_nothing(tmp_path):
    closed = Store(None)
    closed.put_text("a" * 64, "text")
    assert closed.get_text("a" * 64) is None
    assert closed.prune() == 0
    assert store.current().enabled is False  # outside a build


def test_opened_makes_the_store_current_for_the_build_only(tmp_path):
    with store.opened(tmp_path / "cache") as kept:
        assert store.current() is kept and kept.enabled
        with store.opened(None):
            assert not store.current().enabled  # caching turned off for a build
        assert store.current() is kept
    assert not store.current().enabled


def test_prune_removes_what_this_build_did_not_use(tmp_path):
    first = Store(tmp_path)
    for name in ("used", "read", "unused"):
        first.put_text(name * 16, name)
    time.sleep(0.05)  # a later build
    second = Store(tmp_path)
    second.put_text("new" * 16, "made by this build")
    assert second.get_text("read" * 16) == "read"
    second.use("used" * 16)
    assert second.prune() == 1
    assert second.get_text("unused" * 16) is None
    for name in ("used", "read", "new"):
        assert second.get(name * 16) is not None
    assert second.prune() == 0


def test_prune_leaves_a_file_being_written_but_removes_one_a_dead_build_left(tmp_path):
    kept = Store(tmp_path)
    kept.put_text("a" * 64, "x")
    writing = tmp_path / "aa" / f"{'a' * 64}.4242.tmp"
    writing.write_bytes(b"half")
    dead = tmp_path / "aa" / f"{'b' * 64}.4243.tmp"
    dead.write_bytes(b"half")
    hour_ago = time.time() - 2 * 3600
    os.utime(dead, (hour_ago, hour_ago))
    later = Store(tmp_path)
    later.use("a" * 64)
    assert later.prune() == 1
    assert writing.exists() and not dead.exists()


def test_an_entry_cut_short_reads_as_a_miss(tmp_path):
    kept = Store(tmp_path)
    key = "c" * 64
    kept.put_text(key, "<p>" + "a whole page " * 100 + "</p>")
    path = tmp_path / key[:2] / key
    path.write_bytes(path.read_bytes()[:200])  # a power cut after a rename not yet synced
    assert kept.get_text(key) is None
    path.write_bytes(b"")
    assert kept.get(key) is None
    kept.put_text(key, "again")
    assert kept.get_text(key) == "again"


def _crash_while_writing(folder: str, key: str) -> None:
    import builtins

    real_open = builtins.open

    class Dying:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            os._exit(9)  # the process dies mid-write: no clean-up runs

    def dying_open(path, mode="r", *args, **kwargs):
        if str(path).endswith(".tmp") and "w" in mode:
            return Dying(real_open(path, mode, *args, **kwargs))
        return real_open(path, mode, *args, **kwargs)

    builtins.open = dying_open
    Store(folder).put_text(key, "the new text " * 1000)


def test_a_build_that_dies_mid_write_leaves_the_old_entry_readable(tmp_path):
    key = "d" * 64
    Store(tmp_path).put_text(key, "the old text")
    child = multiprocessing.get_context("fork").Process(
        target=_crash_while_writing, args=(str(tmp_path), key))
    child.start()
    child.join(30)
    assert child.exitcode == 9
    assert list((tmp_path / "dd").glob("*.tmp"))  # it did die halfway through
    assert Store(tmp_path).get_text(key) == "the old text"


@pytest.mark.parametrize("value", ["off", "none", "0", ""])
def test_the_cache_can_be_turned_off(monkeypatch, tmp_path, value):
    monkeypatch.setenv("TRANSPARENCY_CACHE", value)
    assert store.folder_for(tmp_path / "content") is None


def test_the_cache_lives_beside_the_content_unless_told(monkeypatch, tmp_path):
    monkeypatch.delenv("TRANSPARENCY_CACHE", raising=False)
    assert store.folder_for(tmp_path / "content") == tmp_path / ".cache" / "transparency"
    monkeypatch.setenv("TRANSPARENCY_CACHE", str(tmp_path / "elsewhere"))
    assert store.folder_for(tmp_path / "content") == tmp_path / "elsewhere"


def test_opening_a_store_that_does_not_exist_makes_nothing(tmp_path):
    with store.opened(tmp_path / "cache") as kept:
        assert kept.get(Store.key("x")) is None
        assert kept.prune() == 0
    assert not (tmp_path / "cache").exists()  # a build stopped by bad content leaves nothing
    with store.opened(tmp_path / "cache") as kept:
        kept.put_text("a" * 64, "kept")
    with store.opened(tmp_path / "cache") as kept:
        assert kept.get_text("a" * 64) == "kept"


def test_an_entry_that_does_not_parse_reads_as_a_miss(tmp_path):
    kept = Store(tmp_path)
    kept.put("j" * 64, b'{"files": ')  # whole, but not what put_json writes
    kept.put("t" * 64, b"\xff\xfe")
    assert kept.get_json("j" * 64) is None
    assert kept.get_text("t" * 64) is None


def test_a_build_that_stops_removes_the_store_folder_it_made(tmp_path):
    """Entries written before the build stopped (the load stage keeps each file's checks)
    do not leave a new cache folder behind; a folder that was there stays, entries and
    all."""
    folder = tmp_path / ".cache" / "transparency"
    with pytest.raises(RuntimeError), store.opened(folder) as cache:
        cache.put_text(Store.key("a"), "kept")
        assert folder.is_dir()
        raise RuntimeError("bad content")
    assert not (tmp_path / ".cache").exists()

    with store.opened(folder) as cache:
        cache.put_text(Store.key("a"), "kept")
    with pytest.raises(RuntimeError), store.opened(folder) as cache:
        cache.put_text(Store.key("b"), "also")
        raise RuntimeError("bad content")
    with store.opened(folder) as cache:
        assert cache.get_text(Store.key("a")) == "kept"
