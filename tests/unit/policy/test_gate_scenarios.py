"""Gate scenarios as readable tables: a subject's events and observations, an optional destination, and
the status and blocking gates that must follow."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from policy_scenarios import FINAL_ORDER, SUBJECT, TODAY, policy, subject

from ilos.domain.legal_derivation import derive_legal_situation
from ilos.policy.decide import evaluate_subject
from ilos.policy.gates import evaluate_gates
from ilos.policy.results import CandidateMatch, CaseRecordElsewhere, GateId, GateReview, Status

A, B, N = Status.ACTIONABLE, Status.BLOCKED, Status.NEEDS_VERIFICATION
G = GateId
BEN = "benefit_applications"
TPS_FILED = f"2025-06-01 {BEN}:R1 benefit_application benefit=TPS form=I-821 receipt=R1"
TPS_GRANTED = f"2026-01-01 {BEN}:R1 benefit_decision benefit=TPS decision=APPROVED receipt=R1"

# scenario | events | observations | destination | status | blocking gates
# fmt: off
GATE_TABLE: list[tuple[str, list[str], list[str], str | None, Status, set[GateId]]] = [
    ("final order, nothing else", [FINAL_ORDER], [], None, A, set()),
    ("proceeding still pending", ["2025-01-10 court_cases:P1 court_proceeding case=C1"], [], None, B, {G.FINAL_ORDER}),
    ("stay issued after the order", [FINAL_ORDER, "2026-02-01 court_cases:S1 stay case=C1 stay_type=JUDICIAL"], [], None, B, {G.STAY}),
    ("stay dated after today (a likely date error)", [FINAL_ORDER, "2026-12-11 court_cases:S1 stay case=C1 stay_type=JUDICIAL"], [], None, B, {G.STAY}),
    ("citizenship evidence dated after today", [FINAL_ORDER, "2026-12-11 citizenship_evidence:C9 citizenship_evidence type=NATURALIZATION_CERTIFICATE"], [], None, B, {G.CITIZENSHIP}),
    ("the only order dated after today: no final order", ["2026-12-11 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=MEX"], [], None, B, {G.FINAL_ORDER}),
    ("a dismissal dated after today ends no appeal", [FINAL_ORDER, "2025-03-15 court_cases:A1 appeal case=C1 status=PENDING", "2026-12-11 court_cases:A2 appeal case=C1 status=DISMISSED"], [], None, B, {G.FINAL_ORDER, G.APPEAL}),
    ("administrative stay (I-246 approved)", [FINAL_ORDER, "2026-02-01 benefit_applications:B1 benefit_decision benefit=STAY decision=APPROVED receipt=R1"], [], None, B, {G.STAY}),
    ("stay that has ended", [FINAL_ORDER, "2025-04-01 court_cases:S1 stay case=C1 stay_type=JUDICIAL until=2025-06-01"], [], None, A, set()),
    ("appeal window open", ["2026-10-20 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=MEX"], [], None, B, {G.FINAL_ORDER, G.APPEAL}),
    ("appeal pending", [FINAL_ORDER, "2025-03-15 court_cases:A1 appeal case=C1 status=PENDING"], [], None, B, {G.FINAL_ORDER, G.APPEAL}),
    ("appeal remanded: not final", [FINAL_ORDER, "2025-03-15 court_cases:A1 appeal case=C1 status=REMANDED"], [], None, B, {G.FINAL_ORDER, G.APPEAL}),
    ("appeal pending in a case with no decision known", [FINAL_ORDER, "2025-03-15 court_cases:A1 appeal case=C9 status=PENDING"], [], None, B, {G.APPEAL}),
    ("appeal pending, dated before the order (a swapped date)", [FINAL_ORDER, "2025-01-03 court_cases:A1 appeal case=C1 status=PENDING"], [], None, B, {G.FINAL_ORDER, G.APPEAL}),
    ("appeal sustained in a case with no decision known: the order it vacated may be this one", [FINAL_ORDER, "2025-03-15 court_cases:A1 appeal case=C9 status=SUSTAINED"], [], None, B, {G.APPEAL}),
    ("appeal dismissed: order final", [FINAL_ORDER, "2025-03-15 court_cases:A1 appeal case=C1 status=DISMISSED"], [], None, A, set()),
    ("court record of no known type (it may be a stay)", [FINAL_ORDER, "2026-02-01 court_cases:U1 unrecognised_record case=C1 typed=REC_TYPE=STY"], [], None, B, {G.UNRECOGNISED_RECORD}),
    ("a stay whose date cannot be read", [FINAL_ORDER, "0001-01-01 court_cases:U2 unrecognised_record case=C1 read_as=stay typed=REC_TYPE=STAY unread_date=EVENT_DATE=13/45/2026"], [], None, B, {G.UNRECOGNISED_RECORD}),
    ("a citizenship certificate whose date cannot be read", [FINAL_ORDER, "0001-01-01 citizenship_evidence:C9 unrecognised_record read_as=citizenship_evidence unread_date=issued=1985-02-30"], [], None, B, {G.UNRECOGNISED_RECORD}),
    ("a US-citizen admission whose date cannot be read", [FINAL_ORDER, "0001-01-01 border_crossings:X1 unrecognised_record read_as=entry class=USC unread_date=CROSSING_DATE=30-FEB-2025"], [], None, B, {G.UNRECOGNISED_RECORD}),
    ("a citizenship claim at an encounter whose date cannot be read", [FINAL_ORDER, "0001-01-01 encounters:E1 unrecognised_record read_as=encounter disposition=CLAIMED_USC unread_date=event_dt="], [], None, B, {G.UNRECOGNISED_RECORD}),
    ("a tourist entry whose date cannot be read holds no one", [FINAL_ORDER, "0001-01-01 border_crossings:X2 unrecognised_record read_as=entry class=B2 unread_date=CROSSING_DATE=30-FEB-2025"], [], None, A, set()),
    ("withholding for MEX, removal to MEX", ["2025-03-01 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=MEX relief=WITHHOLDING"], [], "MEX", B, {G.COUNTRY_PROTECTION}),
    ("withholding for MEX, no destination given: the order's country", ["2025-03-01 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=MEX relief=WITHHOLDING"], [], None, B, {G.COUNTRY_PROTECTION}),
    ("withholding for MEX, removal to mex written in lower case", ["2025-03-01 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=MEX relief=WITHHOLDING"], [], " mex", B, {G.COUNTRY_PROTECTION}),
    ("withholding for MEX, removal to GTM", ["2025-03-01 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=MEX relief=WITHHOLDING"], [], "GTM", A, set()),
    ("CAT for HTI, removal to HTI", ["2025-03-01 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=HTI relief=CAT"], [], "HTI", B, {G.COUNTRY_PROTECTION}),
    ("TPS granted", [FINAL_ORDER, "2026-01-01 benefit_applications:B1 benefit_decision benefit=TPS decision=APPROVED receipt=R1"], [], None, B, {G.PROTECTED_STATUS}),
    ("asylum pending", [FINAL_ORDER, "2026-01-01 benefit_applications:B1 benefit_application benefit=ASYLUM form=I-589 receipt=R1"], [], None, B, {G.PROTECTED_STATUS}),
    ("asylum denied", [FINAL_ORDER, "2025-01-01 benefit_applications:B1 benefit_application benefit=ASYLUM receipt=R1", "2025-02-01 benefit_applications:B2 benefit_decision benefit=ASYLUM decision=DENIED receipt=R1"], [], None, A, set()),
    ("LPR admission", [FINAL_ORDER, "2026-01-01 border_crossings:E1 entry class=LPR port=JFK"], [], None, B, {G.PROTECTED_STATUS}),
    ("citizenship evidence record", [FINAL_ORDER, "2026-05-01 citizenship_evidence:C9 citizenship_evidence type=BIRTH_RECORD"], [], None, B, {G.CITIZENSHIP}),
    ("citizenship observed by one source only", [FINAL_ORDER], ["citizenship=US_CITIZEN encounters:E1 2026-01-01"], None, B, {G.CITIZENSHIP}),
    ("citizenship claim at an encounter", [FINAL_ORDER, "2026-06-01 encounters:E1 encounter disposition=RELEASED_USC_CLAIM"], [], None, B, {G.CITIZENSHIP}),
    ("active witness cooperation", [FINAL_ORDER, "2026-01-01 cooperation:W1 cooperation type=MATERIAL_WITNESS status=ACTIVE"], [], None, B, {G.COOPERATION}),
    ("cooperation ended", [FINAL_ORDER, "2025-06-01 cooperation:W1 cooperation type=MATERIAL_WITNESS status=ENDED end=2025-12-01"], [], None, A, set()),
    ("identity on a weak link", [FINAL_ORDER], ["family_name=DOE wage_addresses:W1 2026-01-01 conf=0.82"], None, N, {G.IDENTITY}),
    ("conflicting dates of birth", [FINAL_ORDER], ["date_of_birth=1980-01-02 court_cases:D1 2025-03-01", "date_of_birth=1980-02-01 encounters:E1 2025-01-01"], None, N, {G.IDENTITY}),
    ("verified departure", [FINAL_ORDER, "2026-02-01 border_crossings:X1 exit port=ELP"], [], None, B, {G.DEPARTED}),
    ("self-reported departure is not verified", [FINAL_ORDER, "2026-02-01 departure_reports:X1 departure_self_reported country=MEX"], [], None, A, set()),
    # A decision code ILOS does not know closes nothing: the application stays pending and a barring one blocks.
    *[(f"TPS application, decision {code or 'blank'}: still pending", [FINAL_ORDER, TPS_FILED, f"2026-01-01 {BEN}:R1 benefit_decision benefit=TPS receipt=R1" + (f" decision={code}" if code else "")], [], None, B, {G.PROTECTED_STATUS})
      for code in ("APPRV", "APPROVE", "PENDING", "RFE", "REOPENED", "", "OATH_SCHEDULED")],
    *[(f"TPS application, decision {code}: closed", [FINAL_ORDER, TPS_FILED, f"2026-01-01 {BEN}:R1 benefit_decision benefit=TPS decision={code} receipt=R1"], [], None, A, set())
      for code in ("DENIED", "WITHDRAWN", "REJECTED", "ABANDONED", "TERMINATED", "REVOKED")],
    ("naturalization, decision code unknown: may be a grant, held", [FINAL_ORDER, f"2025-06-01 {BEN}:N1 benefit_application benefit=NATURALIZATION receipt=N1", f"2026-01-01 {BEN}:N1 benefit_decision benefit=NATURALIZATION decision=OATH_DONE receipt=N1"], [], None, B, {G.PROTECTED_STATUS}),
    ("naturalization pending: no bar", [FINAL_ORDER, f"2025-06-01 {BEN}:N1 benefit_application benefit=NATURALIZATION receipt=N1"], [], None, A, set()),
    ("I-246 stay granted as APPRV", [FINAL_ORDER, f"2026-02-01 {BEN}:B1 benefit_decision benefit=STAY decision=APPRV receipt=R1"], [], None, B, {G.STAY}),
    # Benefit kinds however spelt, or by form; a kind ILOS cannot name holds, a known non-protective one does not.
    *[(f"benefit {kind!r} pending", [FINAL_ORDER, f"2025-06-01 {BEN}:R1 benefit_application {kind} receipt=R1"], [], None, B, {G.PROTECTED_STATUS})
      for kind in ("benefit=TEMPORARY_PROTECTED_STATUS", "benefit=I-821", "benefit=U-VISA", "benefit=UVISA", "form=I-589", "form=I-918", "benefit=Asylum form=I-589", "benefit=HARDSHIP_WAIVER", "form=I-999")],
    ("benefit named nowhere, pending: held", [FINAL_ORDER, f"2025-06-01 {BEN}:R1 benefit_application receipt=R1"], [], None, B, {G.PROTECTED_STATUS}),
    ("benefit of an unknown kind granted: held", [FINAL_ORDER, f"2026-01-01 {BEN}:R1 benefit_decision benefit=SPECIAL_STATUS decision=APPROVED receipt=R1"], [], None, B, {G.PROTECTED_STATUS}),
    ("benefit of an unknown kind denied: nothing", [FINAL_ORDER, f"2025-06-01 {BEN}:R1 benefit_application benefit=SPECIAL_STATUS receipt=R1", f"2026-01-01 {BEN}:R1 benefit_decision benefit=SPECIAL_STATUS decision=DENIED receipt=R1"], [], None, A, set()),
    ("work permit (I-765) pending: no bar", [FINAL_ORDER, f"2025-06-01 {BEN}:R1 benefit_application form=I-765 receipt=R1"], [], None, A, set()),
    ("work permit granted, code unknown: no bar", [FINAL_ORDER, f"2026-01-01 {BEN}:R1 benefit_decision benefit=EAD decision=APPRV2 receipt=R1"], [], None, A, set()),
    ("TPS decision naming no benefit takes its application's", [FINAL_ORDER, TPS_FILED, f"2026-01-01 {BEN}:R1 benefit_decision decision=APPROVED receipt=R1"], [], None, B, {G.PROTECTED_STATUS}),
    # Parole, refugee and cancellation grant a status; admission classes and claims however spelt.
    *[(f"{kind} approved", [FINAL_ORDER, f"2026-01-01 {BEN}:R1 benefit_decision benefit={kind} decision=APPROVED receipt=R1"], [], None, B, {G.PROTECTED_STATUS})
      for kind in ("PAROLE", "REFUGEE", "CANCELLATION")],
    *[(f"admission class {cls}", [FINAL_ORDER, f"2026-01-01 border_crossings:E1 entry class={cls}"], [], None, B, {G.PROTECTED_STATUS})
      for cls in ("LAWFUL_PERMANENT_RESIDENT", "IR1", "CR2", "REFUGEE", "PAROLE")],
    ("admission class B2: nothing", [FINAL_ORDER, "2026-01-01 border_crossings:E1 entry class=B2"], [], None, A, set()),
    ("admission class US_CITIZEN", [FINAL_ORDER, "2026-01-01 border_crossings:E1 entry class=US_CITIZEN"], [], None, B, {G.CITIZENSHIP}),
    *[(f"encounter disposition {d}", [FINAL_ORDER, f"2026-06-01 encounters:E1 encounter disposition={d}"], [], None, B, {G.CITIZENSHIP})
      for d in ("RELEASED-USC-CLAIM", "CLAIMED_USC", "US_CITIZEN_CLAIM")],
    ("encounter disposition NOTICE_TO_APPEAR: nothing", [FINAL_ORDER, "2026-06-01 encounters:E1 encounter disposition=NOTICE_TO_APPEAR"], [], None, A, set()),
    # A decision decides only its own benefit; a grant stands until revoked; a same-day tie protects.
    ("asylum pending, a TPS denial on the same receipt", [FINAL_ORDER, f"2025-06-01 {BEN}:A1 benefit_application benefit=ASYLUM receipt=R1", f"2026-01-01 {BEN}:T1 benefit_decision benefit=TPS decision=DENIED receipt=R1"], [], None, B, {G.PROTECTED_STATUS}),
    ("asylum pending, a naturalization denial on the same receipt", [FINAL_ORDER, f"2025-06-01 {BEN}:A1 benefit_application benefit=ASYLUM receipt=R1", f"2026-01-01 {BEN}:N1 benefit_decision benefit=NATURALIZATION decision=DENIED receipt=R1"], [], None, B, {G.PROTECTED_STATUS}),
    *[(f"TPS granted, then {code} on the same receipt: kept", [FINAL_ORDER, TPS_FILED, TPS_GRANTED, f"2026-03-01 {BEN}:R9 benefit_decision benefit=TPS decision={code} receipt=R1"], [], None, B, {G.PROTECTED_STATUS})
      for code in ("DENIED", "WITHDRAWN", "PENDING", "XYZ")],
    *[(f"TPS granted, then {code} on the same receipt: ended", [FINAL_ORDER, TPS_FILED, TPS_GRANTED, f"2026-03-01 {BEN}:R9 benefit_decision benefit=TPS decision={code} receipt=R1"], [], None, A, set())
      for code in ("TERMINATED", "REVOKED")],
    ("TPS granted and denied the same day (denial's record sorts later)", [FINAL_ORDER, TPS_FILED, f"2026-01-01 {BEN}:A1 benefit_decision benefit=TPS decision=APPROVED receipt=R1", f"2026-01-01 {BEN}:Z1 benefit_decision benefit=TPS decision=DENIED receipt=R1"], [], None, B, {G.PROTECTED_STATUS}),
    ("TPS revoked and granted the same day", [FINAL_ORDER, TPS_FILED, f"2026-01-01 {BEN}:A1 benefit_decision benefit=TPS decision=APPROVED receipt=R1", f"2026-01-01 {BEN}:Z1 benefit_decision benefit=TPS decision=REVOKED receipt=R1"], [], None, B, {G.PROTECTED_STATUS}),
    ("TPS denied, then granted", [FINAL_ORDER, TPS_FILED, f"2025-09-01 {BEN}:A1 benefit_decision benefit=TPS decision=DENIED receipt=R1", TPS_GRANTED], [], None, B, {G.PROTECTED_STATUS}),
]
# fmt: on


@pytest.mark.parametrize(
    ("events", "observations", "destination", "status", "blocking"),
    [pytest.param(*row[1:], id=row[0]) for row in GATE_TABLE],
)
def test_gate_table(
    events: list[str], observations: list[str], destination: str | None, status: Status, blocking: set[GateId]
) -> None:
    decision = evaluate_subject(
        subject(events, observations),
        TODAY,
        policy(),
        "supervisor",
        "removal_logistics",
        destination_country=destination,
    )
    assert decision.status == status, decision.explanation
    assert {g.gate for g in decision.blocking} == blocking
    assert all(g.evidence for g in decision.blocking if g.gate != G.FINAL_ORDER), decision.gates


@pytest.mark.parametrize(
    ("line", "written", "gate"),
    [
        ("2026-01-01 border_crossings:E1 entry class=X", "Lawful Permanent Resident", G.PROTECTED_STATUS),
        ("2026-06-01 encounters:E1 encounter disposition=X", "Released USC Claim", G.CITIZENSHIP),
        (f"2025-06-01 {BEN}:R1 benefit_application benefit=X receipt=R1", "U VISA", G.PROTECTED_STATUS),
        (
            f"2025-06-01 {BEN}:R1 benefit_application benefit=X receipt=R1",
            "Temporary Protected Status",
            G.PROTECTED_STATUS,
        ),
    ],
)
def test_codes_written_with_spaces_are_read(line: str, written: str, gate: GateId) -> None:
    s = subject([FINAL_ORDER, line])
    event = next(e for e in s.events if e.record_id != "D1")
    attributes = tuple((k, written if v == "X" else v) for k, v in event.attributes)
    spaced = replace(event, attributes=attributes)
    s = replace(s, events=(s.events[0], spaced), legal=derive_legal_situation((s.events[0], spaced), TODAY))
    assert {g.gate for g in evaluate_gates(s, TODAY, policy()) if g.blocks} == {gate}


def test_an_unknown_decision_code_keeps_the_application_pending_and_says_so() -> None:
    s = subject(
        [
            FINAL_ORDER,
            TPS_FILED,
            f"2026-01-01 {BEN}:R2 benefit_decision benefit=TPS decision=APPRV2 receipt=R1",
        ]
    )
    [gate] = [g for g in evaluate_gates(s, TODAY, policy()) if g.blocks]
    assert gate.gate == G.PROTECTED_STATUS
    assert "decision code 'APPRV2' on benefit_applications:R2 is not one ILOS knows" in gate.reason
    assert gate.records == ("benefit_applications:R1", "benefit_applications:R2")


def test_a_benefit_of_a_kind_ilos_cannot_name_holds_with_a_note() -> None:
    s = subject(
        [FINAL_ORDER, f"2025-06-01 {BEN}:R1 benefit_application benefit=SPECIAL_STATUS form=I-999 receipt=R1"]
    )
    [gate] = [g for g in evaluate_gates(s, TODAY, policy()) if g.blocks]
    assert "benefit kind 'SPECIAL_STATUS' is not one ILOS knows" in gate.reason


def test_a_grant_denied_later_keeps_protecting_and_notes_the_conflict() -> None:
    denied = f"2026-03-01 {BEN}:R9 benefit_decision benefit=TPS decision=DENIED receipt=R1"
    s = subject([FINAL_ORDER, TPS_FILED, TPS_GRANTED, denied])
    [gate] = [g for g in evaluate_gates(s, TODAY, policy()) if g.blocks]
    assert gate.reason == "protected: tps"
    assert (
        "DENIED on 2026-03-01 (benefit_applications:R9) conflicts with the grant of 2026-01-01" in gate.note
    )
    assert "benefit_applications:R9" in gate.records


def test_every_blocking_gate_cites_evidence_and_policy_hash() -> None:
    s = subject([FINAL_ORDER, "2026-02-01 court_cases:S1 stay case=C1 stay_type=JUDICIAL"])
    stay = next(g for g in evaluate_gates(s, TODAY, policy()) if g.gate == G.STAY)
    assert stay.blocks and any("court_cases:S1" in e for e in stay.evidence)
    assert stay.policy_hash == policy().content_hash and stay.policy_version == 1


def test_a_court_record_of_no_known_type_names_itself_and_no_review_lifts_it() -> None:
    s = subject([FINAL_ORDER, "2026-02-01 court_cases:U1 unrecognised_record case=C1 typed=REC_TYPE=STY"])
    review = GateReview(
        G.UNRECOGNISED_RECORD, SUBJECT, "sup", "supervisor", datetime(2026, 10, 1), "cleared",
        ("called the court",), covers=("unrecognised_record 2026-02-01 court_cases:U1",),
    )  # fmt: skip
    [gate] = [
        g for g in evaluate_gates(s, TODAY, policy(), reviews=[review]) if g.gate == G.UNRECOGNISED_RECORD
    ]
    assert gate.blocks and gate.review is None
    assert "court_cases:U1 (REC_TYPE=STY)" in gate.reason and gate.records == ("court_cases:U1",)


def test_a_record_whose_date_cannot_be_read_says_what_it_would_have_been() -> None:
    undated = "0001-01-01 court_cases:U2 unrecognised_record read_as=stay typed=REC_TYPE=STAY unread_date=EVENT_DATE="
    [gate] = [g for g in evaluate_gates(subject([FINAL_ORDER, undated]), TODAY, policy()) if g.blocks]
    assert gate.gate == G.UNRECOGNISED_RECORD and gate.records == ("court_cases:U2",)
    assert (
        "court_cases:U2 (a stay record (REC_TYPE=STAY) whose date EVENT_DATE= cannot be read)" in gate.reason
    )


def test_a_stay_of_the_subjects_case_held_by_another_subject_blocks_and_no_review_lifts_it() -> None:
    elsewhere = CaseRecordElsewhere("C1", "S-OTHER", "stay 2026-10-01 court_cases:S9", "court_cases:S9")
    review = GateReview(
        G.CASE_RECORD_ELSEWHERE, SUBJECT, "sup", "supervisor", datetime(2026, 10, 2), "cleared",
        ("called the court",), covers=("stay 2026-10-01 court_cases:S9",),
    )  # fmt: skip
    gates = evaluate_gates(
        subject([FINAL_ORDER]), TODAY, policy(), reviews=[review], case_records_elsewhere=[elsewhere]
    )
    [gate] = [g for g in gates if g.blocks]
    assert (
        gate.gate == G.CASE_RECORD_ELSEWHERE and gate.review is None and gate.records == ("court_cases:S9",)
    )
    assert "stay 2026-10-01 court_cases:S9 in case C1, held by subject S-OTHER" in gate.reason
    assert (
        evaluate_subject(subject([FINAL_ORDER]), TODAY, policy(), "analyst", "case_investigation").status == A
    )
    held = evaluate_subject(
        subject([FINAL_ORDER]),
        TODAY,
        policy(),
        "analyst",
        "case_investigation",
        case_records_elsewhere=[elsewhere],
    )
    assert held.status == B


def test_an_appeal_of_a_status_not_known_to_end_it_says_so() -> None:
    s = subject([FINAL_ORDER, "2025-03-15 court_cases:A1 appeal case=C1 status=REMANDED"])
    [appeal] = [g for g in evaluate_gates(s, TODAY, policy()) if g.gate == G.APPEAL]
    assert appeal.blocks and "status REMANDED: not one known to leave the order final" in appeal.reason


def test_a_gate_resting_on_an_event_dated_after_today_says_so() -> None:
    s = subject([FINAL_ORDER, "2026-12-11 court_cases:S1 stay case=C1 stay_type=JUDICIAL"])
    [stay] = [g for g in evaluate_gates(s, TODAY, policy()) if g.gate == G.STAY]
    assert stay.blocks and stay.reason.startswith(
        "judicial stay of removal in effect; dated after 2026-11-01"
    )
    assert "stay 2026-12-11 court_cases:S1" in stay.reason and stay.records == ("court_cases:S1",)
    [order] = [g for g in evaluate_gates(s, TODAY, policy()) if g.gate == G.FINAL_ORDER]
    assert "dated after" not in order.reason


def test_removal_elsewhere_is_allowed_with_a_note() -> None:
    s = subject(
        [
            "2025-03-01 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=MEX relief=WITHHOLDING"
        ]
    )
    gate = next(
        g
        for g in evaluate_gates(s, TODAY, policy(), destination_country="GTM")
        if g.gate == G.COUNTRY_PROTECTION
    )
    assert not gate.blocks and "withholding:MEX" in gate.note and "GTM" in gate.note


CITIZEN = [FINAL_ORDER, "2026-05-01 citizenship_evidence:C9 citizenship_evidence type=BIRTH_RECORD"]
STAYED = [FINAL_ORDER, "2026-02-01 court_cases:S1 stay case=C1 stay_type=JUDICIAL"]
WEAK = ["family_name=DOE wage_addresses:W1 2026-01-01 conf=0.82"]
WEAK_SEEN = ("weak link wage_addresses:W1",)


BIRTH_RECORD = ("citizenship_evidence 2026-05-01 citizenship_evidence:C9",)
LATE_LINKED = "2019-01-01 citizenship_evidence:C3 citizenship_evidence type=NATURALIZATION_CERTIFICATE"


def review(
    gate: GateId,
    role: str = "supervisor",
    day: str = "2026-10-01",
    outcome: str = "cleared",
    finding: str = "not_this_person",
    covers: tuple[str, ...] = (),
) -> GateReview:
    return GateReview(
        gate,
        SUBJECT,
        "j.smith",
        role,
        datetime.fromisoformat(f"{day}T10:00"),
        outcome,
        ("passport checked",),
        finding=finding if gate == G.CITIZENSHIP else "",
        covers=covers,
    )


# scenario | events | observations | review | status
# fmt: off
REVIEW_TABLE: list[tuple[str, list[str], list[str], GateReview, Status]] = [
    ("supervisor clears the citizenship evidence as another person's", CITIZEN, [], review(G.CITIZENSHIP, covers=BIRTH_RECORD), A),
    ("or as not establishing citizenship", CITIZEN, [], review(G.CITIZENSHIP, finding="not_citizenship", covers=BIRTH_RECORD), A),
    ("a clearing review must say why", CITIZEN, [], review(G.CITIZENSHIP, finding=""), B),
    ("an analyst cannot clear it", CITIZEN, [], review(G.CITIZENSHIP, role="analyst"), B),
    ("a review naming nothing it examined clears nothing", CITIZEN, [], review(G.CITIZENSHIP), B),
    ("an upheld review keeps the block", CITIZEN, [], review(G.CITIZENSHIP, outcome="upheld", finding="unresolved"), B),
    ("a review that saw the evidence clears it", CITIZEN, [], review(G.CITIZENSHIP, covers=BIRTH_RECORD), A),
    ("an older record linked after the review needs a new one", [*CITIZEN, LATE_LINKED], [],
     review(G.CITIZENSHIP, covers=BIRTH_RECORD), B),
    ("a review never clears a stay", STAYED, [], review(G.STAY), B),
    ("supervisor verifies a weak identity", [FINAL_ORDER], WEAK, review(G.IDENTITY, covers=WEAK_SEEN), A),
    ("an identity verification naming nothing it saw (an older store's) clears nothing", [FINAL_ORDER], WEAK,
     review(G.IDENTITY), N),
    ("a weak link observed before the verification but linked after it needs a new one", [FINAL_ORDER],
     [*WEAK, "given_name=JO wage_addresses:W0 2025-01-01 conf=0.70"], review(G.IDENTITY, covers=WEAK_SEEN), N),
]
# fmt: on


@pytest.mark.parametrize(
    ("events", "observations", "given", "status"), [pytest.param(*row[1:], id=row[0]) for row in REVIEW_TABLE]
)
def test_review_table(events: list[str], observations: list[str], given: GateReview, status: Status) -> None:
    decision = evaluate_subject(
        subject(events, observations), TODAY, policy(), "supervisor", "removal_logistics", reviews=[given]
    )
    assert decision.status == status, decision.explanation
    assert any(i.startswith("review:") for i in decision.inputs)


def test_cleared_gate_records_the_review() -> None:
    results = evaluate_gates(
        subject(CITIZEN), TODAY, policy(), reviews=[review(G.CITIZENSHIP, covers=BIRTH_RECORD)]
    )
    gate = next(g for g in results if g.gate == G.CITIZENSHIP)
    assert not gate.blocks and gate.review is not None and "j.smith" in gate.reason


def test_unjudged_candidate_match_needs_verification_until_a_supervisor_verifies() -> None:
    """A split person may hold protections in the other subject: no action until the pair is judged."""
    candidate = CandidateMatch("S-0000000000ff", "encounters:E1", "benefit_applications:B7", 0.89)
    s = subject([FINAL_ORDER])
    pending = evaluate_subject(s, TODAY, policy(), "supervisor", "removal_logistics", candidates=[candidate])
    assert pending.status == N
    assert any("benefit_applications:B7" in e for g in pending.blocking for e in g.evidence)
    verified = evaluate_subject(
        s,
        TODAY,
        policy(),
        "supervisor",
        "removal_logistics",
        candidates=[candidate],
        reviews=[review(G.IDENTITY, covers=(str(candidate),))],
    )
    assert verified.status == A
    another = CandidateMatch("S-0000000000ee", "encounters:E1", "citizenship_evidence:C2", 0.07)
    unseen = evaluate_subject(
        s,
        TODAY,
        policy(),
        "supervisor",
        "removal_logistics",
        candidates=[candidate, another],
        reviews=[review(G.IDENTITY, covers=(str(candidate),))],
    )
    assert unseen.status == N
