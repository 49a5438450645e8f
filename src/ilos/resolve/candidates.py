"""In-memory candidate index over the model's blocking keys: the records an incoming record must be scored
against, found by binary search over sorted 64-bit key hashes instead of a Splink run.

A key is a hash of the rule's column values, so equal values give equal keys in any column (rules such as
"given name equals the other's family name" compare different columns). A hash collision only adds a
candidate, which scoring then rejects; it can never hide one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from ilos.resolve.model_spec import PREDICTION_BLOCKING, BlockingRule
from ilos.resolve.pair_functions import Rec
from ilos.resolve.record_store import RecordStore
from ilos.resolve.records import name_key_of

_MASK = (1 << 64) - 1
_PRIME = 0x100000001B3


def value_hash(value: Any) -> int:
    """A stable non-zero 64-bit hash of one value (0 is reserved for null)."""
    if value is None:
        return 0
    text = value.isoformat() if isinstance(value, date) else str(value)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little") | 1


def combine(hashes: Sequence[int]) -> int:
    """The key of several column hashes; 0 when any value is null."""
    if any(h == 0 for h in hashes):
        return 0
    key = 0
    for h in hashes:
        key = ((key * _PRIME) & _MASK) ^ h
    return key or 1


RuleKeys = list[tuple[int, int]]
"""Per blocking rule, a record's key as the left record and as the right record."""


class _SortedKeys:
    def __init__(self, keys: npt.NDArray[np.uint64]) -> None:
        present = np.flatnonzero(keys != 0)
        order = np.argsort(keys[present])  # a run of equal keys in any order: `candidates` is a set
        self.nodes = present[order].astype(np.int32)
        self.keys = keys[present][order]

    def lookup(self, key: int) -> list[int]:
        # One searchsorted call finds both ends of the run of equal keys ([key, key + 1) as left bounds).
        if key == _MASK:
            lo, hi = int(self.keys.searchsorted(np.uint64(key))), len(self.keys)
        else:
            lo, hi = self.keys.searchsorted(np.array([key, key + 1], dtype=np.uint64)).tolist()
        if lo == hi:
            return []
        found: list[int] = self.nodes[lo:hi].tolist()
        return found

    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.nodes.nbytes)


class CandidateIndex:
    """For each blocking rule, records keyed by the rule's right-hand columns (and for rules pairing different
    columns also by the left-hand ones, so either record may play either side)."""

    def __init__(self, store: RecordStore, rules: Sequence[BlockingRule] = PREDICTION_BLOCKING) -> None:
        self.rules = tuple(rules)
        self._columns = sorted({col for rule in self.rules for pair in rule for col in pair})
        hashes = {c: _column_hashes(store, c) for c in self._columns}
        self._right = [_SortedKeys(_vector_key([hashes[b] for _, b in rule])) for rule in self.rules]
        self._left = [
            None if _symmetric(rule) else _SortedKeys(_vector_key([hashes[a] for a, _ in rule]))
            for rule in self.rules
        ]
        self._added_right: list[dict[int, list[int]]] = [defaultdict(list) for _ in self.rules]
        self._added_left: list[dict[int, list[int]]] = [defaultdict(list) for _ in self.rules]

    def rule_keys(self, rec: Rec) -> RuleKeys:
        """The record's keys under every rule, as the left and as the right record (0 where a value is
        null), computed once and used by lookup and add."""
        value = {c: value_hash(rec.get(c)) for c in self._columns}
        return [
            (combine([value[a] for a, _ in rule]), combine([value[b] for _, b in rule]))
            for rule in self.rules
        ]

    def add(self, node: int, keys: RuleKeys) -> None:
        for i, (left, right) in enumerate(keys):
            if right:
                self._added_right[i][right].append(node)
            if left and self._left[i] is not None:
                self._added_left[i][left].append(node)

    def candidates(self, keys: RuleKeys) -> set[int]:
        """Every indexed record that some blocking rule pairs with the record of these keys."""
        found: set[int] = set()
        for i, (as_left, as_right) in enumerate(keys):
            if as_left:
                found.update(self._right[i].lookup(as_left))
                found.update(self._added_right[i].get(as_left, ()))
            left_index = self._left[i]
            if left_index is not None and as_right:
                found.update(left_index.lookup(as_right))
                found.update(self._added_left[i].get(as_right, ()))
        return found

    def nbytes(self) -> int:
        return sum(k.nbytes() for k in (*self._right, *self._left) if k is not None)


def _column_hashes(store: RecordStore, column: str) -> npt.NDArray[np.uint64]:
    if column == "name_key":
        return store.value_hashes("name_keys", lambda keys: value_hash(name_key_of(keys)))
    return store.value_hashes(column, value_hash)


def _vector_key(columns: list[npt.NDArray[np.uint64]]) -> npt.NDArray[np.uint64]:
    """`combine` over whole columns at once (uint64 arithmetic wraps, as the Python version masks)."""
    key = np.zeros(len(columns[0]), dtype=np.uint64)
    null = np.zeros(len(columns[0]), dtype=bool)
    prime = np.uint64(_PRIME)
    for hashes in columns:
        null |= hashes == 0
        key = (key * prime) ^ hashes
    key[key == 0] = 1
    key[null] = 0
    return key


def _symmetric(rule: BlockingRule) -> bool:
    return all(a == b for a, b in rule)
