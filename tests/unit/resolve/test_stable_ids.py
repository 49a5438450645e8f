"""Subject ids survive re-runs; merges and splits are recorded."""

from __future__ import annotations

from ilos.resolve.stable_ids import assign_stable_ids, fresh_subject_id


def test_unchanged_clusters_keep_their_ids() -> None:
    previous = {"a": "S-1", "b": "S-1", "c": "S-2"}
    names, events = assign_stable_ids({0: ["a", "b"], 1: ["c"]}, previous)
    assert names == {0: "S-1", 1: "S-2"}
    assert events == []


def test_a_new_record_joining_keeps_the_id_and_a_new_person_gets_a_fresh_one() -> None:
    names, events = assign_stable_ids({0: ["a", "b", "new"], 1: ["other"]}, {"a": "S-1", "b": "S-1"})
    assert names[0] == "S-1"
    assert names[1] == fresh_subject_id(["other"])
    assert events == []


def test_merge_keeps_the_larger_subjects_id_and_is_recorded() -> None:
    previous = {"a": "S-1", "b": "S-1", "c": "S-1", "d": "S-2"}
    names, events = assign_stable_ids({0: ["a", "b", "c", "d"]}, previous)
    assert names[0] == "S-1"
    assert [(e.kind, e.subject_id, e.others, e.records_moved) for e in events] == [
        ("merge", "S-1", ("S-2",), 1)
    ]


def test_split_keeps_the_id_on_the_larger_part_and_is_recorded() -> None:
    previous = {"a": "S-1", "b": "S-1", "c": "S-1"}
    names, events = assign_stable_ids({0: ["a", "b"], 1: ["c"]}, previous)
    assert names[0] == "S-1"
    assert names[1] != "S-1"
    assert [(e.kind, e.subject_id, e.others, e.records_moved) for e in events] == [
        ("split", "S-1", (names[1],), 1)
    ]


def test_ids_are_unique_even_when_one_old_subject_claims_two_clusters() -> None:
    previous = {"a": "S-1", "b": "S-1", "c": "S-2", "d": "S-2"}
    names, _ = assign_stable_ids({0: ["a", "c"], 1: ["b", "d"]}, previous)
    assert len(set(names.values())) == 2


def test_a_split_off_part_holding_the_record_an_old_id_came_from_gets_a_different_id() -> None:
    old_id = fresh_subject_id(["a"])
    previous = {"a": old_id, "b": old_id, "c": old_id}
    names, _ = assign_stable_ids({0: ["b", "c"], 1: ["a"]}, previous)
    assert names[0] == old_id
    assert names[1] != old_id


def test_events_name_the_records_that_moved() -> None:
    previous = {"a": "S-1", "b": "S-1", "c": "S-1", "d": "S-2", "e": "S-3", "f": "S-3"}
    names, events = assign_stable_ids({0: ["a", "b", "d"], 1: ["c"], 2: ["e", "f"]}, previous)
    by_kind = {e.kind: e for e in events}
    assert by_kind["split"].subject_id == "S-1"
    assert by_kind["split"].records == ("c",)  # c left S-1 for the new subject
    assert by_kind["merge"].subject_id == "S-1"
    assert by_kind["merge"].others == ("S-2",)
    assert by_kind["merge"].records == ("d",)  # d joined S-1 from S-2
    assert by_kind["merge"].records_moved == 1
    assert names[2] == "S-3"  # untouched: no event names e or f
    assert all("e" not in e.records and "f" not in e.records for e in events)
