"""Packed fields: parts of immutable values kept by the store as one compressed pickle,
unpickled on first use.

The store keeps every version of every policy (`history.py`), and a rebuild loads them
all, yet reads the text and clauses of only the policies whose pages it makes again. At
800 policies, loading every version's text and clauses was most of a rebuild's history
stage, and most of the 53 MB it read from the store. `packed` keeps the named fields of
several values (the versions of one policy, which share most of their text) as one
pickle, compressed; a packed value holds its other fields and a reference to the pack.
Its packed fields are unpickled, for every value of the pack at once, when one of them
is first read.

A class whose values may be packed derives from `Packed`: a frozen dataclass whose
fields are read as attributes. A packed value equals, hashes, prints and pickles as the
value it was, since every one of those reads its fields.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T", bound="Packed")
LEVEL = 1  # zlib's fastest: the versions of a policy repeat each other, which it finds


class Packed:
    """A value whose fields may be packed (`packed`): those are unpacked on first use."""

    def __getattr__(self, name: str):
        # Python asks here only for an attribute the value does not hold
        state = self.__dict__
        pack = state.get("_pack")
        if pack is None or name not in pack.fields:
            raise AttributeError(name)
        state.update(zip(pack.fields, pack.unpacked()[state["_index"]], strict=True))
        del state["_pack"], state["_index"]
        return state[name]


class Pack:
    """The packed fields (`fields`) of several values, each value's as one row."""

    def __init__(self, fields: tuple[str, ...], rows: list[tuple]) -> None:
        self.fields = fields
        self.data = zlib.compress(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL), LEVEL)
        self._rows: list[tuple] | None = None

    def unpacked(self) -> list[tuple]:
        if self._rows is None:
            self._rows = pickle.loads(zlib.decompress(self.data))
        return self._rows

    def __getstate__(self) -> dict:
        return {"fields": self.fields, "data": self.data, "_rows": None}


def packed(values: Sequence[T], fields: tuple[str, ...]) -> list[T]:
    """The same values, with these fields of theirs packed together (one pack)."""
    pack = Pack(fields, [tuple(getattr(value, name) for name in fields) for value in values])
    made = []
    for index, value in enumerate(values):
        earlier = value.__dict__.get("_pack")
        if earlier is not None:  # packed before, other fields: unpack them first
            getattr(value, earlier.fields[0])
        light = object.__new__(type(value))
        light.__dict__.update({name: item for name, item in value.__dict__.items()
                               if name not in fields})
        light.__dict__.update(_pack=pack, _index=index)
        made.append(light)
    return made
