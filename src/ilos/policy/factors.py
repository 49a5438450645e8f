"""Priority factor detectors: one pure function per factor kind, returning the evidence that the factor
is present (empty when it is not). Weights live in the rule set, never here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from ilos.definitions.priority_rules import FactorSpec
from ilos.domain.events import Event, EventKind
from ilos.domain.legal import CriminalCharge, LegalSituation
from ilos.domain.subjects import Subject
from ilos.policy.results import Evidence

Detector = Callable[[FactorSpec, Subject, LegalSituation, date], Evidence]
BORDER_METHODS = frozenset({"BORDER_PATROL", "PORT_OF_ENTRY"})
ILLEGAL_ENTRY_OFFENSES = frozenset({"IMMIGRATION_ILLEGAL_ENTRY", "ILLEGAL_ENTRY", "ILLEGAL_REENTRY"})


def _refs(charges: Iterable[CriminalCharge]) -> Evidence:
    return tuple(f"{c.offense} {c.disposition}: {ref}" for c in charges for ref in c.evidence)


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _offense(spec: FactorSpec, _s: Subject, legal: LegalSituation, _t: date) -> Evidence:
    return _refs(c for c in legal.convictions if c.offense in spec.offenses)


def _conviction(spec: FactorSpec, _s: Subject, legal: LegalSituation, today: date) -> Evidence:
    """Standing convictions that are serious (offense/level/severity) and current (within_years)."""
    since = _years_before(today, spec.within_years) if spec.within_years else date.min
    return _refs(
        c
        for c in legal.convictions
        if (not spec.offenses or c.offense in spec.offenses)
        and (not spec.levels or (c.level or "") in spec.levels)
        and (spec.min_severity is None or (c.severity or 0) >= spec.min_severity)
        and c.charged_on >= since
    )


def _prior_record(spec: FactorSpec, _s: Subject, legal: LegalSituation, _t: date) -> Evidence:
    return _refs(legal.convictions) if len(legal.convictions) >= spec.min_count else ()


def _is_border_apprehension(event: Event) -> bool:
    return event.kind == EventKind.ENCOUNTER and (
        (event.get("method") or "").upper() in BORDER_METHODS
        or (event.get("disposition") or "").upper() == "EXPEDITED_REMOVAL"
    )


def _recent_unlawful_entry(
    spec: FactorSpec, subject: Subject, legal: LegalSituation, today: date
) -> Evidence:
    since = spec.since or date.min
    events = [e for e in subject.events if since <= e.on <= today and _is_border_apprehension(e)]
    convictions = [
        c for c in legal.convictions if c.offense in ILLEGAL_ENTRY_OFFENSES and c.charged_on >= since
    ]
    return tuple(str(e.ref) for e in events) + _refs(convictions)


def _final_order(_f: FactorSpec, _s: Subject, legal: LegalSituation, _t: date) -> Evidence:
    return tuple(str(r) for r in legal.final_order.evidence) if legal.final_order else ()


def _age(subject: Subject, today: date) -> tuple[int, Evidence] | None:
    """Age only from an unconflicted date of birth: a disputed birth date is no basis for a factor."""
    dob = subject.attribute("date_of_birth")
    if len(dob.values) != 1 or not isinstance(dob.values[0], date):
        return None
    born = dob.values[0]
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age, tuple(f"date_of_birth={born} {o.record}" for o in dob.observations)


def _age_at_least(spec: FactorSpec, subject: Subject, _l: LegalSituation, today: date) -> Evidence:
    found = _age(subject, today)
    return found[1] if found and spec.years is not None and found[0] >= spec.years else ()


def _age_below(spec: FactorSpec, subject: Subject, _l: LegalSituation, today: date) -> Evidence:
    found = _age(subject, today)
    return found[1] if found and spec.years is not None and found[0] < spec.years else ()


def _long_presence(spec: FactorSpec, subject: Subject, _l: LegalSituation, today: date) -> Evidence:
    present = [e for e in subject.events if e.kind != EventKind.CITIZENSHIP_EVIDENCE and e.on <= today]
    if not present or spec.years is None:
        return ()
    first = min(present, key=lambda e: e.on)
    return (str(first.ref),) if first.on <= _years_before(today, spec.years) else ()


def _cooperation(_f: FactorSpec, _s: Subject, legal: LegalSituation, _t: date) -> Evidence:
    return tuple(str(r) for c in legal.cooperation for r in c.evidence)


def _pending_relief(_f: FactorSpec, _s: Subject, legal: LegalSituation, _t: date) -> Evidence:
    return tuple(str(r) for p in legal.pending_applications for r in p.evidence)


def _vacated(_f: FactorSpec, _s: Subject, legal: LegalSituation, _t: date) -> Evidence:
    return _refs(c for c in legal.criminal_history if c.disposition == "VACATED")


def _attribute_in(spec: FactorSpec, subject: Subject, _l: LegalSituation, _t: date) -> Evidence:
    attribute = subject.attribute(spec.attribute or "")
    return tuple(
        f"{attribute.name}={o.value} {o.record}"
        for o in attribute.observations
        if str(o.value) in spec.values
    )


def _event_present(spec: FactorSpec, subject: Subject, _l: LegalSituation, today: date) -> Evidence:
    return tuple(
        str(e.ref)
        for e in subject.events
        if e.kind == spec.event_kind
        and e.on <= today
        and all((e.get(k) or "") in allowed for k, allowed in spec.where.items())
    )


DETECTORS: dict[str, Detector] = {
    "offense": _offense,
    "conviction": _conviction,
    "prior_record": _prior_record,
    "recent_unlawful_entry": _recent_unlawful_entry,
    "final_order": _final_order,
    "age_at_least": _age_at_least,
    "age_below": _age_below,
    "long_presence": _long_presence,
    "cooperation": _cooperation,
    "pending_relief": _pending_relief,
    "vacated_conviction": _vacated,
    "attribute_in": _attribute_in,
    "event_present": _event_present,
}
