"""Survivorship and conflict flags: best values are derived by the rules, conflicts are never hidden."""

from __future__ import annotations

from datetime import date

import pytest

from ilos.domain.attributes import Attribute, Criterion, SurvivorshipRules
from ilos.domain.events import Event
from ilos.domain.legal import LegalSituation
from ilos.domain.provenance import Observed, RecordId, SourceId, SubjectId
from ilos.domain.subjects import Subject

RULES = SurvivorshipRules(
    source_tiers={"court_cases": 1, "encounters": 2, "benefit_applications": 3, "tax_addresses": 4},
    per_attribute={"address": (Criterion.RECENCY, Criterion.RELIABILITY, Criterion.AGREEMENT)},
)


def obs(
    value: str, source: str, record: str, on: str | None = None, confidence: float = 1.0
) -> Observed[str]:
    return Observed(
        value, SourceId(source), RecordId(record), date.fromisoformat(on) if on else None, confidence
    )


def test_two_dobs_from_two_sources_conflict_and_the_more_reliable_wins() -> None:
    dob = Attribute(
        "date_of_birth",
        (
            obs("1980-05-04", "benefit_applications", "B1", "2026-01-01"),
            obs("1980-04-05", "court_cases", "C1", "2020-01-01"),
        ),
    )
    assert dob.conflict
    best = dob.best(RULES)
    assert best is not None and (best.value, best.source) == ("1980-04-05", "court_cases")


def test_same_reliability_then_agreement_then_recency() -> None:
    name = Attribute(
        "family_name",
        (
            obs("GARCIA", "encounters", "E1", "2020-01-01"),
            obs("GARCIA LOPEZ", "encounters", "E2", "2025-01-01"),
            obs("GARCIA LOPEZ", "benefit_applications", "B1", "2019-01-01"),
        ),
    )
    best = name.best(RULES)
    assert best is not None and best.value == "GARCIA LOPEZ"
    assert best.record_id == "E2"  # the strongest observation of the winning value carries the provenance


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (
            ("1 MAIN ST", "tax_addresses", "T1", "2026-01-01"),
            ("9 OAK AVE", "court_cases", "C1", "2020-01-01"),
            "1 MAIN ST",
        ),
        (
            ("1 MAIN ST", "tax_addresses", "T1", "2019-01-01"),
            ("9 OAK AVE", "court_cases", "C1", "2020-01-01"),
            "9 OAK AVE",
        ),
    ],
    ids=["recent move wins over reliability", "older address loses"],
)
def test_addresses_follow_recency_first(
    first: tuple[str, str, str, str], second: tuple[str, str, str, str], expected: str
) -> None:
    address = Attribute("address", (obs(*first), obs(*second)))
    best = address.best(RULES)
    assert best is not None and best.value == expected


def test_one_value_many_sources_is_no_conflict() -> None:
    a_number = Attribute(
        "a_number", (obs("012345678", "court_cases", "C1"), obs("012345678", "encounters", "E1"))
    )
    assert not a_number.conflict
    ranked = a_number.ranked(RULES)
    assert len(ranked) == 1 and ranked[0].sources == {"court_cases", "encounters"}


def test_ties_are_broken_deterministically_by_value() -> None:
    sex = Attribute("sex", (obs("M", "encounters", "E1"), obs("F", "encounters", "E2")))
    reversed_sex = Attribute("sex", tuple(reversed(sex.observations)))
    assert sex.best(RULES) == reversed_sex.best(RULES)


def test_empty_attribute_has_no_best_and_no_conflict() -> None:
    empty: Attribute[str] = Attribute("phone")
    assert empty.best(RULES) is None and not empty.conflict


def test_unknown_source_ranks_below_every_listed_one() -> None:
    dob = Attribute(
        "date_of_birth",
        (obs("1990-01-01", "somewhere_new", "X1", "2026-01-01"), obs("1991-01-01", "tax_addresses", "T1")),
    )
    best = dob.best(RULES)
    assert best is not None and best.source == "tax_addresses"


def test_subject_flags_only_critical_conflicts() -> None:
    attributes = {
        "date_of_birth": Attribute(
            "date_of_birth", (obs("1980-01-01", "court_cases", "C1"), obs("1981-01-01", "encounters", "E1"))
        ),
        "given_name": Attribute(
            "given_name", (obs("JOSE", "court_cases", "C1"), obs("PEPE", "encounters", "E1"))
        ),
        "nationality": Attribute("nationality", (obs("MEX", "court_cases", "C1"),)),
    }
    subject = Subject(SubjectId("S-1"), attributes, (), LegalSituation(as_of=date(2026, 11, 1)))  # type: ignore[arg-type]
    assert subject.conflicts(RULES) == ("date_of_birth",)
    assert subject.best("missing", RULES) is None


def test_timeline_orders_by_date_then_source_then_record() -> None:
    from ilos.domain.events import order_timeline

    def e(day: str, source: str, record: str, kind: str = "hearing") -> Event:
        return Event(kind, date.fromisoformat(day), SourceId(source), RecordId(record))

    events = [
        e("2026-01-02", "a", "1"),
        e("2026-01-01", "z", "2"),
        e("2026-01-01", "b", "9"),
        e("2026-01-01", "b", "10"),
    ]
    ordered = order_timeline(events)
    assert [(x.on.day, x.source, x.record_id) for x in ordered] == [
        (1, "b", "10"),
        (1, "b", "9"),
        (1, "z", "2"),
        (2, "a", "1"),
    ]
    assert order_timeline(reversed(events)) == ordered
