"""Recorded legal authorities and gate reviews as the policy engine reads them, as tables: which authority
unlocks a TAX address on which day, which review lifts the citizenship stop; and a property: no combination
of reviews makes a subject with any other blocking gate actionable."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_scenarios import FINAL_ORDER, SUBJECT, TODAY, policy, subject
from test_gate_properties import EVENTS, OBSERVATIONS

from ilos.errors import InvalidInputError
from ilos.policy.access import view_subject
from ilos.policy.authority import LegalAuthority
from ilos.policy.decide import evaluate_subject
from ilos.policy.results import REVIEWABLE_GATES, GateId, GateReview, ReviewFinding, Status

TAX_ADDR = "address=2|TAX|ST tax_addresses:T1 2026-09-01"
TAX_EVENT = "2026-09-01 tax_addresses:T1 address_observation tax_year=2025 street=2|TAX|ST"
CITIZEN = [FINAL_ORDER, "2026-05-01 citizenship_evidence:C9 citizenship_evidence type=BIRTH_RECORD"]
SEEN = ("citizenship_evidence 2026-05-01 citizenship_evidence:C9",)


def recorded(
    taxpayer: str = SUBJECT,
    name: str = "JOHN DOE",
    granted: date = date(2026, 1, 1),
    expires: date = date(2027, 1, 1),
    revoked: date | None = None,
) -> LegalAuthority:
    return LegalAuthority(
        "A1", "TAX", taxpayer, name, (2025,), "26 U.S.C. 6103(i)(1)", "removal order execution",
        "sam", "US District Court ND Ill., order 26-17", granted, expires, revoked,
    )  # fmt: skip


# scenario | authority | used on | TAX address shown | reason names
# fmt: off
AUTHORITY_TABLE: list[tuple[str, LegalAuthority, date, bool, str]] = [
    ("complete, in force, this subject", recorded(), TODAY, True, ""),
    ("for another subject", recorded(taxpayer="S-11111111ffff"), TODAY, False, "names taxpayer S-11111111ffff"),
    ("revoked before use", recorded(revoked=date(2026, 10, 1)), TODAY, False, "revoked on 2026-10-01"),
    ("revoked after use", recorded(revoked=date(2026, 12, 1)), TODAY, True, ""),
    ("expired", recorded(expires=date(2026, 6, 30)), TODAY, False, "expired on 2026-06-30"),
    ("not yet granted", recorded(granted=date(2026, 12, 1)), TODAY, False, "not in force until 2026-12-01"),
]
# fmt: on


@pytest.mark.parametrize(
    ("authority", "on", "shown", "why"), [pytest.param(*r[1:], id=r[0]) for r in AUTHORITY_TABLE]
)
def test_tax_address_only_under_a_recorded_authority_in_force_for_this_subject(
    authority: LegalAuthority, on: date, shown: bool, why: str
) -> None:
    s = subject([FINAL_ORDER, TAX_EVENT], [TAX_ADDR])
    view = view_subject(s, "logistics_planner", "removal_logistics", [authority], policy(), on)
    (value,) = [v for v in view.values if v.attribute == "address"]
    assert (value.value == "2 TAX ST") == shown
    assert why in value.withheld
    decision = evaluate_subject(
        s, TODAY, policy(), "logistics_planner", "removal_logistics", authorities=[authority], used_on=on
    )
    assert decision.location.usable == shown and "authority:A1" in decision.inputs


@pytest.mark.parametrize("name", ["60627", "123-45-6789"])
def test_a_taxpayer_named_by_a_number_is_refused(name: str) -> None:
    with pytest.raises(InvalidInputError, match="not a name"):
        view_subject(
            subject([TAX_EVENT]), "supervisor", "case_investigation", [recorded(name=name)], policy()
        )


def review(
    decision: str,
    finding: str,
    day: int = 10,
    role: str = "supervisor",
    covers: tuple[str, ...] = SEEN,
) -> GateReview:
    at = datetime(2026, 11, day, 9)
    return GateReview(
        GateId.CITIZENSHIP, SUBJECT, "sam", role, at, decision, ("passport",), "", finding, covers
    )


# scenario | reviews (in any order) | status
# fmt: off
CITIZENSHIP_TABLE: list[tuple[str, list[GateReview], Status]] = [
    ("no review: hard stop", [], Status.BLOCKED),
    ("cleared as another person's evidence (bad match)", [review("cleared", "not_this_person")], Status.ACTIONABLE),
    ("cleared as not establishing citizenship", [review("cleared", "not_citizenship")], Status.ACTIONABLE),
    ("an analyst's clearing does not count", [review("cleared", "not_this_person", role="analyst")], Status.BLOCKED),
    ("a later upheld review restores the stop", [review("cleared", "not_this_person"), review("upheld", "unresolved", 11)], Status.BLOCKED),
    ("a later clearing after 'unresolved' lifts it", [review("upheld", "unresolved"), review("cleared", "not_citizenship", 11)], Status.ACTIONABLE),
    ("found a citizen: final, no later review lifts it", [review("upheld", "citizen"), review("cleared", "not_this_person", 11)], Status.BLOCKED),
    ("a clearing that examined other evidence", [review("cleared", "not_this_person", covers=("other",))], Status.BLOCKED),
]
# fmt: on


@pytest.mark.parametrize(("reviews", "status"), [pytest.param(*r[1:], id=r[0]) for r in CITIZENSHIP_TABLE])
def test_citizenship_stop_lifts_only_by_a_supervisors_recorded_clearing(
    reviews: list[GateReview], status: Status
) -> None:
    for order in (reviews, reviews[::-1]):
        decision = evaluate_subject(
            subject(CITIZEN), TODAY, policy(), "supervisor", "removal_logistics", reviews=order
        )
        assert decision.status == status, decision.explanation


def test_a_bad_match_clearing_is_noted_as_a_link_to_correct() -> None:
    decision = evaluate_subject(
        subject(CITIZEN), TODAY, policy(), "supervisor", "removal_logistics",
        reviews=[review("cleared", "not_this_person")],
    )  # fmt: skip
    gate = next(g for g in decision.gates if g.gate == GateId.CITIZENSHIP)
    assert not gate.blocks and "belongs to another person" in gate.note and "(not_this_person)" in gate.reason


REVIEWS = st.lists(
    st.builds(
        lambda gate, outcome, finding, role, day, covers: GateReview(
            gate,
            SUBJECT,
            "sam",
            role,
            datetime(2026, 11, 1) + timedelta(days=day),
            outcome,
            (),
            "",
            finding,
            covers,
        ),
        st.sampled_from(list(GateId)),
        st.sampled_from(["cleared", "upheld"]),
        st.sampled_from([f.value for f in ReviewFinding] + [""]),
        st.sampled_from(["supervisor", "analyst"]),
        st.integers(-400, 30),
        st.sampled_from(["all", "none"]),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(EVENTS, max_size=8), OBSERVATIONS, REVIEWS)
def test_no_reviews_make_a_subject_with_another_blocking_gate_actionable(
    events: list[str], observations: list[str], reviews: list[GateReview]
) -> None:
    s = subject(events, observations)
    before = evaluate_subject(s, TODAY, policy(), "supervisor", "removal_logistics")
    evidence = tuple(e for g in before.gates for e in g.evidence)
    given_reviews = [
        GateReview(r.gate, r.subject_id, r.reviewer, r.reviewer_role, r.at, r.outcome, (), "", r.finding,
                   evidence if r.covers == ("all",) else ())
        for r in reviews
    ]  # fmt: skip
    after = evaluate_subject(s, TODAY, policy(), "supervisor", "removal_logistics", reviews=given_reviews)
    other = {g.gate for g in before.blocking} - REVIEWABLE_GATES
    assert other <= {g.gate for g in after.blocking}
    if other:
        assert after.status == Status.BLOCKED
    if after.status == Status.ACTIONABLE:
        for g in before.blocking:
            cleared = next(a for a in after.gates if a.gate == g.gate).review
            assert cleared is not None and cleared.reviewer_role == "supervisor" and cleared.clears
