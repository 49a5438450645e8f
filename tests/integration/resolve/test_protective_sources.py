"""Which sources' weakly linked records hold another subject is read where the policy meets the linkage's
sources config: every source whose events are applications, citizenship evidence or cooperation, whatever
the deployment calls it, and the sources the policy names, each of which must be in the config. A name the
config lacked was matched against no record, and the weak-link hold was lost without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilos.definitions.policy import Policy
from ilos.definitions.policy_files import load_policy
from ilos.errors import ConfigError
from ilos.services.gate_inputs import load_candidates


def _with_gates(**changes: object) -> Policy:
    policy = load_policy()
    gates = policy.spec.gates.model_copy(update=changes)
    return policy.model_copy(update={"spec": policy.spec.model_copy(update={"gates": gates})})


def test_protective_sources_come_from_the_config_without_being_named(built: Path) -> None:
    named = load_candidates(
        built, _with_gates(protective_sources=("benefit_applications", "citizenship_evidence", "cooperation"))
    )
    unnamed = load_candidates(built, _with_gates(protective_sources=()))
    without_hold = load_candidates(
        built, _with_gates(protective_sources=(), protective_match_probability=1.0)
    )
    assert unnamed == named
    assert unnamed != without_hold  # the weak-link hold adds pairs in this world, named or not


def test_a_protective_source_the_config_lacks_is_an_error_naming_it(built: Path) -> None:
    with pytest.raises(ConfigError, match=r"names 'benefits', which the linkage's sources config lacks"):
        load_candidates(built, _with_gates(protective_sources=("benefits", "cooperation")))
