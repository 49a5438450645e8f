"""Court records of no type their source's event specs read: each yields an `unrecognised_record` event
instead of nothing, so a stay written in a way nobody foresaw is never dropped in silence (both extractions,
`events_sql` and `row_events`, use the spec made here)."""

from __future__ import annotations

from dataclasses import dataclass

from ilos.definitions.sources import SourceSpec
from ilos.domain.events import EventKind

COURT_KINDS = frozenset(
    {
        EventKind.COURT_PROCEEDING,
        EventKind.HEARING,
        EventKind.DECISION,
        EventKind.REMOVAL_ORDER,
        EventKind.APPEAL,
        EventKind.STAY,
    }
)
"""Kinds of court records: a source yielding any of them holds court records."""
TYPED_ATTRIBUTE = "typed"
"""The unrecognised record's attribute holding its coded values as written, e.g. "REC_TYPE=STY"."""


@dataclass(frozen=True, slots=True)
class UnrecognisedSpec:
    """How a court row that qualifies for none of its source's event specs becomes an event: dated by the
    first of the specs' date columns that parses, carrying every attribute a spec maps (the first spec
    naming an attribute decides its column) and, as `typed`, the values of the columns the `when:` filters
    read."""

    dates: tuple[str, ...]
    attributes: dict[str, str]
    typed: tuple[str, ...]


def unrecognised_spec(spec: SourceSpec) -> UnrecognisedSpec | None:
    """The spec for the rows of a court source that no event spec reads; None for a source that holds no
    court records, or one with an event spec every row qualifies for (no `when:`), which leaves none."""
    events = spec.events
    if not any(e.kind in COURT_KINDS for e in events) or not all(e.when for e in events):
        return None
    attributes: dict[str, str] = {}
    for event in events:
        for name, column in event.attributes.items():
            attributes.setdefault(name, column)
    attributes.pop(TYPED_ATTRIBUTE, None)
    typed = tuple(sorted({column for e in events for column in e.when or {}}))
    return UnrecognisedSpec(tuple(dict.fromkeys(e.date for e in events)), attributes, typed)
