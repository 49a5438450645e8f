"""Readable builders for policy scenarios: a subject from event and observation lines."""

from __future__ import annotations

from datetime import date
from typing import Any

from ilos.definitions.policy import Policy
from ilos.definitions.policy_files import load_policy
from ilos.domain.attributes import Attribute, Value
from ilos.domain.events import Event, order_timeline
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.domain.provenance import Observed, RecordId, RecordRef, SourceId, SubjectId
from ilos.domain.subjects import Subject

TODAY = date(2026, 11, 1)
SUBJECT = "S-00000000abcd"
MARKINGS = {
    "court_cases": ("COURT",),
    "criminal_history": ("CRIMINAL_JUSTICE",),
    "encounters": ("LAW_ENFORCEMENT",),
    "benefit_applications": ("BENEFITS",),
    "citizenship_evidence": ("CITIZENSHIP",),
    "tax_addresses": ("TAX",),
    "health_addresses": ("HEALTH",),
    "wage_addresses": ("LABOR",),
    "cooperation": ("COOPERATION",),
    "border_crossings": ("BORDER",),
}
# A removal order in 2025 whose appeal window has long closed: actionable unless something else blocks.
FINAL_ORDER = "2025-03-01 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=MEX"


def ev(line: str) -> Event:
    """'2026-01-05 court_cases:R1 removal_order case=C1 outcome=REMOVAL' -> Event."""
    day, where, kind, *pairs = line.split()
    source, record = where.split(":")
    attributes = tuple((k, v) for k, v in (p.split("=", 1) for p in pairs))
    return Event(
        kind,
        date.fromisoformat(day),
        SourceId(source),
        RecordId(record),
        attributes,
        MARKINGS.get(source, ()),
    )


def obs(line: str) -> tuple[str, Observed[Value]]:
    """'address=1 MAIN ST|CHICAGO health_addresses:H1 2026-10-01 conf=0.99' -> (attribute, Observed)."""
    head, where, day, *rest = line.split()
    name, text = head.split("=", 1)
    source, record = where.split(":")
    conf = float(next((r.split("=")[1] for r in rest if r.startswith("conf=")), "1.0"))
    value: Value = date.fromisoformat(text) if name == "date_of_birth" else text.replace("|", " ")
    observed = Observed(
        value, SourceId(source), RecordId(record), date.fromisoformat(day), conf, MARKINGS.get(source, ())
    )
    return name, observed


def subject(events: list[str], observations: list[str] = (), today: date = TODAY) -> Subject:  # type: ignore[assignment]
    timeline = order_timeline(ev(line) for line in events)
    attributes: dict[str, list[Observed[Value]]] = {}
    for line in observations:
        name, observed = obs(line)
        attributes.setdefault(name, []).append(observed)
    records = {RecordRef(e.source, e.record_id) for e in timeline}
    records |= {o.record for values in attributes.values() for o in values}
    return Subject(
        SubjectId(SUBJECT),
        {n: Attribute(n, tuple(v)) for n, v in attributes.items()},
        timeline,
        derive_legal_situation(timeline, today),
        tuple(sorted(records, key=str)),
    )


_POLICIES: dict[str, Policy] = {}


def policy(name: str = "default") -> Policy:
    if name not in _POLICIES:
        _POLICIES[name] = load_policy(name)
    return _POLICIES[name]


def row(**kwargs: Any) -> dict[str, Any]:
    return kwargs
