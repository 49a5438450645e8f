"""A source is protective by what its records are (its event kinds), not by its name: a deployment that calls
its benefit source `asylum_apps` keeps the weak-link hold; one the policy names must exist."""

from __future__ import annotations

import pytest

from ilos.definitions.policy import protective_source_names
from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import EventSpec, SourcesConfig, SourceSpec
from ilos.errors import ConfigError


def _source(name: str, *kinds: str) -> SourceSpec:
    events = tuple(EventSpec(kind=k, date="day") for k in kinds)
    return SourceSpec(
        name=name, path=f"{name}.csv", record_id="id", fields={"full_name": "name"}, events=events
    )


CONFIG = SourcesConfig(
    sources=(
        _source("asylum_apps", "benefit_application", "benefit_decision"),
        _source("naturalizations", "citizenship_evidence"),
        _source("witnesses", "cooperation"),
        _source("court", "removal_order", "stay", "appeal"),
        _source("crossings", "entry"),
        _source("tax", "address_observation"),
    )
)


def test_sources_named_otherwise_are_protective_by_their_events() -> None:
    gates = load_policy().spec.gates
    assert protective_source_names(gates, CONFIG) == ("asylum_apps", "naturalizations", "witnesses")


def test_a_named_source_is_added_and_an_unknown_name_is_refused() -> None:
    gates = load_policy().spec.gates.model_copy(update={"protective_sources": ("tax",)})
    assert protective_source_names(gates, CONFIG) == ("asylum_apps", "naturalizations", "tax", "witnesses")
    wrong = gates.model_copy(update={"protective_sources": ("benefit_applications",)})
    with pytest.raises(
        ConfigError, match="names 'benefit_applications', which the linkage's sources config lacks"
    ):
        protective_source_names(wrong, CONFIG)
