"""The /api/v1/plans routes: solve and save a plan version, list versions, read one (assignments paged,
capacity overlays, locked manifests), lock a transport manifest after a fresh gate check, and check it again
at departure."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ilos.api.deps import request_caller, store_of
from ilos.api.schemas import ERROR_RESPONSES
from ilos.services import manifest_checks, plan_manifests, plans
from ilos.services.access import Caller
from ilos.services.store_access import Store

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["plans"])
Kind = Literal["placement", "transport"]
Version = Annotated[int, Path(ge=1, le=2**31 - 1, description="The plan version (per kind).")]
FlightId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
NO_NUL = r"^[^\x00]*$"
Who = Depends(request_caller)
At = Depends(store_of)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PlanIn(BaseModel):
    kind: Kind = Field(description="placement (detention beds) or transport (removal flights).")


class PlanOut(_Out):
    plan_id: str
    kind: str
    version: int
    status: str = Field(description="draft, locked (a manifest was locked from it) or superseded.")
    inputs_hash: str = Field(description="sha256 of every input the solver saw.")
    source: str
    created_by: str
    created_at: datetime
    objective: int
    lower_bound: int = Field(description="Proven bound; equal to the objective when the plan is optimal.")
    gap: float
    proven_optimal: bool
    solver_seconds: float
    summary: dict[str, Any] = Field(description="Counts of people by outcome, the cost unit and solver size.")
    locked_by: str | None
    locked_at: datetime | None


class AssignmentOut(_Out):
    person_id: str
    status: str = Field(
        description="placed, unplaced, seated, waiting, excluded, removed (taken off a locked manifest: at "
        "the lock, a recheck or departure) or departed."
    )
    target: str | None = Field(description="The facility or flight.")
    segment: str | None = Field(description="Bed class (sex/security) or destination country.")
    cost: int | None
    counsel_km: int | None
    counsel_cost: int | None = Field(description="Cost points of distance from counsel (placements).")
    counsel_reason: str | None = Field(description="Why this person is held beyond the counsel radius.")
    explanation: str


class CapacityOut(_Out):
    resource: str = Field(description="A facility or a flight.")
    segment: str = Field(description="A bed class (M/low ...) or, for flights, '*' or a destination country.")
    used: int
    capacity: int
    operated: bool | None


class RemovedOut(_Out):
    person_id: str
    gate: str = Field(description="The gate that blocked this person.")
    reason: str
    step: str = Field(
        description="manifest lock; recheck: <why> (their subject changed after the lock); or departure."
    )


class ManifestOut(_Out):
    plan_id: str
    version: int
    flight_id: str
    locked_by: str
    locked_at: datetime
    cleared: int = Field(
        description="Still on the manifest: cleared at the lock, less anyone taken off since."
    )
    removed: list[RemovedOut]
    departed: int = Field(0, description="How many flew after the check at departure.")


class DepartureOut(_Out):
    plan_id: str
    version: int
    flight_id: str
    checked_by: str
    checked_at: datetime
    departed: int = Field(description="Cleared at the door: their seats are now `departed`.")
    halted: list[RemovedOut] = Field(description="Blocked since the lock: taken off, with the gate and why.")


class PlanDetailOut(_Out):
    plan: PlanOut
    assignments: list[AssignmentOut]
    next_after: str | None = Field(description="Pass as `after` for the next page; null on the last page.")
    capacity: list[CapacityOut]
    manifests: list[ManifestOut]


@router.post("/plans", response_model=PlanOut, status_code=201)
def create_plan(body: PlanIn, caller: Caller = Who, store: Store = At) -> PlanOut:
    """Solve a plan on the current data and save it as the next version of its kind (logistics planner,
    supervisor); earlier drafts become superseded. Audited."""
    return PlanOut.model_validate(plans.create_plan(store, caller, body.kind))


@router.get("/plans", response_model=list[PlanOut])
def list_plans(kind: Kind | None = None, caller: Caller = Who, store: Store = At) -> list[PlanOut]:
    """Every saved version, newest first per kind."""
    return [PlanOut.model_validate(p) for p in plans.list_plans(store, caller, kind)]


@router.get("/plans/{kind}/{version}", response_model=PlanDetailOut)
def read_plan(
    kind: Kind,
    version: Version,
    after: str | None = Query(
        None, max_length=64, pattern=NO_NUL, description="Assignments after this person."
    ),
    limit: int = Query(100, ge=1, le=plans.MAX_PAGE),
    status: str | None = Query(None, max_length=16, pattern=NO_NUL),
    target: str | None = Query(None, max_length=64, pattern=NO_NUL, description="One facility or flight."),
    caller: Caller = Who,
    store: Store = At,
) -> PlanDetailOut:
    """One version: a page of assignments with their explanations, every capacity overlay, locked manifests."""
    page = plans.PlanPage(after, limit, status, target)
    return PlanDetailOut.model_validate(plans.read_plan(store, caller, kind, version, page))


@router.post("/plans/transport/{version}/manifests/{flight_id}/lock", response_model=ManifestOut)
def lock_manifest(
    version: Version, flight_id: FlightId, caller: Caller = Who, store: Store = At
) -> ManifestOut:
    """Lock one flight's manifest after a fresh gate check of everyone on it; anyone now blocked is taken
    off and named with the gate and why (`removed`). 409 if superseded or already locked."""
    return ManifestOut.model_validate(plan_manifests.lock_manifest(store, caller, version, flight_id))


@router.post("/plans/transport/{version}/manifests/{flight_id}/depart", response_model=DepartureOut)
def depart_manifest(
    version: Version, flight_id: FlightId, caller: Caller = Who, store: Store = At
) -> DepartureOut:
    """The check at departure of a locked manifest: everyone still on it is checked again now; the cleared
    depart, anyone blocked since the lock is halted and taken off (`halted`). 409 if the manifest is not
    locked or nobody is left on it."""
    return DepartureOut.model_validate(manifest_checks.depart_manifest(store, caller, version, flight_id))
