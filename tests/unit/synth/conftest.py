"""Small seeded worlds shared by the synth tests (generated once per session)."""

from __future__ import annotations

import pytest

from ilos.synth import ErrorRates, WorldSummary, generate_world

# Rates raised well above the defaults so a 2,000-person world measures them with little noise.
HIGH_RATES = ErrorRates(
    nickname=0.30,
    typo=0.20,
    placeholder_name=0.05,
    dob_day_month_swapped=0.20,
    dob_defaulted=0.05,
    placeholder_ssn=0.10,
    bad_row=0.02,
)


@pytest.fixture(scope="session")
def high_rates() -> ErrorRates:
    return HIGH_RATES


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> WorldSummary:
    return generate_world(tmp_path_factory.mktemp("world"), 2000, 11)


@pytest.fixture(scope="session")
def noisy_world(tmp_path_factory: pytest.TempPathFactory) -> WorldSummary:
    return generate_world(tmp_path_factory.mktemp("noisy"), 2000, 12, rates=HIGH_RATES)
