"""Property: no combination of legal events makes a gated subject actionable, and any US-citizenship
signal from any source (a nationality or birth country of the United States included) always blocks
(absent a supervisor's recorded clearing review); a gate names every record its text shows, so what is
shown for a purpose names no record it may not see."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from policy_scenarios import TODAY, policy, subject

from ilos.policy.decide import as_shown, evaluate_subject
from ilos.policy.gates import evaluate_gates
from ilos.policy.results import GateId, GateReview, Status

DAYS = st.integers(min_value=-3000, max_value=60).map(lambda d: (TODAY + timedelta(days=d)).isoformat())
COUNTRIES = st.sampled_from(["MEX", "GTM", "HTI"])


def _event(kind: str, source: str, **attrs: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pairs = st.fixed_dictionaries(attrs)
    record = st.integers(1, 9).map(str)
    return st.builds(
        lambda day, rec, a: (
            f"{day} {source}:{kind[:2].upper()}{rec} {kind} " + " ".join(f"{k}={v}" for k, v in a.items())
        ),
        DAYS,
        record,
        pairs,
    )


CASE = st.sampled_from(["C1", "C2"])
EVENTS = st.one_of(
    _event("removal_order", "court_cases", case=CASE, outcome=st.sampled_from(["REMOVAL", "VOLUNTARY_DEPARTURE"]),
           destination_country=COUNTRIES, relief=st.sampled_from(["NONE", "WITHHOLDING", "CAT"])),
    _event("court_proceeding", "court_cases", case=CASE),
    _event("appeal", "court_cases", case=CASE, status=st.sampled_from(["PENDING", "DISMISSED", "SUSTAINED"])),
    _event("stay", "court_cases", case=CASE, stay_type=st.sampled_from(["JUDICIAL", "ADMINISTRATIVE"])),
    _event("unrecognised_record", "court_cases", case=CASE, typed=st.sampled_from(["REC_TYPE=STY", "REC_TYPE=DECISION"])),
    _event("benefit_application", "benefit_applications", benefit=st.sampled_from(["ASYLUM", "TPS", "DACA", "NATURALIZATION", "I-821", "EAD", "HARDSHIP"]),
           receipt=st.sampled_from(["R1", "R2"])),
    _event("benefit_decision", "benefit_applications", benefit=st.sampled_from(["ASYLUM", "TPS", "U_VISA", "NATURALIZATION", "STAY", "PAROLE", "EAD", "HARDSHIP"]),
           decision=st.sampled_from(["APPROVED", "DENIED", "APPRV", "PENDING", "REVOKED"]), receipt=st.sampled_from(["R1", "R2"])),
    _event("encounter", "encounters", method=st.sampled_from(["BORDER_PATROL", "ERO_AT_LARGE"]),
           disposition=st.sampled_from(["EXPEDITED_REMOVAL", "RELEASED_USC_CLAIM", "DETAINED"])),
    _event("citizenship_evidence", "citizenship_evidence", type=st.sampled_from(["BIRTH_RECORD", "NATURALIZATION_CERTIFICATE"])),
    _event("cooperation", "cooperation", type=st.just("MATERIAL_WITNESS"), status=st.sampled_from(["ACTIVE", "ENDED"])),
    _event("entry", "border_crossings", **{"class": st.sampled_from(["B2", "LPR", "USC", "IR1", "REFUGEE"])}),
    _event("exit", "border_crossings"),
    _event("conviction", "criminal_history", offense=st.sampled_from(["ROBBERY", "DRUG_SALE"]), arrest=st.just("1"),
           disposition=st.sampled_from(["CONVICTED", "VACATED"]), level=st.just("FELONY")),
)  # fmt: skip
SOURCES = st.sampled_from(["encounters", "court_cases", "tax_addresses", "health_addresses"])
CONFIDENCES = st.sampled_from([1.0, 0.99, 0.85])
# A nationality or birth country of the United States or a territory, however spelled, is a citizenship signal.
US_ORIGIN = re.compile(r"^(nationality|country_of_birth)=(USA|US|United\|States|PRI) ")
OBSERVATIONS = st.lists(
    st.one_of(
        st.builds(
            lambda value, source, conf: f"citizenship={value} {source}:O1 2026-01-01 conf={conf}",
            st.sampled_from(["US_CITIZEN", "NON_CITIZEN"]),
            SOURCES,
            CONFIDENCES,
        ),
        st.builds(
            lambda attribute, value, source, conf: f"{attribute}={value} {source}:O2 2026-01-01 conf={conf}",
            st.sampled_from(["nationality", "country_of_birth"]),
            st.sampled_from(["USA", "US", "United|States", "PRI", "MEX", "GTM"]),
            SOURCES,
            CONFIDENCES,
        ),
    ),
    max_size=2,
)
ROLES = st.sampled_from(
    [
        ("supervisor", "removal_logistics"),
        ("analyst", "case_investigation"),
        ("logistics_planner", "removal_logistics"),
    ]
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(EVENTS, max_size=8), OBSERVATIONS, st.one_of(st.none(), COUNTRIES), ROLES)
def test_no_gated_subject_is_actionable(
    events: list[str], observations: list[str], destination: str | None, role: tuple[str, str]
) -> None:
    s = subject(events, observations)
    decision = evaluate_subject(s, TODAY, policy(), role[0], role[1], destination_country=destination)
    if decision.blocking:
        assert decision.status != Status.ACTIONABLE
    else:
        assert decision.status == Status.ACTIONABLE
    legal = s.legal
    signal = legal.citizenship or any(
        o.startswith("citizenship=US_CITIZEN") or US_ORIGIN.match(o) for o in observations
    )
    if signal:
        assert GateId.CITIZENSHIP in {g.gate for g in decision.blocking}
    protected = (
        legal.stays_in_effect or legal.pending_appeals or legal.is_cooperating or legal.final_order is None
    )
    if protected:
        assert decision.status != Status.ACTIONABLE
    if decision.status == Status.ACTIONABLE:
        assert legal.final_order is not None and not legal.appeal_windows


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.sampled_from(["BIRTH_RECORD", "NATURALIZATION_CERTIFICATE"]), DAYS, st.lists(EVENTS, max_size=6))
def test_any_citizenship_record_always_blocks(kind: str, day: str, events: list[str]) -> None:
    """Whatever its date: one dated after today (a day and month swapped) is held, so it counts."""
    s = subject([*events, f"{day} citizenship_evidence:Z9 citizenship_evidence type={kind}"])
    decision = evaluate_subject(s, TODAY, policy(), "supervisor", "removal_logistics")
    assert decision.status == Status.BLOCKED
    assert any(
        g.gate == GateId.CITIZENSHIP and "citizenship_evidence:Z9" in " ".join(g.evidence)
        for g in decision.blocking
    )


LEGAL_GATES = [g for g in GateId if g not in (GateId.CITIZENSHIP, GateId.IDENTITY)]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(EVENTS, max_size=8), st.lists(st.sampled_from(list(GateId)), max_size=4))
def test_reviews_never_clear_a_legal_gate(events: list[str], reviewed: list[GateId]) -> None:
    """Whatever is reviewed and cleared, a stay, appeal, protection or missing order still blocks."""
    s = subject(events)
    reviews = [
        GateReview(g, s.subject_id, "j.smith", "supervisor", datetime(2026, 11, 1, 12), "cleared")
        for g in reviewed
    ]
    before = evaluate_subject(s, TODAY, policy(), "supervisor", "removal_logistics")
    after = evaluate_subject(s, TODAY, policy(), "supervisor", "removal_logistics", reviews=reviews)
    legal_before = {g.gate for g in before.blocking if g.gate in LEGAL_GATES}
    assert legal_before <= {g.gate for g in after.blocking}
    if legal_before:
        assert after.status == Status.BLOCKED


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(EVENTS, max_size=6), st.lists(EVENTS, min_size=1, max_size=3), st.integers(1, 400))
def test_events_dated_after_today_never_lift_a_block(events: list[str], extra: list[str], days: int) -> None:
    """Events held but dated after today count when they can only protect, and never take away a block the
    events dated up to today make: an order, a conviction or a dismissal dated ahead is not counted, and a
    sustained appeal or a terminated case dated ahead does not close the window of an order it would vacate."""
    known = [_dated(line, min(date.fromisoformat(line.split(" ", 1)[0]), TODAY)) for line in events]
    ahead = [_dated(line, TODAY + timedelta(days=days)) for line in extra]
    for destination in (None, "MEX"):
        before = evaluate_subject(subject(known), *_AS_SUPERVISOR, destination_country=destination)
        after = evaluate_subject(subject(known + ahead), *_AS_SUPERVISOR, destination_country=destination)
        assert {g.gate for g in before.blocking} <= {g.gate for g in after.blocking}, (
            before.gates,
            after.gates,
        )


_AS_SUPERVISOR = (TODAY, policy(), "supervisor", "removal_logistics")


def _dated(line: str, day: date) -> str:
    return f"{day.isoformat()} {line.split(' ', 1)[1]}"


def _taxed(line: str, tax: bool) -> str:
    """The same event from a TAX-marked source, which an analyst investigating a case may not use."""
    day, where, rest = line.split(" ", 2)
    return f"{day} tax_addresses:{where.split(':')[1]} {rest}" if tax else line


MIXED_EVENTS = st.builds(_taxed, EVENTS, st.booleans())


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(MIXED_EVENTS, max_size=8), OBSERVATIONS, st.one_of(st.none(), COUNTRIES))
def test_a_gate_names_every_record_its_text_shows(
    events: list[str], observations: list[str], destination: str | None
) -> None:
    s = subject(events, observations)
    keys = [str(r) for r in s.records]
    for gate in evaluate_gates(s, TODAY, policy(), destination):
        text = " ".join((gate.reason, gate.note, *gate.evidence))
        named = {k for k in keys if re.search(rf"(?<![\w.-]){re.escape(k)}(?![\w.-])", text)}
        assert gate.records is not None and named <= set(gate.records), gate
        assert set(gate.records) <= set(keys), gate
    decision = evaluate_subject(
        s, TODAY, policy(), "analyst", "case_investigation", destination_country=destination
    )
    shown = as_shown(decision)
    text = " ".join(
        (
            shown.explanation,
            *shown.inputs,
            *(" ".join((g.reason, g.note, *g.evidence, *(g.records or ()))) for g in shown.gates),
        )
    )
    assert not [k for k in decision.withheld_records if k in text]
