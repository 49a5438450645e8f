"""The whole world before any source sees it: population, lifecycles, histories, protections and the
reference resources (facilities, transport), drawn in a fixed order from one seeded Generator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ilos.synth import history as hi
from ilos.synth import lifecycle as lc
from ilos.synth.geography import CITIES, COUNTRIES
from ilos.synth.names import NameTables
from ilos.synth.population import (
    COUNTRY_CODES,
    DERIVED,
    DOCKET,
    NATURALIZED,
    TODAY,
    US_BORN,
    Population,
    generate_population,
)
from ilos.synth.textops import NO_DATE

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Table = dict[str, npt.NDArray[np.int64]]

FULL_SCALE_DOCKET = 7_500_000
FULL_SCALE_FACILITIES = 225
DEPARTED: tuple[str, ...] = ("none", "verified", "self_reported")


@dataclass(frozen=True, slots=True)
class WorldModel:
    pop: Population
    court: lc.Court
    final: BoolArray
    benefits: Table
    arrests: Table
    charges: Table
    has_conviction: BoolArray
    detained: BoolArray
    removed: BoolArray
    departed: IntArray  # index into DEPARTED
    departure_day: IntArray
    self_reports: Table
    encounters: Table
    bookings: Table
    border: Table
    cooperation: Table
    operations: Table
    protections: dict[str, BoolArray]
    facilities: Table
    transport: Table


def facility_count(docket: int) -> int:
    """~225 facilities hold the detained share of a ~7.5M docket; scale with a floor of five."""
    return max(5, round(FULL_SCALE_FACILITIES * docket / FULL_SCALE_DOCKET))


def draw_world(rng: np.random.Generator, persons: int, names: NameTables) -> WorldModel:
    pop = generate_population(rng, persons, names)
    n = pop.size
    foreign_nat = rng.random(n) < 0.03  # born in one country, national of another
    pop.nationality[foreign_nat & (pop.status != US_BORN)] = rng.integers(0, len(COUNTRIES), n)[
        foreign_nat & (pop.status != US_BORN)
    ]
    encounter_day = hi.first_encounter_day(rng, pop)
    court = lc.draw_court(rng, pop, encounter_day)
    final = lc.has_final_order(court)
    benefits = lc.draw_benefits(rng, pop, court, final)
    arrests, charges = hi.draw_criminal(rng, pop)
    has_conviction = hi.convicted(charges, n)
    docket = pop.status == DOCKET
    stayed_admin = lc.approved(benefits, "I-246", n)
    protected_now = court.stay_judicial | stayed_admin | (court.relief >= 4)
    removed = final & ~protected_now & (rng.random(n) < 0.12)
    decided = np.where(court.decision_day == NO_DATE, encounter_day, court.decision_day)
    removal_day = np.where(
        removed, decided + (rng.random(n) * np.maximum(TODAY - decided - 1, 1)).astype(np.int64), NO_DATE
    )
    vd_left = (
        (court.outcome == lc.VD)
        & ~court.vd_lapsed
        & (court.decision_day < TODAY - 30)
        & (rng.random(n) < 0.6)
    )
    other_left = docket & (court.outcome == lc.PENDING) & (rng.random(n) < 0.015)
    left = vd_left | other_left
    left_day = np.where(
        left,
        np.minimum(
            np.where(court.decision_day == NO_DATE, TODAY - 200, court.decision_day)
            + rng.integers(10, 110, n),
            TODAY - 1,
        ),
        NO_DATE,
    )
    exit_seen = left & (rng.random(n) < 0.5)
    reports = (left & ~exit_seen) | (exit_seen & (rng.random(n) < 0.4))
    departed = np.select([removed | exit_seen, left], [1, 2], 0).astype(np.int64)
    departure_day = np.where(removed, removal_day, left_day).astype(np.int64)
    detained = hi.choose_detained(rng, pop, has_conviction, removed | left | protected_now)
    adults = (TODAY - pop.dob) > 18 * 365.25
    citizen = np.isin(pop.status, [US_BORN, NATURALIZED, DERIVED])
    citizens_met = citizen & adults & (rng.random(n) < 0.004)
    citizens_held = citizens_met & (rng.random(n) < 0.15)
    n_fac = facility_count(int(docket.sum()))
    facilities = _facilities(rng, n_fac, int(detained.sum()))
    bookings = hi.draw_detention(
        rng,
        pop,
        detained,
        removed,
        removal_day,
        encounter_day,
        facilities["capacity_total"].astype(np.float64),
        citizens_held,
    )
    has_arrest = np.zeros(n, dtype=bool)
    has_arrest[arrests["person"]] = True
    encounters = hi.draw_encounters(
        rng, pop, encounter_day, court.expedited, detained, has_arrest, citizens_met
    )
    border = hi.draw_border(rng, pop, exit_seen | (removed & (rng.random(n) < 0.7)), departure_day)
    rep = np.flatnonzero(reports)
    self_reports: Table = {"person": rep, "day": left_day[rep] + rng.integers(-5, 20, rep.size)}
    self_reports["day"] = np.minimum(self_reports["day"], TODAY - 1)
    cooperation = _cooperation(rng, pop, benefits)
    protections = _protections(pop, court, benefits, cooperation)
    operations = _operations(rng, pop, final, protections, citizens_met)
    transport = _transport(rng, pop, final, int(detained.sum()))
    return WorldModel(
        pop=pop,
        court=court,
        final=final,
        benefits=benefits,
        arrests=arrests,
        charges=charges,
        has_conviction=has_conviction,
        detained=detained,
        removed=removed,
        departed=departed,
        departure_day=departure_day,
        self_reports=self_reports,
        encounters=encounters,
        bookings=bookings,
        border=border,
        cooperation=cooperation,
        operations=operations,
        protections=protections,
        facilities=facilities,
        transport=transport,
    )


def _cooperation(rng: np.random.Generator, pop: Population, benefits: Table) -> Table:
    n = pop.size
    u_visa = np.zeros(n, dtype=bool)
    u_visa[benefits["person"][benefits["form"] == lc.FORMS.index("I-918")]] = True
    people = np.flatnonzero(
        (u_visa & (rng.random(n) < 0.8)) | ((pop.status == DOCKET) & (rng.random(n) < 0.008))
    )
    start = TODAY - rng.integers(30, 2500, people.size)
    ended = rng.random(people.size) < 0.25
    end = np.where(ended, np.minimum(start + rng.integers(60, 900, people.size), TODAY - 1), NO_DATE)
    kind = np.where(u_visa[people], 0, rng.choice([1, 2, 3], people.size, p=[0.6, 0.3, 0.1]))
    return {"person": people, "start": start, "end": end.astype(np.int64), "kind": kind.astype(np.int64)}


def _protections(
    pop: Population, court: lc.Court, benefits: Table, cooperation: Table
) -> dict[str, BoolArray]:
    n = pop.size
    active = np.zeros(n, dtype=bool)
    active[cooperation["person"][cooperation["end"] == NO_DATE]] = True
    adjusted = lc.approved(benefits, "I-485", n)
    return {
        "stay_judicial": court.stay_judicial,
        "stay_administrative": lc.approved(benefits, "I-246", n),
        "appeal_pending": court.appeal_status == 1,
        "appeal_window_open": court.window_open,
        "withholding": court.relief == 4,
        "cat": court.relief == 5,
        "tps": lc.approved(benefits, "I-821", n),
        "daca": lc.approved(benefits, "I-821D", n),
        "asylum_pending": lc.approved(benefits, "I-589", n, pending_too=True)
        & ~lc.approved(benefits, "I-589", n),
        "asylee": lc.approved(benefits, "I-589", n),
        "u_visa": lc.approved(benefits, "I-918", n),
        "t_visa": lc.approved(benefits, "I-914", n),
        "lpr": (pop.status == 3) | adjusted,
        "cooperating_witness": active,
    }


def _operations(
    rng: np.random.Generator,
    pop: Population,
    final: BoolArray,
    protections: dict[str, BoolArray],
    citizens_met: BoolArray,
) -> Table:
    n = pop.size
    any_protection = np.logical_or.reduce(list(protections.values()))
    targets = np.flatnonzero(
        (final & (rng.random(n) < 0.05))
        | ((pop.status == DOCKET) & (rng.random(n) < 0.004))
        | (final & any_protection & (rng.random(n) < 0.05))
        | (citizens_met & (rng.random(n) < 0.1))
    )
    n_ops = max(1, targets.size // 12)
    op = rng.integers(0, n_ops, targets.size)
    op_day = TODAY + rng.integers(3, 90, n_ops)
    return {"person": targets, "operation": op, "day": op_day[op]}


def _facilities(rng: np.random.Generator, count: int, detained: int) -> Table:
    weights = np.array([c[5] for c in CITIES])
    city = rng.choice(len(CITIES), count, p=weights / weights.sum())
    per = max(50, int(detained / count / 0.85))  # ~85% average occupancy
    total = np.maximum(per * rng.lognormal(0, 0.5, count), 20).astype(np.int64)
    female_share = rng.uniform(0.05, 0.25, count)
    return {
        "city": city,
        "capacity_total": total,
        "female": (total * female_share).astype(np.int64),
        "high_share": (rng.uniform(0.05, 0.3, count) * 100).astype(np.int64),
        "medical": rng.choice(3, count, p=[0.3, 0.5, 0.2]),
        "lat_e4": ((np.array([c[3] for c in CITIES])[city] + rng.normal(0, 0.2, count)) * 1e4).astype(
            np.int64
        ),
        "lon_e4": ((np.array([c[4] for c in CITIES])[city] + rng.normal(0, 0.2, count)) * 1e4).astype(
            np.int64
        ),
    }


def _transport(rng: np.random.Generator, pop: Population, final: BoolArray, detained: int) -> Table:
    codes = pop.nationality[final & (pop.status == DOCKET)]
    counts = np.bincount(codes, minlength=len(COUNTRY_CODES)).astype(np.float64)
    counts[-1] = 0
    if counts.sum() == 0:
        counts[0] = 1
    legs = max(10, detained // 30)
    country = rng.choice(len(COUNTRY_CODES), legs, p=counts / counts.sum())
    kind = np.where(
        country == 0, rng.choice([0, 1], legs, p=[0.5, 0.5]), rng.choice([0, 2], legs, p=[0.8, 0.2])
    )
    return {
        "country": country,
        "kind": kind,
        "day": TODAY + rng.integers(1, 90, legs),
        "origin": rng.integers(0, 6, legs),
    }
