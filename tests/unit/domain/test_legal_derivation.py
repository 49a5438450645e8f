"""Table-driven legal-situation derivation: each row is a readable event list and the facts it implies."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from ilos.domain.events import Event
from ilos.domain.legal import LegalSituation
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.domain.provenance import RecordId, SourceId

TODAY = date(2026, 11, 1)


def ev(line: str) -> Event:
    """'2026-01-05 court_cases:R1 removal_order case=C1 outcome=REMOVAL' -> Event."""
    day, where, kind, *pairs = line.split()
    source, record = where.split(":")
    attributes = tuple(tuple(p.split("=", 1)) for p in pairs)
    recorded = next((date.fromisoformat(v) for k, v in attributes if k == "entered"), None)
    return Event(kind, date.fromisoformat(day), SourceId(source), RecordId(record), attributes, (), recorded)  # type: ignore[arg-type]


def facts(s: LegalSituation) -> dict[str, Any]:
    """The legal situation flattened to the facts the tables state."""
    return {
        "final_order": s.final_order.order_type.value if s.final_order else None,
        "order_country": s.final_order.country if s.final_order else None,
        "appeal_window_open": bool(s.appeal_windows),
        "appeal_pending": bool(s.pending_appeals),
        "stays": sorted(st.kind.value for st in s.stays_in_effect),
        "country_protection": sorted(f"{p.kind}:{p.country}" for p in s.country_protections),
        "statuses": sorted(s.status_kinds()),
        "pending": sorted(p.benefit for p in s.pending_applications),
        "detained": s.detention.detained,
        "departure": s.departure.kind.value,
        "citizenship": sorted(c.kind for c in s.citizenship),
        "convictions": sorted(str(c.offense) for c in s.convictions),
        "charges": len(s.criminal_history),
        "cooperating": s.is_cooperating,
        "proceedings": sorted(p.state.value for p in s.proceedings),
    }


CASES: list[tuple[str, list[str], date, dict[str, Any]]] = [
    (
        "no events, no facts",
        [],
        TODAY,
        {"final_order": None, "departure": "none", "detained": False, "citizenship": []},
    ),
    (
        "pending proceeding has no order",
        ["2025-01-10 court_cases:R1 court_proceeding case=C1", "2025-06-01 court_cases:R2 hearing case=C1"],
        TODAY,
        {"final_order": None, "proceedings": ["pending"]},
    ),
    (
        "removal order past the appeal window is final",
        [
            "2025-01-10 court_cases:R1 court_proceeding case=C1",
            "2026-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL destination_country=GTM",
        ],
        TODAY,
        {
            "final_order": "removal",
            "order_country": "GTM",
            "appeal_window_open": False,
            "proceedings": ["decided"],
        },
    ),
    (
        "appeal window open within 30 days of the order",
        ["2026-10-20 court_cases:R2 removal_order case=C1 outcome=REMOVAL"],
        TODAY,
        {"final_order": None, "appeal_window_open": True},
    ),
    (
        "the same order seen 30 days later is final",
        ["2026-10-20 court_cases:R2 removal_order case=C1 outcome=REMOVAL"],
        date(2026, 11, 19),
        {"final_order": "removal", "appeal_window_open": False},
    ),
    (
        "pending appeal: not final",
        [
            "2026-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2026-01-20 court_cases:R3 appeal case=C1 status=PENDING",
        ],
        TODAY,
        {"final_order": None, "appeal_pending": True, "proceedings": ["on_appeal"]},
    ),
    (
        "dismissed appeal: the order is final",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=C1 status=DISMISSED",
        ],
        TODAY,
        {"final_order": "removal", "appeal_pending": False},
    ),
    (
        "remanded appeal: the case goes back to the judge, the order is not final",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=C1 status=REMANDED",
        ],
        TODAY,
        {"final_order": None, "appeal_pending": True, "proceedings": ["on_appeal"]},
    ),
    (
        "an appeal status nobody listed counts as pending",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=C1 status=UNDER_REVIEW",
        ],
        TODAY,
        {"final_order": None, "appeal_pending": True},
    ),
    (
        "denied or withdrawn appeal: the order is final",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=C1 status=DENIED",
            "2025-01-06 court_cases:R5 removal_order case=C2 outcome=REMOVAL",
            "2025-01-21 court_cases:R6 appeal case=C2 status=withdrawn",
        ],
        TODAY,
        {"final_order": "removal", "appeal_pending": False, "proceedings": ["decided", "decided"]},
    ),
    (
        "an appeal whose case number differs only in case appeals the order",
        [
            "2025-01-05 court_cases:R2 removal_order case=2019-RMV-00000789 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=2019-rmv-00000789 status=PENDING",
        ],
        TODAY,
        {"final_order": None, "appeal_pending": True, "proceedings": ["on_appeal"]},
    ),
    (
        "a pending appeal whose case leads to no decision is pending all the same",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=C9 status=PENDING",
        ],
        TODAY,
        {"final_order": "removal", "appeal_pending": True, "proceedings": ["decided", "on_appeal"]},
    ),
    (
        "a sustained appeal whose case leads to no decision holds: the order it vacated may be this one",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=C9 status=SUSTAINED",
        ],
        TODAY,
        {"final_order": "removal", "appeal_pending": True, "proceedings": ["decided", "on_appeal"]},
    ),
    (
        "a dismissed appeal whose case leads to no decision changes nothing",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=C9 status=DISMISSED",
        ],
        TODAY,
        {"final_order": "removal", "appeal_pending": False, "proceedings": ["decided", "pending"]},
    ),
    (
        "a pending appeal dated before the order (a swapped date) holds it all the same",
        [
            "2025-03-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-02-10 court_cases:R3 appeal case=C1 status=PENDING",
        ],
        TODAY,
        {"final_order": None, "appeal_pending": True, "proceedings": ["on_appeal"]},
    ),
    (
        "an appeal ended before the order was an earlier decision's: the new order is final",
        [
            "2020-01-05 court_cases:R1 removal_order case=C1 outcome=REMOVAL",
            "2020-02-01 court_cases:R2 appeal case=C1 status=SUSTAINED",
            "2021-06-01 court_cases:R3 removal_order case=C1 outcome=REMOVAL",
            "2020-01-05 court_cases:R4 removal_order case=C2 outcome=REMOVAL",
            "2020-02-01 court_cases:R5 appeal case=C2 status=DISMISSED",
            "2021-06-01 court_cases:R6 removal_order case=C2 outcome=REMOVAL",
        ],
        TODAY,
        {"final_order": "removal", "appeal_pending": False, "proceedings": ["decided", "decided"]},
    ),
    (
        "a pending appeal followed by its dismissal: the order is final",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=C1 status=PENDING",
            "2025-06-20 court_cases:R4 appeal case=C1 status=DISMISSED",
        ],
        TODAY,
        {"final_order": "removal", "appeal_pending": False},
    ),
    (
        "a pending and a dismissed appeal on one day: pending, failing safe",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R1 appeal case=C1 status=PENDING",
            "2025-01-20 court_cases:R3 appeal case=C1 status=DISMISSED",
        ],
        TODAY,
        {"final_order": None, "appeal_pending": True},
    ),
    (
        "a voluntary departure under a pending appeal does not lapse into an order",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=VOLUNTARY_DEPARTURE",
            "2025-01-20 court_cases:R3 appeal case=C1 status=PENDING",
        ],
        TODAY,
        {"final_order": None, "appeal_pending": True, "proceedings": ["on_appeal"]},
    ),
    (
        "sustained appeal vacates the order",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2025-01-20 court_cases:R3 appeal case=C1 status=SUSTAINED",
        ],
        TODAY,
        {"final_order": None, "proceedings": ["order_vacated"]},
    ),
    (
        "stay issued after the order: final order and a judicial stay in effect",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2026-03-01 court_cases:R4 stay case=C1 stay_type=JUDICIAL",
        ],
        TODAY,
        {"final_order": "removal", "stays": ["judicial"]},
    ),
    (
        "a stay held but dated after the as-of date (a likely date error) is in effect",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2026-03-01 court_cases:R4 stay case=C1 stay_type=JUDICIAL",
        ],
        date(2026, 2, 1),
        {"final_order": "removal", "stays": ["judicial"]},
    ),
    (
        "a stay recorded after the as-of date was not known then",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2026-03-01 court_cases:R4 stay case=C1 stay_type=JUDICIAL entered=2026-03-01",
        ],
        date(2026, 2, 1),
        {"final_order": "removal", "stays": []},
    ),
    (
        "a stay dated after the as-of date that ended before it is not in effect",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2026-12-11 court_cases:R4 stay case=C1 stay_type=JUDICIAL until=2026-01-01",
        ],
        TODAY,
        {"final_order": "removal", "stays": []},
    ),
    (
        "citizenship evidence, an approval granting status and an application dated ahead count",
        [
            "2026-12-11 cit:E1 citizenship_evidence type=NATURALIZATION_CERTIFICATE",
            "2024-01-01 benefits:B1 benefit_application benefit=TPS receipt=B1",
            "2026-12-11 benefits:B1 benefit_decision benefit=TPS decision=APPROVED receipt=B1",
            "2026-12-11 benefits:B2 benefit_application benefit=ASYLUM receipt=B2",
        ],
        TODAY,
        # The approval dated ahead does not end the application it decides: both protect.
        {"citizenship": ["NATURALIZATION_CERTIFICATE"], "statuses": ["tps"], "pending": ["ASYLUM", "TPS"]},
    ),
    (
        "a denial dated ahead does not end a pending application",
        [
            "2024-01-01 benefits:B1 benefit_application benefit=ASYLUM receipt=B1",
            "2026-12-11 benefits:B1 benefit_decision benefit=ASYLUM decision=DENIED receipt=B1",
        ],
        TODAY,
        {"statuses": [], "pending": ["ASYLUM"]},
    ),
    (
        "a pending appeal dated ahead holds the order; a dismissal dated ahead does not end one",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2026-12-11 court_cases:R3 appeal case=C1 status=PENDING",
            "2025-01-06 court_cases:R5 removal_order case=C2 outcome=REMOVAL",
            "2025-01-20 court_cases:R6 appeal case=C2 status=PENDING",
            "2026-12-11 court_cases:R7 appeal case=C2 status=DISMISSED",
        ],
        TODAY,
        {"final_order": None, "appeal_pending": True, "proceedings": ["on_appeal", "on_appeal"]},
    ),
    (
        "an order and a conviction dated after the as-of date do not count",
        [
            "2026-12-11 court_cases:R2 removal_order case=C1 outcome=REMOVAL destination_country=GTM",
            "2026-12-11 crim:C1 conviction arrest=A1 offense=ROBBERY severity=3 disposition=CONVICTED",
            "2026-12-11 encounters:E1 encounter disposition=EXPEDITED_REMOVAL",
        ],
        TODAY,
        {
            "final_order": None,
            "appeal_window_open": False,
            "proceedings": [],
            "convictions": [],
            "charges": 0,
        },
    ),
    (
        "withholding granted with an order dated ahead bars its country; the order waits",
        [
            "2025-01-05 court_cases:R1 removal_order case=C1 outcome=REMOVAL destination_country=HND",
            "2026-12-11 court_cases:R2 removal_order case=C2 outcome=REMOVAL relief=WITHHOLDING destination_country=HND",
        ],
        TODAY,
        {"final_order": "removal", "country_protection": ["withholding:HND"], "proceedings": ["decided"]},
    ),
    (
        "an admission dated ahead gives its status but does not undo a verified departure",
        ["2026-02-10 border:X1 exit port=SYS", "2026-12-11 border:X2 entry class=LPR"],
        TODAY,
        {"departure": "verified", "statuses": ["lpr"]},
    ),
    (
        "approved I-246 is an administrative stay",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
            "2026-02-01 benefits:B1 benefit_application benefit=STAY receipt=B1",
            "2026-04-01 benefits:B1 benefit_decision benefit=STAY decision=APPROVED receipt=B1",
        ],
        TODAY,
        {"final_order": "removal", "stays": ["administrative"], "pending": []},
    ),
    (
        "withholding for one country only",
        [
            "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL relief=WITHHOLDING destination_country=HND"
        ],
        TODAY,
        {"final_order": "removal", "country_protection": ["withholding:HND"]},
    ),
    (
        "late-arriving court order: unknown before it was entered",
        ["2026-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL entered=2026-07-01"],
        date(2026, 6, 1),
        {"final_order": None, "appeal_window_open": False, "proceedings": []},
    ),
    (
        "late-arriving court order: final once entered, the window long closed",
        ["2026-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL entered=2026-07-01"],
        TODAY,
        {"final_order": "removal", "appeal_window_open": False},
    ),
    (
        "expedited removal at an encounter is a final order",
        ["2024-05-01 encounters:E1 encounter disposition=EXPEDITED_REMOVAL"],
        TODAY,
        {"final_order": "expedited_removal"},
    ),
    (
        "voluntary departure not taken within 120 days lapses into an order",
        ["2026-01-05 court_cases:R2 removal_order case=C1 outcome=VOLUNTARY_DEPARTURE"],
        TODAY,
        {"final_order": "voluntary_departure_lapsed"},
    ),
    (
        "voluntary departure written in another case is still a voluntary departure, not a removal order",
        ["2026-08-01 court_cases:R2 removal_order case=C1 outcome=Voluntary_Departure"],
        TODAY,
        {"final_order": None, "appeal_window_open": False},
    ),
    (
        "voluntary departure taken (self-reported) is no order",
        [
            "2026-01-05 court_cases:R2 removal_order case=C1 outcome=VOLUNTARY_DEPARTURE",
            "2026-02-10 departures:D1 departure_self_reported country=MEX",
        ],
        TODAY,
        {"final_order": None, "departure": "self_reported"},
    ),
    (
        "exit record verifies a departure",
        ["2026-02-10 border:X1 exit port=SYS", "2026-02-12 departures:D1 departure_self_reported"],
        TODAY,
        {"departure": "verified"},
    ),
    (
        "a round trip is no departure",
        ["2026-02-10 border:X1 exit", "2026-02-20 border:X2 entry class=USC"],
        TODAY,
        {"departure": "none", "citizenship": ["us_citizen_admission"]},
    ),
    (
        "executed removal is a verified departure and ends detention",
        [
            "2026-01-01 detention:D1 detention_booking facility=F1",
            "2026-03-01 detention:D2 removal country=GTM",
        ],
        TODAY,
        {"departure": "verified", "detained": False},
    ),
    (
        "booked and transferred, never released: detained",
        [
            "2026-09-01 detention:D1 detention_booking facility=F1",
            "2026-10-01 detention:D2 transfer facility=F2",
        ],
        TODAY,
        {"detained": True},
    ),
    (
        "released on bond: not detained",
        [
            "2026-09-01 detention:D1 detention_booking facility=F1",
            "2026-10-01 detention:D1 detention_release reason=BONDED",
        ],
        TODAY,
        {"detained": False},
    ),
    (
        "vacated conviction is not a conviction",
        [
            "2020-01-01 crim:C1 charge arrest=A1 offense=ASSAULT severity=2 disposition=CONVICTED",
            "2021-01-01 crim:C2 conviction arrest=A1 offense=ASSAULT severity=2 disposition=VACATED",
        ],
        TODAY,
        {"convictions": [], "charges": 1},
    ),
    (
        "dismissed charge is not a conviction; a convicted one is",
        [
            "2020-01-01 crim:C1 charge arrest=A1 offense=FRAUD severity=2 disposition=DISMISSED",
            "2020-01-01 crim:C3 charge arrest=A1 offense=TRAFFIC_DUI severity=1 disposition=CONVICTED",
        ],
        TODAY,
        {"convictions": ["TRAFFIC_DUI"], "charges": 2},
    ),
    (
        "approved TPS and a pending asylum application",
        [
            "2024-01-01 benefits:B1 benefit_application benefit=TPS receipt=B1",
            "2024-09-01 benefits:B1 benefit_decision benefit=TPS decision=APPROVED receipt=B1",
            "2025-01-01 benefits:B2 benefit_application benefit=ASYLUM receipt=B2",
        ],
        TODAY,
        {"statuses": ["tps"], "pending": ["ASYLUM"]},
    ),
    (
        "denied application is neither status nor pending",
        [
            "2024-01-01 benefits:B1 benefit_application benefit=DACA receipt=B1",
            "2024-09-01 benefits:B1 benefit_decision benefit=DACA decision=DENIED receipt=B1",
        ],
        TODAY,
        {"statuses": [], "pending": []},
    ),
    (
        "asylum granted in court confers asylee status",
        ["2024-01-01 court_cases:R9 court_proceeding case=C1 outcome=RELIEF_GRANTED relief=ASYLUM"],
        TODAY,
        {"statuses": ["asylee"], "final_order": None},
    ),
    (
        "citizenship evidence and approved naturalization both count",
        [
            "2010-01-01 cit:E1 citizenship_evidence type=BIRTH_RECORD",
            "2020-01-01 benefits:N1 benefit_decision benefit=NATURALIZATION decision=APPROVED receipt=N1",
        ],
        TODAY,
        {"citizenship": ["BIRTH_RECORD", "naturalization_approved"]},
    ),
    (
        "active cooperation until it ends",
        ["2025-01-01 coop:W1 cooperation type=MATERIAL_WITNESS status=ACTIVE"],
        TODAY,
        {"cooperating": True},
    ),
    (
        "ended cooperation",
        ["2025-01-01 coop:W1 cooperation type=MATERIAL_WITNESS status=ENDED end=2026-01-01"],
        TODAY,
        {"cooperating": False},
    ),
]


@pytest.mark.parametrize(("lines", "as_of", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_legal_situation_table(lines: list[str], as_of: date, expected: dict[str, Any]) -> None:
    derived = facts(derive_legal_situation([ev(line) for line in lines], as_of))
    assert {k: derived[k] for k in expected} == expected


def test_every_fact_carries_its_evidence() -> None:
    lines = [
        "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL relief=CAT destination_country=HTI",
        "2026-03-01 court_cases:R4 stay case=C1 stay_type=JUDICIAL",
    ]
    s = derive_legal_situation([ev(line) for line in lines], TODAY)
    assert s.final_order is not None and [r.record_id for r in s.final_order.evidence] == ["R2"]
    assert [r.record_id for r in s.stays[0].evidence] == ["R4"]
    assert [r.record_id for r in s.country_protections[0].evidence] == ["R2"]


def test_case_numbers_are_one_case_whatever_their_blanks_and_case() -> None:
    order = ev("2025-01-05 court_cases:R2 removal_order outcome=REMOVAL")
    appeal = ev("2025-01-20 court_cases:R3 appeal status=PENDING")
    events = [replace(order, attributes=(*order.attributes, ("case", "2019-RMV-00000789"))),
              replace(appeal, attributes=(*appeal.attributes, ("case", " 2019-rmv- 00000789\t")))]  # fmt: skip
    s = derive_legal_situation(events, TODAY)
    assert s.final_order is None and [p.state.value for p in s.proceedings] == ["on_appeal"]
    assert [(a.case, [r.record_id for r in a.evidence]) for a in s.pending_appeals] == [
        ("2019-RMV-00000789", ["R2", "R3"])
    ]


def test_the_events_counted_though_dated_ahead_are_named() -> None:
    lines = [
        "2025-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
        "2026-12-11 court_cases:R4 stay case=C1 stay_type=JUDICIAL",
        "2026-12-11 court_cases:R5 removal_order case=C2 outcome=REMOVAL",
    ]
    s = derive_legal_situation([ev(line) for line in lines], TODAY)
    assert [r.record_id for r in s.dated_ahead] == ["R4"]
    assert [r.record_id for st in s.stays_in_effect for r in st.evidence] == ["R4"]


def test_derivation_ignores_input_order() -> None:
    lines = [
        "2026-01-05 court_cases:R2 removal_order case=C1 outcome=REMOVAL",
        "2026-01-20 court_cases:R3 appeal case=C1 status=PENDING",
    ]
    forward = derive_legal_situation([ev(line) for line in lines], TODAY)
    backward = derive_legal_situation([ev(line) for line in reversed(lines)], TODAY)
    assert forward == backward
