"""The identity gate on what waits for a batch run: two records of the subject judged different people, and
another subject the change worker found to be the same person. The stored subject is known to be wrong, so
the gate holds, says what to re-run, names the records it shows, and no review lifts it."""

from __future__ import annotations

from datetime import UTC, datetime

from policy_scenarios import FINAL_ORDER, SUBJECT, TODAY, policy, subject

from ilos.policy.decide import as_shown, evaluate_subject
from ilos.policy.gates import evaluate_gates
from ilos.policy.results import DisputedPair, GateId, GateResult, GateReview, PendingMerge, Status

DISPUTE = DisputedPair(
    "court_cases:D1", "tax_addresses:T3", "reviewer-a", datetime(2026, 10, 20, 9, tzinfo=UTC)
)
MERGE = PendingMerge("S-0000000000ff", ("court_cases:BRIDGE-1",), "2026-10-21T08:00:00+00:00")


def _identity(results: list[GateResult] | tuple[GateResult, ...]) -> GateResult:
    return next(g for g in results if g.gate is GateId.IDENTITY)


def _verified(covers: tuple[str, ...]) -> GateReview:
    return GateReview(
        GateId.IDENTITY, SUBJECT, "sam", "supervisor", datetime(2026, 10, 30, 10), "cleared",
        ("passport seen",), covers=covers,
    )  # fmt: skip


def test_a_pair_judged_different_people_holds_the_identity_gate_until_ilos_link_splits_it() -> None:
    gate = _identity(evaluate_gates(subject([FINAL_ORDER]), TODAY, policy(), disputes=[DISPUTE]))
    assert gate.blocks
    assert gate.reason.startswith(
        "court_cases:D1 and tax_addresses:T3 were judged different people by reviewer-a on 2026-10-20"
    )
    assert "re-run `ilos link` to split it" in gate.reason
    assert gate.evidence == (str(DISPUTE),)
    assert gate.records == ("court_cases:D1", "tax_addresses:T3")


def test_a_pending_worker_merge_holds_the_identity_gate_naming_the_other_subject() -> None:
    gate = _identity(evaluate_gates(subject([FINAL_ORDER]), TODAY, policy(), pending_merges=[MERGE]))
    assert gate.blocks
    assert "the change worker found this subject to be one person with S-0000000000ff" in gate.reason
    assert "a batch re-run (`ilos link`) must merge them" in gate.reason
    assert gate.records == ("court_cases:BRIDGE-1",)


def test_no_review_lifts_what_waits_for_a_batch_run() -> None:
    """A supervisor's verification that saw every piece of evidence clears an identity resting on weak links,
    but cannot vouch for a subject a person said mixes two people, or one known to be half of a person."""
    s = subject([FINAL_ORDER])
    held: list[tuple[list[DisputedPair], list[PendingMerge]]] = [([DISPUTE], []), ([], [MERGE])]
    for disputes, merges in held:
        gate = _identity(evaluate_gates(s, TODAY, policy(), disputes=disputes, pending_merges=merges))
        reviewed = evaluate_subject(
            s, TODAY, policy(), "supervisor", "removal_logistics", reviews=[_verified(gate.evidence)],
            disputes=disputes, pending_merges=merges,
        )  # fmt: skip
        assert reviewed.status is Status.NEEDS_VERIFICATION
        assert _identity(reviewed.gates).review is None


def test_a_dispute_on_a_record_the_purpose_may_not_see_is_shown_without_it_and_still_blocks() -> None:
    s = subject([FINAL_ORDER], ["address=1|MAIN|ST|CHICAGO tax_addresses:T3 2026-04-04"])
    decision = evaluate_subject(
        s, TODAY, policy(), "logistics_planner", "removal_logistics", disputes=[DISPUTE]
    )
    shown = _identity(as_shown(decision).gates)
    assert "tax_addresses:T3" in decision.withheld_records
    assert shown.blocks
    assert "withheld for this purpose (tax_addresses)" in shown.reason
    assert "tax_addresses:T3" not in f"{shown.reason} {shown.evidence} {shown.records}"
