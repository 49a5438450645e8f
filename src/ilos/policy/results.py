"""What policy evaluation returns: gate results, reviews, priority factors, statuses and decisions. Each
carries the policy version and hash that produced it, so it can be cited and re-checked later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

Evidence = tuple[str, ...]  # references to events or observations, e.g. "stay 2026-01-02 court_cases:C1"


class GateId(StrEnum):
    FINAL_ORDER = "no_final_order"
    STAY = "stay_in_effect"
    APPEAL = "appeal_pending_or_open"
    UNRECOGNISED_RECORD = "unrecognised_record"
    CASE_RECORD_ELSEWHERE = "case_record_elsewhere"
    COUNTRY_PROTECTION = "country_protection"
    PROTECTED_STATUS = "protected_status"
    CITIZENSHIP = "us_citizenship_signal"
    COOPERATION = "witness_or_victim"
    IDENTITY = "identity_needs_verification"
    DEPARTED = "departed"


# Only these gates can be cleared by a recorded human review; a stay, an appeal or a status never can.
REVIEWABLE_GATES: frozenset[GateId] = frozenset({GateId.CITIZENSHIP, GateId.IDENTITY})
# Gates whose block means "a person must verify first" rather than "the law forbids".
VERIFICATION_GATES: frozenset[GateId] = frozenset({GateId.IDENTITY})


class ReviewFinding(StrEnum):
    """What a reviewer found. Clearing citizenship evidence as someone else's (a bad match) or as not
    establishing citizenship is a finding about the evidence; finding the person a citizen is final."""

    NOT_THIS_PERSON = "not_this_person"  # cleared: the evidence belongs to another person (a bad link)
    NOT_CITIZENSHIP = "not_citizenship"  # cleared: examined, it does not establish US citizenship
    IDENTITY_VERIFIED = "identity_verified"  # cleared: a person verified the identity and its links
    CITIZEN = "citizen"  # upheld: the person is a US citizen; no later review clears the gate
    UNRESOLVED = "unresolved"  # upheld: not settled; the gate keeps blocking


CLEARING_FINDINGS: dict[GateId, frozenset[ReviewFinding]] = {
    GateId.CITIZENSHIP: frozenset({ReviewFinding.NOT_THIS_PERSON, ReviewFinding.NOT_CITIZENSHIP}),
    GateId.IDENTITY: frozenset({ReviewFinding.IDENTITY_VERIFIED}),
}
UPHOLDING_FINDINGS: dict[GateId, frozenset[ReviewFinding]] = {
    GateId.CITIZENSHIP: frozenset({ReviewFinding.CITIZEN, ReviewFinding.UNRESOLVED}),
    GateId.IDENTITY: frozenset({ReviewFinding.UNRESOLVED}),
}


class Status(StrEnum):
    ACTIONABLE = "actionable"
    BLOCKED = "blocked"
    NEEDS_VERIFICATION = "needs_verification"


@dataclass(frozen=True, slots=True)
class GateReview:
    """A recorded human review of one gate on one subject (e.g. a supervisor's citizenship review)."""

    gate: GateId
    subject_id: str
    reviewer: str
    reviewer_role: str
    at: datetime
    outcome: str  # "cleared" lifts a reviewable gate; anything else upholds it
    evidence: Evidence = ()  # what the reviewer checked (documents, calls)
    note: str = ""
    finding: str = ""  # a ReviewFinding; a citizenship review clears only with a clearing finding
    covers: Evidence = ()  # the gate's evidence the reviewer examined; empty: nothing, so it clears nothing
    review_id: str = ""

    @property
    def clears(self) -> bool:
        return self.outcome == "cleared"


@dataclass(frozen=True, slots=True)
class CandidateMatch:
    """An uncertain pair the linker left for a person: this subject's record may be the same person as
    another subject's. Until judged, the other subject may hold this person's protections."""

    other_subject: str
    record: str
    other_record: str
    probability: float

    def __str__(self) -> str:
        return (
            f"candidate {self.record} ~ {self.other_record} ({self.other_subject}, p={self.probability:.2f})"
        )


@dataclass(frozen=True, slots=True)
class DisputedPair:
    """Two records of this subject a reviewer judged different people ("no_match"). The change worker cannot
    split a subject, and batch honours the judgement only at its next run: until `ilos link` splits the
    subject, it may mix two people's facts, and no review can vouch for it."""

    record: str
    other_record: str
    judged_by: str
    judged_at: datetime

    @property
    def records(self) -> tuple[str, str]:
        return (self.record, self.other_record)

    def __str__(self) -> str:
        return (
            f"judged different people: {self.record} / {self.other_record} "
            f"(by {self.judged_by} on {self.judged_at:%Y-%m-%d})"
        )


@dataclass(frozen=True, slots=True)
class CaseRecordElsewhere:
    """A court record of one of the subject's own cases that another subject holds and that may bar action (a
    stay, a pending appeal, relief, a record ILOS cannot read): the two subjects may be one person, the
    record linked to neither by what it carries."""

    case: str  # the case number, as `legal_court.case_of` writes it
    subject_id: str  # the subject holding the record
    event: str  # its event, e.g. "stay 2026-10-01 court_cases:R9"
    record: str  # "court_cases:R9"

    def __str__(self) -> str:
        return f"{self.event} in case {self.case}, held by subject {self.subject_id}"


@dataclass(frozen=True, slots=True)
class PendingMerge:
    """Another stored subject found to be this same person before a batch run merged them (the change worker
    merged them, by a record that bridged them or a "match" judgement; or a reviewer judged two of their
    records "match" since the batch files were written): until one does, each subject's facts, gates and
    attached work see only its own records (a court stay may sit in the other)."""

    other_subject: str
    records: tuple[str, ...]  # what made the worker merge them: its linked record, or the judged pair
    found_at: str  # when the worker journaled the merge, or the reviewer judged the pair (ISO timestamp)
    found_by: str = "the change worker"  # or the reviewer whose "match" no batch run has applied
    refused: bool = False  # a batch run took the reviewer's "match" in and refused it (a linking constraint)

    def __str__(self) -> str:
        return (
            f"merge with {self.other_subject} found by {self.found_by} "
            f"({', '.join(self.records)}, {self.found_at[:10]})"
        )


@dataclass(frozen=True, slots=True)
class GateResult:
    gate: GateId
    blocks: bool
    reason: str
    evidence: Evidence
    policy_version: int
    policy_hash: str
    note: str = ""
    review: GateReview | None = None
    records: tuple[str, ...] | None = None
    """The records ("source:record_id", as in `Decision.withheld_records`) whose values the reason, evidence
    or note show, so what is shown for a purpose can withhold the gate (`decide.as_shown`). Every gate
    fills it, with () when it shows nothing of any record; None is a gate recorded before gates carried
    their records, taken to rest on every withheld record."""


@dataclass(frozen=True, slots=True)
class PriorityFactor:
    factor_id: str
    weight: int
    category: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class PriorityResult:
    rule_set_id: str
    rule_set_hash: str
    score: int
    band: str
    factors: tuple[PriorityFactor, ...]

    def explain(self) -> str:
        parts = [f"{f.factor_id} {f.weight:+d}" for f in self.factors]
        return f"{self.band} ({self.score}): " + (", ".join(parts) if parts else "no factors")


@dataclass(frozen=True, slots=True)
class LocationView:
    """The last known location the purpose may use, and whether a newer one was withheld."""

    value: str | None
    source: str | None
    record_id: str | None
    observed_on: date | None
    confidence: float | None
    usable: bool
    withheld: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """One evaluation of one subject: status, gates and priority, with everything needed to re-check it."""

    subject_id: str
    status: Status
    gates: tuple[GateResult, ...]
    priority: PriorityResult
    location: LocationView
    policy_id: str
    policy_version: int
    policy_hash: str
    as_of: date
    decided_at: datetime
    purpose: str
    role: str
    inputs: tuple[str, ...]  # the source records behind the subject, and any reviews and destination
    explanation: str
    withheld_records: tuple[str, ...] = ()
    """The subject's records ("source:record_id") the purpose may use nothing of: gates rested on them too,
    but what is shown for the purpose names them by source only (`decide.as_shown`)."""

    @property
    def blocking(self) -> tuple[GateResult, ...]:
        return tuple(g for g in self.gates if g.blocks)
