"""What changed in a subject's legal situation after an update, classified for alerts.

Affirmative changes can protect a person (a stay, an appeal, relief, an application, a dismissed or vacated
charge, citizenship evidence, a new active witness or victim cooperation, a record giving a US nationality
or birthplace, a record ILOS cannot read (a court record of no known type, a stay or certificate whose date
cannot be read), which may be any of them) and must reach every plan holding the subject; derogatory ones (a
new arrest or conviction, an order becoming final) matter to enforcement. Each change carries its evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from ilos.domain.countries import US_ORIGIN_ATTRIBUTES, is_us_origin
from ilos.domain.legal import CriminalCharge, Evidence, LegalSituation


class ChangeClass(StrEnum):
    AFFIRMATIVE = "affirmative"
    DEROGATORY = "derogatory"


@dataclass(frozen=True, slots=True)
class Change:
    classification: ChangeClass
    kind: str
    summary: str
    evidence: Evidence


_A, _D = ChangeClass.AFFIRMATIVE, ChangeClass.DEROGATORY
_RELIEVED = frozenset({"DISMISSED", "VACATED"})


def classify_changes(before: LegalSituation, after: LegalSituation) -> list[Change]:
    """Every fact present after and not before, as an affirmative or derogatory change."""
    changes: list[Change] = []
    changes += _new(
        before.stays_in_effect, after.stays_in_effect, _A, "stay_granted", lambda s: f"{s.kind} stay"
    )
    changes += _new(
        before.pending_appeals, after.pending_appeals, _A, "appeal_filed", lambda a: f"appeal in {a.case}"
    )
    changes += _new(
        before.protected_statuses,
        after.protected_statuses,
        _A,
        "status_granted",
        lambda s: f"{s.kind} granted",
    )
    changes += _new(
        before.country_protections,
        after.country_protections,
        _A,
        "relief_granted",
        lambda p: f"{p.kind} protection for {p.country or 'a country'}",
    )
    changes += _new(
        before.pending_applications,
        after.pending_applications,
        _A,
        "application_filed",
        lambda p: f"{p.benefit} filed",
    )
    changes += _new(before.citizenship, after.citizenship, _A, "citizenship_evidence", lambda c: f"{c.kind}")
    changes += _new(
        before.cooperation,
        tuple(c for c in after.cooperation if c.active),
        _A,
        "cooperation",
        lambda c: f"{c.kind or 'witness or victim'} cooperation active since {c.since.isoformat()}",
    )
    changes += _new(
        before.unrecognised_records,
        after.unrecognised_records,
        _A,
        "unrecognised_record",
        lambda u: f"record ILOS cannot read ({u.describe()}): it may protect; correct it at its source",
    )
    changes += _charges(before.criminal_history, after.criminal_history)
    if after.final_order is not None and before.final_order is None:
        order = after.final_order
        summary = f"{order.order_type} order final on {order.ordered_on.isoformat()}"
        changes.append(Change(_D, "order_final", summary, order.evidence))
    return [_said_ahead(c, after) for c in changes]


def _said_ahead(change: Change, after: LegalSituation) -> Change:
    """A change resting on an event dated after the as-of date (counted because it protects) says so."""
    if not set(change.evidence) & set(after.dated_ahead):
        return change
    summary = f"{change.summary} (dated after {after.as_of}: a likely data error to check)"
    return Change(change.classification, change.kind, summary, change.evidence)


def citizenship_origin_changes(record: Mapping[str, object], evidence: Evidence) -> list[Change]:
    """A record giving the person's nationality or country of birth as the United States (or a territory)
    suggests US citizenship, which the citizenship gate blocks on: an affirmative change, so the plans
    holding the subject are re-checked when it arrives, not at their next step. `record` is the
    standardized row; `evidence` its events."""
    return [
        Change(_A, "citizenship_signal", f"{name.replace('_', ' ')} {value}", evidence)
        for name in US_ORIGIN_ATTRIBUTES
        if isinstance(value := record.get(name), str) and is_us_origin(value)
    ]


class _Fact(Protocol):
    @property
    def evidence(self) -> Evidence: ...


F = TypeVar("F", bound=_Fact)


def _new(
    before: tuple[F, ...], after: tuple[F, ...], cls: ChangeClass, kind: str, describe: Callable[[F], str]
) -> list[Change]:
    """Facts of `after` resting on evidence no fact of `before` rested on (a fact is its evidence)."""
    known = {x.evidence for x in before}
    return [Change(cls, kind, describe(x), x.evidence) for x in after if x.evidence not in known]


def _charges(before: tuple[CriminalCharge, ...], after: tuple[CriminalCharge, ...]) -> list[Change]:
    previous = {_charge_key(c): c for c in before}
    out: list[Change] = []
    for charge in after:
        old = previous.get(_charge_key(charge))
        label = charge.offense or "offense"
        if old is None:
            out.append(Change(_D, "new_arrest", f"arrest or charge: {label}", charge.evidence))
            if charge.is_conviction:
                out.append(Change(_D, "new_conviction", f"conviction: {label}", charge.evidence))
        elif charge.disposition != old.disposition:
            if charge.disposition in _RELIEVED:
                out.append(
                    Change(_A, "charge_relieved", f"{label} {charge.disposition.lower()}", charge.evidence)
                )
            elif charge.is_conviction and not old.is_conviction:
                out.append(Change(_D, "new_conviction", f"conviction: {label}", charge.evidence))
    return out


def _charge_key(charge: CriminalCharge) -> tuple[object, ...]:
    return (charge.arrest, charge.offense, charge.charged_on)
