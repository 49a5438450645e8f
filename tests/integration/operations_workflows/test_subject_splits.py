"""Work follows the records after a re-run: a merge moves work to the subject that continues; a split moves
each action to the part holding the records its verification cites and leaves a review item; both halt open
actions until identity is verified again, and both are applied once. Table-driven over the evidence cited."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from gates_fake import FakeGates
from sqlalchemy import select

from ilos.domain.cases import ActionKind, ActionStep
from ilos.errors import ConflictError, PermissionDeniedError
from ilos.services import case_actions, cases, linkage_publish, subject_splits
from ilos.services.access import Caller, Purpose, Role
from ilos.services.case_actions import ActionRequest, StepRequest
from ilos.services.store_access import Store
from ilos.store.operations_tables import AlertRow
from ilos.store.split_tables import SubjectMergeRow
from ilos.store.tables import AuditEventRow

PLANNER = Caller("planner", frozenset({Role.analyst}), Purpose.case_investigation, "test")
SUPERVISOR = Caller("sup", frozenset({Role.supervisor}), Purpose.case_investigation, "test")
STEWARD = Caller("steward", frozenset({Role.data_steward}), Purpose.data_quality, "test")
# After the re-run: S1 kept A1, A2; its B records went to the new S2. S4 was merged into S3.
CLUSTERS = {"src|A1": "S1", "src|A2": "S1", "src|B1": "S2", "src|B2": "S2", "src|M1": "S3", "src|M2": "S3"}
EVENTS = [
    {"kind": "merge", "subject_id": "S3", "others": ["S4"], "records_moved": 1},
    {"kind": "split", "subject_id": "S1", "others": ["S2"], "records_moved": 2},
]


@pytest.fixture
def rerun(tmp_path: Path) -> Path:
    out = tmp_path / "rerun"
    out.mkdir()
    _write_history(out, CLUSTERS, EVENTS)
    return out


def _write_history(out: Path, clusters: dict[str, str], events: list[dict[str, object]]) -> None:
    """A re-run's clusters and its history of merges and splits, as the linker writes them."""
    keys = [k.split("|") for k in clusters]
    table = {
        "source": [s for s, _ in keys],
        "record_id": [r for _, r in keys],
        "subject_id": list(clusters.values()),
    }
    pq.write_table(pa.table(table), out / "clusters.parquet")
    lines = [json.dumps({"at": "2026-11-30T10:00:00+00:00", "config_hash": "h", **e}) for e in events]
    (out / "subject_events.jsonl").write_text("\n".join(lines) + "\n" if lines else "")


def _verified_action(
    store: Store, subject_id: str, evidence: tuple[str, ...], case_id: str | None = None
) -> str:
    request = ActionRequest(subject_id, ActionKind.ARREST_PLAN, case_id)
    action = case_actions.create_action(store, PLANNER, request, FakeGates())
    step = StepRequest(ActionStep.VERIFY_IDENTITY, evidence)
    case_actions.step_action(store, SUPERVISOR, action.action_id, step, FakeGates())
    return action.action_id


@pytest.mark.parametrize(
    ("subject_id", "evidence", "ends_on", "halted"),
    [
        ("S1", ("src|B1", "src|B2"), "S2", True),  # cites the part split off: follows it
        ("S1", ("src|A1",), "S1", True),  # cites the part that kept the id: stays
        ("S1", ("passport compared with booking photo",), "S1", True),  # cites no record: stays with the id
        ("S1", ("src|A1", "src|B1"), "S1", True),  # a tie: the id-keeping part
        ("S1", ("src|B1", "src|B2", "src|A1"), "S2", True),  # most cited records
        ("S3", ("src|M1",), "S3", False),  # untouched
    ],
)
def test_work_follows_the_records_it_cites(
    store: Store, rerun: Path, subject_id: str, evidence: tuple[str, ...], ends_on: str, halted: bool
) -> None:
    case = cases.open_case(store, PLANNER, "operation", [subject_id])
    action_id = _verified_action(store, subject_id, evidence, case.case_id)

    applied = subject_splits.follow_splits(store, STEWARD, rerun)

    action = case_actions.read_action(store, SUPERVISOR, action_id, FakeGates())
    assert action.subject_id == ends_on
    assert cases.read_case(store, PLANNER, case.case_id).subjects == (ends_on,)
    assert (action.state == "halted") is halted
    [split] = applied
    assert (split.subject_id, split.parts) == ("S1", ("S2",))
    if halted:
        assert split.state == "open"
        assert split.halted == (action_id,)
        assert {(m["object_type"], m["from"], m["to"]) for m in split.moved} == {
            ("action", "S1", ends_on),
            ("case", "S1", ends_on),
        }
        assert [h.gate for h in action.halts] == [subject_splits.SPLIT_GATE]
    else:
        assert split.state == "nothing_attached"


def test_a_merge_moves_and_halts_the_work_on_the_absorbed_id_once(store: Store, rerun: Path) -> None:
    case = cases.open_case(store, PLANNER, "operation", ["S4"])
    action_id = _verified_action(store, "S4", ("src|M2",), case.case_id)

    subject_splits.follow_splits(store, STEWARD, rerun)
    action = case_actions.read_action(store, SUPERVISOR, action_id, FakeGates())
    assert (action.subject_id, action.state) == ("S3", "halted")
    assert [h.gate for h in action.halts] == [subject_splits.MERGE_GATE]
    assert cases.read_case(store, PLANNER, case.case_id).subjects == ("S3",)

    later = _verified_action(store, "S4", ("src|M2",))  # attached after the merge: not moved again
    subject_splits.follow_splits(store, STEWARD, rerun)
    assert case_actions.read_action(store, SUPERVISOR, later, FakeGates()).subject_id == "S4"
    with store.transaction() as session:
        merges = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "merge.follow")).all()
        [merge] = session.scalars(select(SubjectMergeRow)).all()
    assert [e.object_ids[1:] for e in merges] == [["S3", "S4"]]  # applied, and audited, once
    assert (merge.halted, len(merge.moved)) == ([action_id], 2)  # the action and the case


def test_a_split_halts_until_identity_is_verified_again(store: Store, rerun: Path) -> None:
    action_id = _verified_action(store, "S1", ("src|B1",))
    subject_splits.follow_splits(store, STEWARD, rerun)
    reopened = case_actions.step_action(
        store, SUPERVISOR, action_id, StepRequest(ActionStep.REOPEN), FakeGates()
    )
    assert reopened.state == "planned"
    assert reopened.verifications == ()  # the identity verified before the split no longer counts
    with store.transaction() as session:
        alerted = session.scalars(select(AlertRow.recipient).where(AlertRow.object_id == action_id)).all()
    assert "planner" in alerted


def test_splits_are_applied_once_and_listed_for_review(store: Store, rerun: Path) -> None:
    _verified_action(store, "S1", ("src|B1",))
    [split] = subject_splits.follow_splits(store, STEWARD, rerun)
    assert subject_splits.follow_splits(store, STEWARD, rerun) == []
    later = _verified_action(store, "S1", ("src|B1",))  # work attached after the split is not moved again
    subject_splits.follow_splits(store, STEWARD, rerun)
    assert case_actions.read_action(store, SUPERVISOR, later, FakeGates()).subject_id == "S1"
    assert [s.split_id for s in subject_splits.split_reviews(store, PLANNER)] == [split.split_id]
    with pytest.raises(PermissionDeniedError):
        subject_splits.resolve_split_review(store, PLANNER, split.split_id, "checked")
    done = subject_splits.resolve_split_review(store, SUPERVISOR, split.split_id, "identities checked")
    assert (done.state, done.resolved_by) == ("resolved", "sup")
    assert subject_splits.split_reviews(store, PLANNER) == []
    with pytest.raises(ConflictError):
        subject_splits.resolve_split_review(store, SUPERVISOR, split.split_id, "again")


def _write_linkage(out: Path, clusters: dict[str, str], events: list[dict[str, object]]) -> None:
    """What publishing reads from a linkage: the history, and per subject its summary and observations."""
    _write_history(out, clusters, events)
    subjects = sorted(set(clusters.values()))
    best = pa.list_(pa.struct([("attribute", pa.string()), ("value", pa.string()), ("source", pa.string())]))
    summary = {
        "subject_id": subjects,
        "record_count": [list(clusters.values()).count(s) for s in subjects],
        "sources": [["src"] for _ in subjects], "conflicts": [[] for _ in subjects],
        "as_of": [date(2026, 11, 30)] * len(subjects), "has_final_order": [False] * len(subjects),
        "detained": [False] * len(subjects), "departure": pa.array([None] * len(subjects), pa.string()),
        "best": pa.array([[{"attribute": "full_name", "value": f"Person {s}", "source": "src"}] for s in subjects], best),
    }  # fmt: skip
    pq.write_table(pa.table(summary), out / "subjects.parquet")
    observations = {"subject_id": subjects, "attribute": ["full_name"] * len(subjects),
                    "value": [f"Person {s}" for s in subjects], "source": ["src"] * len(subjects),
                    "observed_on": [date(2026, 11, 1)] * len(subjects),
                    "markings": pa.array([[] for _ in subjects], pa.list_(pa.string()))}  # fmt: skip
    pq.write_table(pa.table(observations), out / "observations.parquet")


def test_publishing_a_rerun_moves_the_work_its_splits_divide(store: Store, tmp_path: Path) -> None:
    linkage = tmp_path / "linkage"
    linkage.mkdir()
    first = {"src|A1": "S1", "src|A2": "S1", "src|B1": "S1", "src|B2": "S1"}
    _write_linkage(linkage, first, [])
    assert linkage_publish.publish_linkage(store, STEWARD, linkage) == linkage_publish.PublishedLinkage(1, ())
    case = cases.open_case(store, PLANNER, "operation", ["S1"])
    action_id = _verified_action(store, "S1", ("src|B1", "src|B2"), case.case_id)

    # The re-run in the same directory: S1's B records are a different person, S2.
    _write_linkage(linkage, {**first, "src|B1": "S2", "src|B2": "S2"}, [EVENTS[1]])
    published = linkage_publish.publish_linkage(store, STEWARD, linkage)

    assert published.subjects == 2
    [split] = published.splits
    assert (split.subject_id, split.parts, split.state, split.halted) == ("S1", ("S2",), "open", (action_id,))
    action = case_actions.read_action(store, SUPERVISOR, action_id, FakeGates())
    assert (action.subject_id, action.state) == ("S2", "halted")
    assert cases.read_case(store, PLANNER, case.case_id).subjects == ("S2",)
    assert [s.split_id for s in subject_splits.split_reviews(store, PLANNER)] == [split.split_id]
    assert linkage_publish.publish_linkage(store, STEWARD, linkage).splits == ()  # each split applied once
