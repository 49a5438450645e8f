"""Attributes as lists of observed values, and survivorship: the documented rules that rank values
so a "best" value is derived on demand and never stored without its observations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

from ilos.domain.provenance import Observed

T = TypeVar("T")
Value = str | date

CRITICAL_ATTRIBUTES: frozenset[str] = frozenset({"date_of_birth", "a_number", "nationality", "citizenship"})


class Criterion(StrEnum):
    """One survivorship criterion; rules apply them in order, each breaking the ties of the one before."""

    RELIABILITY = "reliability"  # the most reliable source tier that observed the value
    AGREEMENT = "agreement"  # how many distinct sources observed the value
    RECENCY = "recency"  # the latest date the value was observed
    CONFIDENCE = "confidence"  # the highest link confidence among its observations


DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion.RELIABILITY,
    Criterion.AGREEMENT,
    Criterion.RECENCY,
    Criterion.CONFIDENCE,
)


@dataclass(frozen=True, slots=True)
class SurvivorshipRules:
    """Source reliability tiers (1 = most reliable) and the criteria order per attribute.

    Loaded from versioned YAML (ilos.definitions.survivorship); `content_hash` lets every derived
    best value cite the exact rules that chose it."""

    source_tiers: Mapping[str, int] = field(default_factory=dict)
    default_tier: int = 9
    criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA
    per_attribute: Mapping[str, tuple[Criterion, ...]] = field(default_factory=dict)
    critical: frozenset[str] = CRITICAL_ATTRIBUTES
    version: int = 1
    content_hash: str = ""

    def tier(self, source: str) -> int:
        return self.source_tiers.get(source, self.default_tier)

    def criteria_for(self, attribute: str) -> tuple[Criterion, ...]:
        return self.per_attribute.get(attribute, self.criteria)


@dataclass(frozen=True, slots=True)
class RankedValue(Generic[T]):
    """One distinct value of an attribute with every observation that supports it."""

    value: T
    observations: tuple[Observed[T], ...]

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(o.source for o in self.observations)


@dataclass(frozen=True, slots=True)
class Attribute(Generic[T]):
    """Every value one attribute of a subject was observed with, each with its provenance."""

    name: str
    observations: tuple[Observed[T], ...] = ()

    @property
    def values(self) -> tuple[T, ...]:
        """Distinct values in first-observed order."""
        return tuple(dict.fromkeys(o.value for o in self.observations))

    @property
    def conflict(self) -> bool:
        """More than one distinct value: on a critical field this is flagged, never resolved silently."""
        return len(self.values) > 1

    def ranked(self, rules: SurvivorshipRules) -> tuple[RankedValue[T], ...]:
        """Distinct values, best first, by the attribute's criteria; the value text breaks final ties."""
        groups: dict[T, list[Observed[T]]] = {}
        for obs in self.observations:
            groups.setdefault(obs.value, []).append(obs)
        criteria = rules.criteria_for(self.name)
        ranked = [RankedValue(v, tuple(obs)) for v, obs in groups.items()]
        ranked.sort(key=lambda r: str(r.value))
        ranked.sort(key=lambda r: _score(r, criteria, rules), reverse=True)
        return tuple(ranked)

    def best(self, rules: SurvivorshipRules) -> Observed[T] | None:
        """The best value, as its strongest observation (so its provenance comes with it). An attribute seen
        with one value only, as most are, needs no ranking (the build asks for eight per subject)."""
        if not self.observations:
            return None
        first = self.observations[0].value
        if all(o.value == first for o in self.observations):
            top = self.observations
        else:
            top = self.ranked(rules)[0].observations
        return max(top, key=lambda o: _observation_strength(o, rules))


def _score(
    ranked: RankedValue[T], criteria: tuple[Criterion, ...], rules: SurvivorshipRules
) -> tuple[float, ...]:
    """Higher is better for every position, so one descending sort applies the criteria in order."""
    obs = ranked.observations
    parts: dict[Criterion, float] = {
        Criterion.RELIABILITY: -min(rules.tier(o.source) for o in obs),
        Criterion.AGREEMENT: len(ranked.sources),
        Criterion.RECENCY: max((o.observed_on.toordinal() for o in obs if o.observed_on), default=0),
        Criterion.CONFIDENCE: max(o.link_confidence for o in obs),
    }
    return tuple(parts[c] for c in criteria)


def _observation_strength(obs: Observed[T], rules: SurvivorshipRules) -> tuple[float, float, float, str]:
    recency = obs.observed_on.toordinal() if obs.observed_on else 0
    return (-rules.tier(obs.source), recency, obs.link_confidence, obs.record_id)
