"""Typed timeline events: what happened to a subject, when, and which record says so."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ilos.domain.provenance import RecordId, RecordRef, SourceId


class EventKind(StrEnum):
    """Kinds the legal rules understand. Sources may emit other kinds; they stay on the timeline."""

    ENCOUNTER = "encounter"
    ARREST = "arrest"
    CHARGE = "charge"
    CONVICTION = "conviction"
    COURT_PROCEEDING = "court_proceeding"
    HEARING = "hearing"
    DECISION = "decision"
    REMOVAL_ORDER = "removal_order"
    APPEAL = "appeal"
    STAY = "stay"
    BENEFIT_APPLICATION = "benefit_application"
    BENEFIT_DECISION = "benefit_decision"
    DETENTION_BOOKING = "detention_booking"
    DETENTION_RELEASE = "detention_release"
    TRANSFER = "transfer"
    REMOVAL = "removal"
    ENTRY = "entry"
    EXIT = "exit"
    DEPARTURE_VERIFIED = "departure_verified"
    DEPARTURE_SELF_REPORTED = "departure_self_reported"
    CITIZENSHIP_EVIDENCE = "citizenship_evidence"
    COOPERATION = "cooperation"
    ADDRESS_OBSERVATION = "address_observation"
    PLANNED_OPERATION = "planned_operation"
    CORRECTION = "correction"
    UNRECOGNISED_RECORD = "unrecognised_record"  # a record that may bar action and cannot be read


@dataclass(frozen=True, slots=True)
class EventRef:
    """A pointer to the event a derived fact rests on: its evidence."""

    kind: str
    on: date
    source: SourceId
    record_id: RecordId

    def __str__(self) -> str:
        return f"{self.kind} {self.on.isoformat()} {self.source}:{self.record_id}"

    @property
    def record(self) -> RecordRef:
        return RecordRef(self.source, self.record_id)


@dataclass(frozen=True, slots=True)
class Event:
    """One event from one source record.

    `recorded_on` is when the source system entered it (a court order entered months after the
    decision); before that date nobody could have known it, so as-of derivations ignore it. One held by then
    but dated after the as-of date counts only if it protects (`legal_derivation.bars_action`)."""

    kind: str
    on: date
    source: SourceId
    record_id: RecordId
    attributes: tuple[tuple[str, str], ...] = ()
    markings: tuple[str, ...] = ()
    recorded_on: date | None = None

    def get(self, name: str) -> str | None:
        for key, value in self.attributes:
            if key == name:
                return value
        return None

    def code(self, name: str) -> str:
        """A coded attribute (an outcome, a status, a type) as the rules compare it: trimmed and upper-cased,
        "" when absent, so "Removal" and "REMOVAL" are one outcome whatever the source wrote."""
        return (self.get(name) or "").strip().upper()

    def get_date(self, name: str) -> date | None:
        """An ISO-date attribute (the subjects stage writes dates as ISO), or None if absent or malformed."""
        text = self.get(name)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None

    def is_known_on(self, as_of: date) -> bool:
        """Had it happened, and been recorded, by `as_of`?"""
        return self.on <= as_of and self.is_held_on(as_of)

    def is_held_on(self, as_of: date) -> bool:
        """Did the system hold it on `as_of`: recorded by then, or with no recorded date (the record is there),
        whatever date it bears?"""
        return self.recorded_on is None or self.recorded_on <= as_of

    @property
    def ref(self) -> EventRef:
        return EventRef(self.kind, self.on, self.source, self.record_id)

    @property
    def record(self) -> RecordRef:
        return RecordRef(self.source, self.record_id)

    @property
    def sort_key(self) -> tuple[date, str, str, str]:
        return (self.on, self.source, self.record_id, self.kind)


def order_timeline(events: Iterable[Event]) -> tuple[Event, ...]:
    """Timeline order: by date, then source, then record (then kind), so it is stable across runs."""
    return tuple(sorted(events, key=lambda e: e.sort_key))
