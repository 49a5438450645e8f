"""The worker's in-memory timeline: a record's loaded events in table order then its added ones, nothing of
records not asked for, and keys whose hashes collide kept apart."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from ilos.domain.events import Event
from ilos.domain.provenance import RecordId, SourceId
from ilos.subjects import timeline_index
from ilos.subjects.timeline_index import TimelineIndex

_TYPE = pa.schema(
    [
        ("subject_id", pa.string()),
        ("source", pa.string()),
        ("record_id", pa.string()),
        ("kind", pa.string()),
        ("occurred_on", pa.date32()),
        ("recorded_on", pa.date32()),
        ("attributes", pa.list_(pa.struct([("k", pa.string()), ("v", pa.string())]))),
        ("markings", pa.list_(pa.string())),
    ]
)


def _event(record: str, kind: str, day: int, **attributes: str) -> Event:
    return Event(
        kind=kind,
        on=date(2020, 1, day),
        source=SourceId("court"),
        record_id=RecordId(record),
        attributes=tuple(attributes.items()),
        markings=("COURT",),
        recorded_on=date(2020, 2, 1),
    )


def _table(events: list[Event]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "subject_id": "S1",
                "source": e.source,
                "record_id": e.record_id,
                "kind": e.kind,
                "occurred_on": e.on,
                "recorded_on": e.recorded_on,
                "attributes": [{"k": k, "v": v} for k, v in e.attributes],
                "markings": list(e.markings),
            }
            for e in events
        ],
        schema=_TYPE,
    )


LOADED = [
    _event("A", "charge", 5, code="1"),
    _event("B", "arrest", 3),
    _event("A", "charge", 5, code="2"),  # same sort key as the first: table order breaks the tie
    _event("C", "stay", 9),
]


def test_events_of_gives_loaded_then_added_events_of_the_records_asked_for() -> None:
    index = TimelineIndex(_table(LOADED))
    added = _event("A", "appeal", 7)
    index.add([added, _event("D", "arrest", 1)])
    assert index.events_of(["court|A", "court|C"]) == [LOADED[0], LOADED[2], added, LOADED[3]]
    assert index.events_of(["court|Z"]) == []
    assert index.events_of([]) == []
    assert len(index) == 6


def test_without_a_table_only_added_events_are_known() -> None:
    index = TimelineIndex(None)
    event = _event("A", "stay", 2)
    index.add([event])
    assert index.events_of(["court|A", "court|B"]) == [event]
    assert index.nbytes() == 0


def test_records_whose_key_hashes_collide_keep_their_own_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeline_index, "text_hash", lambda key: 42)
    index = TimelineIndex(_table(LOADED))
    assert index.events_of(["court|B"]) == [LOADED[1]]
    assert index.events_of(["court|A"]) == [LOADED[0], LOADED[2]]


def test_has_loaded_tells_the_loaded_tables_records_from_added_and_unknown_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = TimelineIndex(_table(LOADED))
    index.add([_event("D", "arrest", 1)])
    assert index.has_loaded("court|A") and index.has_loaded("court|C")
    assert not index.has_loaded("court|D")  # added, not loaded
    assert not index.has_loaded("court|Z") and not index.has_loaded("other|A")
    assert not TimelineIndex(None).has_loaded("court|A")
    monkeypatch.setattr(timeline_index, "text_hash", lambda key: 42)  # every key shares one hash
    collided = TimelineIndex(_table(LOADED))
    assert collided.has_loaded("court|B") and not collided.has_loaded("court|Z")
