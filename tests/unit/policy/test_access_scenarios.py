"""Markings and purposes as tables: who sees which address for which purpose, with which authority; and
that decisions rest only on what the purpose may use, while withheld values are reported, not dropped."""

from __future__ import annotations

import pytest
from policy_scenarios import FINAL_ORDER, SUBJECT, TODAY, policy, subject

from ilos.errors import InvalidInputError, PermissionDeniedError
from ilos.policy.access import view_subject
from ilos.policy.authority import LegalAuthority
from ilos.policy.decide import as_shown, evaluate_subject
from ilos.policy.results import GateId

HEALTH_ADDR = "address=1|CLINIC|RD health_addresses:H1 2026-10-01"
TAX_ADDR = "address=2|TAX|ST tax_addresses:T1 2026-09-01"
WAGE_ADDR = "address=3|WAGE|AVE wage_addresses:W1 2026-01-01"
TAX_EVENT = "2026-09-01 tax_addresses:T1 address_observation tax_year=2025 street=2|TAX|ST"


def authority(taxpayer: str = SUBJECT, periods: tuple[int, ...] = (2025,), **kw: str) -> LegalAuthority:
    fields = {
        "taxpayer_name": "JOHN DOE",
        "statute": "26 U.S.C. 6103(i)(1)",
        "reason": "removal order execution",
    }
    fields.update(kw)
    return LegalAuthority(
        "AUTH-1", "TAX", taxpayer, fields["taxpayer_name"], periods, fields["statute"], fields["reason"]
    )


# scenario | role | purpose | authorities | health shown | tax shown
# fmt: off
ACCESS_TABLE: list[tuple[str, str, str, list[LegalAuthority], bool, bool]] = [
    ("analyst investigating, no authority", "analyst", "case_investigation", [], False, False),
    ("planner with a complete TAX authority", "logistics_planner", "removal_logistics", [authority()], False, True),
    ("authority for another tax period", "logistics_planner", "removal_logistics", [authority(periods=(2019,))], False, False),
    ("authority for another taxpayer", "supervisor", "case_investigation", [authority(taxpayer="S-11111111ffff")], False, False),
    ("HEALTH never for enforcement, authority or not", "supervisor", "removal_logistics", [authority()], False, True),
    ("data steward fixing data quality", "data_steward", "data_quality", [], True, True),
    ("oversight officer", "oversight", "oversight", [], True, True),
    ("administration sees no subject data", "admin", "administration", [], False, False),
]
# fmt: on


@pytest.mark.parametrize(
    ("role", "purpose", "authorities", "health", "tax"), [pytest.param(*r[1:], id=r[0]) for r in ACCESS_TABLE]
)
def test_access_table(
    role: str, purpose: str, authorities: list[LegalAuthority], health: bool, tax: bool
) -> None:
    s = subject([FINAL_ORDER, TAX_EVENT], [HEALTH_ADDR, TAX_ADDR, WAGE_ADDR])
    view = view_subject(s, role, purpose, authorities, policy())
    shown = view.shown("address")
    assert ("1 CLINIC RD" in shown) == health
    assert ("2 TAX ST" in shown) == tax
    withheld = {v.source: v.withheld for v in view.values if v.attribute == "address" and v.value is None}
    assert len(withheld) + len(shown) == 3, "withheld values are reported, never dropped"
    assert all(withheld.values())


def test_health_withheld_reason_names_the_rule() -> None:
    view = view_subject(subject([], [HEALTH_ADDR]), "analyst", "case_investigation", [], policy())
    (value,) = view.values
    assert value.value is None and "HEALTH data is never usable for enforcement" in value.withheld


# scenario | authority | message
# fmt: off
BAD_AUTHORITIES: list[tuple[str, LegalAuthority, str]] = [
    ("names only a postal code", authority(taxpayer="60627"), "'60627' is a postal code"),
    ("names only an identifier", authority(taxpayer="123-45-6789"), "an identifier alone does not name a taxpayer"),
    ("no statute", authority(statute=""), "cite the statutory authority"),
    ("no reason", authority(reason=""), "state the reason"),
    ("no periods", authority(periods=()), "name the tax periods"),
]
# fmt: on


@pytest.mark.parametrize(("bad", "message"), [pytest.param(*r[1:], id=r[0]) for r in BAD_AUTHORITIES])
def test_incomplete_authority_is_refused_with_a_clear_error(bad: LegalAuthority, message: str) -> None:
    s = subject([TAX_EVENT], [TAX_ADDR])
    with pytest.raises(InvalidInputError, match=message):
        view_subject(s, "supervisor", "case_investigation", [bad], policy())


def test_role_may_not_declare_a_purpose_it_does_not_hold() -> None:
    with pytest.raises(PermissionDeniedError, match="may not work for purpose 'removal_logistics'"):
        view_subject(subject([]), "analyst", "removal_logistics", [], policy())


def test_location_from_health_is_not_used_for_removal_logistics() -> None:
    s = subject([FINAL_ORDER], [HEALTH_ADDR, WAGE_ADDR])
    decision = evaluate_subject(s, TODAY, policy(), "logistics_planner", "removal_logistics")
    assert decision.location.value == "3 WAGE AVE" and decision.location.source == "wage_addresses"
    assert "a newer address from health_addresses withheld" in decision.location.withheld
    assert "HEALTH" in decision.location.withheld and "H1" not in decision.location.withheld


def test_withheld_tax_addresses_name_neither_their_tax_years_nor_how_many() -> None:
    """Two tax filings of 2024 and 2025, newer than the wage address, and an authority for 2019 cited: the
    location names tax_addresses once, and every reason names the authority's period but not the filings'."""
    second_filing = "2026-04-01 tax_addresses:T2 address_observation tax_year=2024 street=4|TAX|ST"
    second_address = "address=4|TAX|ST tax_addresses:T2 2026-04-01"
    s = subject([FINAL_ORDER, TAX_EVENT, second_filing], [TAX_ADDR, second_address, WAGE_ADDR])
    cited = [authority(periods=(2019,))]
    decision = evaluate_subject(s, TODAY, policy(), "supervisor", "case_investigation", authorities=cited)
    view = view_subject(s, "supervisor", "case_investigation", cited, policy())
    assert decision.location.value == "3 WAGE AVE"
    assert decision.location.withheld.count("tax_addresses") == 1
    reasons = [decision.location.withheld, *(w.withheld for w in view.withheld)]
    assert all("covers tax periods 2019" in r for r in reasons)
    assert not [r for r in reasons if "2024" in r or "2025" in r]


def test_only_a_health_location_leaves_none_usable() -> None:
    decision = evaluate_subject(
        subject([FINAL_ORDER], [HEALTH_ADDR]), TODAY, policy(), "supervisor", "case_investigation"
    )
    assert decision.location.value is None and not decision.location.usable and decision.location.withheld


def test_tax_location_with_authority_is_used() -> None:
    s = subject([FINAL_ORDER, TAX_EVENT], [TAX_ADDR, WAGE_ADDR])
    decision = evaluate_subject(
        s, TODAY, policy(), "supervisor", "case_investigation", authorities=[authority()]
    )
    assert decision.location.value == "2 TAX ST"


def test_protection_evidence_withheld_from_the_purpose_still_blocks() -> None:
    """Cooperation records are not for logistics, but the witness is still protected from removal."""
    s = subject([FINAL_ORDER, "2026-01-01 cooperation:W1 cooperation type=MATERIAL_WITNESS status=ACTIVE"])
    decision = evaluate_subject(s, TODAY, policy(), "logistics_planner", "removal_logistics")
    assert decision.status.value == "blocked"
    assert "witness_or_victim" in {g.gate.value for g in decision.blocking}


def test_withheld_events_keep_their_place_on_the_timeline_without_their_content() -> None:
    s = subject([FINAL_ORDER, TAX_EVENT])
    view = view_subject(s, "analyst", "case_investigation", [], policy())
    tax = next(e for e in view.events if e.source == "tax_addresses")
    court = next(e for e in view.events if e.source == "court_cases")
    assert (
        tax.attributes is None and "recorded authority" in tax.withheld and tax.on.isoformat() == "2026-09-01"
    )
    assert court.attributes and not court.withheld


def test_a_gate_resting_on_a_withheld_record_blocks_without_showing_its_values() -> None:
    """The identity gate sees all data (a protection is never hidden by a marking): a tax record's other
    date of birth makes it block for an analyst too. The page shows that it blocks and on which source's
    records, not the date nor the record."""
    s = subject(
        [FINAL_ORDER],
        [
            "date_of_birth=1980-01-02 court_cases:C1 2026-01-01",
            "date_of_birth=1975-05-05 tax_addresses:T1 2026-09-01",
        ],
    )
    decided = evaluate_subject(s, TODAY, policy(), "analyst", "case_investigation")
    [identity] = [g for g in decided.gates if g.gate is GateId.IDENTITY]
    assert identity.blocks and "1975-05-05" in " ".join(identity.evidence)  # what the policy decided on
    assert decided.withheld_records == ("tax_addresses:T1",)
    shown = as_shown(decided)
    [gate] = [g for g in shown.gates if g.gate is GateId.IDENTITY]
    assert gate.blocks and gate.evidence == ("withheld:tax_addresses",)
    text = " ".join((gate.reason, gate.note, shown.explanation, *shown.inputs))
    assert "1975" not in text and "tax_addresses:T1" not in text
    assert "withheld:tax_addresses" in shown.inputs and "court_cases:C1" in shown.inputs
