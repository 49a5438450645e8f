"""Typed ids and the provenance every value carries: which source and record said it, when, and how
sure we are that the record belongs to the subject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, NewType, TypeVar

SourceId = NewType("SourceId", str)
RecordId = NewType("RecordId", str)
SubjectId = NewType("SubjectId", str)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RecordRef:
    """One row of one source: the unit provenance points at."""

    source: SourceId
    record_id: RecordId

    def __str__(self) -> str:
        return f"{self.source}:{self.record_id}"


@dataclass(frozen=True, slots=True)
class Observed(Generic[T]):
    """A value as one source saw it. Kept whole so a best value can always show where it came from."""

    value: T
    source: SourceId
    record_id: RecordId
    observed_on: date | None = None
    link_confidence: float = 1.0
    markings: tuple[str, ...] = ()

    @property
    def record(self) -> RecordRef:
        return RecordRef(self.source, self.record_id)
