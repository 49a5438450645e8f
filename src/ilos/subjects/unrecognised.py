"""Records ILOS cannot read as the event they may be: each yields an `unrecognised_record` event instead of
nothing, so a stay written in a way nobody foresaw, or dated in a way nobody can parse, is never dropped in
silence (both extractions, `events_sql` and `row_events`, use the specs made here).

Two kinds of row qualify: a court row that no event spec reads (`unrecognised_spec`), and a row that a spec
of a kind that may bar action reads but whose date cannot be read (`undated_specs`): a stay, an appeal, a
citizenship certificate or a benefit grant with its day and month swapped past parsing is still a bar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ilos.definitions.sources import EventSpec, SourceSpec
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
MAY_BAR_KINDS = COURT_KINDS | {
    EventKind.CITIZENSHIP_EVIDENCE,
    EventKind.COOPERATION,
    EventKind.BENEFIT_APPLICATION,
    EventKind.BENEFIT_DECISION,
    EventKind.ENTRY,
    EventKind.ENCOUNTER,
}
"""Kinds whose record may bar adverse action (a court record may be a stay or an appeal; a benefit decision may
grant a status; an entry may be a US citizen's or an LPR's admission, an encounter a citizenship claim): one of
these that cannot be dated is an `unrecognised_record`, not nothing. Of an entry or an encounter, only one that
would bar action counts as a fact (`legal_derivation.undated_may_bar`): an undated tourist entry holds no one."""
TYPED_ATTRIBUTE = "typed"
"""The unrecognised record's attribute holding its coded values as written, e.g. "REC_TYPE=STY"."""
READ_AS_ATTRIBUTE = "read_as"
"""The kind a spec reads an undated row as, e.g. "stay"."""
UNREAD_DATE_ATTRIBUTE = "unread_date"
"""The date column that could not be read and its text as written, e.g. "EVENT_DATE=99/99/2026"."""
_RESERVED = (TYPED_ATTRIBUTE, READ_AS_ATTRIBUTE, UNREAD_DATE_ATTRIBUTE)
UNDATED_DAY = date.min
"""The day an unrecognised record is put on when none of its source's date columns reads: before any as-of
day, so it counts at once, and plainly no real date."""


@dataclass(frozen=True, slots=True)
class UnrecognisedSpec:
    """How a court row that qualifies for none of its source's event specs becomes an event: dated by the
    first of the specs' date columns that parses, carrying every attribute a spec maps (the first spec
    naming an attribute decides its column) and, as `typed`, the values of the columns the `when:` filters
    read."""

    dates: tuple[str, ...]
    attributes: dict[str, str]
    typed: tuple[str, ...]


def source_dates(spec: SourceSpec) -> tuple[str, ...]:
    """The date columns of a source's event specs, in spec order: an unrecognised record is dated by the
    first that reads."""
    return tuple(dict.fromkeys(e.date for e in spec.events))


def unrecognised_spec(spec: SourceSpec) -> UnrecognisedSpec | None:
    """The spec for the rows of a court source that no event spec reads; None for a source that holds no
    court records, or one with an event spec every row qualifies for (no `when:` or `unless:`), which leaves
    none."""
    events = spec.events
    if not any(e.kind in COURT_KINDS for e in events) or not all(e.when or e.unless for e in events):
        return None
    attributes: dict[str, str] = {}
    for event in events:
        for name, column in event.attributes.items():
            attributes.setdefault(name, column)
    for reserved in _RESERVED:
        attributes.pop(reserved, None)
    typed = tuple(sorted({column for e in events for column in (*(e.when or {}), *(e.unless or {}))}))
    return UnrecognisedSpec(source_dates(spec), attributes, typed)


def undated_specs(spec: SourceSpec) -> tuple[EventSpec, ...]:
    """The source's event specs whose qualifying rows, when their date cannot be read, are unrecognised
    records: those of a kind that may bar action."""
    return tuple(e for e in spec.events if e.kind in MAY_BAR_KINDS)


def undated_attributes(event: EventSpec) -> dict[str, str]:
    """The attributes an undated row of `event` carries as an unrecognised record: the spec's own, less the
    names the unrecognised record uses itself."""
    return {name: column for name, column in event.attributes.items() if name not in _RESERVED}
