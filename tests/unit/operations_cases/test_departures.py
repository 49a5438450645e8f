"""Departure verification states, the report that keeps verified counts apart, and truth scoring."""

from __future__ import annotations

from datetime import date

import pytest

from ilos.operations.departures import (
    DepartureReport,
    DepartureState,
    TimelineEvent,
    assess_departure,
    score_against_truth,
    summarize_departures,
)

REPORT = DepartureReport("DR1", date(2026, 5, 16), "MEXICO", "PHONE")
EXIT = TimelineEvent("exit", date(2026, 5, 1), "border_crossings:X1")


@pytest.mark.parametrize(
    ("subject", "events", "state", "by"),
    [
        (None, [EXIT], DepartureState.UNMATCHED, None),
        ("S1", [], DepartureState.SELF_REPORTED, None),
        ("S1", [EXIT], DepartureState.VERIFIED, None),
        (
            "S1",
            [TimelineEvent("exit", date(2025, 1, 1), "border_crossings:X0")],
            DepartureState.SELF_REPORTED,
            None,
        ),
        (
            "S1",
            [TimelineEvent("encounter", date(2026, 4, 1), "encounters:E0")],
            DepartureState.SELF_REPORTED,
            None,
        ),
        (
            "S1",
            [TimelineEvent("address_observation", date(2026, 7, 1), "tax_addresses:T1")],
            DepartureState.CONTRADICTED,
            "tax_addresses:T1",
        ),
        (
            "S1",
            [EXIT, TimelineEvent("arrest", date(2026, 9, 1), "criminal_history:A1")],
            DepartureState.CONTRADICTED,
            "criminal_history:A1",
        ),
        (
            "S1",  # seen after the exit but before the claimed date: the exit does not verify it
            [EXIT, TimelineEvent("encounter", date(2026, 5, 10), "encounters:E1")],
            DepartureState.SELF_REPORTED,
            None,
        ),
    ],
)
def test_departure_states(
    subject: str | None, events: list[TimelineEvent], state: DepartureState, by: str | None
) -> None:
    assessed = assess_departure(REPORT, subject, events)
    assert assessed.state is state
    assert assessed.contradicted_by == by
    assert assessed.closes_interest is (state is DepartureState.VERIFIED)
    if state is DepartureState.VERIFIED:
        assert assessed.exit_record == "border_crossings:X1"
        assert any("border_crossings:X1" in e for e in assessed.evidence)


def test_report_keeps_verified_apart_from_estimates() -> None:
    assessed = [
        assess_departure(REPORT, "S1", [EXIT]),
        assess_departure(DepartureReport("DR2", date(2026, 5, 3), "mexico"), "S2", []),
        assess_departure(DepartureReport("DR3", date(2026, 6, 3), None), None, []),
    ]
    summary = summarize_departures(assessed)
    assert (summary.verified, summary.self_reported_estimate, summary.unmatched) == (1, 1, 1)
    assert [(c.month, c.country, c.state.value, c.count) for c in summary.counts] == [
        ("2026-05", "MEXICO", "self_reported", 1),
        ("2026-05", "MEXICO", "verified", 1),
        ("2026-06", "UNKNOWN", "unmatched", 1),
    ]


def test_precision_of_verified_against_truth() -> None:
    assessed = [
        assess_departure(REPORT, "S1", [EXIT]),
        assess_departure(DepartureReport("DR2", date(2026, 5, 3), None), "S2", []),
    ]
    accuracy = score_against_truth(assessed, {"DR1": "verified", "DR2": "verified"})
    assert (accuracy.precision, accuracy.recall) == (1.0, 0.5)
    assert score_against_truth(assessed, {"DR1": "none"}).precision == 0.0
