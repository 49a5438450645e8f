"""Deconfliction through the store: overlaps detected and recorded, both owners alerted, a supervisor
resolves with a note before the operation proceeds; all audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy import select

from ilos.errors import ConflictError, InvalidInputError, PermissionDeniedError
from ilos.operations.deconfliction import CooperationCase
from ilos.services import deconfliction, publish
from ilos.services.access import Caller, Purpose, Role, local_operator
from ilos.services.deconfliction import OperationRequest
from ilos.services.operations_alerts import holders_of
from ilos.services.store_access import Store
from ilos.store.operations_tables import AlertRow
from ilos.store.tables import AuditEventRow

ERO = Caller("ero-planner", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")
HSI = Caller("hsi-analyst", frozenset({Role.analyst}), Purpose.case_investigation, "test")
SUPERVISOR = Caller("sup", frozenset({Role.supervisor}), Purpose.case_investigation, "test")
WITNESS = CooperationCase("S9", "FBI", "WV-1", "U_VISA_CERTIFICATION", True)


def no_cooperation(_: Sequence[str]) -> Sequence[CooperationCase]:
    return []


def cooperation(subject_ids: Sequence[str]) -> Sequence[CooperationCase]:
    return [WITNESS] if "S9" in subject_ids else []


def _register(store: Store, caller: Caller, agency: str, start: int, end: int, **targets: tuple[str, ...]):  # type: ignore[no-untyped-def]
    request = OperationRequest(agency, f"{agency} op", date(2027, 1, start), date(2027, 1, end), **targets)
    return deconfliction.register_operation(store, caller, request, no_cooperation)


def _recipients(store: Store) -> set[str]:
    with store.transaction() as session:
        return set(session.scalars(select(AlertRow.recipient)))


@pytest.mark.parametrize(
    ("first", "second", "kind"),
    [
        ({"subject_ids": ("S1",)}, {"subject_ids": ("S1", "S2")}, "same_subject"),
        (
            {"addresses": ("12 Main St., Austin TX",)},
            {"addresses": ("12 MAIN ST AUSTIN TX",)},
            "same_address",
        ),
    ],
)
def test_overlap_is_recorded_alerted_and_blocks_until_resolved(
    store: Store, first: dict[str, tuple[str, ...]], second: dict[str, tuple[str, ...]], kind: str
) -> None:
    ero = _register(store, ERO, "ERO", 1, 10, **first)
    hsi = _register(store, HSI, "HSI", 5, 6, **second)
    assert hsi.state == "conflicted" and [c.kind for c in hsi.conflicts] == [kind]
    assert deconfliction.read_operation(store, ERO, ero.operation_id).state == "conflicted"
    assert _recipients(store) == {"ero-planner", "hsi-analyst"}
    with pytest.raises(ConflictError, match="unresolved conflict"):
        deconfliction.start_operation(store, ERO, ero.operation_id)
    with pytest.raises(PermissionDeniedError):
        deconfliction.resolve_conflict(store, HSI, hsi.conflicts[0].conflict_id, "we talked")
    with pytest.raises(InvalidInputError, match="note"):
        deconfliction.resolve_conflict(store, SUPERVISOR, hsi.conflicts[0].conflict_id, " ")
    resolved = deconfliction.resolve_conflict(
        store, SUPERVISOR, hsi.conflicts[0].conflict_id, "HSI goes first"
    )
    assert (resolved.state, resolved.resolved_by, resolved.resolution_note) == (
        "resolved",
        "sup",
        "HSI goes first",
    )
    assert deconfliction.start_operation(store, ERO, ero.operation_id).state == "under_way"
    with store.transaction() as session:
        actions = [e.action for e in session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq))]
    assert actions.count("operation.register") == 2 and "operation.resolve_conflict" in actions


def test_windows_that_do_not_meet_do_not_conflict(store: Store) -> None:
    _register(store, ERO, "ERO", 1, 3, subject_ids=("S1",))
    later = _register(store, HSI, "HSI", 4, 9, subject_ids=("S1",))
    assert later.state == "cleared" and later.conflicts == ()


def test_cooperating_witness_of_another_agency_is_a_conflict(store: Store) -> None:
    request = OperationRequest("ERO", "arrests", date(2027, 1, 1), date(2027, 1, 2), subject_ids=("S9",))
    op = deconfliction.register_operation(store, ERO, request, cooperation)
    assert [(c.kind, c.other_agency, c.other_operation_id) for c in op.conflicts] == [
        ("cooperating_witness", "FBI", None)
    ]
    assert _recipients(store) == {"ero-planner", "agency:FBI"}
    same_agency = OperationRequest(
        "FBI", "own witness", date(2027, 1, 1), date(2027, 1, 2), subject_ids=("S9",)
    )
    assert (
        deconfliction.register_operation(store, HSI, same_agency, cooperation).conflicts[0].kind
        == "same_subject"
    )


def test_an_operation_under_way_conflicts_with_a_new_overlapping_one(store: Store) -> None:
    ero = _register(store, ERO, "ERO", 1, 10, subject_ids=("S1",))
    assert deconfliction.start_operation(store, ERO, ero.operation_id).state == "under_way"
    hsi = _register(store, HSI, "HSI", 5, 6, subject_ids=("S1",))
    assert hsi.state == "conflicted"
    assert [(c.kind, c.other_operation_id) for c in hsi.conflicts] == [("same_subject", ero.operation_id)]
    assert _recipients(store) == {"ero-planner", "hsi-analyst"}
    # the operation in the field is not sent back to planning; resolving leaves it under way
    assert deconfliction.read_operation(store, ERO, ero.operation_id).state == "under_way"
    deconfliction.resolve_conflict(store, SUPERVISOR, hsi.conflicts[0].conflict_id, "HSI waits")
    assert deconfliction.read_operation(store, ERO, ero.operation_id).state == "under_way"
    assert deconfliction.read_operation(store, HSI, hsi.operation_id).state == "cleared"


def test_the_owner_of_an_operation_under_way_holds_its_subjects(store: Store) -> None:
    ero = _register(store, ERO, "ERO", 1, 10, subject_ids=("S2",))
    deconfliction.start_operation(store, ERO, ero.operation_id)
    with store.transaction() as session:
        assert holders_of(session, "S2") == {"ero-planner"}


def test_subject_ids_are_read_as_written_and_unknown_ones_refused(store: Store) -> None:
    publish.publish(
        store, local_operator(Purpose.data_quality), [{"subject_id": "S-0585b5ba2360", "display_name": "x"}]
    )
    op = _register(store, ERO, "ERO", 1, 2, subject_ids=(" s-0585B5BA2360",))
    assert op.subjects == ("S-0585b5ba2360",)
    with pytest.raises(InvalidInputError) as refused:
        _register(store, HSI, "HSI", 1, 2, subject_ids=("S1", "S-NOPE", " "), addresses=("1 Main St",))
    assert [(p.location, p.message.split(";")[0]) for p in refused.value.problems] == [
        ("subject_ids[1]", "no published subject 'S-NOPE'"),
        ("subject_ids[2]", "a subject id is blank"),
    ]
    with store.transaction() as session:
        events = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "operation.register"))
        assert [(e.actor, e.outcome) for e in events] == [("ero-planner", "ok"), ("hsi-analyst", "invalid")]
    assert _recipients(store) == set()  # nothing registered, nobody alerted


def test_start_checks_again_and_records_a_conflict_found_since_registration(store: Store) -> None:
    op = _register(store, ERO, "ERO", 1, 2, subject_ids=("S9",))
    assert op.state == "cleared"
    with pytest.raises(ConflictError, match=r"new conflict.*S9 cooperates"):
        deconfliction.start_operation(store, ERO, op.operation_id, cooperation)
    shown = deconfliction.read_operation(store, ERO, op.operation_id)
    assert shown.state == "conflicted" and [c.kind for c in shown.conflicts] == ["cooperating_witness"]
    assert _recipients(store) == {"ero-planner", "agency:FBI"}
    deconfliction.resolve_conflict(store, SUPERVISOR, shown.conflicts[0].conflict_id, "FBI agrees")
    # a conflict resolved is not found again
    assert deconfliction.start_operation(store, ERO, op.operation_id, cooperation).state == "under_way"
    with store.transaction() as session:
        starts = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "operation.start"))
        assert [e.outcome for e in starts] == ["refused", "ok"]
