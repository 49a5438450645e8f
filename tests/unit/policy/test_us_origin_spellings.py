"""The citizenship gate and the change worker read a nationality or birthplace that mentions the United States
as a citizenship signal however it is written, even a value the standardizer never coded (a raw "US
CITIZEN" reaching the gate), while a region excluding the United States is no signal."""

from __future__ import annotations

import pytest
from policy_scenarios import FINAL_ORDER, TODAY, policy, subject

from ilos.domain.events import EventRef
from ilos.policy.gates import evaluate_gates
from ilos.policy.results import GateId, GateResult
from ilos.subjects.changes import citizenship_origin_changes

MEXICAN = "nationality=MEX court_cases:D1 2025-03-01"


def _citizenship(observation: str) -> GateResult:
    gates = evaluate_gates(subject([FINAL_ORDER], [MEXICAN, observation]), TODAY, policy())
    return next(g for g in gates if g.gate == GateId.CITIZENSHIP)


@pytest.mark.parametrize(
    "written", ["US|CITIZEN", "U.S.|CITIZEN", "USC", "UNITED|STATES|CITIZEN", "USVI", "VIRGIN|ISLANDS",
                "VIRGIN|ISLANDS|(U.S.)", "Puerto|Rican", "UNITED|STATES|(USA)", "E.U.A.", "USA-born"],
)  # fmt: skip
def test_a_us_citizenship_spelling_as_nationality_blocks(written: str) -> None:
    gate = _citizenship(f"nationality={written} encounters:E7 2026-01-01")
    assert gate.blocks and "encounters:E7" in gate.reason, gate


@pytest.mark.parametrize("written", ["SOUTH|AMERICA", "Estados|Unidos|Mexicanos", "BRITISH|VIRGIN|ISLANDS"])
def test_a_region_or_country_that_is_not_the_us_is_no_signal(written: str) -> None:
    assert not _citizenship(f"country_of_birth={written} encounters:E7 2026-01-01").blocks


def test_a_record_written_us_citizen_is_an_affirmative_change() -> None:
    evidence = (EventRef("encounter", TODAY, "encounters", "E7"),)  # type: ignore[arg-type]
    changes = citizenship_origin_changes(
        {"nationality": "US CITIZEN", "country_of_birth": "SOUTH AMERICA"}, evidence
    )
    assert [(c.classification.value, c.kind, c.summary) for c in changes] == [
        ("affirmative", "citizenship_signal", "nationality US CITIZEN")
    ]
