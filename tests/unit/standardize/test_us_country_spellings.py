"""A nationality or country of birth written as a US citizenship, a US territory or any mention of the United
States is coded as the United States (or the territory): it reached the standardizer's None and vanished
before the citizenship gate, and no nationality conflict was flagged either."""

from __future__ import annotations

import pytest

from ilos.domain.countries import country_code, mentions_us
from ilos.standardize import demographics


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("US CITIZEN", "USA"), ("U.S. CITIZEN", "USA"), ("USC", "USA"), ("UNITED STATES CITIZEN", "USA"),
     ("UNITED STATES (USA)", "USA"), ("E.U.A.", "USA"), ("Estados Unidos de América", "USA"), ("840", "USA"),
     ("USVI", "VIR"), ("VIRGIN ISLANDS (U.S.)", "VIR"), ("VIRGIN ISLANDS", "VIR"), ("Puerto Rican", "PRI"),
     ("SAIPAN", "MNP"), ("SAMOA", "ASM"), ("BRITISH VIRGIN ISLANDS", "VGB"), ("Western Samoa", "WSM")],
)  # fmt: skip
def test_us_citizenship_and_territory_spellings_are_coded(raw: str, expected: str) -> None:
    assert demographics.normalize_country(raw) == expected
    assert country_code(raw) == expected


@pytest.mark.parametrize(
    "raw", ["USA-born", "Mexican-American", "U.S. national", "US MINOR OUTLYING ISLANDS", "naturalized US",
            "ciudadano de los Estados Unidos", "NORTH AMERICAN"],
)  # fmt: skip
def test_a_value_naming_no_country_but_mentioning_the_us_fails_safe_to_the_us(raw: str) -> None:
    """Read as USA it reaches the citizenship gate, where a supervisor's review settles it."""
    assert demographics.normalize_country(raw) == "USA"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("SOUTH AMERICA", None), ("Central American", None), ("LATIN AMERICA", None),
     ("Estados Unidos Mexicanos", "MEX"), ("LATINOAMERICANO", None), ("BELARUS", None), ("Atlantis", None),
     ("USUAL", None)],
)  # fmt: skip
def test_regions_without_the_us_and_mexicos_official_name_are_not_the_us(
    raw: str, expected: str | None
) -> None:
    assert demographics.normalize_country(raw) == expected
    assert not mentions_us(raw.upper()) or expected == "MEX"
