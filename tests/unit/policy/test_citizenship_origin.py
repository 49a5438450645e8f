"""A record giving the person's nationality or country of birth as the United States (or a US territory)
suggests US citizenship: the citizenship gate blocks, names the record, and only a supervisor's citizenship
review lifts it; an identity verification does not."""

from __future__ import annotations

from datetime import datetime

import pytest
from policy_scenarios import FINAL_ORDER, SUBJECT, TODAY, policy, subject

from ilos.policy.decide import evaluate_subject
from ilos.policy.gates import evaluate_gates
from ilos.policy.results import GateId, GateResult, GateReview, Status

MEXICAN = "nationality=MEX court_cases:D1 2025-03-01"
US_NATIONALITY = "nationality=USA encounters:E7 2026-01-01"


def _citizenship(observations: list[str], events: list[str] = (FINAL_ORDER,)) -> GateResult:  # type: ignore[assignment]
    gates = evaluate_gates(subject(list(events), observations), TODAY, policy())
    return next(g for g in gates if g.gate == GateId.CITIZENSHIP)


def _review(gate: GateId, covers: tuple[str, ...], finding: str) -> GateReview:
    return GateReview(
        gate,
        SUBJECT,
        "j.smith",
        "supervisor",
        datetime(2026, 10, 30, 10),
        "cleared",
        ("encounter form read",),
        finding=finding,
        covers=covers,
    )


@pytest.mark.parametrize(
    ("observation", "named"),
    [
        (US_NATIONALITY, "nationality USA on encounters:E7"),
        ("nationality=US encounters:E7 2026-01-01", "nationality US on encounters:E7"),
        ("nationality=United|States encounters:E7 2026-01-01", "nationality United States on encounters:E7"),
        (
            "country_of_birth=USA benefit_applications:B2 2026-01-01",
            "country of birth USA on benefit_applications:B2",
        ),
        ("country_of_birth=PRI encounters:E7 2026-01-01", "country of birth PRI on encounters:E7"),
    ],
)
def test_a_us_nationality_or_birthplace_blocks_through_the_citizenship_gate(
    observation: str, named: str
) -> None:
    gate = _citizenship([MEXICAN, observation])
    assert gate.blocks
    assert gate.reason == f"records suggest US citizenship ({named}); supervisor review required"
    record = observation.split()[1]
    assert gate.records == (record,)
    assert [e for e in gate.evidence if e.endswith(record)]


def test_the_subject_is_blocked_not_only_in_need_of_verification() -> None:
    decision = evaluate_subject(
        subject([FINAL_ORDER], [MEXICAN, US_NATIONALITY]), TODAY, policy(), "supervisor", "removal_logistics"
    )
    assert decision.status == Status.BLOCKED
    assert {g.gate for g in decision.blocking} == {GateId.CITIZENSHIP, GateId.IDENTITY}


def test_another_nationality_is_no_signal() -> None:
    gate = _citizenship([MEXICAN, "country_of_birth=GTM encounters:E7 2026-01-01"])
    assert not gate.blocks and gate.reason == "no record suggests US citizenship"


def test_an_identity_verification_does_not_lift_it_a_citizenship_review_that_saw_it_does() -> None:
    s = subject([FINAL_ORDER], [MEXICAN, US_NATIONALITY])
    seen = next(g for g in evaluate_gates(s, TODAY, policy()) if g.gate == GateId.CITIZENSHIP).evidence
    identity_seen = next(g for g in evaluate_gates(s, TODAY, policy()) if g.gate == GateId.IDENTITY).evidence
    verified = evaluate_subject(
        s, TODAY, policy(), "supervisor", "removal_logistics",
        reviews=[_review(GateId.IDENTITY, identity_seen, "identity_verified")],
    )  # fmt: skip
    assert verified.status == Status.BLOCKED
    assert [g.gate for g in verified.blocking] == [GateId.CITIZENSHIP]
    cleared = evaluate_subject(
        s, TODAY, policy(), "supervisor", "removal_logistics",
        reviews=[
            _review(GateId.IDENTITY, identity_seen, "identity_verified"),
            _review(GateId.CITIZENSHIP, seen, "not_citizenship"),
        ],
    )  # fmt: skip
    assert cleared.status == Status.ACTIONABLE


def test_a_nationality_on_a_record_already_cited_is_not_cited_again() -> None:
    """A US-citizen admission and its record's nationality are one piece of evidence: a review that saw the
    admission saw the record."""
    admission = "2026-02-01 border_crossings:X1 entry class=USC"
    gate = _citizenship(["nationality=USA border_crossings:X1 2026-02-01"], [FINAL_ORDER, admission])
    assert gate.blocks and "nationality" not in gate.reason
    assert not [e for e in gate.evidence if e.startswith("nationality=")]
    other = _citizenship(["nationality=USA border_crossings:X2 2026-03-01"], [FINAL_ORDER, admission])
    assert "nationality USA on border_crossings:X2" in other.reason
    assert "nationality=USA border_crossings:X2" in other.evidence


def test_many_records_are_named_three_and_counted() -> None:
    observations = [f"nationality=USA border_crossings:X{i} 2026-01-0{i}" for i in range(1, 6)]
    gate = _citizenship(observations)
    assert "nationality USA on border_crossings:X1, border_crossings:X2, border_crossings:X3 and 2 more" in (
        gate.reason
    )
    assert len(gate.records) == 5
