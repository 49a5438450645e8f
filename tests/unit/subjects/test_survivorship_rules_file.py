"""The survivorship rules file: the shipped one loads, and a broken one names what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilos.definitions.survivorship import load_survivorship_rules
from ilos.domain.attributes import Criterion
from ilos.errors import InvalidInputError


def test_shipped_rules_rank_court_above_tax_and_carry_a_hash() -> None:
    rules = load_survivorship_rules()
    assert (
        rules.tier("court_cases")
        < rules.tier("encounters")
        < rules.tier("benefit_applications")
        < rules.tier("tax_addresses")
    )
    assert rules.criteria_for("address")[0] == Criterion.RECENCY
    assert len(rules.content_hash) == 64
    assert {"date_of_birth", "a_number", "nationality", "citizenship"} <= rules.critical


def test_source_in_two_tiers_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\ntiers: {1: [a], 2: [a]}\ndefault_tier: 3\ncriteria: [reliability]\n")
    with pytest.raises(InvalidInputError, match="tier 1 and tier 2"):
        load_survivorship_rules(path)


def test_unknown_criterion_is_reported_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\ntiers: {1: [a]}\ndefault_tier: 3\ncriteria: [popularity]\n")
    with pytest.raises(InvalidInputError) as caught:
        load_survivorship_rules(path)
    assert any("criteria" in p.location for p in caught.value.problems)
