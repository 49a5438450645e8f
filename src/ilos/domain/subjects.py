"""The golden subject record: attributes as observations with provenance, the timeline, and the legal
situation derived from it. Best values are computed on request from the rules, never stored alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ilos.domain.attributes import Attribute, SurvivorshipRules, Value
from ilos.domain.events import Event
from ilos.domain.legal import LegalSituation
from ilos.domain.provenance import Observed, RecordRef, SubjectId

SUBJECT_ID_PREFIX = "S-"


def normalize_subject_id(text: str) -> str:
    """A subject id as ILOS writes it ("S-" and lower-case hex, `resolve.stable_ids`): surrounding space
    dropped, and " s-0585B5BA2360" read as "S-0585b5ba2360". Any other text is kept as written (trimmed)."""
    trimmed = text.strip()
    if trimmed[: len(SUBJECT_ID_PREFIX)].upper() == SUBJECT_ID_PREFIX:
        return SUBJECT_ID_PREFIX + trimmed[len(SUBJECT_ID_PREFIX) :].lower()
    return trimmed


@dataclass(frozen=True, slots=True)
class Subject:
    subject_id: SubjectId
    attributes: Mapping[str, Attribute[Value]]
    events: tuple[Event, ...]
    legal: LegalSituation
    records: tuple[RecordRef, ...] = field(default=())

    def attribute(self, name: str) -> Attribute[Value]:
        return self.attributes.get(name) or Attribute(name)

    def best(self, name: str, rules: SurvivorshipRules) -> Observed[Value] | None:
        return self.attribute(name).best(rules)

    def conflicts(self, rules: SurvivorshipRules) -> tuple[str, ...]:
        """Critical attributes observed with more than one value: flagged for a person to resolve."""
        return tuple(sorted(n for n, a in self.attributes.items() if n in rules.critical and a.conflict))
