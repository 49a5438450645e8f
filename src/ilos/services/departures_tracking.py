"""Use cases of departure tracking: assess every self-reported departure of a linkage against exit
records and later presence, measure it against a synthetic world's truth, record the results in the
operational store (verified departures close the subject's open actions, with the evidence), and read
the monthly report and the review queue of unmatched reports. Every store change and read is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from ilos.domain.cases import OPEN_ACTION_STATES, ActionState
from ilos.duckdb_paths import literal_path
from ilos.errors import NotFoundError
from ilos.operations.departures import (
    DepartureAssessment,
    DepartureReport,
    DepartureReportSummary,
    DepartureState,
    MatchingAccuracy,
    TimelineEvent,
    assess_departure,
    score_against_truth,
    summarize_departures,
)
from ilos.services.access import ENFORCEMENT_WORK, Caller, Role
from ilos.services.audit_log import Action, new_id, record, require_role
from ilos.services.operations_alerts import write_alerts
from ilos.services.store_access import Store
from ilos.store.operations_tables import ActionRow, DepartureRow

REPORT_SOURCE = "departure_reports"
REPORT_KIND = "departure_self_reported"
# Recording departures cancels enforcement actions: enforcement work, done for a purpose it serves
# (`ENFORCEMENT_WORK`). A data steward works only for data quality, so is not among the writers.
DEPARTURE_WRITERS = frozenset({Role.analyst, Role.supervisor})
DEPARTURE_READERS = DEPARTURE_WRITERS | {Role.data_steward, Role.logistics_planner, Role.oversight}

_REPORTS_SQL = """
SELECT t.record_id, t.subject_id, t.occurred_on,
       list_filter(t.attributes, lambda a: a.k = 'country')[1].v AS country,
       list_filter(t.attributes, lambda a: a.k = 'channel')[1].v AS channel,
       (SELECT count(*) FROM read_parquet($clusters) c WHERE c.subject_id = t.subject_id) AS records
FROM read_parquet($timeline) t
WHERE t.kind = $kind AND t.occurred_on IS NOT NULL
ORDER BY t.record_id
"""


def assess_linkage(linkage_dir: Path) -> list[DepartureAssessment]:
    """Every self-reported departure of a linkage: the linker's subject is the match; a report linked to
    nothing else (its own one-record subject) is unmatched and goes to the review queue."""
    files = {n: linkage_dir / f"{n}.parquet" for n in ("clusters", "timeline")}
    for path in files.values():
        if not path.is_file():
            raise NotFoundError(
                f"No {path.name} in {linkage_dir}; run `ilos link` and `ilos subjects build` first"
            )
    con = duckdb.connect()
    try:
        params = {
            "clusters": literal_path(files["clusters"]),
            "timeline": literal_path(files["timeline"]),
            "kind": REPORT_KIND,
        }
        reports = con.execute(_REPORTS_SQL, params).fetchall()
        matched = sorted({r[1] for r in reports if r[5] > 1})
        events: dict[str, list[TimelineEvent]] = {s: [] for s in matched}
        if matched:
            rows = con.execute(
                "SELECT subject_id, kind, occurred_on, source || ':' || record_id FROM read_parquet(?) "
                "WHERE subject_id IN (SELECT unnest(?)) AND occurred_on IS NOT NULL",
                [literal_path(files["timeline"]), matched],
            ).fetchall()
            for subject_id, kind, on, ref in rows:
                events[subject_id].append(TimelineEvent(kind, on, ref))
    finally:
        con.close()
    return [
        assess_departure(
            DepartureReport(ref, on, country, channel), subject if n > 1 else None, events.get(subject, ())
        )
        for ref, subject, on, country, channel, n in reports
    ]


@dataclass(frozen=True, slots=True)
class DepartureEvaluation:
    summary: DepartureReportSummary
    accuracy: MatchingAccuracy


def evaluate_against_truth(linkage_dir: Path, truth_dir: Path) -> DepartureEvaluation:
    """Synthetic worlds only: precision and recall of `verified` against each report's true person."""
    assessments = assess_linkage(linkage_dir)
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT r.record_id, p.departed FROM read_parquet(?) r JOIN read_parquet(?) p USING (person_id) "
            "WHERE r.source = ?",
            [
                literal_path(truth_dir / "records.parquet"),
                literal_path(truth_dir / "persons.parquet"),
                REPORT_SOURCE,
            ],
        ).fetchall()
    finally:
        con.close()
    truth = {ref: departed for ref, departed in rows}
    return DepartureEvaluation(summarize_departures(assessments), score_against_truth(assessments, truth))


@dataclass(frozen=True, slots=True)
class RecordedDepartures:
    written: int
    by_state: dict[str, int]
    closed_actions: tuple[str, ...]


def record_departures(
    store: Store, caller: Caller, assessments: Sequence[DepartureAssessment]
) -> RecordedDepartures:
    """Write (or update) each assessment; a verified departure cancels the subject's open actions with the
    exit evidence and alerts their owners. One transaction, audited. Enforcement work: an analyst or a
    supervisor working a case or removal logistics (anyone else is refused, audited)."""
    audit = Action("departure.record", "departure", query={"reports": len(assessments)})
    require_role(store, caller, DEPARTURE_WRITERS, audit, ENFORCEMENT_WORK)
    now = datetime.now(UTC)
    closed: list[str] = []
    with store.transaction() as session:
        for a in assessments:
            row = session.scalars(select(DepartureRow).where(DepartureRow.report_ref == a.report_ref)).first()
            if row is None:
                row = DepartureRow(
                    id=new_id(), report_ref=a.report_ref, recorded_by=caller.actor, recorded_at=now
                )
                session.add(row)
            row.subject_id, row.departed_on, row.country, row.state = (
                a.subject_id,
                a.departed_on,
                a.country,
                a.state.value,
            )
            row.match_score, row.exit_record, row.contradicted_by = None, a.exit_record, a.contradicted_by
            row.evidence, row.identity, row.updated_at = list(a.evidence), {}, now
            if a.closes_interest and a.subject_id is not None:
                closed += _close_interest(session, a, now)
        by_state = {s.value: sum(1 for a in assessments if a.state is s) for s in DepartureState}
        detail = f"{by_state}; closed actions: {', '.join(closed) or 'none'}"
        record(
            session,
            caller,
            Action(audit.name, "departure", tuple(closed), audit.query, len(assessments), detail=detail),
        )
    return RecordedDepartures(len(assessments), by_state, tuple(closed))


def _close_interest(session: Session, a: DepartureAssessment, now: datetime) -> list[str]:
    rows = session.scalars(
        select(ActionRow).where(
            ActionRow.subject_id == a.subject_id, ActionRow.state.in_([s.value for s in OPEN_ACTION_STATES])
        )
    ).all()
    for row in rows:
        row.state, row.updated_at = ActionState.CANCELLED.value, now
        message = f"Action {row.id} on {a.subject_id} closed: verified departure ({'; '.join(a.evidence)})"
        write_alerts(
            session, {row.planned_by}, "departure_verified", ("action", row.id), a.subject_id, message, now
        )
    return [r.id for r in rows]


@dataclass(frozen=True, slots=True)
class DepartureView:
    report_ref: str
    subject_id: str | None
    departed_on: str
    country: str | None
    state: str
    exit_record: str | None
    contradicted_by: str | None
    evidence: tuple[str, ...]


def departures_report(store: Store, caller: Caller) -> DepartureReportSummary:
    """Recorded departures by month, country and state; verified counts apart from self-reported estimates."""
    require_role(store, caller, DEPARTURE_READERS, Action("departure.report", "departure"))
    with store.transaction() as session:
        rows = session.scalars(select(DepartureRow)).all()
        summary = summarize_departures(_assessment(r) for r in rows)
        record(session, caller, Action("departure.report", "departure", result_count=len(rows)))
    return summary


def review_queue(store: Store, caller: Caller, limit: int = 100) -> list[DepartureView]:
    """Unmatched reports, oldest claimed departure first: a person links each to a subject or rejects it."""
    require_role(store, caller, DEPARTURE_READERS, Action("departure.review_queue", "departure"))
    with store.transaction() as session:
        rows = session.scalars(
            select(DepartureRow)
            .where(DepartureRow.state == DepartureState.UNMATCHED.value)
            .order_by(DepartureRow.departed_on, DepartureRow.report_ref)
            .limit(limit)
        ).all()
        views = [
            DepartureView(
                r.report_ref,
                r.subject_id,
                r.departed_on.isoformat(),
                r.country,
                r.state,
                r.exit_record,
                r.contradicted_by,
                tuple(r.evidence),
            )
            for r in rows
        ]
        ids = tuple(v.report_ref for v in views)
        record(session, caller, Action("departure.review_queue", "departure", ids, result_count=len(views)))
    return views


def _assessment(r: DepartureRow) -> DepartureAssessment:
    return DepartureAssessment(
        r.report_ref, r.subject_id, r.departed_on, r.country, DepartureState(r.state),
        r.exit_record, r.contradicted_by, tuple(r.evidence),
    )  # fmt: skip
