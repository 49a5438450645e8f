"""Immigration lifecycles as arrays: court proceedings and their outcomes, appeals and appeal windows,
stays, country-specific protection, and benefit and relief applications with their decisions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ilos.synth.geography import COUNTRIES
from ilos.synth.population import DOCKET, LPR, NATURALIZED, TODAY, YEAR, Population
from ilos.synth.textops import NO_DATE

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Table = dict[str, npt.NDArray[np.int64]]

OUTCOMES: tuple[str, ...] = (
    "NONE",
    "PENDING",
    "REMOVAL",
    "VOLUNTARY_DEPARTURE",
    "RELIEF_GRANTED",
    "TERMINATED",
)
NONE, PENDING, REMOVAL, VD, RELIEF, TERMINATED = range(6)
# Outcome mix for docket persons with a court case: about half pending, matching a ~3.7M backlog
# within a ~7.5M docket, and removal orders sized so final orders are ~19% of the docket.
OUTCOME_P = {PENDING: 0.50, REMOVAL: 0.21, VD: 0.05, RELIEF: 0.13, TERMINATED: 0.11}
COURT_SHARE = 0.85
RELIEFS: tuple[str, ...] = ("", "ASYLUM", "CANCELLATION", "ADJUSTMENT", "WITHHOLDING", "CAT")
APPEAL_STATUS: tuple[str, ...] = ("", "PENDING", "DISMISSED", "SUSTAINED")
APPEAL_WINDOW_DAYS = 30
FORMS: tuple[str, ...] = ("I-589", "I-821", "I-821D", "I-918", "I-914", "I-485", "N-400", "I-246")
FORM_KIND: tuple[str, ...] = (
    "ASYLUM",
    "TPS",
    "DACA",
    "U_VISA",
    "T_VISA",
    "ADJUSTMENT",
    "NATURALIZATION",
    "STAY",
)
DECISIONS: tuple[str, ...] = ("PENDING", "APPROVED", "DENIED")


@dataclass(frozen=True, slots=True)
class Court:
    in_court: BoolArray
    filed: IntArray
    outcome: IntArray
    decision_day: IntArray
    relief: IntArray  # index into RELIEFS
    appeal_status: IntArray  # index into APPEAL_STATUS
    appeal_day: IntArray
    window_open: BoolArray
    expedited: BoolArray  # expedited removal order from an encounter, no court case
    vd_lapsed: BoolArray
    stay_judicial: BoolArray
    stay_day: IntArray
    late_entered: BoolArray
    entered_day: IntArray  # when the decision reached the court system


def draw_court(rng: np.random.Generator, pop: Population, encounter_day: IntArray) -> Court:
    n = pop.size
    docket = pop.status == DOCKET
    in_court = docket & (rng.random(n) < COURT_SHARE)
    expedited = docket & ~in_court & (rng.random(n) < 0.3)
    filed = encounter_day + rng.integers(20, 400, n)
    squeezed = encounter_day + (rng.random(n) * np.maximum(TODAY - 5 - encounter_day, 1)).astype(np.int64)
    filed = np.where(filed > TODAY - 5, squeezed, filed)
    filed = np.where(in_court, np.minimum(filed, TODAY - 5), NO_DATE)
    keys = list(OUTCOME_P)
    outcome = np.where(in_court, rng.choice(keys, n, p=list(OUTCOME_P.values())), NONE)
    decided = np.isin(outcome, [REMOVAL, VD, RELIEF, TERMINATED])
    recent = rng.random(n) < 0.05  # some decisions inside the 30-day appeal window
    span = np.maximum(TODAY - filed - 60, 1)
    late_enough = np.minimum(filed + 60 + rng.random(n) * span, TODAY - APPEAL_WINDOW_DAYS - 1)
    decision_day = np.where(recent, TODAY - rng.integers(0, APPEAL_WINDOW_DAYS, n), late_enough)
    decision_day = np.where(decided, np.maximum(decision_day.astype(np.int64), filed + 1), NO_DATE)
    relief = np.zeros(n, dtype=np.int64)
    relief[outcome == RELIEF] = rng.choice([1, 2, 3], int((outcome == RELIEF).sum()), p=[0.55, 0.25, 0.20])
    # Withholding and CAT come with a removal order that cannot be carried out to that country.
    protected = (outcome == REMOVAL) & (rng.random(n) < 0.10)
    relief[protected] = rng.choice([4, 5], int(protected.sum()), p=[0.8, 0.2])
    window = (outcome == REMOVAL) & (decision_day > TODAY - APPEAL_WINDOW_DAYS)
    appealed = (outcome == REMOVAL) & ~window & (rng.random(n) < 0.25)
    window_open = window & (rng.random(n) < 0.7)
    appealed |= window & ~window_open
    appeal_day = np.where(appealed, np.minimum(decision_day + rng.integers(5, 30, n), TODAY), NO_DATE)
    appeal_status = np.where(appealed, rng.choice([1, 2, 3], n, p=[0.5, 0.4, 0.1]), 0)
    appeal_status = np.where(appealed & (appeal_day > TODAY - 60), 1, appeal_status)
    vd_lapsed = (outcome == VD) & (decision_day < TODAY - 120) & (rng.random(n) < 0.4)
    final = ((outcome == REMOVAL) & ~window_open & np.isin(appeal_status, [0, 2])) | vd_lapsed | expedited
    # A judicial stay is entered in a court case, so only people with proceedings can hold one.
    stay_judicial = final & in_court & (rng.random(n) < 0.03)
    stay_day = np.where(stay_judicial, TODAY - rng.integers(1, 400, n), NO_DATE)
    late = decided & (rng.random(n) < 0.05)
    entered = np.where(late, decision_day + rng.integers(60, 240, n), decision_day + rng.integers(0, 4, n))
    return Court(
        in_court=in_court,
        filed=filed.astype(np.int64),
        outcome=outcome.astype(np.int64),
        decision_day=decision_day.astype(np.int64),
        relief=relief,
        appeal_status=appeal_status.astype(np.int64),
        appeal_day=appeal_day.astype(np.int64),
        window_open=window_open,
        expedited=expedited,
        vd_lapsed=vd_lapsed,
        stay_judicial=stay_judicial,
        stay_day=np.maximum(stay_day, decision_day).astype(np.int64),
        late_entered=late,
        entered_day=np.where(decided, entered, NO_DATE).astype(np.int64),
    )


def has_final_order(court: Court) -> BoolArray:
    """A removal order no longer open to appeal, a lapsed voluntary departure, or an expedited order."""
    removal = (court.outcome == REMOVAL) & ~court.window_open & np.isin(court.appeal_status, [0, 2])
    out: BoolArray = removal | court.vd_lapsed | court.expedited
    return out


def _apply(
    rng: np.random.Generator,
    rows: IntArray,
    form: int,
    filed: IntArray,
    p_decision: tuple[float, float, float],
) -> Table:
    decision = rng.choice(3, rows.size, p=list(p_decision))
    decided = decision > 0
    decision_day = np.where(decided, filed + rng.integers(90, 900, rows.size), NO_DATE)
    decision = np.where(decided & (decision_day >= TODAY), 0, decision)
    decision_day = np.where(decision > 0, decision_day, NO_DATE)
    return {
        "person": rows,
        "form": np.full(rows.size, form, dtype=np.int64),
        "filed": filed.astype(np.int64),
        "decision": decision.astype(np.int64),
        "decision_day": decision_day.astype(np.int64),
    }


def draw_benefits(rng: np.random.Generator, pop: Population, court: Court, final: BoolArray) -> Table:
    """Benefit and relief applications, one row each, with their decisions."""
    n = pop.size
    docket = pop.status == DOCKET
    entry = np.where(pop.entry_day == NO_DATE, TODAY - 1000, pop.entry_day)
    after_entry = entry + (rng.random(n) * np.maximum(TODAY - entry - 30, 1)).astype(np.int64)
    tables: list[Table] = []
    asylum = docket & (rng.random(n) < 0.45)
    pending_case = court.outcome == PENDING
    p_asylum = np.where(pending_case | ~court.in_court, 0.7, 0.0)
    rows = np.flatnonzero(asylum)
    a = _apply(rng, rows, 0, after_entry[rows], (0.5, 0.2, 0.3))
    a["decision"] = np.where(rng.random(rows.size) < p_asylum[rows], 0, a["decision"])
    a["decision"] = np.where(court.relief[rows] == 1, 1, a["decision"])
    a["decision_day"] = np.where(a["decision"] == 0, NO_DATE, np.maximum(a["decision_day"], a["filed"] + 90))
    a["decision_day"] = np.minimum(a["decision_day"], TODAY - 1)
    tables.append(a)
    tps_country = np.array([c.tps for c in COUNTRIES] + [False])[pop.nationality]
    rows = np.flatnonzero(docket & tps_country & (rng.random(n) < 0.4))
    tables.append(_apply(rng, rows, 1, np.maximum(after_entry[rows], TODAY - 1500), (0.15, 0.75, 0.10)))
    age_at_entry = entry - pop.dob
    daca_ok = (
        docket & (age_at_entry < 16 * YEAR) & (entry < TODAY - 19 * YEAR) & (TODAY - pop.dob > 15 * YEAR)
    )
    rows = np.flatnonzero(daca_ok & (rng.random(n) < 0.6))
    tables.append(_apply(rng, rows, 2, np.maximum(after_entry[rows], TODAY - 4000), (0.1, 0.85, 0.05)))
    rows = np.flatnonzero(docket & (rng.random(n) < 0.02))
    tables.append(_apply(rng, rows, 3, after_entry[rows], (0.55, 0.40, 0.05)))
    rows = np.flatnonzero(docket & (rng.random(n) < 0.003))
    tables.append(_apply(rng, rows, 4, after_entry[rows], (0.3, 0.6, 0.1)))
    lpr = pop.status == LPR
    rows = np.flatnonzero((lpr & (rng.random(n) < 0.5)) | (docket & (rng.random(n) < 0.03)))
    adj = _apply(rng, rows, 5, after_entry[rows], (0.0, 1.0, 0.0))
    adj["decision"] = np.where(pop.status[rows] == DOCKET, 0, adj["decision"])
    adj["decision_day"] = np.where(adj["decision"] == 0, NO_DATE, np.minimum(adj["decision_day"], TODAY - 1))
    tables.append(adj)
    nat = pop.status == NATURALIZED
    rows = np.flatnonzero(nat | (lpr & (rng.random(n) < 0.1)))
    n400 = _apply(
        rng, rows, 6, pop.naturalized_day[rows] - rng.integers(150, 400, rows.size), (0.0, 1.0, 0.0)
    )
    n400["filed"] = np.where(nat[rows], n400["filed"], TODAY - rng.integers(10, 300, rows.size))
    n400["decision"] = np.where(nat[rows], 1, 0)
    n400["decision_day"] = np.where(nat[rows], pop.naturalized_day[rows], NO_DATE)
    tables.append(n400)
    rows = np.flatnonzero(final & (rng.random(n) < 0.04))
    stay = _apply(rng, rows, 7, TODAY - rng.integers(30, 500, rows.size), (0.3, 0.45, 0.25))
    stay["decision_day"] = np.minimum(stay["decision_day"], TODAY - 1)
    tables.append(stay)
    return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}


def approved(benefits: Table, form: str, persons: int, pending_too: bool = False) -> BoolArray:
    """Which persons hold an application of one form that is approved (or still pending)."""
    code = FORMS.index(form)
    ok = (benefits["form"] == code) & (
        (benefits["decision"] == 1) | (pending_too & (benefits["decision"] == 0))
    )
    out = np.zeros(persons, dtype=bool)
    out[benefits["person"][ok]] = True
    return out
