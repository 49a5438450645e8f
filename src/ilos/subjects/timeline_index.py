"""The timeline held in memory for the near-real-time worker: the events of any records, found without a
query. Events loaded from a table stay in its Arrow columns, found by a binary search over a 64-bit hash of
their record key and one `take`; events added later are kept as they came, by record key."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilos.domain.events import Event
from ilos.hash_runs import HashRuns, text_hash
from ilos.subjects.assemble import event_from_row, rows_of

EVENT_COLUMNS = ("source", "record_id", "kind", "occurred_on", "recorded_on", "attributes", "markings")


class TimelineIndex:
    """Events by record key (`source|record_id`): a loaded timeline table, then events added one by one."""

    def __init__(self, table: pa.Table | None = None) -> None:
        if table is None or table.num_rows == 0:
            self._table: pa.Table | None = None
            self._rows_by_key = HashRuns(np.zeros(0, dtype=np.uint64))
        else:
            self._table = table.select(list(EVENT_COLUMNS)).combine_chunks()
            keys = pc.binary_join_element_wise(self._table["source"], self._table["record_id"], "|")
            hashes = np.fromiter(map(text_hash, keys.to_pylist()), np.uint64, self._table.num_rows)
            # Stable, so a record's events keep the table's order (the order ties are broken in).
            self._rows_by_key = HashRuns(hashes, stable=True)
        self._added: dict[str, list[Event]] = {}

    def events_of(self, keys: Iterable[str]) -> list[Event]:
        """The events of these records (distinct keys): each record's loaded events in table order, then
        those added for it, record after record."""
        keys = list(keys)
        if not keys:
            return []
        loaded = self._loaded_rows(keys)
        out: list[Event] = []
        for key in keys:
            out.extend(loaded.get(key, ()))
            out.extend(self._added.get(key, ()))
        return out

    def _loaded_rows(self, keys: list[str]) -> dict[str, list[Event]]:
        if self._table is None:
            return {}
        wanted = np.array([text_hash(k) for k in keys], dtype=np.uint64)
        rows = np.concatenate(self._rows_by_key.runs(wanted))
        if rows.size == 0:
            return {}
        found: dict[str, list[Event]] = {}
        wanted_keys = set(keys)
        for row in rows_of(self._table.take(pa.array(rows))):
            key = f"{row['source']}|{row['record_id']}"
            if key in wanted_keys:  # a hash shared with another record's key is passed over
                found.setdefault(key, []).append(event_from_row(row))
        return found

    def has_loaded(self, key: str) -> bool:
        """Whether the loaded table (the subjects build's timeline) has events of this record: a binary search,
        and a look at the rows sharing its hash (a worker's replay asks for every journaled record)."""
        if self._table is None:
            return False
        source, record_id = key.split("|", 1)
        sources, record_ids = self._table["source"], self._table["record_id"]
        return any(
            sources[i].as_py() == source and record_ids[i].as_py() == record_id
            for i in self._rows_by_key.run(text_hash(key))
        )

    def add(self, events: Iterable[Event]) -> None:
        for e in events:
            self._added.setdefault(f"{e.source}|{e.record_id}", []).append(e)

    def __len__(self) -> int:
        return len(self._rows_by_key) + sum(len(v) for v in self._added.values())

    def nbytes(self) -> int:
        """Bytes held by the loaded arrays (the events added since are not counted)."""
        table = 0 if self._table is None else int(self._table.nbytes)
        return table + self._rows_by_key.nbytes
