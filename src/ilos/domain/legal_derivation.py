"""derive_legal_situation: a subject's legal position on a date, from its timeline alone.

Pure and deterministic, so the same events always give the same facts, and a fact can be re-derived
for any past date (events recorded after that date are ignored, as nobody knew them then; one held by then
and dated later counts only if it protects, `bars_action`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TypeVar

from ilos.domain.events import Event, EventKind, EventRef, order_timeline
from ilos.domain.legal import CountryProtection, LegalSituation
from ilos.domain.legal_codes import (
    Decision,
    admission_status,
    benefit_name,
    decision_of,
    is_citizen_admission,
    is_citizenship_claim,
    may_protect,
)
from ilos.domain.legal_court import (
    country_protection,
    derive_court_facts,
    derive_court_stays,
    derive_unrecognised,
    is_decision,
    is_ended_appeal,
    is_order,
)
from ilos.domain.legal_custody import (
    derive_cooperation,
    derive_criminal_history,
    derive_departure,
    derive_detention,
)
from ilos.domain.legal_status import derive_status_facts

# Kinds whose every record can only add a bar to adverse action.
_PROTECTIVE_KINDS = frozenset(
    {
        EventKind.STAY,
        EventKind.CITIZENSHIP_EVIDENCE,
        EventKind.COOPERATION,
        EventKind.BENEFIT_APPLICATION,
        EventKind.UNRECOGNISED_RECORD,
    }
)


def derive_legal_situation(events: Iterable[Event], as_of: date) -> LegalSituation:
    """Every legal fact the events support on `as_of`, each with the events it rests on.

    An event counts once it has happened and been recorded by `as_of`. One the system holds on `as_of` (recorded
    by then, or with no recorded date) but dated after it counts too if it can only bar adverse action
    (`bars_action`: a stay, a pending appeal, citizenship evidence, a status or pending protection): its record
    is there, so its date is most likely wrong (a day and month swapped), and a protection never waits on a
    date error. Adverse events (orders, convictions, a dismissed appeal) dated after `as_of` never count, nor
    does anything recorded after it; and the events dated ahead never take away a fact that bars action
    (`_no_less_protective`)."""
    held = [e for e in order_timeline(events) if e.is_held_on(as_of)]
    known = tuple(e for e in held if e.on <= as_of)
    ahead = tuple(e for e in held if e.on > as_of and bars_action(e))
    # A protection granted with an order dated ahead bars removal to its country; the order itself waits.
    granted = tuple(p for e in held if e.on > as_of and is_order(e) and (p := country_protection(e)))
    on_known = _situation(known, known, as_of)
    if not ahead and not granted:
        return on_known
    with_ahead = _situation(order_timeline(known + ahead), known, as_of)
    dated_ahead = tuple(e.ref for e in ahead) + tuple(ref for p in granted for ref in p.evidence)
    return _no_less_protective(with_ahead, on_known, granted, dated_ahead)


def _situation(counted: Sequence[Event], known: Sequence[Event], as_of: date) -> LegalSituation:
    """The facts of the `counted` events; custody, departure and criminal history from the `known` ones only (an
    entry or an encounter dated ahead would undo a departure)."""
    departure = derive_departure(known)
    court = derive_court_facts(counted, as_of, departure.departed_on)
    status = derive_status_facts(counted)
    final_order = max(court.final_orders, key=lambda o: o.ordered_on, default=None)
    stays = derive_court_stays(counted) + status.administrative_stays
    return LegalSituation(
        as_of=as_of,
        proceedings=court.proceedings,
        final_order=final_order,
        appeal_windows=court.appeal_windows,
        pending_appeals=court.pending_appeals,
        stays=tuple(sorted(stays, key=lambda s: s.effective_from)),
        country_protections=court.country_protections,
        protected_statuses=status.statuses,
        pending_applications=status.pending,
        detention=derive_detention(known),
        departure=departure,
        citizenship=status.citizenship,
        criminal_history=derive_criminal_history(known),
        cooperation=derive_cooperation(counted, as_of),
        unrecognised_records=derive_unrecognised([e for e in counted if undated_may_bar(e)]),
    )


def _no_less_protective(
    with_ahead: LegalSituation,
    on_known: LegalSituation,
    granted: tuple[CountryProtection, ...],
    dated_ahead: tuple[EventRef, ...],
) -> LegalSituation:
    """The situation with the events dated ahead, keeping every fact that bars action on the known events alone:
    a sustained appeal or a terminated case dated ahead must not close the appeal window of an order it would
    vacate while another case's order stands, nor an approval dated ahead end a pending application. An order
    is final only if one is on both, and it is the known events' order (its destination is the one the
    country gate was checking)."""
    kinds = {s.kind for s in with_ahead.protected_statuses}
    statuses = with_ahead.protected_statuses + tuple(
        s for s in on_known.protected_statuses if s.kind not in kinds
    )
    return replace(
        with_ahead,
        final_order=on_known.final_order if with_ahead.final_order is not None else None,
        appeal_windows=_union(with_ahead.appeal_windows, on_known.appeal_windows),
        pending_appeals=_union(with_ahead.pending_appeals, on_known.pending_appeals),
        stays=_union(with_ahead.stays, on_known.stays),
        country_protections=_union(with_ahead.country_protections, on_known.country_protections, granted),
        protected_statuses=statuses,
        pending_applications=_union(with_ahead.pending_applications, on_known.pending_applications),
        citizenship=_union(with_ahead.citizenship, on_known.citizenship),
        cooperation=_union(with_ahead.cooperation, on_known.cooperation),
        unrecognised_records=_union(with_ahead.unrecognised_records, on_known.unrecognised_records),
        dated_ahead=dated_ahead,
    )


T = TypeVar("T")


def _union(*facts: tuple[T, ...]) -> tuple[T, ...]:
    """Every fact of each, once, in the order first seen."""
    return tuple(dict.fromkeys(f for group in facts for f in group))


def undated_may_bar(event: Event) -> bool:
    """Whether an `unrecognised_record` holds: always, but for an entry or an encounter whose date could not be
    read (`read_as`), which holds only if, dated, it would bar action (a US-citizen or LPR admission, a
    citizenship claim): an undated tourist entry or a plain encounter is a data error that protects no one."""
    read_as = event.get("read_as")
    if event.kind != EventKind.UNRECOGNISED_RECORD or read_as not in (EventKind.ENTRY, EventKind.ENCOUNTER):
        return True
    return bars_action(replace(event, kind=read_as))


def bars_action(event: Event) -> bool:
    """Whether an event can only add a bar to adverse action, never lift one: a stay; an appeal not known to
    have ended (pending, or sustained); citizenship evidence, a US-citizen admission or a citizenship claim;
    an application; a benefit decision not known to be adverse (a grant, no decision, a code ILOS does not
    know) on a kind that may protect (`legal_codes.may_protect`); an LPR, refugee or parole admission; cooperation;
    a court decision that is no order (relief granted, proceedings terminated); a record ILOS cannot read
    (`unrecognised_record`). Orders, convictions, denials, dismissed appeals, custody and departures are not."""
    kind = event.kind
    if kind in _PROTECTIVE_KINDS:
        return True
    if kind == EventKind.APPEAL:
        return not is_ended_appeal(event)
    if kind in (EventKind.DECISION, EventKind.COURT_PROCEEDING):
        return is_decision(event) and not is_order(event)
    if kind == EventKind.BENEFIT_DECISION:
        benefit = benefit_name(event.get("benefit"), event.get("form"))
        return decision_of(event.get("decision")) != Decision.ADVERSE and may_protect(*benefit)
    if kind == EventKind.ENTRY:
        return is_citizen_admission(event.get("class")) or admission_status(event.get("class")) is not None
    if kind == EventKind.ENCOUNTER:
        return is_citizenship_claim(event.get("disposition"))
    return False
