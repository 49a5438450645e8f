"""Court facts from court events: proceedings, the final order, appeal windows, pending appeals, stays
and country-specific protection. Rules follow removal-proceedings practice, simplified and documented
in docs/subjects.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ilos.domain.events import Event, EventKind
from ilos.domain.legal import (
    APPEAL_WINDOW_DAYS,
    VOLUNTARY_DEPARTURE_DAYS,
    Appeal,
    AppealWindow,
    CountryProtection,
    Evidence,
    FinalOrder,
    OrderType,
    Proceeding,
    ProceedingState,
    Stay,
    StayKind,
    UnrecognisedRecord,
)

ORDER_OUTCOMES = frozenset({"REMOVAL", "VOLUNTARY_DEPARTURE"})
PENDING_APPEAL = frozenset({"PENDING", "FILED"})
APPEAL_ENDED = frozenset({"DISMISSED", "DENIED", "WITHDRAWN"})
"""Appeal statuses known to end an appeal against the person: only these leave the order final. SUSTAINED
vacates it; any other status (REMANDED, a typo, one nobody foresaw) counts as pending, failing safe."""
APPEAL_SUSTAINED = "SUSTAINED"
COUNTRY_RELIEF = {"WITHHOLDING": "withholding", "CAT": "cat"}
_DECISION_KINDS = frozenset({EventKind.REMOVAL_ORDER, EventKind.DECISION, EventKind.COURT_PROCEEDING})


@dataclass(frozen=True, slots=True)
class CourtFacts:
    proceedings: tuple[Proceeding, ...] = ()
    final_orders: tuple[FinalOrder, ...] = ()
    appeal_windows: tuple[AppealWindow, ...] = ()
    pending_appeals: tuple[Appeal, ...] = ()
    country_protections: tuple[CountryProtection, ...] = ()


@dataclass(frozen=True, slots=True)
class _CaseOutcome:
    state: ProceedingState
    order: FinalOrder | None = None
    window: AppealWindow | None = None
    appeal: Appeal | None = None


def case_of(event: Event) -> str:
    """Events of one proceeding share a case number, however it is written: upper-cased, with no blanks
    ("2019-rmv-00000789" is 2019-RMV-00000789), so an appeal is never its own case by a spelling. Without
    one, a record is its own case."""
    number = "".join((event.get("case") or "").split()).upper()
    return number or f"{event.source}:{event.record_id}"


def is_decision(event: Event) -> bool:
    return event.kind in _DECISION_KINDS and (
        event.kind != EventKind.COURT_PROCEEDING or bool(event.get("outcome"))
    )


def is_order(event: Event) -> bool:
    return event.kind == EventKind.REMOVAL_ORDER or (
        event.kind == EventKind.DECISION and event.code("outcome") in ORDER_OUTCOMES
    )


def derive_court_facts(events: Sequence[Event], as_of: date, departed_on: date | None) -> CourtFacts:
    """`events` are known on `as_of` and in timeline order; `departed_on` settles voluntary departures."""
    cases: dict[str, list[Event]] = {}
    for event in events:
        if event.kind in _DECISION_KINDS | {EventKind.HEARING, EventKind.APPEAL}:
            cases.setdefault(case_of(event), []).append(event)
    proceedings, orders, windows, appeals, protections = [], [], [], [], []
    for case, case_events in cases.items():
        decisions = [e for e in case_events if is_decision(e)]
        latest = decisions[-1] if decisions else None
        outcome = _case_outcome(case, case_events, latest, as_of, departed_on)
        proceedings.append(_proceeding(case, case_events, latest, outcome.state))
        orders += [outcome.order] if outcome.order else []
        windows += [outcome.window] if outcome.window else []
        appeals += [outcome.appeal] if outcome.appeal else []
        protections += [p for e in decisions if is_order(e) and (p := country_protection(e))]
    orders += [_expedited(e) for e in events if _is_expedited(e)]
    return CourtFacts(tuple(proceedings), tuple(orders), tuple(windows), tuple(appeals), tuple(protections))


def derive_court_stays(events: Sequence[Event]) -> tuple[Stay, ...]:
    """Stays entered by a court (or any source emitting `stay` events); kind from `stay_type`."""
    stays = []
    for e in events:
        if e.kind == EventKind.STAY:
            kind = StayKind.ADMINISTRATIVE if e.code("stay_type").startswith("ADMIN") else StayKind.JUDICIAL
            stays.append(Stay(kind, e.on, e.get_date("until") or e.get_date("end"), (e.ref,)))
    return tuple(stays)


def derive_unrecognised(events: Sequence[Event]) -> tuple[UnrecognisedRecord, ...]:
    """Records ILOS cannot read as the event they may be (`unrecognised_record` events), each its own fact."""
    return tuple(
        UnrecognisedRecord(e.on, e.get("typed"), (e.ref,), e.get("read_as"), e.get("unread_date"))
        for e in events
        if e.kind == EventKind.UNRECOGNISED_RECORD
    )


def _proceeding(case: str, events: list[Event], latest: Event | None, state: ProceedingState) -> Proceeding:
    opened = next((e for e in events if e.kind == EventKind.COURT_PROCEEDING and not e.get("outcome")), None)
    evidence = tuple(e.ref for e in (opened, latest) if e is not None)
    return Proceeding(
        case=case,
        state=state,
        opened_on=opened.on if opened else events[0].on,
        outcome=_outcome(latest),
        decided_on=latest.on if latest else None,
        evidence=evidence or (events[0].ref,),
    )


def _outcome(decision: Event | None) -> str | None:
    if decision is None:
        return None
    return decision.get("outcome") or ("REMOVAL" if is_order(decision) else None)


def _case_outcome(
    case: str, events: list[Event], latest: Event | None, as_of: date, departed_on: date | None
) -> _CaseOutcome:
    appeal = _deciding_appeal(events, latest)
    if latest is None:
        return _undecided(case, appeal)
    if not is_order(latest):
        return _CaseOutcome(ProceedingState.DECIDED)
    if appeal is not None and _appeal_rank(appeal) < _ENDED:
        return _appeal_holds(case, latest, appeal)
    if latest.code("outcome") == "VOLUNTARY_DEPARTURE":
        return _voluntary_departure(case, latest, as_of, departed_on)
    if appeal is not None:  # ended against the person: the order is final
        order = _order(latest, OrderType.REMOVAL, case, (latest.ref, appeal.ref))
        return _CaseOutcome(ProceedingState.DECIDED, order=order)
    closes_on = latest.on + timedelta(days=APPEAL_WINDOW_DAYS)
    if as_of < closes_on:
        return _CaseOutcome(
            ProceedingState.DECIDED, window=AppealWindow(case, latest.on, closes_on, (latest.ref,))
        )
    return _CaseOutcome(ProceedingState.DECIDED, order=_order(latest, OrderType.REMOVAL, case, (latest.ref,)))


_PENDING, _SUSTAINED, _ENDED = 0, 1, 2


def is_ended_appeal(appeal: Event) -> bool:
    """An appeal record that ended the appeal against the person (the order stands)."""
    return _appeal_rank(appeal) == _ENDED


def _appeal_status(appeal: Event) -> str:
    """An appeal record's status as the rules read it; none written is pending."""
    return appeal.code("status") or "PENDING"


def _appeal_rank(appeal: Event) -> int:
    status = _appeal_status(appeal)
    return _ENDED if status in APPEAL_ENDED else _SUSTAINED if status == APPEAL_SUSTAINED else _PENDING


def _deciding_appeal(events: list[Event], order: Event | None) -> Event | None:
    """The appeal record that decides the case's order, if any: the latest-dated one (on a tie, a pending one
    before a sustained one before one that ended). Dated before the order it decides only if pending: one that
    ended or was sustained before the order was an earlier decision's (a remand, then this order), while a
    pending one may be this order's appeal under a swapped or mistyped date, so it holds the order, failing
    safe, whatever its date."""
    appeals = [e for e in events if e.kind == EventKind.APPEAL]
    if not appeals:
        return None
    last_on = max(a.on for a in appeals)
    chosen = min((a for a in appeals if a.on == last_on), key=_appeal_rank)
    if order is not None and chosen.on < order.on and _appeal_rank(chosen) != _PENDING:
        return None
    return chosen


def _undecided(case: str, appeal: Event | None) -> _CaseOutcome:
    """A case with no decision known. An appeal in it appeals a decision its case number does not lead to (a
    number mistyped, none written, an order entered later): unless it ended against the person, it holds
    whatever order it appeals. A sustained one too: the order it vacated may be one ILOS holds under another
    number, and nothing says which."""
    if appeal is None or _appeal_rank(appeal) == _ENDED:
        return _CaseOutcome(ProceedingState.PENDING)
    pending = Appeal(case, appeal.on, _appeal_status(appeal), (appeal.ref,))
    return _CaseOutcome(ProceedingState.ON_APPEAL, appeal=pending)


def _appeal_holds(case: str, order: Event, appeal: Event) -> _CaseOutcome:
    """An order a pending appeal holds (whatever the appeal's date) or a sustained one vacated; a voluntary
    departure as well as a removal order."""
    if _appeal_rank(appeal) == _SUSTAINED:
        return _CaseOutcome(ProceedingState.ORDER_VACATED)
    pending = Appeal(case, appeal.on, _appeal_status(appeal), (order.ref, appeal.ref))
    return _CaseOutcome(ProceedingState.ON_APPEAL, appeal=pending)


def _voluntary_departure(case: str, order: Event, as_of: date, departed_on: date | None) -> _CaseOutcome:
    """Voluntary departure becomes a removal order when the period passes without a departure."""
    if departed_on is not None and departed_on >= order.on:
        return _CaseOutcome(ProceedingState.DECIDED)
    if as_of > order.on + timedelta(days=VOLUNTARY_DEPARTURE_DAYS):
        lapsed = _order(order, OrderType.VOLUNTARY_DEPARTURE_LAPSED, case, (order.ref,))
        return _CaseOutcome(ProceedingState.DECIDED, order=lapsed)
    return _CaseOutcome(ProceedingState.DECIDED)


def _order(event: Event, order_type: OrderType, case: str, evidence: Evidence) -> FinalOrder:
    country = event.get("destination_country") or event.get("country")
    return FinalOrder(order_type, event.on, country, case, evidence)


def country_protection(event: Event) -> CountryProtection | None:
    kind = COUNTRY_RELIEF.get(event.code("relief"))
    if kind is None:
        return None
    return CountryProtection(
        kind, event.get("destination_country") or event.get("country"), event.on, (event.ref,)
    )


def _is_expedited(event: Event) -> bool:
    return event.kind == EventKind.ENCOUNTER and event.code("disposition") == "EXPEDITED_REMOVAL"


def _expedited(event: Event) -> FinalOrder:
    return FinalOrder(OrderType.EXPEDITED_REMOVAL, event.on, event.get("country"), None, (event.ref,))
