"""Standardized records held compactly for the incremental linker: each column dictionary-encoded (an int32
code per value and one Python object per distinct value), a record rebuilt as a dict only when scored."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ilos.arrow_codes import coded_values
from ilos.hash_runs import HashRuns, text_hash
from ilos.resolve.records import name_key_of, record_key

_SKIPPED = ("name_tokens", "placeholder_fields")


class RecordStore:
    """Records 0..n-1 from a table, then records appended one at a time."""

    def __init__(self, table: pa.Table) -> None:
        self.columns = [c for c in table.column_names if c not in _SKIPPED]
        self._codes: dict[str, npt.NDArray[np.int32]] = {}
        self._values: dict[str, list[Any]] = {}
        for column in self.columns:
            self._encode(column, table[column])
        self._base: int = int(table.num_rows)
        # One row of codes per record: fetching a record is one numpy read, not one per column.
        self._rows = (
            np.stack([self._codes[c] for c in self.columns], axis=1) if self.columns else np.zeros((0, 0))
        )
        # Each column's distinct values with None appended, so code -1 reads None without a test.
        self._lookup = [[*self._values[c], None] for c in self.columns]
        self._added: list[dict[str, Any]] = []
        self._added_nodes: dict[str, int] = {}
        joined = pc.binary_join_element_wise(table["source"], table["record_id"], "|") if self._base else None
        keys = np.fromiter(map(text_hash, joined.to_pylist() if joined else ()), np.uint64, self._base)
        self._nodes_by_key = HashRuns(keys)  # keys are distinct: `find` checks each hit

    def _encode(self, column: str, values: pa.ChunkedArray) -> None:
        self._codes[column], self._values[column] = coded_values(values.combine_chunks())

    def __len__(self) -> int:
        return self._base + len(self._added)

    def get(self, node: int) -> dict[str, Any]:
        """One record as the scorer reads it (with the derived `name_key`)."""
        if node >= self._base:
            return self._added[node - self._base]
        codes = self._rows[node].tolist()
        rec = {c: values[code] for c, values, code in zip(self.columns, self._lookup, codes, strict=True)}
        rec["name_keys"] = rec.get("name_keys") or ()
        rec["name_key"] = name_key_of(rec["name_keys"])
        return rec

    def key(self, node: int) -> str:
        """`source|record_id` of a record."""
        if node >= self._base:
            rec = self._added[node - self._base]
            return record_key(rec["source"], rec["record_id"])
        source = self._values["source"][self._codes["source"][node]]
        return record_key(source, self._values["record_id"][self._codes["record_id"][node]])

    def find(self, key: str) -> int | None:
        """The node of a record key, or None."""
        if key in self._added_nodes:
            return self._added_nodes[key]
        return next((node for node in self._nodes_by_key.run(text_hash(key)) if self.key(node) == key), None)

    def value_hashes(self, column: str, hasher: Any) -> npt.NDArray[np.uint64]:
        """A 64-bit hash per base record of this column's value (0 where null), computed once per distinct value."""
        distinct = np.array([hasher(v) for v in self._values[column]] + [0], dtype=np.uint64)
        return distinct[self._codes[column]]  # code -1 picks the trailing 0

    def append(self, rec: dict[str, Any]) -> int:
        stored = {c: rec.get(c) for c in self.columns}
        stored["name_keys"] = tuple(rec.get("name_keys") or ())
        stored["name_key"] = name_key_of(stored["name_keys"])
        self._added.append(stored)
        node = len(self) - 1
        self._added_nodes[self.key(node)] = node
        return node

    def nbytes(self) -> int:
        return (
            int(self._rows.nbytes) + sum(c.nbytes for c in self._codes.values()) + self._nodes_by_key.nbytes
        )
