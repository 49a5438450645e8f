"""The pair index's string lookup finds each asked string's positions, and only those, when strings share a
hash (a collision must neither hide a string nor return another)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pytest

from ilos.services import pair_index

VALUES = ["court|A", "court|B", "court|A", "tax|C", "court|B"]


def test_each_string_is_found_at_every_position_holding_it() -> None:
    lookup = pair_index._Lookup.of(pa.array(VALUES))
    assert lookup.positions({"court|A"}).tolist() == [0, 2]
    assert lookup.positions({"court|B", "tax|C", "court|Z"}).tolist() == [1, 4, 3]  # asked in sorted order
    assert lookup.positions(set()).tolist() == []


def test_strings_sharing_a_hash_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    def one_hash(values: pa.Array) -> npt.NDArray[np.uint64]:
        return np.full(len(values), 42, dtype=np.uint64)

    monkeypatch.setattr(pair_index, "_hashes", one_hash)
    lookup = pair_index._Lookup.of(pa.array(VALUES))
    assert lookup.positions({"court|B"}).tolist() == [1, 4]
    assert lookup.positions({"tax|C", "court|A"}).tolist() == [0, 2, 3]
    assert lookup.positions({"court|Z"}).tolist() == []
