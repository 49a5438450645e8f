"""Status facts from benefit, court-relief, border and citizenship events: protected statuses, pending
applications, administrative stays and every record suggesting US citizenship.

Benefit codes are read through `legal_codes`, failing safe: an application is closed only by a decision code
known to be adverse, a grant is lost only to a later revocation, and an application or decision ILOS cannot
read (a kind it cannot name, a decision code it does not know) holds the person as pending, with a note."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ilos.domain.events import Event, EventKind
from ilos.domain.legal import CitizenshipIndication, PendingApplication, ProtectedStatus, Stay, StayKind
from ilos.domain.legal_codes import (
    UNNAMED_BENEFIT,
    Decision,
    admission_status,
    benefit_name,
    decision_of,
    fold,
    is_citizen_admission,
    is_citizenship_claim,
    is_named,
    is_revocation,
    may_protect,
)

# An approved benefit of this kind confers this status.
STATUS_OF_BENEFIT = {
    "ASYLUM": "asylee",
    "TPS": "tps",
    "DACA": "daca",
    "U_VISA": "u_visa",
    "T_VISA": "t_visa",
    "ADJUSTMENT": "lpr",
    "CANCELLATION": "lpr",  # cancellation of removal for a non-permanent resident ends in permanent residence
    "PAROLE": "parolee",
    "REFUGEE": "refugee",
}
# Relief an immigration judge grants, and the status it confers.
STATUS_OF_COURT_RELIEF = {"ASYLUM": "asylee", "ADJUSTMENT": "lpr", "CANCELLATION": "lpr"}
STAY_BENEFITS = frozenset({"STAY"})
CITIZENSHIP_BENEFITS = frozenset({"NATURALIZATION"})


@dataclass(frozen=True, slots=True)
class StatusFacts:
    statuses: tuple[ProtectedStatus, ...] = ()
    pending: tuple[PendingApplication, ...] = ()
    administrative_stays: tuple[Stay, ...] = ()
    citizenship: tuple[CitizenshipIndication, ...] = ()


@dataclass(frozen=True, slots=True)
class _Filing:
    """One application: a benefit kind on one receipt, its application records and its decisions."""

    kind: str
    known: bool
    applications: tuple[Event, ...]
    decisions: tuple[Event, ...]


def derive_status_facts(events: Sequence[Event]) -> StatusFacts:
    """`events` are those known on the as-of date, in timeline order."""
    statuses: list[ProtectedStatus] = []
    pending: list[PendingApplication] = []
    stays: list[Stay] = []
    citizenship = list(_citizenship_records(events))
    for filing in _filings(events):
        grant, conflicts = _standing_grant(filing.decisions)
        if grant is None:
            pending += _still_pending(filing)
            continue
        evidence = tuple(e.ref for e in (*filing.applications, grant, *conflicts))
        notes = tuple(_conflict_note(grant, d) for d in conflicts)
        if filing.kind in STATUS_OF_BENEFIT:
            statuses.append(ProtectedStatus(STATUS_OF_BENEFIT[filing.kind], grant.on, evidence, notes))
        elif filing.kind in STAY_BENEFITS:
            stays.append(Stay(StayKind.ADMINISTRATIVE, grant.on, grant.get_date("until"), evidence))
        elif filing.kind in CITIZENSHIP_BENEFITS:
            citizenship.append(CitizenshipIndication("naturalization_approved", grant.on, evidence))
        elif not filing.known:
            unread = f"granted on {grant.on} ({grant.source}:{grant.record_id}), {_unknown_kind(filing.kind)}"
            pending.append(_pending(filing, unread))
    statuses += _court_relief(events) + _admissions(events)
    return StatusFacts(_merge_statuses(statuses), tuple(pending), tuple(stays), tuple(citizenship))


def _filings(events: Sequence[Event]) -> list[_Filing]:
    """Benefit records grouped into applications: by receipt number (the record itself when there is none) and
    benefit kind, so a decision on another benefit under the same receipt decides nothing of this one. A record
    naming no benefit takes the kind of the others on its receipt when they name one kind only."""
    by_receipt: dict[str, list[Event]] = {}
    for e in events:
        if e.kind in (EventKind.BENEFIT_APPLICATION, EventKind.BENEFIT_DECISION):
            by_receipt.setdefault(e.get("receipt") or f"{e.source}:{e.record_id}", []).append(e)
    filings = []
    for records in by_receipt.values():
        named = {benefit_name(e.get("benefit"), e.get("form")) for e in records if _names(e)}
        fallback = next(iter(named)) if len(named) == 1 else (UNNAMED_BENEFIT, False)
        grouped: dict[tuple[str, bool], list[Event]] = {}
        for e in records:
            named_as = benefit_name(e.get("benefit"), e.get("form")) if _names(e) else fallback
            grouped.setdefault(named_as, []).append(e)
        for (kind, known), group in grouped.items():
            applications = tuple(e for e in group if e.kind == EventKind.BENEFIT_APPLICATION)
            decisions = tuple(e for e in group if e.kind == EventKind.BENEFIT_DECISION)
            filings.append(_Filing(kind, known, applications, decisions))
    return filings


def _names(e: Event) -> bool:
    return is_named(e.get("benefit"), e.get("form"))


# On the same day, what protects is taken to come last: a grant, then a code ILOS does not know, then no
# decision, then an adverse one.
_SAME_DAY_ORDER = {Decision.ADVERSE: 0, Decision.UNDECIDED: 1, Decision.UNKNOWN: 2, Decision.GRANT: 3}


def _in_order(decisions: Sequence[Event]) -> list[Event]:
    return sorted(decisions, key=lambda d: (d.on, _SAME_DAY_ORDER[decision_of(d.get("decision"))]))


def _standing_grant(decisions: Sequence[Event]) -> tuple[Event | None, tuple[Event, ...]]:
    """The latest grant, unless a revocation (TERMINATED, REVOKED, RESCINDED) dated after it ended it; and the
    adverse decisions from its day on that conflict with it (a DENIED or WITHDRAWN after an approval is a
    record to resolve, not the end of a status)."""
    ordered = _in_order(decisions)
    grants = [d for d in ordered if decision_of(d.get("decision")) == Decision.GRANT]
    if not grants:
        return None, ()
    grant = grants[-1]
    after = [d for d in ordered if d.on >= grant.on and decision_of(d.get("decision")) == Decision.ADVERSE]
    if any(d.on > grant.on and is_revocation(d.get("decision")) for d in after):
        return None, ()
    return grant, tuple(after)


def _still_pending(filing: _Filing) -> list[PendingApplication]:
    """An application no grant stands on: pending unless its latest decision is a known adverse one. A code
    ILOS does not know leaves it pending with a note, as does a kind ILOS cannot name (either may protect)."""
    ordered = _in_order(filing.decisions)
    latest = ordered[-1] if ordered else None
    outcome = decision_of(latest.get("decision")) if latest else Decision.UNDECIDED
    if outcome == Decision.ADVERSE:
        return []
    unread = None
    if may_protect(filing.kind, filing.known):
        if outcome == Decision.UNKNOWN and latest is not None:
            unread = (
                f"decision code {fold(latest.get('decision'))!r} on {latest.source}:{latest.record_id} is not "
                "one ILOS knows; check the record"
            )
        elif not filing.known:
            unread = _unknown_kind(filing.kind)
    return [_pending(filing, unread)]


def _unknown_kind(kind: str) -> str:
    named = "names no benefit" if kind == UNNAMED_BENEFIT else f"benefit kind {kind!r} is not one ILOS knows"
    return f"{named}: it may protect; check the record"


def _pending(filing: _Filing, unread: str | None) -> PendingApplication:
    records = filing.applications or filing.decisions
    first = records[0]
    form = next((f for e in records if (f := e.get("form"))), None)
    return PendingApplication(
        benefit=filing.kind,
        form=form,
        filed_on=first.on,
        receipt=first.get("receipt"),
        evidence=tuple(e.ref for e in (*filing.applications, *filing.decisions)),
        unread=unread,
    )


def _conflict_note(grant: Event, adverse: Event) -> str:
    return (
        f"{fold(adverse.get('decision'))} on {adverse.on} ({adverse.source}:{adverse.record_id}) conflicts with "
        f"the grant of {grant.on} ({grant.source}:{grant.record_id}); kept until a person resolves it"
    )


def _court_relief(events: Sequence[Event]) -> list[ProtectedStatus]:
    out = []
    for e in events:
        if e.code("outcome") == "RELIEF_GRANTED":
            relief, _ = benefit_name(e.get("relief"), None)
            status = STATUS_OF_COURT_RELIEF.get(relief)
            if status:
                out.append(ProtectedStatus(status, e.on, (e.ref,)))
    return out


def _admissions(events: Sequence[Event]) -> list[ProtectedStatus]:
    """Admission as a permanent resident (or on an immigrant visa), a refugee or a parolee at a port of entry is
    evidence of that status."""
    return [
        ProtectedStatus(status, e.on, (e.ref,))
        for e in events
        if e.kind == EventKind.ENTRY and (status := admission_status(e.get("class")))
    ]


def _citizenship_records(events: Sequence[Event]) -> list[CitizenshipIndication]:
    out = []
    for e in events:
        if e.kind == EventKind.CITIZENSHIP_EVIDENCE:
            out.append(CitizenshipIndication(e.get("type") or "citizenship_evidence", e.on, (e.ref,)))
        elif e.kind == EventKind.ENTRY and is_citizen_admission(e.get("class")):
            out.append(CitizenshipIndication("us_citizen_admission", e.on, (e.ref,)))
        elif e.kind == EventKind.ENCOUNTER and is_citizenship_claim(e.get("disposition")):
            out.append(CitizenshipIndication("citizenship_claim", e.on, (e.ref,)))
    return out


def _merge_statuses(statuses: list[ProtectedStatus]) -> tuple[ProtectedStatus, ...]:
    """One fact per status kind, from its earliest evidence, keeping every supporting event and note."""
    merged: dict[str, ProtectedStatus] = {}
    for s in statuses:
        held = merged.get(s.kind)
        if held is None:
            merged[s.kind] = s
        else:
            merged[s.kind] = ProtectedStatus(
                s.kind, min(held.since, s.since), held.evidence + s.evidence, held.notes + s.notes
            )
    return tuple(sorted(merged.values(), key=lambda s: (s.since, s.kind)))
