"""The legal situation as lines a person reads: fact, value and the records it rests on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ilos.domain.events import EventRef
from ilos.domain.legal import LegalSituation


@dataclass(frozen=True, slots=True)
class LegalLine:
    fact: str
    value: str
    evidence: tuple[str, ...]


def _ev(refs: Iterable[EventRef]) -> tuple[str, ...]:
    return tuple(str(r) for r in refs)


def _unread(unread: str | None) -> str:
    """Why ILOS cannot tell what a pending application is or how it was decided, when it cannot."""
    return f" ({unread})" if unread else ""


def legal_lines(legal: LegalSituation) -> list[LegalLine]:
    """Every current fact with its evidence; facts that do not hold are left out, except the headline ones
    (final order, detention, departure) which always say their state."""
    order = legal.final_order
    lines = [
        LegalLine(
            "Final order",
            f"{order.order_type.value} on {order.ordered_on} to {order.country or 'unknown country'}"
            if order
            else "none",
            _ev(order.evidence) if order else (),
        )
    ]
    lines += [
        LegalLine("Appeal window open", f"closes {w.closes_on}", _ev(w.evidence))
        for w in legal.appeal_windows
    ]
    lines += [
        LegalLine("Appeal pending", f"filed {a.filed_on} ({a.status})", _ev(a.evidence))
        for a in legal.pending_appeals
    ]
    lines += [
        LegalLine("Stay in effect", f"{s.kind.value} from {s.effective_from}", _ev(s.evidence))
        for s in legal.stays_in_effect
    ]
    lines += [
        LegalLine("Country protection", f"{p.kind} for {p.country}", _ev(p.evidence))
        for p in legal.country_protections
    ]
    lines += [
        LegalLine("Protected status", f"{s.kind} since {s.since}", _ev(s.evidence))
        for s in legal.protected_statuses
    ]
    lines += [
        LegalLine(
            "Pending application", f"{p.benefit} filed {p.filed_on}{_unread(p.unread)}", _ev(p.evidence)
        )
        for p in legal.pending_applications
    ]
    lines += [LegalLine("Citizenship evidence", c.kind, _ev(c.evidence)) for c in legal.citizenship]
    lines += [
        LegalLine("Record ILOS cannot read", f"{u.describe()} on {u.on}", _ev(u.evidence))
        for u in legal.unrecognised_records
    ]
    lines += [
        LegalLine("Conviction", f"{c.offense or 'offense unknown'} (severity {c.severity})", _ev(c.evidence))
        for c in legal.convictions
    ]
    lines += [
        LegalLine("Cooperation", f"{c.kind or 'cooperating'} since {c.since}", _ev(c.evidence))
        for c in legal.cooperation
        if c.active
    ]
    detention = legal.detention
    lines.append(
        LegalLine(
            "Detained",
            f"yes, {detention.facility or 'facility unknown'} since {detention.since}"
            if detention.detained
            else "no",
            _ev(detention.evidence),
        )
    )
    departure = legal.departure
    lines.append(LegalLine("Departure", departure.kind.value.replace("_", " "), _ev(departure.evidence)))
    return lines
