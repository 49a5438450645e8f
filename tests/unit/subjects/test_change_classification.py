"""Change classification: each row is the events before, the events that arrive, and what an alert says."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from ilos.domain.legal_derivation import derive_legal_situation
from ilos.subjects.changes import citizenship_origin_changes, classify_changes

sys.path.insert(0, str(Path(__file__).parents[1] / "domain"))
from test_legal_derivation import ev

TODAY = date(2026, 11, 1)
ORDER = "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL"
CHARGE = "2020-01-01 crim:C1 charge arrest=A1 offense=ASSAULT severity=2 disposition=CONVICTED"

CASES: list[tuple[str, list[str], list[str], list[tuple[str, str]]]] = [
    ("nothing new, nothing to say", [ORDER], [], []),
    ("a stay arrives after the order", [ORDER], ["2026-03-01 court_cases:R4 stay case=C1 stay_type=JUDICIAL"],
     [("affirmative", "stay_granted")]),
    ("an appeal is filed", ["2026-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL"],
     ["2026-01-20 court_cases:R3 appeal case=C1 status=PENDING"], [("affirmative", "appeal_filed")]),
    ("an application is filed", [], ["2026-02-01 benefits:B1 benefit_application benefit=ASYLUM receipt=B1"],
     [("affirmative", "application_filed")]),
    ("citizenship evidence appears", [ORDER],
     ["1990-05-01 vital:V1 citizenship_evidence evidence_type=BIRTH_RECORD"],
     [("affirmative", "citizenship_evidence")]),
    ("a witness or victim certification arrives", [ORDER],
     ["2026-10-30 cooperation:W1 cooperation type=U_VISA_CERT status=ACTIVE"], [("affirmative", "cooperation")]),
    ("an ended certification protects nobody now", [ORDER],
     ["2024-01-01 cooperation:W2 cooperation type=MATERIAL_WITNESS status=ENDED"], []),
    ("a court record of no known type arrives", [ORDER],
     ["2026-10-01 court_cases:R7 unrecognised_record case=C1 typed=REC_TYPE=STY"],
     [("affirmative", "unrecognised_record")]),
    ("the conviction is vacated", [CHARGE],
     ["2021-01-01 crim:C2 conviction arrest=A1 offense=ASSAULT severity=2 disposition=VACATED"],
     [("affirmative", "charge_relieved")]),
    ("a new arrest with a conviction", [],
     ["2026-05-01 crim:C9 charge arrest=A9 offense=ROBBERY severity=3 disposition=CONVICTED"],
     [("derogatory", "new_arrest"), ("derogatory", "new_conviction")]),
    ("a late-entered order becomes final", ["2025-01-10 court_cases:R1 court_proceeding case=C1"], [ORDER],
     [("derogatory", "order_final")]),
]  # fmt: skip


def test_a_change_resting_on_an_event_dated_ahead_says_so() -> None:
    old = derive_legal_situation([ev(ORDER)], TODAY)
    new = derive_legal_situation(
        [ev(ORDER), ev("2026-12-11 court_cases:R4 stay case=C1 stay_type=JUDICIAL")], TODAY
    )
    [change] = classify_changes(old, new)
    assert change.kind == "stay_granted" and "dated after 2026-11-01" in change.summary


@pytest.mark.parametrize(("name", "before", "arriving", "expected"), CASES, ids=[c[0] for c in CASES])
def test_change_classification_table(
    name: str, before: list[str], arriving: list[str], expected: list[tuple[str, str]]
) -> None:
    old = derive_legal_situation([ev(line) for line in before], TODAY)
    new = derive_legal_situation([ev(line) for line in before + arriving], TODAY)
    changes = classify_changes(old, new)
    assert sorted((c.classification.value, c.kind) for c in changes) == sorted(expected)
    assert all(c.evidence for c in changes)


def test_a_record_giving_a_us_nationality_or_birthplace_is_an_affirmative_citizenship_signal() -> None:
    evidence = (ev("2026-03-01 encounters:E7 encounter disposition=RELEASED").ref,)
    changes = citizenship_origin_changes({"nationality": "USA", "country_of_birth": "PRI"}, evidence)
    assert [(c.classification.value, c.kind, c.summary) for c in changes] == [
        ("affirmative", "citizenship_signal", "nationality USA"),
        ("affirmative", "citizenship_signal", "country of birth PRI"),
    ]
    assert all(c.evidence == evidence for c in changes)
    assert citizenship_origin_changes({"nationality": "MEX", "country_of_birth": None}, evidence) == []
