"""Transport resources read from a CSV: each flight's destination is kept as the ISO 3166-1 alpha-3 code
a manifest lock checks protections in, and rows to no known country are refused, every one named."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilos.errors import BadSourceFileError
from ilos.services.logistics_inputs import load_flights

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
    assert [p.location for p in refused.value.problems] == ["flights.csv:F1", "flights.csv:F3"]
    assert "'XX' names no known country" in refused.value.problems[0].message
