"""The /api/v1 routes of the operational workflows: cases, actions, alerts, departures, deconfliction.
Each parses its input, calls one service function and renders the result; errors use the one shape."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from ilos.api.deps import request_caller, store_of
from ilos.api.schemas import ERROR_RESPONSES
from ilos.domain.cases import ActionKind, ActionStep
from ilos.services import case_actions, cases, deconfliction, departures_tracking, operations_alerts
from ilos.services.access import Caller
from ilos.services.store_access import Store

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
TEXT = Field(max_length=4000, pattern=r"^[^\x00]*$")
NAME = Field(max_length=256, pattern=r"^[^\x00]*$")
Item = Annotated[str, Field(max_length=1000, pattern=r"^[^\x00]*$")]  # one entry of an input list


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CaseIn(BaseModel):
    title: str = NAME
    subject_ids: list[Item] = Field(max_length=500)


class AssignIn(BaseModel):
    assignee: str = Field(max_length=128, pattern=r"^[^\x00]*$")


class NoteIn(BaseModel):
    text: str = TEXT


class CloseIn(BaseModel):
    reason: str = TEXT


class CaseNoteOut(_Out):
    author: str
    at: datetime
    text: str


class CaseActionOut(_Out):
    action_id: str
    subject_id: str
    kind: str
    state: str


class CaseOut(_Out):
    case_id: str
    title: str
    state: str
    opened_by: str
    opened_at: datetime
    assignee: str | None
    subjects: list[str]
    notes: list[CaseNoteOut]
    actions: list[CaseActionOut]
    closed_by: str | None
    closed_at: datetime | None
    close_reason: str | None


class ActionIn(BaseModel):
    subject_id: str = Field(max_length=64, pattern=r"^[^\x00]*$")
    kind: ActionKind
    case_id: str | None = Field(None, max_length=64, pattern=r"^[^\x00]*$")
    destination_country: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[^\x00]*$",
        description="ISO 3166-1 alpha-3 code or a country's name (COL, Colombia); kept as the code. "
        "A value that names no known country is refused (422).",
    )
    planned_for: date | None = None


class StepIn(BaseModel):
    step: ActionStep = Field(
        description="verify_identity, verify_legal_status, approve, lock, execute, cancel, reopen"
    )
    evidence: list[Item] = Field(
        default_factory=list, max_length=50, description="What was checked (verifications)."
    )
    note: str = Field("", max_length=4000, pattern=r"^[^\x00]*$")


class VerificationOut(_Out):
    kind: str
    verified_by: str
    at: datetime
    evidence: list[str]
    note: str


class HaltOut(_Out):
    gate: str
    reason: str
    evidence: list[str]
    step: str
    from_state: str
    trigger: str
    halted_by: str
    at: datetime


class ActionOut(_Out):
    action_id: str
    subject_id: str
    kind: str
    state: str
    case_id: str | None
    planned_by: str
    destination_country: str | None
    planned_for: date | None
    verifications: list[VerificationOut]
    halts: list[HaltOut]
    last_gates: list[dict[str, Any]]
    last_checked_at: datetime


class AlertOut(_Out):
    alert_id: str
    kind: str
    subject_id: str | None
    object_type: str
    object_id: str
    message: str
    created_at: datetime


class DepartureCountOut(_Out):
    month: str
    country: str
    state: str
    count: int


class DepartureReportOut(_Out):
    counts: list[DepartureCountOut]
    verified: int = Field(description="Departures an exit record confirms: counted facts.")
    self_reported_estimate: int = Field(description="Self-reported, unconfirmed: an estimate, not a count.")
    contradicted: int
    unmatched: int


class DepartureOut(_Out):
    report_ref: str
    subject_id: str | None
    departed_on: str
    country: str | None
    state: str
    evidence: list[str]


class OperationIn(BaseModel):
    agency: str = Field(max_length=64, pattern=r"^[^\x00]*$")
    title: str = NAME
    starts_on: date
    ends_on: date
    subject_ids: list[Item] = Field(default_factory=list, max_length=500)
    addresses: list[Item] = Field(default_factory=list, max_length=500)


class ResolveIn(BaseModel):
    note: str = TEXT


class ConflictOut(_Out):
    conflict_id: str
    operation_id: str
    other_operation_id: str | None
    other_agency: str
    kind: str
    target: str
    detail: str
    state: str
    resolved_by: str | None
    resolution_note: str | None


class OperationOut(_Out):
    operation_id: str
    agency: str
    title: str
    owner: str
    starts_on: date
    ends_on: date
    state: str
    subjects: list[str]
    addresses: list[str]
    conflicts: list[ConflictOut]


Who = Depends(request_caller)
At = Depends(store_of)


@router.post("/cases", response_model=CaseOut, status_code=201, tags=["cases"])
def open_case(body: CaseIn, caller: Caller = Who, store: Store = At) -> CaseOut:
    """Open a case grouping subjects (analyst, supervisor); audited."""
    return CaseOut.model_validate(cases.open_case(store, caller, body.title, body.subject_ids))


@router.get("/cases/{case_id}", response_model=CaseOut, tags=["cases"])
def read_case(case_id: Id, caller: Caller = Who, store: Store = At) -> CaseOut:
    return CaseOut.model_validate(cases.read_case(store, caller, case_id))


@router.post("/cases/{case_id}/assign", response_model=CaseOut, tags=["cases"])
def assign_case(body: AssignIn, case_id: Id, caller: Caller = Who, store: Store = At) -> CaseOut:
    return CaseOut.model_validate(cases.assign_case(store, caller, case_id, body.assignee))


@router.post("/cases/{case_id}/notes", response_model=CaseOut, tags=["cases"])
def note_case(body: NoteIn, case_id: Id, caller: Caller = Who, store: Store = At) -> CaseOut:
    return CaseOut.model_validate(cases.note_case(store, caller, case_id, body.text))


@router.post("/cases/{case_id}/close", response_model=CaseOut, tags=["cases"])
def close_case(body: CloseIn, case_id: Id, caller: Caller = Who, store: Store = At) -> CaseOut:
    return CaseOut.model_validate(cases.close_case(store, caller, case_id, body.reason))


@router.post("/actions", response_model=ActionOut, status_code=201, tags=["actions"])
def create_action(body: ActionIn, caller: Caller = Who, store: Store = At) -> ActionOut:
    """Plan an action; 409 gate_blocked (gate id and reason in `problems`) if a legal gate blocks."""
    request = case_actions.ActionRequest(
        body.subject_id, body.kind, body.case_id, body.destination_country, body.planned_for
    )
    return ActionOut.model_validate(case_actions.create_action(store, caller, request))


@router.get("/actions/{action_id}", response_model=ActionOut, tags=["actions"])
def read_action(action_id: Id, caller: Caller = Who, store: Store = At) -> ActionOut:
    return ActionOut.model_validate(case_actions.read_action(store, caller, action_id))


@router.post("/actions/{action_id}/steps", response_model=ActionOut, tags=["actions"])
def step_action(body: StepIn, action_id: Id, caller: Caller = Who, store: Store = At) -> ActionOut:
    """Take one step; gates are re-checked now. A gate that appeared halts the action (recorded, owners
    alerted) and the step is refused with 409 gate_blocked."""
    request = case_actions.StepRequest(body.step, tuple(body.evidence), body.note)
    return ActionOut.model_validate(case_actions.step_action(store, caller, action_id, request))


@router.get("/alerts", response_model=list[AlertOut], tags=["alerts"])
def my_alerts(caller: Caller = Who, store: Store = At) -> list[AlertOut]:
    """The caller's own alerts, newest first."""
    return [AlertOut.model_validate(a) for a in operations_alerts.my_alerts(store, caller)]


@router.get("/departures/report", response_model=DepartureReportOut, tags=["departures"])
def departures_report(caller: Caller = Who, store: Store = At) -> DepartureReportOut:
    """Recorded departures by month, country and state; verified counts apart from estimates."""
    return DepartureReportOut.model_validate(departures_tracking.departures_report(store, caller))


@router.get("/departures/review-queue", response_model=list[DepartureOut], tags=["departures"])
def departures_review_queue(caller: Caller = Who, store: Store = At) -> list[DepartureOut]:
    return [DepartureOut.model_validate(d) for d in departures_tracking.review_queue(store, caller)]


@router.post("/operations", response_model=OperationOut, status_code=201, tags=["deconfliction"])
def register_operation(body: OperationIn, caller: Caller = Who, store: Store = At) -> OperationOut:
    """Register a planned operation; overlaps are recorded as conflicts and both owners alerted."""
    request = deconfliction.OperationRequest(
        body.agency, body.title, body.starts_on, body.ends_on, tuple(body.subject_ids), tuple(body.addresses)
    )
    return OperationOut.model_validate(deconfliction.register_operation(store, caller, request))


@router.get("/operations/{operation_id}", response_model=OperationOut, tags=["deconfliction"])
def read_operation(operation_id: Id, caller: Caller = Who, store: Store = At) -> OperationOut:
    return OperationOut.model_validate(deconfliction.read_operation(store, caller, operation_id))


@router.post("/operations/{operation_id}/start", response_model=OperationOut, tags=["deconfliction"])
def start_operation(operation_id: Id, caller: Caller = Who, store: Store = At) -> OperationOut:
    """Start an operation; 409 while any of its conflicts is open."""
    return OperationOut.model_validate(deconfliction.start_operation(store, caller, operation_id))


@router.post("/operation-conflicts/{conflict_id}/resolve", response_model=ConflictOut, tags=["deconfliction"])
def resolve_conflict(
    body: ResolveIn, conflict_id: Id, caller: Caller = Who, store: Store = At
) -> ConflictOut:
    """Resolve a conflict with a note (supervisor)."""
    return ConflictOut.model_validate(deconfliction.resolve_conflict(store, caller, conflict_id, body.note))
