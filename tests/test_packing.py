"""Packed fields: the versions' texts and clauses, kept as one compressed pickle."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from site_builder.content import load_library
from site_builder.outline import parse_outline
from site_builder.packing import packed

ROOT = Path(__file__).resolve().parents[1]
CLAUSES = ("preamble", "sections")


@pytest.fixture(scope="module")
def versions():
    """Two versions of a shipped policy: as it is, and with one clause reworded."""
    library, problems = load_library(ROOT / "content")
    assert not problems
    first = library.policies["ai-1-19"]
    clause = next(first.outline.clauses()).text
    body = first.body.replace(clause, clause + " As amended.", 1)
    assert body != first.body
    return [first, replace(first, body=body, outline=parse_outline(body, first.body_line))]


def _stored(values):
    return pickle.loads(pickle.dumps(values, pickle.HIGHEST_PROTOCOL))


def test_packed_values_equal_and_pickle_as_the_values_they_were(versions):
    outlines = packed([v.outline for v in versions], CLAUSES)
    policies = _stored(packed([replace(v, outline=o) for v, o in zip(versions, outlines,
                                                                       strict=True)],
                              ("body",)))
    for before, after in zip(versions, policies, strict=True):
        assert after == before
        assert after.body == before.body
        assert after.outline.sections == before.outline.sections
        assert after.outline.label_of("k-c") == before.outline.label_of("k-c")
        assert _stored(after) == before  # once unpacked, as well


def test_packed_fields_are_unpickled_only_when_they_are_read(versions):
    first, second = _stored(packed([v.outline for v in versions], CLAUSES))
    # what the later stages of a rebuild read of every version: nothing packed
    assert first.anchors == versions[0].outline.anchors
    assert second.links == versions[1].outline.links
    assert "sections" not in vars(first) and "sections" not in vars(second)

    assert second.sections == versions[1].outline.sections
    assert "sections" in vars(second) and "_pack" not in vars(second)
    assert first.preamble == versions[0].outline.preamble  # the pack is unpickled once


def test_the_pack_is_compressed_and_smaller_than_its_values(versions):
    light = packed(versions, ("body",))
    pack = vars(light[0])["_pack"]
    assert pack is vars(light[1])["_pack"]
    assert len(pack.data) < len(versions[0].body)  # two versions, in less than one


def test_packing_a_packed_value_again_keeps_every_field(versions):
    once = packed([v.outline for v in versions], CLAUSES)
    twice = packed(once, ("links",))
    assert twice == [v.outline for v in versions]


def test_a_missing_attribute_is_still_an_attribute_error(versions):
    light = packed(versions, ("body",))[0]
    with pytest.raises(AttributeError):
        light.no_such_field  # noqa: B018
    with pytest.raises(AttributeError):
        versions[0].outline.no_such_field  # noqa: B018
