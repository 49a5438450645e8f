"""Agency deconfliction as plain functions: planned operations overlap when their date windows meet and
they share a subject or an address, or when one targets a person cooperating as a witness or victim in
another agency's case. Each overlap is a conflict a supervisor resolves before the operation proceeds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ilos.domain.events import EventKind
from ilos.domain.subjects import Subject
from ilos.errors import ConflictError, FieldProblem, InvalidInputError


class ConflictKind(StrEnum):
    SAME_SUBJECT = "same_subject"
    SAME_ADDRESS = "same_address"
    COOPERATING_WITNESS = "cooperating_witness"


class OperationState(StrEnum):
    PLANNED = "planned"
    CONFLICTED = "conflicted"  # at least one conflict still open
    CLEARED = "cleared"  # no open conflict: may proceed
    UNDER_WAY = "under_way"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PlannedOperation:
    operation_id: str
    agency: str
    owner: str
    starts_on: date
    ends_on: date
    subjects: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()  # normalised with `normalize_address`


@dataclass(frozen=True, slots=True)
class CooperationCase:
    """A person cooperating as a witness or victim in an agency's case (from the cooperation source)."""

    subject_id: str
    agency: str
    case_ref: str
    kind: str
    active: bool


@dataclass(frozen=True, slots=True)
class Overlap:
    operation_id: str
    other_operation_id: str | None  # None: another agency's cooperation case, not an operation
    other_agency: str
    kind: ConflictKind
    target: str
    detail: str


def normalize_address(text: str) -> str:
    """Upper case, punctuation dropped, whitespace collapsed: '12 Main St.,  Austin' == '12 MAIN ST AUSTIN'."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.upper()).split())


def cooperation_cases(subject: Subject) -> list[CooperationCase]:
    """The subject's cooperation records, each active as its legal situation holds it — as the
    witness_or_victim gate reads them (status compared whatever its case, an end date that has passed)."""
    active = {ref for c in subject.legal.cooperation if c.active for ref in c.evidence}
    return [
        CooperationCase(
            subject.subject_id,
            e.get("agency") or "unknown",
            e.record_id,
            e.get("type") or "",
            e.ref in active,
        )
        for e in subject.events
        if e.kind == EventKind.COOPERATION
    ]


def check_operation(op: PlannedOperation) -> None:
    problems = operation_problems(op)
    if problems:
        raise InvalidInputError("The operation cannot be registered", problems)


def operation_problems(op: PlannedOperation) -> list[FieldProblem]:
    """What makes the operation unregistrable, every problem at once."""
    problems = []
    if op.ends_on < op.starts_on:
        problems.append(FieldProblem("ends_on", f"ends {op.ends_on} before it starts {op.starts_on}"))
    if not op.subjects and not op.addresses:
        problems.append(FieldProblem("targets", "an operation targets at least one subject or address"))
    if not op.agency.strip():
        problems.append(FieldProblem("agency", "name the agency that leads the operation"))
    return problems


def overlap_key(overlap: Overlap) -> tuple[str, str, str]:
    """What a conflict is about, whichever operation recorded it: kind, target and the other side (an
    operation, or an agency's cooperation case)."""
    other = overlap.other_operation_id or f"agency:{overlap.other_agency.upper()}"
    return (overlap.kind.value, overlap.target, other)


def windows_meet(a: PlannedOperation, b: PlannedOperation) -> bool:
    return a.starts_on <= b.ends_on and b.starts_on <= a.ends_on


def find_overlaps(
    new: PlannedOperation, others: Iterable[PlannedOperation], cooperation: Iterable[CooperationCase]
) -> list[Overlap]:
    """Every conflict of `new`: shared subjects or addresses with an operation whose window meets it, and
    targets cooperating (actively) in a case of another agency."""
    found: list[Overlap] = []
    for other in sorted(others, key=lambda o: o.operation_id):
        if other.operation_id == new.operation_id or not windows_meet(new, other):
            continue
        window = f"{other.agency} operation {other.operation_id} {other.starts_on}..{other.ends_on}"
        found += [
            Overlap(
                new.operation_id,
                other.operation_id,
                other.agency,
                ConflictKind.SAME_SUBJECT,
                s,
                f"{s} also in {window}",
            )
            for s in sorted(new.subjects & other.subjects)
        ]
        found += [
            Overlap(
                new.operation_id,
                other.operation_id,
                other.agency,
                ConflictKind.SAME_ADDRESS,
                a,
                f"{a} also in {window}",
            )
            for a in sorted(new.addresses & other.addresses)
        ]
    for case in sorted(cooperation, key=lambda c: (c.subject_id, c.agency, c.case_ref)):
        if case.active and case.subject_id in new.subjects and case.agency.upper() != new.agency.upper():
            detail = f"{case.subject_id} cooperates ({case.kind}) in {case.agency} case {case.case_ref}"
            found.append(
                Overlap(
                    new.operation_id,
                    None,
                    case.agency,
                    ConflictKind.COOPERATING_WITNESS,
                    case.subject_id,
                    detail,
                )
            )
    return found


def state_after(open_conflicts: int, state: OperationState) -> OperationState:
    """An operation in planning is conflicted while any conflict is open, cleared when none is."""
    if state in (OperationState.UNDER_WAY, OperationState.CANCELLED):
        return state
    return OperationState.CONFLICTED if open_conflicts else OperationState.CLEARED


def check_may_proceed(operation_id: str, state: OperationState, open_conflicts: Sequence[str]) -> None:
    """Refuse to start an operation with an open conflict (named), or one not in planning."""
    if open_conflicts:
        raise ConflictError(
            f"Operation {operation_id} has {len(open_conflicts)} unresolved conflict(s) "
            f"({'; '.join(open_conflicts)}); a supervisor must resolve each with a note first"
        )
    if state is not OperationState.CLEARED:
        raise ConflictError(
            f"Operation {operation_id} is {state.value}; only a cleared operation can proceed"
        )
