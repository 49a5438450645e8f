"""A small transport instance for plan tests: three flights, each with room for its country's people."""

from __future__ import annotations

from datetime import date, timedelta

from ilos.operations.transport_types import Flight, Removee, TransportProblem

TODAY = date(2026, 11, 1)


def three_flights(per_flight: int = 3) -> TransportProblem:
    """Three flights to three countries, `per_flight` cleared people on each (A-numbers A1..)."""
    countries = ("GTM", "HND", "SLV")
    people = tuple(
        Removee(f"A{10 * c + i}", country, True, TODAY)
        for c, country in enumerate(countries)
        for i in range(per_flight)
    )
    flights = tuple(
        Flight(f"F{c}", (country,), 10, TODAY + timedelta(3), 100_000) for c, country in enumerate(countries)
    )
    return TransportProblem(people, flights, TODAY)
