"""Voluntary-departure tracking as plain functions: a self-reported departure, matched to a subject, is
`verified` by an exit record near the claimed date, `contradicted` by later evidence of presence in the
country, `self_reported` otherwise, or `unmatched` (a person reviews it). Reports split verified counts
from estimates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# An exit is usually recorded on the day of departure; people report it days to weeks later.
EXIT_BEFORE_CLAIM = timedelta(days=45)
EXIT_AFTER_CLAIM = timedelta(days=14)
EXIT_KINDS = frozenset({"exit", "removal", "departure_verified"})
# Evidence the person is in the country: anything after the departure says they did not leave (or returned).
PRESENCE_KINDS = frozenset({"encounter", "arrest", "address_observation", "detention_booking", "entry"})


class DepartureState(StrEnum):
    VERIFIED = "verified"
    SELF_REPORTED = "self_reported"
    CONTRADICTED = "contradicted"
    UNMATCHED = "unmatched"


@dataclass(frozen=True, slots=True)
class DepartureReport:
    report_ref: str
    departed_on: date
    country: str | None
    channel: str | None = None
    identity: tuple[tuple[str, str], ...] = ()  # (field, value) as reported: name, date of birth, a-number...


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    kind: str
    on: date
    record: str  # source:record_id


@dataclass(frozen=True, slots=True)
class DepartureAssessment:
    report_ref: str
    subject_id: str | None
    departed_on: date
    country: str | None
    state: DepartureState
    exit_record: str | None
    contradicted_by: str | None
    evidence: tuple[str, ...]

    @property
    def closes_interest(self) -> bool:
        """Only a verified departure closes enforcement interest; a self-report is tracked, not closed."""
        return self.state is DepartureState.VERIFIED


def assess_departure(
    report: DepartureReport, subject_id: str | None, events: Sequence[TimelineEvent]
) -> DepartureAssessment:
    """The verification state of one report given the matched subject's timeline (None: no match)."""
    claimed = report.departed_on
    if subject_id is None:
        return DepartureAssessment(
            report.report_ref, None, claimed, report.country, DepartureState.UNMATCHED, None, None, ()
        )
    window = [e for e in events if e.kind in EXIT_KINDS and _near(e.on, claimed)]
    exit_event = min(window, key=lambda e: (abs((e.on - claimed).days), e.record), default=None)
    later = _presence_after(events, claimed)
    if exit_event is not None and _presence_after(events, exit_event.on):
        exit_event = None  # seen in the country after that exit: it did not end the stay
    evidence = [f"self-report {report.report_ref} claims departure on {claimed}"]
    if exit_event is not None:
        evidence.append(f"{exit_event.kind} {exit_event.record} on {exit_event.on}")
    contradicted = later[0].record if later else None
    if later:
        first = later[0]
        evidence.append(
            f"{first.kind} {first.record} on {first.on}: in the country after the claimed departure"
        )
        state = DepartureState.CONTRADICTED
    else:
        state = DepartureState.VERIFIED if exit_event else DepartureState.SELF_REPORTED
    exit_record = exit_event.record if exit_event else None
    return DepartureAssessment(
        report.report_ref,
        subject_id,
        claimed,
        report.country,
        state,
        exit_record,
        contradicted,
        tuple(evidence),
    )


def _presence_after(events: Sequence[TimelineEvent], since: date) -> list[TimelineEvent]:
    later = (e for e in events if e.kind in PRESENCE_KINDS and e.on > since)
    return sorted(later, key=lambda e: (e.on, e.record))


def _near(exit_on: date, claimed: date) -> bool:
    return claimed - EXIT_BEFORE_CLAIM <= exit_on <= claimed + EXIT_AFTER_CLAIM


@dataclass(frozen=True, slots=True)
class DepartureCount:
    month: str  # YYYY-MM of the claimed (or, when verified, the recorded exit) date
    country: str
    state: DepartureState
    count: int


@dataclass(frozen=True, slots=True)
class DepartureReportSummary:
    """Verified departures are counted facts; self-reported ones are an estimate, kept apart."""

    counts: tuple[DepartureCount, ...]
    verified: int
    self_reported_estimate: int
    contradicted: int
    unmatched: int


def summarize_departures(assessments: Iterable[DepartureAssessment]) -> DepartureReportSummary:
    by_key: Counter[tuple[str, str, DepartureState]] = Counter()
    totals: Counter[DepartureState] = Counter()
    for a in assessments:
        by_key[(a.departed_on.strftime("%Y-%m"), (a.country or "unknown").upper(), a.state)] += 1
        totals[a.state] += 1
    counts = tuple(DepartureCount(m, c, s, n) for (m, c, s), n in sorted(by_key.items()))
    return DepartureReportSummary(
        counts,
        totals[DepartureState.VERIFIED],
        totals[DepartureState.SELF_REPORTED],
        totals[DepartureState.CONTRADICTED],
        totals[DepartureState.UNMATCHED],
    )


@dataclass(frozen=True, slots=True)
class MatchingAccuracy:
    """`verified` judged against ground truth: a verified report is right when the true person departed
    with an exit record (truth `departed = verified`)."""

    reports: int
    verified: int
    verified_correct: int
    truly_verified_reports: int

    @property
    def precision(self) -> float:
        return self.verified_correct / self.verified if self.verified else 1.0

    @property
    def recall(self) -> float:
        return self.verified_correct / self.truly_verified_reports if self.truly_verified_reports else 1.0


def score_against_truth(
    assessments: Sequence[DepartureAssessment], truth_departed: dict[str, str]
) -> MatchingAccuracy:
    """`truth_departed` maps report_ref to the true person's departure kind (none/verified/self_reported)."""
    verified = [a for a in assessments if a.state is DepartureState.VERIFIED]
    correct = sum(1 for a in verified if truth_departed.get(a.report_ref) == "verified")
    truly = sum(1 for a in assessments if truth_departed.get(a.report_ref) == "verified")
    return MatchingAccuracy(len(assessments), len(verified), correct, truly)
