"""Withholding and CAT protection bar removal to the protected country however the destination or the
protection spells it: both are compared as ISO 3166-1 alpha-3 codes, and a destination that names no known
country is barred (it may be the protected one)."""

from __future__ import annotations

import pytest
from policy_scenarios import TODAY, policy, subject

from ilos.domain.countries import ISO_ALPHA3, country_code
from ilos.policy.gates import evaluate_gates
from ilos.policy.results import GateId, GateResult

WITHHOLDING_COL = "2025-03-01 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=COL relief=WITHHOLDING"


def _protection(events: list[str], destination: str | None) -> GateResult:
    gates = evaluate_gates(subject(events), TODAY, policy(), destination_country=destination)
    return next(g for g in gates if g.gate == GateId.COUNTRY_PROTECTION)


@pytest.mark.parametrize(
    "destination",
    ["COL", "col", " COL", "COL ", "Col", "CO", "co", "COLOMBIA", "Colombia", "Colômbia", "colombia."],
)
def test_withholding_bars_every_spelling_of_the_protected_country(destination: str) -> None:
    gate = _protection([WITHHOLDING_COL], destination)
    assert gate.blocks, gate.reason
    assert gate.reason == "removal to COL is barred (withholding:COL)"
    assert gate.evidence and "court_cases:D1" in gate.records


@pytest.mark.parametrize("destination", ["XX", "COLX", "C O L", "UNKNOWN", "Narnia", "🇨🇴"])
def test_a_destination_that_names_no_known_country_is_barred_while_a_protection_stands(
    destination: str,
) -> None:
    gate = _protection([WITHHOLDING_COL], destination)
    assert gate.blocks
    assert "(not a known country) is barred (withholding:COL)" in gate.reason


@pytest.mark.parametrize("written", ["col", "Colombia", "CO"])
def test_a_protection_written_other_than_as_a_code_still_bars_its_country(written: str) -> None:
    protection = WITHHOLDING_COL.replace("destination_country=COL", f"destination_country={written}")
    assert _protection([protection], "COL").blocks
    assert _protection([protection], None).blocks  # the order's own country
    assert not _protection([protection], "gtm").blocks


def test_a_protection_of_an_unknown_country_bars_every_destination() -> None:
    protection = WITHHOLDING_COL.replace("destination_country=COL", "destination_country=ZZZ")
    assert _protection([protection], "GTM").blocks


def test_removal_to_another_country_in_any_spelling_is_allowed_with_a_note() -> None:
    gate = _protection([WITHHOLDING_COL], " gtm ")
    assert not gate.blocks
    assert gate.reason == "no protection for GTM"
    assert "withholding:COL" in gate.note


def test_country_codes_come_from_codes_and_names_in_any_case() -> None:
    assert country_code("gin") == "GIN"  # any assigned alpha-3 code, listed spellings or not
    assert country_code("Estados Unidos") == "USA"
    assert country_code(" mx ") == "MEX"
    assert country_code("") is None and country_code("   ") is None and country_code(None) is None
    assert country_code("ZW") is None  # an alpha-2 code is known only for the listed countries
    assert len(ISO_ALPHA3) == 249
