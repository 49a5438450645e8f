"""`RecordStore.find`: a record key's node, for loaded and appended records, when keys share a hash too."""

from __future__ import annotations

import pyarrow as pa
import pytest

from ilos.resolve import record_store
from ilos.resolve.record_store import RecordStore


def _store() -> RecordStore:
    return RecordStore(pa.table({"source": ["court", "court", "tax"], "record_id": ["A", "B", "A"]}))


@pytest.mark.parametrize("collide", [False, True])
def test_each_key_finds_its_node(monkeypatch: pytest.MonkeyPatch, collide: bool) -> None:
    if collide:
        monkeypatch.setattr(record_store, "text_hash", lambda key: 42)  # every key shares one hash
    store = _store()
    assert [store.find(k) for k in ("court|A", "court|B", "tax|A")] == [0, 1, 2]
    assert store.find("court|Z") is None and store.find("tax|B") is None
    node = store.append({"source": "tax", "record_id": "B"})
    assert store.find("tax|B") == node == 3
