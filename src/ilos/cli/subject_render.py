"""Rendering one subject for the terminal (rich tables) and as a JSON document."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import Any

from rich.console import Console
from rich.table import Table

from ilos.domain.attributes import SurvivorshipRules
from ilos.domain.legal import LegalSituation
from ilos.domain.subjects import Subject


def _plain(value: Any) -> Any:
    """Dataclasses, enums, dates and tuples as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def subject_document(subject: Subject, rules: SurvivorshipRules) -> dict[str, Any]:
    """Every observation with provenance, the best value per attribute and the rule hash that chose it."""
    attributes = {}
    for name, attribute in sorted(subject.attributes.items()):
        attributes[name] = {
            "best": _plain(attribute.best(rules)),
            "conflict": attribute.conflict,
            "observations": _plain(attribute.observations),
        }
    return {
        "subject_id": subject.subject_id,
        "records": [str(r) for r in subject.records],
        "survivorship_rules_hash": rules.content_hash,
        "conflicts": list(subject.conflicts(rules)),
        "attributes": attributes,
        "legal": _plain(subject.legal),
        "timeline": [{**_plain(e), "attributes": dict(e.attributes)} for e in subject.events],
    }


def legal_lines(legal: LegalSituation) -> list[tuple[str, str, str]]:
    """(fact, value, evidence) lines; every line names the records it rests on."""

    def ev(refs: tuple[Any, ...]) -> str:
        return "; ".join(str(r) for r in refs)

    lines = []
    order = legal.final_order
    lines.append(
        (
            "final order",
            f"{order.order_type.value} {order.ordered_on} to {order.country or '?'}" if order else "none",
            ev(order.evidence) if order else "",
        )
    )
    lines += [("appeal window open", f"closes {w.closes_on}", ev(w.evidence)) for w in legal.appeal_windows]
    lines += [("appeal pending", f"filed {a.filed_on}", ev(a.evidence)) for a in legal.pending_appeals]
    lines += [
        ("stay in effect", f"{s.kind.value} from {s.effective_from}", ev(s.evidence))
        for s in legal.stays_in_effect
    ]
    lines += [
        ("country protection", f"{p.kind} {p.country}", ev(p.evidence)) for p in legal.country_protections
    ]
    lines += [("status", f"{s.kind} since {s.since}", ev(s.evidence)) for s in legal.protected_statuses]
    lines += [
        (
            "pending application",
            f"{p.benefit} filed {p.filed_on}" + (f" ({p.unread})" if p.unread else ""),
            ev(p.evidence),
        )
        for p in legal.pending_applications
    ]
    lines += [("citizenship evidence", c.kind, ev(c.evidence)) for c in legal.citizenship]
    lines += [
        ("record ILOS cannot read", f"{u.describe()} {u.on}", ev(u.evidence))
        for u in legal.unrecognised_records
    ]
    lines += [("conviction", f"{c.offense} severity {c.severity}", ev(c.evidence)) for c in legal.convictions]
    lines += [
        ("cooperation", f"{c.kind} since {c.since}", ev(c.evidence)) for c in legal.cooperation if c.active
    ]
    lines.append(("detained", "yes" if legal.detention.detained else "no", ev(legal.detention.evidence)))
    lines.append(("departure", legal.departure.kind.value, ev(legal.departure.evidence)))
    return lines


def render_subject_table(console: Console, subject: Subject, rules: SurvivorshipRules) -> None:
    conflicts = ", ".join(subject.conflicts(rules)) or "none"
    console.print(
        f"{subject.subject_id}  {len(subject.records)} records  conflicts: {conflicts}", style="bold"
    )
    attrs = Table(title="attributes (best value first; every value with its source)")
    for column in ("attribute", "value", "sources", "best"):
        attrs.add_column(column)
    for name, attribute in sorted(subject.attributes.items()):
        best = attribute.best(rules)
        for ranked in attribute.ranked(rules):
            is_best = best is not None and ranked.value == best.value
            sources = ", ".join(sorted(str(o.record) for o in ranked.observations))
            attrs.add_row(
                name,
                str(ranked.value),
                sources,
                "*" if is_best else ("CONFLICT" if name in rules.critical else ""),
            )
    console.print(attrs)
    legal = Table(title=f"legal situation as of {subject.legal.as_of}")
    for column in ("fact", "value", "evidence"):
        legal.add_column(column)
    for line in legal_lines(subject.legal):
        legal.add_row(*line)
    console.print(legal)
    timeline = Table(title="timeline")
    for column in ("date", "kind", "record", "details"):
        timeline.add_column(column)
    for e in subject.events:
        timeline.add_row(
            e.on.isoformat(), e.kind, str(e.record), " ".join(f"{k}={v}" for k, v in e.attributes)
        )
    console.print(timeline)
