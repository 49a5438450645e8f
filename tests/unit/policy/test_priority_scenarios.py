"""Priority scenarios as tables: events in, factors and band out, under both shipped rule sets; and the
refusal of any rule set that would rank people by a protected attribute."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_scenarios import FINAL_ORDER, TODAY, policy, subject

from ilos.definitions.policy_files import SHIPPED_POLICIES, load_policy, load_priority_rules
from ilos.errors import InvalidInputError
from ilos.policy.priority import score_priority

AGG_ASSAULT = "2024-05-01 criminal_history:K1 conviction arrest=1 offense=AGGRAVATED_ASSAULT severity=3 level=FELONY disposition=CONVICTED"

# scenario | events | observations | rule set | factors present | band
# fmt: off
PRIORITY_TABLE: list[tuple[str, list[str], list[str], str, set[str], str]] = [
    ("nothing known", [], [], "default", set(), "none"),
    ("recent aggravated assault", [AGG_ASSAULT], [], "default", {"serious_violent_conviction", "felony_conviction"}, "high"),
    ("vacated conviction is not a conviction",
     [AGG_ASSAULT, "2025-01-10 criminal_history:K2 conviction arrest=1 offense=AGGRAVATED_ASSAULT severity=3 level=FELONY disposition=VACATED"],
     [], "default", {"conviction_vacated"}, "none"),
    ("dismissed charge is not a conviction",
     ["2024-05-01 criminal_history:K1 charge arrest=1 offense=ROBBERY severity=3 disposition=DISMISSED"], [], "default", set(), "none"),
    ("old conviction is not current conduct",
     ["2010-05-01 criminal_history:K1 conviction arrest=1 offense=ROBBERY severity=3 level=FELONY disposition=CONVICTED"],
     [], "default", {"lengthy_presence"}, "none"),
    ("border apprehension after 1 Nov 2020", ["2023-04-01 encounters:E1 encounter method=BORDER_PATROL disposition=NOTICE_TO_APPEAR"],
     [], "default", {"recent_unlawful_entry"}, "medium"),
    ("border apprehension before 1 Nov 2020", ["2019-04-01 encounters:E1 encounter method=BORDER_PATROL disposition=NOTICE_TO_APPEAR"],
     [], "default", set(), "none"),
    ("victim cooperation mitigates", [AGG_ASSAULT, "2025-01-01 cooperation:W1 cooperation type=VICTIM_SERVICES status=ENDED end=2025-06-01"],
     [], "default", {"serious_violent_conviction", "felony_conviction", "victim_or_witness"}, "medium"),
    ("advanced age mitigates", [AGG_ASSAULT], ["date_of_birth=1950-01-01 court_cases:D1 2025-03-01"], "default",
     {"serious_violent_conviction", "felony_conviction", "advanced_age"}, "high"),
    ("final order alone: no priority under the guidelines", [FINAL_ORDER], [], "default", set(), "none"),
    ("final order first under final-orders-first", [FINAL_ORDER], [], "final-orders-first", {"final_order"}, "high"),
]
# fmt: on


@pytest.mark.parametrize(
    ("events", "observations", "rules", "factors", "band"),
    [pytest.param(*row[1:], id=row[0]) for row in PRIORITY_TABLE],
)
def test_priority_table(
    events: list[str], observations: list[str], rules: str, factors: set[str], band: str
) -> None:
    result = score_priority(subject(events, observations), TODAY, policy(rules).rules)
    assert {f.factor_id for f in result.factors} == factors, result.explain()
    assert result.band == band
    assert result.score == max(0, sum(f.weight for f in result.factors))
    assert all(f.evidence for f in result.factors)
    assert result.rule_set_hash == policy(rules).rules.content_hash


def test_vacated_conviction_gives_no_public_safety_factor() -> None:
    events = [AGG_ASSAULT, PRIORITY_TABLE[2][1][1]]
    result = score_priority(subject(events), TODAY, policy().rules)
    assert not [f for f in result.factors if f.category == "public_safety"]


@pytest.mark.parametrize(
    "attribute", ["nationality", "country_of_birth", "sex", "religion", "race", "political_activity"]
)
def test_rule_set_using_a_protected_attribute_is_refused(tmp_path: Path, attribute: str) -> None:
    text = (SHIPPED_POLICIES / "priority" / "dhs-2021.yaml").read_text()
    text += f"  - {{id: origin_factor, kind: attribute_in, category: public_safety, weight: 10, attribute: {attribute}, values: [X]}}\n"
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(
        InvalidInputError, match=f"factor 'origin_factor' uses protected attribute '{attribute}'"
    ):
        load_priority_rules(path)


def test_protected_attribute_in_an_event_filter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "priority").mkdir()
    rules = (SHIPPED_POLICIES / "priority" / "dhs-2021.yaml").read_text()
    rules += "  - {id: worship, kind: event_present, category: public_safety, weight: 5, event_kind: encounter, where: {religion: [X]}}\n"
    (tmp_path / "priority" / "dhs-2021.yaml").write_text(rules)
    (tmp_path / "mine.yaml").write_text((SHIPPED_POLICIES / "default.yaml").read_text())
    with pytest.raises(InvalidInputError, match="factor 'worship' uses protected attribute 'religion'"):
        load_policy(str(tmp_path / "mine.yaml"))


def test_policy_cannot_drop_a_protection_required_by_law(tmp_path: Path) -> None:
    text = (SHIPPED_POLICIES / "default.yaml").read_text().replace("[tps, daca, asylee,", "[asylee,")
    (tmp_path / "lax.yaml").write_text(text)
    with pytest.raises(InvalidInputError, match="must bar removal for \\['daca', 'tps'\\]"):
        load_policy(str(tmp_path / "lax.yaml"))


def test_home_overrides_the_shipped_policy_and_hash_changes(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    text = (SHIPPED_POLICIES / "default.yaml").read_text().replace("version: 1", "version: 2")
    (tmp_path / "policies" / "default.yaml").write_text(text)
    mine, shipped = load_policy("default", tmp_path), load_policy("default")
    assert mine.version == 2 and mine.content_hash != shipped.content_hash
    assert mine.rules.content_hash == shipped.rules.content_hash


def test_unknown_policy_names_the_shipped_ones() -> None:
    with pytest.raises(Exception, match="shipped: default, final-orders-first"):
        load_policy("nope")
