"""The /api/v1 routes of legal records: legal authorities that unlock TAX data about one taxpayer (record,
list, revoke) and gate reviews that can lift the citizenship and identity gates (record, list). Each parses
its input, calls one service function and renders the result; errors use the one shape."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ilos.api.deps import request_caller, store_of
from ilos.api.schemas import ERROR_RESPONSES, ErrorOut
from ilos.services import legal_records
from ilos.services.access import Caller
from ilos.services.store_access import Store

router = APIRouter(
    prefix="/api/v1",
    responses={**ERROR_RESPONSES, 409: {"model": ErrorOut, "description": "Conflicts with what is recorded"}},
)
Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
SubjectQuery = Query(None, max_length=64, pattern=r"^[^\x00]*$", description="Only this subject's.")
Text = Annotated[str, Field(max_length=4000, pattern=r"^[^\x00]*$")]
Short = Annotated[str, Field(max_length=256, pattern=r"^[^\x00]*$")]
Who = Depends(request_caller)
At = Depends(store_of)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AuthorityIn(BaseModel):
    subject_id: str = Field(
        "", max_length=64, pattern=r"^[^\x00]*$", description="The taxpayer's subject id."
    )
    taxpayer_name: Short = ""
    tax_periods: list[int] = Field(default_factory=list, max_length=50, description="Tax years covered.")
    statute: Short = ""
    reason: Text = ""
    granted_by: Short = Field("", description="Who granted it (court and order number).")
    granted_on: date | None = None
    expires_on: date | None = None


class AuthorityOut(_Out):
    authority_id: str
    marking: str
    subject_id: str
    taxpayer_name: str
    tax_periods: list[int]
    statute: str
    reason: str
    granted_by: str
    granted_on: date
    expires_on: date
    recorded_by: str
    recorded_at: datetime
    state: str = Field(description="in_force, not_yet_in_force, expired or revoked, today.")
    revoked_by: str | None
    revoked_at: datetime | None
    revocation_reason: str | None


class RevokeIn(BaseModel):
    reason: Text = ""


class ReviewIn(BaseModel):
    subject_id: str = Field(max_length=64, pattern=r"^[^\x00]*$")
    gate: str = Field(max_length=64, description="us_citizenship_signal or identity_needs_verification.")
    decision: str = Field(max_length=16, description="cleared or upheld.")
    finding: str = Field(
        "",
        max_length=32,
        description="cleared: not_this_person, not_citizenship (citizenship), identity_verified (identity); "
        "upheld: citizen (final), unresolved.",
    )
    reason: Text = ""
    evidence: list[Short] = Field(default_factory=list, max_length=50, description="What was checked.")


class ReviewOut(_Out):
    review_id: str
    subject_id: str
    gate: str
    decision: str
    finding: str
    reason: str
    evidence: list[str]
    covers: list[str] = Field(
        description="The gate's evidence the review examined; new evidence needs a new review."
    )
    reviewer: str
    reviewer_role: str
    at: datetime
    policy_version: int
    policy_hash: str


@router.post("/legal-authorities", response_model=AuthorityOut, status_code=201, tags=["legal"])
def record_authority(body: AuthorityIn, caller: Caller = Who, store: Store = At) -> AuthorityOut:
    """Record a complete authority for TAX data (supervisor); 422 names every missing part (a postal code
    or an identifier alone does not name a taxpayer)."""
    request = legal_records.AuthorityRequest(
        body.subject_id, body.taxpayer_name, tuple(body.tax_periods), body.statute, body.reason,
        body.granted_by, body.granted_on, body.expires_on,
    )  # fmt: skip
    return AuthorityOut.model_validate(legal_records.record_authority(store, caller, request))


@router.get("/legal-authorities", response_model=list[AuthorityOut], tags=["legal"])
def list_authorities(
    subject_id: str | None = SubjectQuery, caller: Caller = Who, store: Store = At
) -> list[AuthorityOut]:
    return [AuthorityOut.model_validate(a) for a in legal_records.list_authorities(store, caller, subject_id)]


@router.post("/legal-authorities/{authority_id}/revoke", response_model=AuthorityOut, tags=["legal"])
def revoke_authority(
    body: RevokeIn, authority_id: Id, caller: Caller = Who, store: Store = At
) -> AuthorityOut:
    """Revoke from now (supervisor or oversight); recorded apart, the authority itself is never changed."""
    return AuthorityOut.model_validate(
        legal_records.revoke_authority(store, caller, authority_id, body.reason)
    )


@router.post("/gate-reviews", response_model=ReviewOut, status_code=201, tags=["legal"])
def record_review(body: ReviewIn, caller: Caller = Who, store: Store = At) -> ReviewOut:
    """Record a supervisor's review of a blocking citizenship or identity gate; anyone else is refused
    (403, audited); 409 if the gate does not block the subject now."""
    request = legal_records.ReviewRequest(
        body.subject_id, body.gate, body.decision, body.finding, body.reason, tuple(body.evidence)
    )
    return ReviewOut.model_validate(legal_records.record_review(store, caller, request))


@router.get("/gate-reviews", response_model=list[ReviewOut], tags=["legal"])
def list_reviews(
    subject_id: str | None = SubjectQuery, caller: Caller = Who, store: Store = At
) -> list[ReviewOut]:
    return [ReviewOut.model_validate(r) for r in legal_records.list_reviews(store, caller, subject_id)]
