"""derive_legal_situation: a subject's legal position on a date, from its timeline alone.

Pure and deterministic, so the same events always give the same facts, and a fact can be re-derived
for any past date (events recorded after that date are ignored, as nobody knew them then)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ilos.domain.events import Event, order_timeline
from ilos.domain.legal import LegalSituation
from ilos.domain.legal_court import derive_court_facts, derive_court_stays, derive_unrecognised
from ilos.domain.legal_custody import (
    derive_cooperation,
    derive_criminal_history,
    derive_departure,
    derive_detention,
)
from ilos.domain.legal_status import derive_status_facts


def derive_legal_situation(events: Iterable[Event], as_of: date) -> LegalSituation:
    """Every legal fact the events support on `as_of`, each with the events it rests on."""
    known = tuple(e for e in order_timeline(events) if e.is_known_on(as_of))
    departure = derive_departure(known)
    court = derive_court_facts(known, as_of, departure.departed_on)
    status = derive_status_facts(known)
    final_order = max(court.final_orders, key=lambda o: o.ordered_on, default=None)
    stays = derive_court_stays(known) + status.administrative_stays
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
        cooperation=derive_cooperation(known, as_of),
        unrecognised_records=derive_unrecognised(known),
    )
