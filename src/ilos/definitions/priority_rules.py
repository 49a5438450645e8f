"""Priority rule sets (policies/priority/*.yaml): validated, hashed, and refused when a factor would rank
people by a protected attribute."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Never a priority factor, whatever a rule set says: ranking people by who they are rather than what they
# did is what the guidelines (and equal-protection law) forbid. Nationality is listed because as a
# factor it stands in for national origin; destination countries are handled by gates, not priority.
PROTECTED_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "race",
        "ethnicity",
        "religion",
        "religious_activity",
        "sex",
        "gender",
        "sexual_orientation",
        "national_origin",
        "nationality",
        "country_of_birth",
        "place_of_birth",
        "language",
        "political_activity",
        "political_opinion",
    }
)

FactorKind = Literal[
    "offense",  # a standing conviction for one of `offenses` (national security, weapons...)
    "conviction",  # standing convictions matching offenses/levels/min_severity within `within_years`
    "prior_record",  # at least `min_count` standing convictions
    "recent_unlawful_entry",  # apprehended at the border or expedited removal on/after `since`
    "final_order",  # a final order of removal
    "age_at_least",  # age (from date of birth) >= `years`
    "age_below",  # age < `years`
    "long_presence",  # first presence in the record >= `years` ago
    "cooperation",  # any victim/witness cooperation, past or present
    "pending_relief",  # an application for relief is pending
    "vacated_conviction",  # a conviction that was vacated (shown, so it is seen not to count)
    "attribute_in",  # the best value of `attribute` is one of `values`
    "event_present",  # an event of `event_kind` whose attributes match `where`
]


class FactorSpec(BaseModel):
    """One factor: what it detects (`kind` + parameters), its weight and its category."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: FactorKind
    weight: int
    category: str
    description: str = ""
    offenses: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    min_severity: int | None = None
    within_years: int | None = None
    since: date | None = None
    min_count: int = 1
    years: int | None = None
    attribute: str | None = None
    values: tuple[str, ...] = ()
    event_kind: str | None = None
    where: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @property
    def mitigating(self) -> bool:
        return self.weight < 0

    def protected_uses(self) -> list[str]:
        """Protected attributes this factor would read: any is a reason to refuse the rule set."""
        named = [self.attribute] if self.attribute else []
        named += list(self.where)
        return [n for n in named if n.lower() in PROTECTED_ATTRIBUTES]

    @model_validator(mode="after")
    def _parameters_present(self) -> FactorSpec:
        needs = {
            "offense": self.offenses,
            "attribute_in": self.attribute and self.values,
            "event_present": self.event_kind,
            "recent_unlawful_entry": self.since,
            "age_at_least": self.years,
            "age_below": self.years,
            "long_presence": self.years,
        }
        if self.kind in needs and not needs[self.kind]:
            raise ValueError(f"factor {self.id!r} of kind {self.kind!r} is missing its parameters")
        return self


class Band(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    min_score: int


class PriorityRuleSet(BaseModel):
    """A whole rule set; `content_hash` is filled by the loader so every score can cite it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int
    title: str
    reference: str = ""
    bands: tuple[Band, ...]
    factors: tuple[FactorSpec, ...]
    content_hash: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _no_protected_factor(self) -> PriorityRuleSet:
        bad = [
            f"factor {f.id!r} uses protected attribute {a!r}"
            for f in self.factors
            for a in f.protected_uses()
        ]
        if bad:
            raise ValueError(
                "; ".join(bad) + " — protected attributes can never be priority factors; remove the factor"
            )
        ids = [f.id for f in self.factors]
        if len(ids) != len(set(ids)):
            raise ValueError(f"factor ids must be unique, got {ids}")
        return self

    def band_of(self, score: int) -> str:
        for band in sorted(self.bands, key=lambda b: -b.min_score):
            if score >= band.min_score:
                return band.name
        return "none"
