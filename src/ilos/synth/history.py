"""Enforcement and justice histories as arrays: encounters, criminal arrests/charges/dispositions,
detention bookings with transfers, removals, departures (verified or self-reported), border
crossings and witness/victim cooperation."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ilos.synth.population import DOCKET, LPR, NATURALIZED, TODAY, US_BORN, YEAR, Population
from ilos.synth.textops import NO_DATE

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Table = dict[str, npt.NDArray[np.int64]]

# (code, category, severity 1 low..3 high, level) -- severity feeds priority rules downstream.
OFFENSES: tuple[tuple[str, str, int, str], ...] = (
    ("5404", "TRAFFIC_DUI", 2, "MISDEMEANOR"),
    ("5499", "TRAFFIC_OTHER", 1, "INFRACTION"),
    ("3562", "DRUG_POSSESSION", 1, "MISDEMEANOR"),
    ("3530", "DRUG_SALE", 3, "FELONY"),
    ("1399", "ASSAULT", 2, "MISDEMEANOR"),
    ("1315", "AGGRAVATED_ASSAULT", 3, "FELONY"),
    ("2399", "LARCENY", 1, "MISDEMEANOR"),
    ("2299", "BURGLARY", 2, "FELONY"),
    ("2699", "FRAUD", 2, "FELONY"),
    ("5299", "WEAPONS", 2, "FELONY"),
    ("0399", "IMMIGRATION_ILLEGAL_ENTRY", 1, "MISDEMEANOR"),
    ("1313", "DOMESTIC_VIOLENCE", 2, "MISDEMEANOR"),
    ("1201", "ROBBERY", 3, "FELONY"),
    ("0999", "HOMICIDE", 3, "FELONY"),
    ("1199", "SEX_OFFENSE", 3, "FELONY"),
    ("4801", "OBSTRUCTION", 1, "MISDEMEANOR"),
)
OFFENSE_P = np.array(
    [0.16, 0.14, 0.10, 0.05, 0.10, 0.04, 0.10, 0.04, 0.05, 0.03, 0.06, 0.06, 0.02, 0.005, 0.015, 0.03]
)
DISPOSITIONS: tuple[str, ...] = ("PENDING", "CONVICTED", "DISMISSED", "VACATED")
ENCOUNTER_METHODS: tuple[str, ...] = ("BORDER_PATROL", "ERO_AT_LARGE", "CAP_JAIL", "287G", "OFO_PORT")
ENCOUNTER_DISPOSITIONS: tuple[str, ...] = (
    "NOTICE_TO_APPEAR",
    "EXPEDITED_REMOVAL",
    "RELEASED",
    "DETAINED",
    "RELEASED_USC_CLAIM",
)
MOVEMENTS: tuple[str, ...] = ("BOOK_IN", "TRANSFER", "REMOVAL")
RELEASE_REASONS: tuple[str, ...] = ("", "RELEASED_OR", "BONDED", "PAROLED", "TRANSFERRED", "REMOVED")
DETAINED_SHARE_OF_DOCKET = 70_000 / 7_500_000  # ICE detention population vs non-detained docket
DETAINEES_CONVICTED_SHARE = 0.27  # TRAC: about 73% of ICE detainees have no criminal conviction


def first_encounter_day(rng: np.random.Generator, pop: Population) -> IntArray:
    """The day each docket person first met enforcement (at the border for entries without inspection)."""
    entry = np.where(pop.entry_day == NO_DATE, TODAY - 100, pop.entry_day)
    later = entry + (rng.random(pop.size) * np.maximum(TODAY - entry - 30, 1)).astype(np.int64)
    return np.where(pop.entry_lawful, later, entry).astype(np.int64)


def draw_criminal(rng: np.random.Generator, pop: Population) -> tuple[Table, Table]:
    """Arrests (person, day, state) and charges (arrest row, offense, disposition, disposition day)."""
    p_history = np.select([pop.status == DOCKET, pop.status == LPR], [0.10, 0.05], 0.07)
    adult_from = np.maximum(pop.dob + int(18 * YEAR), np.where(pop.entry_day == NO_DATE, 0, pop.entry_day))
    eligible = (adult_from < TODAY - 30) & (rng.random(pop.size) < p_history)
    people = np.flatnonzero(eligible)
    counts = 1 + rng.poisson(0.4, people.size)
    person = np.repeat(people, counts)
    start = adult_from[person]
    day = start + (rng.random(person.size) * (TODAY - 1 - start)).astype(np.int64)
    arrests: Table = {"person": person, "day": day}
    charges_per = 1 + (rng.random(person.size) < 0.35)
    arrest_row = np.repeat(np.arange(person.size), charges_per)
    offense = rng.choice(len(OFFENSES), arrest_row.size, p=OFFENSE_P / OFFENSE_P.sum())
    age = TODAY - day[arrest_row]
    disposition = rng.choice([1, 2], arrest_row.size, p=[0.62, 0.38])
    disposition = np.where((age < 1.5 * YEAR) & (rng.random(arrest_row.size) < 0.6), 0, disposition)
    disposition = np.where((disposition == 1) & (rng.random(arrest_row.size) < 0.04), 3, disposition)
    disp_day = np.where(disposition > 0, day[arrest_row] + rng.integers(20, 400, arrest_row.size), NO_DATE)
    disp_day = np.where(disposition > 0, np.minimum(disp_day, TODAY - 1), NO_DATE)
    charges: Table = {
        "arrest": arrest_row,
        "person": person[arrest_row],
        "offense": offense,
        "disposition": disposition,
        "disposition_day": disp_day.astype(np.int64),
    }
    return arrests, charges


def convicted(charges: Table, persons: int) -> BoolArray:
    out = np.zeros(persons, dtype=bool)
    out[charges["person"][charges["disposition"] == 1]] = True
    return out


def choose_detained(
    rng: np.random.Generator, pop: Population, has_conviction: BoolArray, excluded: BoolArray
) -> BoolArray:
    """Current detainees: ~0.93% of the docket, about 27% of them with a conviction."""
    pool = (pop.status == DOCKET) & ~excluded & ((TODAY - pop.dob) > 18 * YEAR)
    n_detained = max(1, round(DETAINED_SHARE_OF_DOCKET * int((pop.status == DOCKET).sum())))
    with_conv = np.flatnonzero(pool & has_conviction)
    without = np.flatnonzero(pool & ~has_conviction)
    k_conv = min(with_conv.size, round(DETAINEES_CONVICTED_SHARE * n_detained))
    k_without = min(without.size, n_detained - k_conv)
    chosen = np.concatenate(
        [rng.choice(with_conv, k_conv, replace=False), rng.choice(without, k_without, replace=False)]
    )
    out = np.zeros(pop.size, dtype=bool)
    out[chosen] = True
    return out


def draw_detention(
    rng: np.random.Generator,
    pop: Population,
    detained: BoolArray,
    removed: BoolArray,
    removal_day: IntArray,
    encounter_day: IntArray,
    facility_weights: npt.NDArray[np.float64],
    citizens_held: BoolArray,
) -> Table:
    """Booking movements: BOOK_IN and TRANSFER stays with release reasons, and REMOVAL departures."""
    n = pop.size
    adult = (TODAY - pop.dob) > 18 * YEAR
    past = (pop.status == DOCKET) & adult & ~detained & ~removed & (rng.random(n) < 0.06)
    booked = detained | removed | past | citizens_held
    people = np.flatnonzero(booked)
    fac_p = facility_weights / facility_weights.sum()
    start = np.where(
        detained[people],
        TODAY - rng.exponential(55, people.size).astype(np.int64) - 1,
        np.minimum(encounter_day[people] + rng.integers(0, 30, people.size), TODAY - 150),
    )
    start = np.where(removed[people], removal_day[people] - rng.integers(15, 120, people.size), start)
    end = np.where(detained[people], NO_DATE, start + rng.integers(2, 120, people.size))
    end = np.where(removed[people], removal_day[people], end)
    end = np.where(citizens_held[people], start + rng.integers(1, 5, people.size), end)
    reason = np.where(removed[people], 5, rng.choice([1, 2, 3], people.size, p=[0.5, 0.3, 0.2]))
    reason = np.where(detained[people], 0, reason)
    transferred = rng.random(people.size) < 0.3
    mid = np.where(
        detained[people],
        start + (TODAY - start) // 2,
        start + (np.where(end == NO_DATE, TODAY, end) - start) // 2,
    )
    transferred &= mid > start
    f1 = rng.choice(len(fac_p), people.size, p=fac_p)
    f2 = (f1 + rng.integers(1, max(len(fac_p), 2), people.size)) % len(fac_p)
    first: Table = {
        "person": people,
        "movement": np.zeros(people.size, dtype=np.int64),
        "facility": f1,
        "from_facility": np.full(people.size, -1, dtype=np.int64),
        "day_in": start,
        "day_out": np.where(transferred, mid, end),
        "reason": np.where(transferred, 4, reason),
    }
    t = np.flatnonzero(transferred)
    second: Table = {
        "person": people[t],
        "movement": np.ones(t.size, dtype=np.int64),
        "facility": f2[t],
        "from_facility": f1[t],
        "day_in": mid[t],
        "day_out": end[t],
        "reason": reason[t],
    }
    r = np.flatnonzero(removed[people])
    last_fac = np.where(transferred, f2, f1)
    third: Table = {
        "person": people[r],
        "movement": np.full(r.size, 2, dtype=np.int64),
        "facility": last_fac[r],
        "from_facility": np.full(r.size, -1, dtype=np.int64),
        "day_in": removal_day[people[r]],
        "day_out": np.full(r.size, NO_DATE, dtype=np.int64),
        "reason": np.full(r.size, 5, dtype=np.int64),
    }
    parts = (first, second, third)
    table = {k: np.concatenate([p[k] for p in parts]).astype(np.int64) for k in first}
    order = np.lexsort((table["day_in"], table["person"]))
    return {k: v[order] for k, v in table.items()}


def draw_encounters(
    rng: np.random.Generator,
    pop: Population,
    encounter_day: IntArray,
    expedited: BoolArray,
    detained: BoolArray,
    has_arrest: BoolArray,
    citizens_encountered: BoolArray,
) -> Table:
    """Enforcement encounters: the first one of each docket person, later interior ones, and citizens."""
    docket = np.flatnonzero(pop.status == DOCKET)
    method = np.where(pop.entry_lawful[docket], rng.choice([1, 2, 3], docket.size, p=[0.5, 0.3, 0.2]), 0)
    disposition = np.where(expedited[docket], 1, rng.choice([0, 2], docket.size, p=[0.85, 0.15]))
    extra = np.flatnonzero(((pop.status == DOCKET) & (rng.random(pop.size) < 0.2)) | detained)
    extra_day = np.maximum(encounter_day[extra] + 30, TODAY - rng.integers(1, 1500, extra.size))
    extra_day = np.where(detained[extra], TODAY - rng.integers(60, 400, extra.size), extra_day)
    extra_method = np.where(has_arrest[extra], 2, rng.choice([1, 3], extra.size))
    extra_disp = np.where(detained[extra], 3, rng.choice([2, 3], extra.size, p=[0.8, 0.2]))
    usc = np.flatnonzero(citizens_encountered)
    usc_day = TODAY - rng.integers(1, 2000, usc.size)
    usc_disp = rng.choice([4, 2, 3], usc.size, p=[0.5, 0.35, 0.15])
    return {
        "person": np.concatenate([docket, extra, usc]),
        "day": np.concatenate([encounter_day[docket], np.minimum(extra_day, TODAY - 1), usc_day]).astype(
            np.int64
        ),
        "method": np.concatenate([method, extra_method, rng.choice([2, 3], usc.size)]).astype(np.int64),
        "disposition": np.concatenate([disposition, extra_disp, usc_disp]).astype(np.int64),
    }


def draw_border(
    rng: np.random.Generator, pop: Population, verified_exit: BoolArray, exit_day: IntArray
) -> Table:
    """Entries at ports (lawful entries), round trips of residents and citizens, and verified exits."""
    n = pop.size
    entered = np.flatnonzero((pop.status != US_BORN) & pop.entry_lawful)
    travellers = np.flatnonzero(np.isin(pop.status, [US_BORN, NATURALIZED, LPR]) & (rng.random(n) < 0.15))
    out_day = TODAY - rng.integers(20, 2500, travellers.size)
    back_day = out_day + rng.integers(3, 20, travellers.size)
    leavers = np.flatnonzero(verified_exit)
    person = np.concatenate([entered, travellers, travellers, leavers])
    day = np.concatenate([pop.entry_day[entered], out_day, back_day, exit_day[leavers]])
    direction = np.concatenate(
        [np.zeros(entered.size), np.ones(travellers.size), np.zeros(travellers.size), np.ones(leavers.size)]
    ).astype(np.int64)
    order = np.lexsort((day, person))
    return {"person": person[order], "day": day[order].astype(np.int64), "direction": direction[order]}
