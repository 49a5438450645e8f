"""Custody and conduct facts: detention state, departure state, criminal history and cooperation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ilos.domain.events import Event, EventKind
from ilos.domain.legal import (
    NOT_DEPARTED,
    NOT_DETAINED,
    Cooperation,
    CriminalCharge,
    DepartureKind,
    DepartureState,
    DetentionState,
)

_CUSTODY_ORDER = {
    EventKind.DETENTION_BOOKING: 0,
    EventKind.TRANSFER: 1,
    EventKind.DETENTION_RELEASE: 2,
    EventKind.REMOVAL: 3,
}
_IN_CUSTODY = frozenset({EventKind.DETENTION_BOOKING, EventKind.TRANSFER})
_VERIFIED_DEPARTURES = frozenset({EventKind.REMOVAL, EventKind.EXIT, EventKind.DEPARTURE_VERIFIED})
# Events that place the person in the country: a departure before one of them is undone.
_PRESENCE = frozenset({EventKind.ENTRY, EventKind.ENCOUNTER, EventKind.ARREST, EventKind.DETENTION_BOOKING})
_ENDED_COOPERATION = frozenset({"ENDED", "REVOKED", "TERMINATED", "WITHDRAWN"})


def derive_detention(events: Sequence[Event]) -> DetentionState:
    """The last custody movement decides: booked in or transferred means detained now."""
    movements = sorted(
        (e for e in events if e.kind in _CUSTODY_ORDER),
        key=lambda e: (e.on, _CUSTODY_ORDER[EventKind(e.kind)]),
    )
    if not movements:
        return NOT_DETAINED
    last = movements[-1]
    if last.kind not in _IN_CUSTODY:
        return DetentionState(False, None, None, (last.ref,))
    stay = [last]
    for e in reversed(movements[:-1]):
        if e.kind not in _IN_CUSTODY:
            break
        stay.insert(0, e)
    return DetentionState(True, last.get("facility"), stay[0].on, tuple(e.ref for e in stay))


def derive_departure(events: Sequence[Event]) -> DepartureState:
    """Verified (exit record or executed removal) beats self-reported; a later presence undoes both."""
    last_presence = max((e.on for e in events if e.kind in _PRESENCE), default=date.min)
    verified = [e for e in events if e.kind in _VERIFIED_DEPARTURES and e.on >= last_presence]
    reported = [e for e in events if e.kind == EventKind.DEPARTURE_SELF_REPORTED and e.on >= last_presence]
    if verified:
        chosen, kind = verified[-1], DepartureKind.VERIFIED
    elif reported:
        chosen, kind = reported[-1], DepartureKind.SELF_REPORTED
    else:
        return NOT_DEPARTED
    country = chosen.get("country") or chosen.get("destination_country")
    return DepartureState(kind, chosen.on, country, tuple(e.ref for e in verified + reported))


def derive_criminal_history(events: Sequence[Event]) -> tuple[CriminalCharge, ...]:
    """One charge per (arrest, offense, severity); the latest disposition wins, so a vacated conviction is not one."""
    charges: dict[tuple[str | None, str | None, str | None], list[Event]] = {}
    for e in events:
        if e.kind in (EventKind.CHARGE, EventKind.CONVICTION):
            charges.setdefault((e.get("arrest"), e.get("offense"), e.get("severity")), []).append(e)
    out = []
    for (arrest, offense, severity), found in charges.items():
        last = found[-1]
        default = "CONVICTED" if last.kind == EventKind.CONVICTION else None
        disposition = last.code("disposition") or default
        level = next((e.get("level") for e in reversed(found) if e.get("level")), None)
        sev = int(severity) if severity and severity.isdigit() else None
        evidence = tuple(e.ref for e in found)
        out.append(CriminalCharge(arrest, offense, sev, level, disposition, found[0].on, evidence))
    return tuple(out)


def derive_cooperation(events: Sequence[Event], as_of: date) -> tuple[Cooperation, ...]:
    """A certification is active from its start until it ends or is marked ended."""
    out = []
    for e in events:
        if e.kind != EventKind.COOPERATION:
            continue
        until = e.get_date("end") or e.get_date("until")
        ended = e.code("status") in _ENDED_COOPERATION or (until is not None and until < as_of)
        out.append(Cooperation(e.get("type"), not ended, e.on, until, (e.ref,)))
    return tuple(out)
