"""Gates resting on records the purpose may not see, one scenario for every gate: the gate names the records
it rests on (`GateResult.records`), and the decision as shown for the purpose (`as_shown`) keeps the
verdict but shows neither the record nor its values."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from policy_scenarios import FINAL_ORDER, TODAY, policy, subject

from ilos.policy.decide import as_shown, evaluate_subject
from ilos.policy.gates import evaluate_gates
from ilos.policy.records import decision_of_record, decision_record
from ilos.policy.results import CandidateMatch, CaseRecordElsewhere, Decision, GateId, GateResult, GateReview

G = GateId
TAX = (
    "tax_addresses:T1"  # TAX-marked: an analyst investigating a case without an authority may use none of it
)
DAY = "2026-04-04"  # the tax record's date, which nothing else carries
OTHER = CandidateMatch("S-00000000beef", "court_cases:D1", "tax_addresses:T7", 0.81)
ELSEWHERE = CaseRecordElsewhere("C1", "S-00000000beef", f"stay {DAY} tax_addresses:T7", "tax_addresses:T7")
Other = CandidateMatch | CaseRecordElsewhere  # another subject's record the gate rests on

# scenario | gate | events | observations | destination | another subject's record | text that must not be shown
# fmt: off
WITHHELD_TABLE: list[tuple[str, GateId, list[str], list[str], str | None, Other | None, str]] = [
    ("the order's case decided again, without an order", G.FINAL_ORDER, [FINAL_ORDER, f"{DAY} {TAX} decision case=C1 outcome=TERMINATED"], [], None, None, DAY),
    ("a stay", G.STAY, [FINAL_ORDER, f"{DAY} {TAX} stay case=C1 stay_type=JUDICIAL"], [], None, None, DAY),
    ("an appeal pending", G.APPEAL, [FINAL_ORDER, f"{DAY} {TAX} appeal case=C1 status=PENDING"], [], None, None, DAY),
    ("a court record of no known type", G.UNRECOGNISED_RECORD, [FINAL_ORDER, f"{DAY} {TAX} unrecognised_record case=C1 typed=REC_TYPE=STY"], [], None, None, "REC_TYPE=STY"),
    ("an appeal window open", G.APPEAL, [FINAL_ORDER, f"2026-10-20 {TAX} removal_order case=C2 outcome=REMOVAL"], [], None, None, "2026-11-19"),
    ("CAT for the order's country", G.COUNTRY_PROTECTION, [f"2025-03-02 {TAX} removal_order case=C2 outcome=REMOVAL destination_country=HTI relief=CAT", FINAL_ORDER], [], None, None, "HTI"),
    ("CAT for the country of a newer order", G.COUNTRY_PROTECTION, ["2024-01-01 court_cases:P1 removal_order case=C3 outcome=REMOVAL destination_country=GTM relief=CAT", FINAL_ORDER, f"{DAY} {TAX} removal_order case=C2 outcome=REMOVAL destination_country=GTM"], [], None, None, "removal to GTM"),
    ("withholding for the destination", G.COUNTRY_PROTECTION, [FINAL_ORDER, f"2025-01-01 {TAX} removal_order case=C2 outcome=REMOVAL destination_country=GTM relief=WITHHOLDING"], [], "GTM", None, "withholding"),
    ("TPS granted", G.PROTECTED_STATUS, [FINAL_ORDER, f"{DAY} {TAX} benefit_decision benefit=TPS decision=APPROVED receipt=R1"], [], None, None, "tps"),
    ("asylum pending", G.PROTECTED_STATUS, [FINAL_ORDER, f"{DAY} {TAX} benefit_application benefit=ASYLUM receipt=R1"], [], None, None, "asylum"),
    ("a birth record", G.CITIZENSHIP, [FINAL_ORDER, f"{DAY} {TAX} citizenship_evidence type=BIRTH_RECORD"], [], None, None, "BIRTH_RECORD"),
    ("a citizenship observation", G.CITIZENSHIP, [FINAL_ORDER], [f"citizenship=US_CITIZEN {TAX} {DAY}"], None, None, "US_CITIZEN"),
    ("active cooperation", G.COOPERATION, [FINAL_ORDER, f"{DAY} {TAX} cooperation type=MATERIAL_WITNESS status=ACTIVE"], [], None, None, "MATERIAL_WITNESS"),
    ("a weak link", G.IDENTITY, [FINAL_ORDER], [f"family_name=DOE {TAX} {DAY} conf=0.82"], None, None, "weak link"),
    ("conflicting dates of birth", G.IDENTITY, [FINAL_ORDER], ["date_of_birth=1980-01-02 court_cases:D1 2025-03-01", f"date_of_birth=1975-05-05 {TAX} {DAY}"], None, None, "1975-05-05"),
    ("a candidate match with another subject's record", G.IDENTITY, [FINAL_ORDER], [], None, OTHER, "S-00000000beef"),
    ("a stay of its case another subject holds", G.CASE_RECORD_ELSEWHERE, [FINAL_ORDER], [], None, ELSEWHERE, DAY),
    ("a verified departure", G.DEPARTED, [FINAL_ORDER, f"{DAY} {TAX} exit port=ELP"], [], None, None, DAY),
]
# fmt: on


def _decide(
    events: list[str], observations: list[str], destination: str | None, other: Other | None
) -> Decision:
    return evaluate_subject(
        subject(events, observations),
        TODAY,
        policy(),
        "analyst",
        "case_investigation",
        destination_country=destination,
        candidates=[other] if isinstance(other, CandidateMatch) else [],
        case_records_elsewhere=[other] if isinstance(other, CaseRecordElsewhere) else [],
    )


def _record_of(other: Other) -> str:
    return other.other_record if isinstance(other, CandidateMatch) else other.record


def _shown_text(decision: Decision) -> str:
    gates = " ".join(" ".join((g.reason, g.note, *g.evidence, *(g.records or ()))) for g in decision.gates)
    return " ".join((gates, decision.explanation, *decision.inputs))


def test_every_gate_has_a_withheld_scenario() -> None:
    assert {row[1] for row in WITHHELD_TABLE} == set(GateId)


@pytest.mark.parametrize(
    ("gate", "events", "observations", "destination", "other", "secret"),
    [pytest.param(*row[1:], id=row[0]) for row in WITHHELD_TABLE],
)
def test_a_gate_resting_on_a_withheld_record_shows_its_verdict_not_the_record(
    gate: GateId,
    events: list[str],
    observations: list[str],
    destination: str | None,
    other: Other | None,
    secret: str,
) -> None:
    decided = _decide(events, observations, destination, other)
    hidden = _record_of(other) if other else TAX
    [result] = [g for g in decided.gates if g.gate is gate]
    assert result.blocks, decided.explanation  # decided on all the data, the tax record included
    assert result.records is not None and hidden in result.records
    assert secret in " ".join((result.reason, result.note, *result.evidence))
    also_hidden = {_record_of(other)} if other else set()
    assert hidden in (*decided.withheld_records, *also_hidden)

    shown = as_shown(decided, also_hidden)
    [gate_shown] = [g for g in shown.gates if g.gate is gate]
    assert gate_shown.blocks and gate_shown.evidence == ("withheld:tax_addresses",)
    assert gate_shown.reason.startswith("rests on records withheld for this purpose (tax_addresses)")
    assert shown.status == decided.status
    text = _shown_text(shown)
    assert secret not in text and "tax_addresses:T" not in text


def test_a_record_named_without_its_key_is_still_withheld() -> None:
    """A self-reported departure shows its date in a note and names no record: the regex over the gate's text
    found nothing to withhold; the gate's records do."""
    s = subject([FINAL_ORDER, f"{DAY} {TAX} departure_self_reported country=MEX"])
    [departed] = [g for g in evaluate_gates(s, TODAY, policy()) if g.gate is G.DEPARTED]
    assert DAY in departed.note and TAX not in departed.note and departed.records == (TAX,)
    decision = replace(
        evaluate_subject(s, TODAY, policy(), "analyst", "case_investigation"),
        gates=(departed,),
        withheld_records=(TAX,),
    )
    [shown] = as_shown(decision).gates
    assert not shown.blocks and shown.evidence == ("withheld:tax_addresses",)
    assert DAY not in _shown_text(as_shown(decision))


def test_a_gate_on_records_the_purpose_may_see_is_shown_whole() -> None:
    decided = _decide(
        [
            FINAL_ORDER,
            "2026-02-01 court_cases:S1 stay case=C1 stay_type=JUDICIAL",
            f"{DAY} {TAX} exit port=ELP",
        ],
        [],
        None,
        None,
    )
    [stay] = [g for g in as_shown(decided).gates if g.gate is G.STAY]
    assert stay.blocks and stay.records == ("court_cases:S1",)
    assert stay.reason == "judicial stay of removal in effect" and "court_cases:S1" in " ".join(stay.evidence)


def _without_records(gate: GateResult) -> GateResult:
    return replace(gate, records=None)


def test_a_gate_recorded_without_its_records_is_taken_to_rest_on_every_withheld_record() -> None:
    """A decision written before gates carried their records: any gate showing evidence or a note may show
    a withheld record, so it is shown as resting on all of them; a gate showing neither is shown whole."""
    decided = _decide([FINAL_ORDER, f"{DAY} {TAX} stay case=C1 stay_type=JUDICIAL"], [], None, None)
    old = replace(decided, gates=tuple(_without_records(g) for g in decided.gates))
    shown = {g.gate: g for g in as_shown(old).gates}
    assert shown[G.STAY].blocks and shown[G.STAY].evidence == ("withheld:tax_addresses",)
    assert shown[G.STAY].records is None
    assert shown[G.FINAL_ORDER].evidence == ("withheld:tax_addresses",)  # evidence on court_cases:D1 only
    assert shown[G.COOPERATION].reason == "no active witness or victim cooperation"
    assert DAY not in _shown_text(as_shown(old))
    assert as_shown(replace(old, withheld_records=())) == replace(old, withheld_records=())


def test_the_decisions_log_keeps_the_records_each_gate_rests_on() -> None:
    decided = _decide([FINAL_ORDER, f"{DAY} {TAX} stay case=C1 stay_type=JUDICIAL"], [], None, None)
    record = decision_record(decided)
    gates = {g["gate"]: g for g in record["gates"]}
    assert record["withheld_records"] == [TAX]
    assert gates["stay_in_effect"]["records"] == [TAX] and gates["witness_or_victim"]["records"] == []
    old = replace(decided, gates=tuple(_without_records(g) for g in decided.gates))
    assert all(g["records"] is None for g in decision_record(old)["gates"])


def _logged(decision: Decision) -> dict[str, Any]:
    """A decision as a line of decisions.jsonl reads back."""
    loaded: dict[str, Any] = json.loads(json.dumps(decision_record(decision), default=str))
    return loaded


def test_a_decision_reads_back_from_the_decisions_log_as_it_was_decided() -> None:
    decided = replace(
        _decide(
            [FINAL_ORDER, f"{DAY} {TAX} stay case=C1 stay_type=JUDICIAL"],
            ["address=3|WAGE|AVE wage_addresses:W1 2026-01-01"],
            None,
            OTHER,
        ),
        decided_at=datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    )
    assert decision_of_record(_logged(decided)) == decided
    review = GateReview(
        G.IDENTITY, decided.subject_id, "j.smith", "supervisor", decided.decided_at, "upheld", ("call",)
    )
    reviewed = replace(
        decided, gates=tuple(replace(g, review=review) if g.gate is G.IDENTITY else g for g in decided.gates)
    )
    assert decision_of_record(_logged(reviewed)) == reviewed


def test_a_decision_logged_before_gates_carried_records_withholds_every_gate_with_evidence() -> None:
    decided = _decide([FINAL_ORDER, f"{DAY} {TAX} stay case=C1 stay_type=JUDICIAL"], [], None, None)
    line = _logged(decided)
    del line["withheld_records"]
    for gate in line["gates"]:
        del gate["records"]
    old = decision_of_record(line)
    assert old.withheld_records == () and all(g.records is None for g in old.gates)
    assert as_shown(old) == old  # nothing known to withhold: the caller's own decision names what is
    shown = as_shown(old, decided.withheld_records)
    assert {g.gate for g in shown.gates if g.evidence == ("withheld:tax_addresses",)} == {
        G.FINAL_ORDER,
        G.STAY,
    }
    assert DAY not in shown.explanation and "judicial" not in shown.explanation
