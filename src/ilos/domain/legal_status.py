"""Status facts from benefit, court-relief, border and citizenship events: protected statuses, pending
applications, administrative stays and every record suggesting US citizenship."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ilos.domain.events import Event, EventKind
from ilos.domain.legal import CitizenshipIndication, PendingApplication, ProtectedStatus, Stay, StayKind

# An approved benefit of this kind confers this status.
STATUS_OF_BENEFIT = {
    "ASYLUM": "asylee",
    "TPS": "tps",
    "DACA": "daca",
    "U_VISA": "u_visa",
    "T_VISA": "t_visa",
    "ADJUSTMENT": "lpr",
}
# Relief an immigration judge grants, and the status it confers (cancellation of removal for a
# non-permanent resident ends in permanent residence).
STATUS_OF_COURT_RELIEF = {"ASYLUM": "asylee", "ADJUSTMENT": "lpr", "CANCELLATION": "lpr"}
STAY_BENEFITS = frozenset({"STAY"})
CITIZENSHIP_BENEFITS = frozenset({"NATURALIZATION"})
APPROVED = frozenset({"APPROVED", "GRANTED"})
USC_CLAIM_DISPOSITIONS = frozenset({"RELEASED_USC_CLAIM", "USC_CLAIM"})


@dataclass(frozen=True, slots=True)
class StatusFacts:
    statuses: tuple[ProtectedStatus, ...] = ()
    pending: tuple[PendingApplication, ...] = ()
    administrative_stays: tuple[Stay, ...] = ()
    citizenship: tuple[CitizenshipIndication, ...] = ()


def derive_status_facts(events: Sequence[Event]) -> StatusFacts:
    """`events` are those known on the as-of date, in timeline order."""
    statuses: list[ProtectedStatus] = []
    pending: list[PendingApplication] = []
    stays: list[Stay] = []
    citizenship = list(_citizenship_records(events))
    for application, decision in _applications(events).values():
        described = decision or application
        benefit = described.code("benefit") if described else ""
        if decision is None:
            if application is not None:
                pending.append(_pending(application, benefit))
            continue
        if decision.code("decision") not in APPROVED:
            continue
        evidence = tuple(e.ref for e in (application, decision) if e is not None)
        if benefit in STATUS_OF_BENEFIT:
            statuses.append(ProtectedStatus(STATUS_OF_BENEFIT[benefit], decision.on, evidence))
        elif benefit in STAY_BENEFITS:
            stays.append(Stay(StayKind.ADMINISTRATIVE, decision.on, decision.get_date("until"), evidence))
        elif benefit in CITIZENSHIP_BENEFITS:
            citizenship.append(CitizenshipIndication("naturalization_approved", decision.on, evidence))
    statuses += _court_relief(events) + _lpr_entries(events)
    return StatusFacts(_merge_statuses(statuses), tuple(pending), tuple(stays), tuple(citizenship))


def _applications(events: Sequence[Event]) -> dict[str, tuple[Event | None, Event | None]]:
    """Application and latest decision per receipt number (the record itself when there is none)."""
    found: dict[str, tuple[Event | None, Event | None]] = {}
    for e in events:
        if e.kind not in (EventKind.BENEFIT_APPLICATION, EventKind.BENEFIT_DECISION):
            continue
        key = e.get("receipt") or f"{e.source}:{e.record_id}"
        application, decision = found.get(key, (None, None))
        if e.kind == EventKind.BENEFIT_APPLICATION:
            found[key] = (application or e, decision)
        else:
            found[key] = (application, e)
    return found


def _pending(application: Event, benefit: str) -> PendingApplication:
    return PendingApplication(
        benefit=benefit or "UNKNOWN",
        form=application.get("form"),
        filed_on=application.on,
        receipt=application.get("receipt"),
        evidence=(application.ref,),
    )


def _court_relief(events: Sequence[Event]) -> list[ProtectedStatus]:
    out = []
    for e in events:
        if e.code("outcome") == "RELIEF_GRANTED":
            status = STATUS_OF_COURT_RELIEF.get(e.code("relief"))
            if status:
                out.append(ProtectedStatus(status, e.on, (e.ref,)))
    return out


def _lpr_entries(events: Sequence[Event]) -> list[ProtectedStatus]:
    """Admission as a permanent resident at a port of entry is evidence of LPR status."""
    return [
        ProtectedStatus("lpr", e.on, (e.ref,))
        for e in events
        if e.kind == EventKind.ENTRY and e.code("class") == "LPR"
    ]


def _citizenship_records(events: Sequence[Event]) -> list[CitizenshipIndication]:
    out = []
    for e in events:
        if e.kind == EventKind.CITIZENSHIP_EVIDENCE:
            out.append(CitizenshipIndication(e.get("type") or "citizenship_evidence", e.on, (e.ref,)))
        elif e.kind == EventKind.ENTRY and e.code("class") == "USC":
            out.append(CitizenshipIndication("us_citizen_admission", e.on, (e.ref,)))
        elif e.kind == EventKind.ENCOUNTER and e.code("disposition") in USC_CLAIM_DISPOSITIONS:
            out.append(CitizenshipIndication("citizenship_claim", e.on, (e.ref,)))
    return out


def _merge_statuses(statuses: list[ProtectedStatus]) -> tuple[ProtectedStatus, ...]:
    """One fact per status kind, from its earliest evidence, keeping every supporting event."""
    merged: dict[str, ProtectedStatus] = {}
    for s in statuses:
        held = merged.get(s.kind)
        if held is None:
            merged[s.kind] = s
        else:
            merged[s.kind] = ProtectedStatus(s.kind, min(held.since, s.since), held.evidence + s.evidence)
    return tuple(sorted(merged.values(), key=lambda s: (s.since, s.kind)))
