"""The /api/v1 routes of the resolved record: a subject's timeline, provenance, why its records were linked
and its decision; the worklist of decisions; the match review queue and its judgements.

Each calls the same service as the web page (`subject_view.subject_page`, `worklist_view.worklist_page`,
`match_review`), so the JSON shows exactly what the page shows for the caller's role and purpose: the read is
authorised and audited there, and whatever a marking withholds is absent with the reason."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ilos.api.deps import request_caller, store_of
from ilos.api.schemas import ERROR_RESPONSES, WithheldOut
from ilos.services import match_review, subject_view, worklist_publish, worklist_view
from ilos.services.access import Caller
from ilos.services.store_access import Store

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
Who = Depends(request_caller)
At = Depends(store_of)
SubjectId = Annotated[str, Path(max_length=64, pattern=r"^[^\x00]*$")]
RecordKey = Annotated[str, Field(max_length=300, pattern=r"^[^\x00|]+\|[^\x00]+$")]
Authorities = Annotated[
    list[Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]] | None,
    Query(
        max_length=20,
        description="Recorded legal authorities cited for TAX data about this subject (supervisor-recorded, "
        "in force today); without one, TAX-marked values are withheld with the reason.",
    ),
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _SubjectPart(_Out):
    subject_id: str
    as_of: date = Field(description="The day the linkage's data runs to.")
    role: str
    purpose: str
    policy_label: str
    withheld: list[WithheldOut] = Field(description="What the purpose may not use, each with the reason.")


class SourceOut(_Out):
    record: str = Field(description="source:record_id")
    observed_on: date | None
    confidence: float
    markings: list[str]


class IdentityValueOut(_Out):
    value: str | None = Field(description="null when withheld (see `withheld`).")
    withheld: str
    is_best: bool
    sources: list[SourceOut]


class IdentityRowOut(_Out):
    attribute: str
    conflict: bool
    values: list[IdentityValueOut]


class ProvenanceOut(_SubjectPart):
    records: list[str]
    conflicts: list[str]
    identity: list[IdentityRowOut] = Field(description="Every value with the records it came from.")


class TimelineEventOut(_Out):
    on: date
    kind: str
    record: str
    details: dict[str, str]
    markings: list[str]
    withheld: str


class TimelineOut(_SubjectPart):
    events: list[TimelineEventOut]


class ComparisonOut(_Out):
    name: str
    level: str
    weight: float = Field(description="Match weight (log2 Bayes factor) of this comparison's level.")


class LinkOut(_Out):
    left: str
    right: str
    probability: float
    weight: float
    decision: str
    comparisons: list[ComparisonOut]


class RecordLinkOut(_Out):
    record: str
    link: LinkOut | None = Field(description="This record's strongest link to another of the subject.")


class WhyLinkedOut(_SubjectPart):
    records: list[RecordLinkOut]


class GateOut(_Out):
    gate: str
    blocks: bool
    reason: str
    evidence: list[str]
    note: str


class FactorOut(_Out):
    factor_id: str
    weight: int
    category: str
    evidence: list[str]


class PriorityOut(_Out):
    rule_set_id: str
    rule_set_hash: str
    score: int
    band: str
    factors: list[FactorOut]


class LocationOut(_Out):
    value: str | None
    source: str | None
    record_id: str | None
    observed_on: date | None
    usable: bool
    withheld: str


class PublishedDecisionOut(_Out):
    status: str
    explanation: str
    policy_hash: str
    decided_at: datetime
    published_at: datetime
    published_by: str


class DecisionOut(_Out):
    subject_id: str
    status: str
    gates: list[GateOut]
    priority: PriorityOut
    location: LocationOut
    policy_id: str
    policy_version: int
    policy_hash: str
    as_of: date
    decided_at: datetime
    purpose: str
    role: str
    inputs: list[str]
    explanation: str
    published: PublishedDecisionOut | None = Field(
        None,
        description="The decision of the worklist published for this role and purpose (`ilos worklist "
        "publish`), if there is one: what the batch decided then, beside this decision made now; its "
        "explanation as the purpose may see it, as the worklist shows it.",
    )


class WorklistItemOut(_Out):
    subject_id: str
    display_name: str
    status: str
    priority: str
    score: int
    gates: list[str]
    gate_reasons: str
    location: str | None
    location_state: str
    location_source: str | None
    location_date: date | None
    location_withheld: str


class WorklistOut(_Out):
    items: list[WorklistItemOut]
    matching: int
    total: int
    page: int
    pages: int
    by_status: dict[str, int]
    role: str
    purpose: str
    policy_label: str
    as_of: date
    decided_by: str


class RecordSideOut(_Out):
    key: str = Field(description="source|record_id")
    source: str
    record_id: str
    markings: list[str]
    values: dict[str, str] = Field(description="Standardized values; empty when withheld.")
    withheld: str


class ReviewPairOut(_Out):
    left: RecordSideOut
    right: RecordSideOut
    probability: float
    weight: float
    comparisons: list[ComparisonOut]


class JudgementOut(_Out):
    left: str
    right: str
    verdict: str
    judged_by: str
    judged_at: datetime


class WithheldSourceOut(_Out):
    source: str
    reason: str


class ReviewQueueOut(_Out):
    pair: ReviewPairOut | None = Field(description="The most uncertain pair not yet judged.")
    waiting: int
    recent: list[JudgementOut]
    withheld: int = Field(description="Pairs waiting that hold a record of a source the purpose may not use.")
    withheld_sources: list[WithheldSourceOut]


class JudgementIn(BaseModel):
    left: RecordKey
    right: RecordKey
    verdict: Literal["match", "no_match", "unsure"]


def _part(page: subject_view.SubjectPage) -> dict[str, object]:
    return {
        "subject_id": page.subject_id, "as_of": page.as_of, "role": page.role, "purpose": page.purpose,
        "policy_label": page.policy_label, "withheld": page.withheld,
    }  # fmt: skip


@router.get("/subjects/{subject_id}/provenance", response_model=ProvenanceOut, tags=["subjects"])
def subject_provenance(
    subject_id: SubjectId, authority: Authorities = None, caller: Caller = Who, store: Store = At
) -> ProvenanceOut:
    """Each identity value with the records (and their dates, confidence, markings) it came from."""
    page = subject_view.subject_page(store, caller, subject_id, authority or ())
    return ProvenanceOut.model_validate(
        {**_part(page), "records": page.records, "conflicts": page.conflicts, "identity": page.identity}
    )


@router.get("/subjects/{subject_id}/timeline", response_model=TimelineOut, tags=["subjects"])
def subject_timeline(
    subject_id: SubjectId, authority: Authorities = None, caller: Caller = Who, store: Store = At
) -> TimelineOut:
    """The subject's events in date order, as the purpose allows."""
    page = subject_view.subject_page(store, caller, subject_id, authority or ())
    events = [
        {"on": e.on, "kind": e.kind, "record": e.record, "details": dict(e.details), "markings": e.markings,
         "withheld": e.withheld}
        for e in page.timeline
    ]  # fmt: skip
    return TimelineOut.model_validate({**_part(page), "events": events})


@router.get("/subjects/{subject_id}/why-linked", response_model=WhyLinkedOut, tags=["subjects"])
def subject_why_linked(
    subject_id: SubjectId, authority: Authorities = None, caller: Caller = Who, store: Store = At
) -> WhyLinkedOut:
    """For each record, its strongest scored link to another record of the subject: probability, and each
    comparison's level and match weight."""
    page = subject_view.subject_page(store, caller, subject_id, authority or ())
    return WhyLinkedOut.model_validate({**_part(page), "records": page.links})


@router.get("/subjects/{subject_id}/decision", response_model=DecisionOut, tags=["subjects"])
def subject_decision(
    subject_id: SubjectId, authority: Authorities = None, caller: Caller = Who, store: Store = At
) -> DecisionOut:
    """The policy's decision on the subject now: status, every gate with its reason and evidence, the
    explained priority, the policy version and hash it was made under."""
    page = subject_view.subject_page(store, caller, subject_id, authority or ())
    published = worklist_publish.published_decision(store, caller, subject_id, page.decision.withheld_records)
    shown = PublishedDecisionOut.model_validate(published) if published is not None else None
    return DecisionOut.model_validate(page.decision).model_copy(update={"published": shown})


@router.get("/worklist", response_model=WorklistOut, tags=["worklists"])
def read_worklist(
    status: str = Query("", max_length=64, pattern=r"^[a-z_]*$"),
    priority: str = Query("", max_length=64, pattern=r"^[A-Za-z0-9_ -]*$"),
    gate: str = Query("", max_length=64, pattern=r"^[a-z_]*$"),
    state: str = Query("", max_length=16, pattern=r"^[A-Za-z]*$", description="USPS code, withheld, none"),
    page: int = Query(1, ge=1, le=1_000_000),
    caller: Caller = Who,
    store: Store = At,
) -> WorklistOut:
    """A page of decided subjects for the caller's role and purpose (analyst, supervisor, logistics
    planner); 422 names every unknown filter value with the values that exist."""
    chosen = worklist_view.WorklistFilter(status, priority, gate, state, page)
    return WorklistOut.model_validate(worklist_view.worklist_page(store, caller, chosen))


@router.get("/review-queue", response_model=ReviewQueueOut, tags=["review"])
def read_review_queue(caller: Caller = Who, store: Store = At) -> ReviewQueueOut:
    """The most uncertain unjudged pair (values as the purpose's markings allow, each comparison's match
    weight), how many wait, the latest judgements (data steward, supervisor)."""
    queue = match_review.review_page(store, caller)
    pair = queue.pair
    shown = None
    if pair is not None:
        sides = [{**_side(s)} for s in (pair.left, pair.right)]
        shown = {"left": sides[0], "right": sides[1], "probability": pair.probability,
                 "weight": pair.weight, "comparisons": pair.comparisons}  # fmt: skip
    withheld = [{"source": source, "reason": why} for source, why in queue.withheld_sources]
    return ReviewQueueOut.model_validate(
        {"pair": shown, "waiting": queue.waiting, "recent": queue.recent, "withheld": queue.withheld,
         "withheld_sources": withheld}
    )  # fmt: skip


@router.post("/review-judgements", response_model=JudgementOut, status_code=201, tags=["review"])
def judge_pair(body: JudgementIn, caller: Caller = Who, store: Store = At) -> JudgementOut:
    """Record the caller's verdict on a pair, for later runs to honour (docs/linking.md says which runs)."""
    return JudgementOut.model_validate(match_review.judge(store, caller, body.left, body.right, body.verdict))


def _side(side: match_review.RecordSide) -> dict[str, object]:
    return {"key": side.key, "source": side.source, "record_id": side.record_id, "markings": side.markings,
            "values": dict(side.values), "withheld": side.withheld}  # fmt: skip
