"""Facilities and transport resources read from CSVs: each flight's destination is kept as the ISO 3166-1
alpha-3 code a manifest lock checks protections in; every bad value of a file (a destination that is no
country or the US, seats, dates, costs, capacities, coordinates, medical levels, a missing column) is refused
at once, each at file:line:column with its value."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilos.errors import BadSourceFileError
from ilos.operations.placement_types import MedicalLevel
from ilos.services.logistics_inputs import load_facilities, load_flights

HEADER = "resource_id,seats,destination_country,departure_date,cost_usd\n"


def test_flight_destinations_are_kept_as_codes(tmp_path: Path) -> None:
    path = tmp_path / "flights.csv"
    path.write_text(
        HEADER + "F1,50,col ,2026-12-20,100\nF2,50,Guatemala,2026-12-21,100\nF3,20,GIN,2026-12-22,90\n"
    )
    assert [f.destinations for f in load_flights(path)] == [("COL",), ("GTM",), ("GIN",)]


def test_flights_to_no_known_country_are_refused_every_one_named(tmp_path: Path) -> None:
    path = tmp_path / "flights.csv"
    path.write_text(HEADER + "F1,50,XX,2026-12-20,100\nF2,50,MEX,2026-12-21,100\nF3,50,,2026-12-22,100\n")
    with pytest.raises(BadSourceFileError) as refused:
        load_flights(path)
    assert [p.location for p in refused.value.problems] == [
        "flights.csv:2:destination_country",
        "flights.csv:4:destination_country",
    ]
    assert "'XX' names no known country" in refused.value.problems[0].message


def test_every_bad_flight_value_is_reported_at_once(tmp_path: Path) -> None:
    """A flight to the United States (actions refuse it as a destination), fractional or negative seats, a
    date or a cost that cannot be read and a repeated id: each at file:line:column with its value, no
    traceback, nothing planned."""
    path = tmp_path / "flights.csv"
    path.write_text(
        HEADER + "F1,50,USA,2026-12-20,100\nF2,5.7,MEX,2026-12-21,100\nF3,-5,PRI,2026-13-01,-1\n"
        "F2,5,MEX,2026-12-21,ten\n"
    )
    with pytest.raises(BadSourceFileError) as refused:
        load_flights(path)
    assert [(p.location, p.message.split(" ")[0]) for p in refused.value.problems] == [
        ("flights.csv:2:destination_country", "'USA'"),
        ("flights.csv:3:seats", "'5.7'"),
        ("flights.csv:4:destination_country", "'PRI'"),
        ("flights.csv:4:seats", "'-5'"),
        ("flights.csv:4:cost_usd", "'-1'"),
        ("flights.csv:4:departure_date", "'2026-13-01'"),
        ("flights.csv:5:resource_id", "'F2'"),
        ("flights.csv:5:cost_usd", "'ten'"),
    ]
    assert "United States" in refused.value.problems[0].message


FACILITY_HEADER = (
    "facility_id,name,latitude,longitude,cap_male_low,cap_male_medium,cap_male_high,"
    "cap_female_low,cap_female_medium,cap_female_high,medical_level\n"
)


def test_a_short_row_and_a_superscript_digit_are_reported_not_raised(tmp_path: Path) -> None:
    """A row with fewer cells than the header gave None cells (AttributeError), and "²", a digit to isdigit,
    made int() raise: both tracebacks, found by review."""
    path = tmp_path / "flights.csv"
    path.write_text(HEADER + "F1,5,MEX\nF2,\u00b2,MEX,2026-12-20,100\n", encoding="utf-8")
    with pytest.raises(BadSourceFileError) as refused:
        load_flights(path)
    assert [p.location for p in refused.value.problems] == [
        "flights.csv:2:cost_usd",
        "flights.csv:2:departure_date",
        "flights.csv:3:seats",
    ]


def test_facilities_are_read_with_empty_capacity_as_no_beds(tmp_path: Path) -> None:
    path = tmp_path / "facilities.csv"
    path.write_text(FACILITY_HEADER + "F1,One,33.9,-84.4,11,10,7,2,,1,basic\n")
    [facility] = load_facilities(path)
    assert sum(facility.capacity.values()) == 31 and facility.medical_level == MedicalLevel.BASIC


def test_every_bad_facility_value_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "facilities.csv"
    path.write_text(
        FACILITY_HEADER + "F1,One,999,-84.4,-11,10,7,2,2,ten,SUPER\nF2,Two,33.9,-84.4,5.7,10,7,2,2,1,FULL\n"
    )
    with pytest.raises(BadSourceFileError) as refused:
        load_facilities(path)
    assert [(p.location, p.message.split(" ")[0]) for p in refused.value.problems] == [
        ("facilities.csv:2:cap_male_low", "'-11'"),
        ("facilities.csv:2:cap_female_high", "'ten'"),
        ("facilities.csv:2:latitude", "'999'"),
        ("facilities.csv:2:medical_level", "'SUPER'"),
        ("facilities.csv:3:cap_male_low", "'5.7'"),
    ]


def test_a_misspelt_capacity_column_is_missing_not_zero_beds(tmp_path: Path) -> None:
    path = tmp_path / "facilities.csv"
    path.write_text(
        FACILITY_HEADER.replace("cap_male_low", "cap_men_low") + "F1,One,33.9,-84.4,11,10,7,2,2,1,FULL\n"
    )
    with pytest.raises(BadSourceFileError) as refused:
        load_facilities(path)
    assert [p.location for p in refused.value.problems] == ["facilities.csv:cap_male_low"]
