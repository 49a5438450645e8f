"""The policy file (policies/*.yaml): gate parameters, purposes, markings per source and the access
matrix, validated by pydantic; the legal floors (statuses that always bar removal, HEALTH never for
enforcement, TAX only with an authority) are checked here so no file can lower them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ilos.definitions.priority_rules import PriorityRuleSet
from ilos.definitions.sources import SourcesConfig
from ilos.domain.events import EventKind
from ilos.errors import ConfigError

ROLES: tuple[str, ...] = ("data_steward", "analyst", "supervisor", "logistics_planner", "oversight", "admin")
PURPOSES: tuple[str, ...] = (
    "case_investigation",
    "removal_logistics",
    "data_quality",
    "oversight",
    "administration",
)
# Statuses that bar removal by law; a policy may add kinds, never drop these.
REQUIRED_BARRING_STATUSES: frozenset[str] = frozenset({"tps", "daca", "asylee", "u_visa", "t_visa", "lpr"})
REQUIRED_BARRING_PENDING: frozenset[str] = frozenset({"ASYLUM", "TPS", "DACA", "U_VISA", "T_VISA"})
NEVER_FOR_ENFORCEMENT: frozenset[str] = frozenset({"HEALTH"})
AUTHORITY_REQUIRED: frozenset[str] = frozenset({"TAX"})

AccessDecision = Literal["allow", "deny", "authority"]


UNMARKED = "UNMARKED"
"""The marking of a source that declares none: the policy decides it like any other."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PurposeSpec(_Strict):
    enforcement: bool = Field(description="Does work for this purpose lead to adverse action on a person?")
    description: str = ""


class GateParams(_Strict):
    link_confidence_threshold: float = Field(ge=0.0, le=1.0)
    barring_statuses: tuple[str, ...]
    barring_pending_benefits: tuple[str, ...]
    critical_conflicts: tuple[str, ...] = ("date_of_birth", "a_number", "nationality", "citizenship")
    departed_blocks: bool = True
    unmerged_match_probability: float = Field(
        default=0.8,
        ge=0.0,
        le=1.0,
        description="A pair at least this likely that the linker did not merge (a constraint refused it) "
        "leaves both subjects' identity unsettled until a person judges it.",
    )
    protective_sources: tuple[str, ...] = Field(
        default=(),
        description="Sources whose records can protect a person, besides those whose events say so "
        "(`protective_source_names`); each must be a source of the linkage's config.",
    )
    protective_match_probability: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="A record of a protective source this likely to be the same person as another subject's "
        "record, but not merged, leaves that subject's identity unsettled: its protection may be there.",
    )

    @model_validator(mode="after")
    def _legal_floor(self) -> GateParams:
        missing = sorted(REQUIRED_BARRING_STATUSES - set(self.barring_statuses))
        missing += sorted(REQUIRED_BARRING_PENDING - {b.upper() for b in self.barring_pending_benefits})
        if missing:
            raise ValueError(f"gates must bar removal for {missing}; these protections are required by law")
        return self


PROTECTIVE_EVENT_KINDS: frozenset[str] = frozenset(
    {
        EventKind.CITIZENSHIP_EVIDENCE,
        EventKind.COOPERATION,
        EventKind.BENEFIT_APPLICATION,
        EventKind.BENEFIT_DECISION,
    }
)
"""Event kinds of sources each of whose records is about a protection (citizenship, cooperation, an
application or its decision). Stays, appeals and LPR/USC entries protect too, but they come from sources
most of whose records do not (court cases, border crossings): naming those whole sources would hold nearly
every subject with a weak pair."""


def protective_source_names(gates: GateParams, config: SourcesConfig) -> tuple[str, ...]:
    """The sources whose weakly linked records hold another subject (`protective_match_probability`): every
    people source with an event of `PROTECTIVE_EVENT_KINDS`, whatever the deployment calls it, and each source
    the policy names. A name the config lacks is a ConfigError, not a warning: the hold the policy's author
    meant is not there, and an error stops every gate decision (nothing is decided actionable on a weakened
    gate) where a warning lets the worklist read as if it held."""
    known = {s.name for s in config.sources}
    unknown = [name for name in gates.protective_sources if name not in known]
    if unknown:
        raise ConfigError(
            f"The policy's gates.protective_sources names {', '.join(map(repr, unknown))}, which the linkage's "
            f"sources config lacks (its sources: {', '.join(sorted(known))}); name the source as the config "
            "does, or remove it: a source whose events are applications, citizenship evidence or cooperation "
            "is protective without being named"
        )
    derived = {
        s.name for s in config.people_sources if any(e.kind in PROTECTIVE_EVENT_KINDS for e in s.events)
    }
    return tuple(sorted(derived | set(gates.protective_sources)))


class AccessRule(_Strict):
    """First matching rule wins; `*` matches anything."""

    roles: tuple[str, ...] = ("*",)
    purposes: tuple[str, ...] = ("*",)
    markings: tuple[str, ...] = ("*",)
    decision: AccessDecision
    why: str = ""

    def matches(self, role: str, purpose: str, marking: str) -> bool:
        return all(
            "*" in allowed or value in allowed
            for allowed, value in ((self.roles, role), (self.purposes, purpose), (self.markings, marking))
        )


class PolicySpec(_Strict):
    id: str
    version: int
    description: str = ""
    priority_rules: str
    purposes: dict[str, PurposeSpec]
    role_purposes: dict[str, tuple[str, ...]]
    source_markings: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Override the sources config's markings per source."
    )
    gates: GateParams
    access: tuple[AccessRule, ...]
    default_access: AccessDecision = "deny"

    @model_validator(mode="after")
    def _vocabulary(self) -> PolicySpec:
        problems = [f"unknown purpose {p!r}" for p in self.purposes if p not in PURPOSES]
        problems += [f"unknown role {r!r}" for r in self.role_purposes if r not in ROLES]
        for rule in self.access:
            problems += [
                f"access rule names unknown role {r!r}" for r in rule.roles if r not in (*ROLES, "*")
            ]
            problems += [
                f"access rule names unknown purpose {p!r}" for p in rule.purposes if p not in (*PURPOSES, "*")
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def is_enforcement(self, purpose: str) -> bool:
        spec = self.purposes.get(purpose)
        return spec is None or spec.enforcement  # an unknown purpose is treated as the strictest


class Policy(_Strict):
    """A loaded policy with its priority rule set; `content_hash` covers both files' bytes."""

    spec: PolicySpec
    rules: PriorityRuleSet
    content_hash: str
    source: str = ""

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> int:
        return self.spec.version

    @property
    def label(self) -> str:
        return f"{self.spec.id}@v{self.spec.version}:{self.content_hash[:12]}"

    def markings_of(self, source: str, declared: Sequence[str]) -> tuple[str, ...]:
        """A source's markings under this policy: its override, else the sources config's, else UNMARKED."""
        return tuple(self.spec.source_markings.get(source) or declared or (UNMARKED,))
