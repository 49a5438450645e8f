"""The people of a world as parallel numpy arrays: households, names, births, citizenship status,
arrival, identifiers and addresses over time. Everything is drawn from one seeded Generator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ilos.synth.geography import CITIES, COUNTRIES, STREET_NAMES, STREET_TYPES
from ilos.synth.names import MIDDLE_NAME_SHARE, REGIONS, TWO_SURNAME_REGIONS, NameTables, sample_names
from ilos.synth.textops import NO_DATE, day_of

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

TODAY = day_of("2026-11-01")
YEAR = 365.25
US_INDEX = len(COUNTRIES)  # country index used for the United States
COUNTRY_CODES: tuple[str, ...] = (*(c.code for c in COUNTRIES), "USA")
COUNTRY_NAMES: tuple[str, ...] = (*(c.name for c in COUNTRIES), "UNITED STATES")

# Citizenship / immigration status codes.
US_BORN, NATURALIZED, DERIVED, LPR, DOCKET = 0, 1, 2, 3, 4
CITIZENSHIP_KIND: tuple[str, ...] = ("born", "naturalized", "derived", "none", "none")
# Household mix: share of households that are US-born families, and of immigrant ones by category.
US_HOUSEHOLD_SHARE = 0.25
IMMIGRANT_CATEGORY_SHARE = {DOCKET: 0.62, LPR: 0.22, NATURALIZED: 0.16}
HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5, 6])
HOUSEHOLD_SIZE_P = np.array([0.30, 0.22, 0.18, 0.16, 0.09, 0.05])
TWIN_SHARE = 0.03  # of households with two or more children


@dataclass(frozen=True, slots=True)
class Addresses:
    street_no: IntArray
    street: IntArray  # index into STREET_NAMES
    street_type: IntArray  # index into STREET_TYPES
    unit: IntArray  # -1 when none
    city: IntArray  # index into CITIES
    zip5: IntArray
    is_shelter: BoolArray


@dataclass(frozen=True, slots=True)
class Population:
    """One row per person; household arrays are indexed by household id."""

    household: IntArray
    role: IntArray  # 0 head, 1 spouse, 2 child
    sex: IntArray  # 0 male, 1 female
    dob: IntArray
    birth_country: IntArray  # index into COUNTRY_CODES
    nationality: IntArray
    region: IntArray  # index into REGIONS
    given: IntArray
    middle: IntArray
    family_a: IntArray
    family_b: IntArray  # -1 for one-surname people
    status: IntArray
    entry_day: IntArray  # NO_DATE for the US-born
    entry_lawful: BoolArray
    naturalized_day: IntArray
    a_number: IntArray  # -1 when none
    tax_id: IntArray  # SSN or ITIN digits, -1 when none
    has_ssn: BoolArray  # tax_id is an SSN (else an ITIN)
    passport: IntArray
    state_id: IntArray
    phone: IntArray
    twin_of: IntArray  # -1 unless a twin
    household_address: IntArray  # (households, 4) address ids, -1 unused
    household_move_day: IntArray  # (households, 4) first day at that address
    addresses: Addresses

    @property
    def size(self) -> int:
        return len(self.household)

    def address_at(self, person: IntArray, day: IntArray) -> IntArray:
        """The address id each person lived at on each day."""
        hh = self.household[person]
        starts = self.household_move_day[hh]
        slot = np.maximum((starts <= day[:, None]).sum(axis=1) - 1, 0)
        out: IntArray = self.household_address[hh, slot]
        return out


def unique_ints(rng: np.random.Generator, n: int, low: int, high: int) -> IntArray:
    """n distinct integers in [low, high), in random order."""
    draws = rng.integers(low, high, int(n * 1.05) + 16)
    _, first = np.unique(draws, return_index=True)
    kept = draws[np.sort(first)]
    while len(kept) < n:  # astronomically rare for the ranges used
        extra = rng.integers(low, high, n)
        kept = np.unique(np.concatenate([kept, extra]))
    out: IntArray = kept[:n].astype(np.int64)
    return out


def _households(rng: np.random.Generator, persons: int) -> tuple[IntArray, IntArray]:
    sizes = rng.choice(HOUSEHOLD_SIZES, size=persons // 2 + 2, p=HOUSEHOLD_SIZE_P)
    total = np.cumsum(sizes)
    count = int(np.searchsorted(total, persons) + 1)
    sizes = sizes[:count].copy()
    sizes[-1] -= int(total[count - 1] - persons)
    household = np.repeat(np.arange(count), sizes)
    position = np.arange(persons) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return household.astype(np.int64), position.astype(np.int64)


def generate_population(rng: np.random.Generator, persons: int, names: NameTables) -> Population:
    household, position = _households(rng, persons)
    n_hh = int(household[-1]) + 1
    head = np.flatnonzero(position == 0)
    sizes = np.bincount(household, minlength=n_hh)
    has_spouse = (sizes >= 2) & (rng.random(n_hh) < 0.75)
    role = np.where(position == 0, 0, np.where((position == 1) & has_spouse[household], 1, 2))

    is_us_hh = rng.random(n_hh) < US_HOUSEHOLD_SHARE
    cats = np.array(list(IMMIGRANT_CATEGORY_SHARE))
    hh_cat = np.where(is_us_hh, US_BORN, rng.choice(cats, n_hh, p=list(IMMIGRANT_CATEGORY_SHARE.values())))
    docket_w = np.array([c.docket_weight for c in COUNTRIES])
    lawful_w = np.array([c.lawful_weight for c in COUNTRIES])
    hh_country = np.where(
        hh_cat == DOCKET,
        rng.choice(len(COUNTRIES), n_hh, p=docket_w / docket_w.sum()),
        rng.choice(len(COUNTRIES), n_hh, p=lawful_w / lawful_w.sum()),
    )
    hh_country = np.where(is_us_hh, US_INDEX, hh_country)
    region_of_country = np.array([REGIONS.index(c.region) for c in COUNTRIES] + [REGIONS.index("anglo")])
    hh_region = region_of_country[hh_country]
    hh_region = np.where(is_us_hh & (rng.random(n_hh) < 0.25), REGIONS.index("hispanic"), hh_region)

    sex = (rng.random(persons) < 0.45).astype(np.int64)  # heads lean male, spouses follow below
    spouse_rows = np.flatnonzero(role == 1)
    sex[spouse_rows] = 1 - sex[head[household[spouse_rows]]]
    sex[role == 2] = (rng.random(int((role == 2).sum())) < 0.5).astype(np.int64)

    head_age = np.where(hh_cat[household] == DOCKET, rng.gamma(6.0, 5.5, persons) + 18, 0)
    head_age = np.where(hh_cat[household] != DOCKET, rng.uniform(20, 75, persons), head_age)
    adult_age = np.clip(head_age[head[household]] + rng.normal(0, 3, persons), 18, 90)
    child_age = rng.uniform(0, np.clip(adult_age - 18, 1, 25))
    age = np.where(role == 2, child_age, adult_age)
    dob = (TODAY - age * YEAR).astype(np.int64)

    twin_of = np.full(persons, -1, dtype=np.int64)
    second_child = np.flatnonzero((position == 3) & (role == 2) & (role[np.maximum(position - 1, 0)] >= 0))
    second_child = second_child[(role[second_child - 1] == 2) & (rng.random(second_child.size) < TWIN_SHARE)]
    dob[second_child] = dob[second_child - 1]
    twin_of[second_child] = second_child - 1
    twin_of[second_child - 1] = second_child

    region = hh_region[household].astype(np.int64)
    given = np.where(
        sex == 0, sample_names(rng, names.male, region), sample_names(rng, names.female, region)
    ).astype(np.int64)
    same = (twin_of >= 0) & (given == given[np.maximum(twin_of, 0)]) & (twin_of < np.arange(persons))
    given[same] = np.where(
        sex[same] == 0,
        sample_names(rng, names.male, region[same]),
        sample_names(rng, names.female, region[same]),
    )
    given[same] = np.where(given[same] == given[twin_of[same]], given[same] + 1, given[same])
    share = np.array([MIDDLE_NAME_SHARE[r] for r in REGIONS])[region]
    middle_draw = np.where(
        sex == 0, sample_names(rng, names.male, region), sample_names(rng, names.female, region)
    )
    middle = np.where((rng.random(persons) < share) & (middle_draw != given), middle_draw, -1).astype(
        np.int64
    )
    family_a, family_b = _surnames(rng, names, region, role, sex, household, head, has_spouse)

    status, entry_day, naturalized_day = _statuses(rng, hh_cat, household, role, dob, persons)
    birth_country = np.where(status == US_BORN, US_INDEX, hh_country[household]).astype(np.int64)
    return _with_identifiers(
        rng,
        dict(
            household=household,
            role=role.astype(np.int64),
            sex=sex,
            dob=dob,
            birth_country=birth_country,
            nationality=birth_country.copy(),
            region=region,
            given=given,
            middle=middle,
            family_a=family_a,
            family_b=family_b,
            status=status,
            entry_day=entry_day,
            entry_lawful=(status != DOCKET) | (rng.random(persons) < 0.35),
            naturalized_day=naturalized_day,
            twin_of=twin_of,
        ),
        hh_cat,
    )


def _surnames(
    rng: np.random.Generator,
    names: NameTables,
    region: IntArray,
    role: IntArray,
    sex: IntArray,
    household: IntArray,
    head: IntArray,
    has_spouse: BoolArray,
) -> tuple[IntArray, IntArray]:
    persons = len(region)
    own_a = sample_names(rng, names.family, region)
    own_b = sample_names(rng, names.family, region)
    two = np.isin(region, [REGIONS.index(r) for r in TWO_SURNAME_REGIONS])
    own_b = np.where(two & (own_b != own_a), own_b, -1)
    h = head[household]
    spouse = np.where(has_spouse[household], h + 1, h)
    father = np.where(sex[h] == 0, h, spouse)
    mother = np.where(sex[h] == 0, spouse, h)
    family_a = own_a.copy()
    family_b = own_b.copy()
    child = role == 2
    hispanic = region == REGIONS.index("hispanic")
    brazilian = region == REGIONS.index("brazilian")
    # Hispanic children: father's first surname + mother's first surname.
    family_a[child] = own_a[father[child]]
    family_b[child & hispanic] = np.where(
        mother[child & hispanic] != father[child & hispanic],
        own_a[mother[child & hispanic]],
        own_b[father[child & hispanic]],
    )
    # Brazilian children: mother's surname first, father's last.
    bc = child & brazilian
    family_a[bc] = own_a[mother[bc]]
    family_b[bc] = np.where(own_b[father[bc]] >= 0, own_b[father[bc]], own_a[father[bc]])
    family_b[child & ~two] = -1
    # One-surname spouses mostly take the head's surname.
    takes = (role == 1) & ~two & (rng.random(persons) < 0.7)
    family_a[takes] = own_a[h[takes]]
    family_b = np.where(family_b == family_a, -1, family_b)
    return family_a.astype(np.int64), family_b.astype(np.int64)


def _statuses(
    rng: np.random.Generator,
    hh_cat: IntArray,
    household: IntArray,
    role: IntArray,
    dob: IntArray,
    persons: int,
) -> tuple[IntArray, IntArray, IntArray]:
    cat = hh_cat[household]
    years_here = np.where(
        hh_cat == DOCKET, rng.exponential(5.0, len(hh_cat)) + 0.05, rng.uniform(1, 35, len(hh_cat))
    )
    hh_entry = (TODAY - np.minimum(years_here, 40) * YEAR).astype(np.int64)
    entry = hh_entry[household] + np.where(role == 1, (rng.random(persons) * 2 * YEAR).astype(np.int64), 0)
    entry = np.minimum(np.maximum(entry, dob + 30), TODAY - 2)
    us_born = (cat == US_BORN) | ((role == 2) & (dob > entry))
    status = np.where(us_born, US_BORN, cat).astype(np.int64)
    # A few immigrant spouses differ from the household (a citizen married to a docket member, ...).
    flip = (role == 1) & ~us_born & (rng.random(persons) < 0.15)
    status[flip] = rng.choice([DOCKET, LPR, NATURALIZED], int(flip.sum()))
    natz = np.full(persons, NO_DATE, dtype=np.int64)
    is_nat = status == NATURALIZED
    natz[is_nat] = entry[is_nat] + ((5 + rng.exponential(4, int(is_nat.sum()))) * YEAR).astype(np.int64)
    natz[is_nat] = np.minimum(natz[is_nat], TODAY - 30)
    # Foreign-born children of naturalized parents derive citizenship when under 18 at the parent's oath.
    child_nat = (role == 2) & is_nat
    derived = child_nat & (natz - dob < 18 * YEAR)
    status[derived] = DERIVED
    natz[child_nat & ~derived] = np.maximum(
        natz[child_nat & ~derived], dob[child_nat & ~derived] + int(18.5 * YEAR)
    )
    natz[derived] = np.maximum(natz[derived], entry[derived] + 30)
    too_late = (status == NATURALIZED) & (natz >= TODAY)
    status[too_late] = LPR
    natz[status != NATURALIZED] = np.where(
        status[status != NATURALIZED] == DERIVED, natz[status != NATURALIZED], NO_DATE
    )
    entry = np.where(status == US_BORN, NO_DATE, entry)
    return status, entry.astype(np.int64), natz


def _with_identifiers(rng: np.random.Generator, cols: dict[str, Any], hh_cat: IntArray) -> Population:
    persons = len(cols["household"])
    status = cols["status"]
    foreign = status != US_BORN
    a_number = np.full(persons, -1, dtype=np.int64)
    a_number[foreign] = unique_ints(rng, int(foreign.sum()), 10_000_000, 250_000_000)
    adult = (TODAY - cols["dob"]) > 18 * YEAR
    has_ssn = (status <= LPR) | ((status == DOCKET) & (rng.random(persons) < 0.3))
    has_ssn &= (rng.random(persons) < 0.97) | ~adult
    has_itin = ~has_ssn & adult & (rng.random(persons) < 0.45)
    tax_id = np.full(persons, -1, dtype=np.int64)
    tax_id[has_ssn] = unique_ints(rng, int(has_ssn.sum()), 1_010_001, 665_999_999)
    itin = unique_ints(rng, int(has_itin.sum()), 0, 1_000_000)
    tax_id[has_itin] = (
        900_000_000 + (itin % 100) * 1_000_000 + 700_000 + itin // 100 % 10 * 10_000 + itin % 10_000
    )
    passport = np.where(rng.random(persons) < np.where(foreign, 0.8, 0.45), 1, -1)
    passport[passport == 1] = unique_ints(rng, int((passport == 1).sum()), 10_000_000, 99_999_999)
    state_id = np.where(adult & (rng.random(persons) < np.where(foreign, 0.45, 0.85)), 1, -1)
    state_id[state_id == 1] = unique_ints(rng, int((state_id == 1).sum()), 1_000_000, 9_999_999)
    phone = np.where(rng.random(persons) < 0.7, rng.integers(2_012_000_000, 9_899_999_999, persons), -1)
    household_address, move_day, addresses = _addresses(rng, hh_cat, cols["household"], cols["entry_day"])
    return Population(
        **cols,
        a_number=a_number,
        tax_id=tax_id,
        has_ssn=has_ssn,
        passport=passport.astype(np.int64),
        state_id=state_id.astype(np.int64),
        phone=phone.astype(np.int64),
        household_address=household_address,
        household_move_day=move_day,
        addresses=addresses,
    )


def _addresses(
    rng: np.random.Generator, hh_cat: IntArray, household: IntArray, entry_day: IntArray
) -> tuple[IntArray, IntArray, Addresses]:
    n_hh = len(hh_cat)
    moves = rng.choice(4, n_hh, p=[0.4, 0.3, 0.2, 0.1])
    n_shelters = max(3, n_hh // 1500)
    n_addr = n_hh * 4
    weights = np.array([c[5] for c in CITIES])
    city = rng.choice(len(CITIES), n_addr + n_shelters, p=weights / weights.sum())
    zip3 = np.array([int(c[2]) for c in CITIES])
    addresses = Addresses(
        street_no=rng.integers(100, 9999, n_addr + n_shelters),
        street=rng.integers(0, len(STREET_NAMES), n_addr + n_shelters),
        street_type=rng.integers(0, len(STREET_TYPES), n_addr + n_shelters),
        unit=np.where(rng.random(n_addr + n_shelters) < 0.3, rng.integers(1, 40, n_addr + n_shelters), -1),
        city=city,
        zip5=zip3[city] * 100 + rng.integers(1, 99, n_addr + n_shelters),
        is_shelter=np.arange(n_addr + n_shelters) >= n_addr,
    )
    slots = np.arange(4)[None, :]
    hh_address = np.where(slots <= moves[:, None], np.arange(n_addr).reshape(n_hh, 4), -1)
    first_entry = np.full(n_hh, TODAY - int(20 * YEAR), dtype=np.int64)
    np.maximum.at(first_entry, household, np.where(entry_day == NO_DATE, 0, entry_day))
    span = np.maximum(TODAY - first_entry, 2)
    offsets = np.sort(rng.random((n_hh, 4)), axis=1) * span[:, None]
    move_day = np.where(slots == 0, first_entry[:, None] - int(30 * YEAR), first_entry[:, None] + offsets)
    move_day = np.where(hh_address >= 0, move_day, TODAY + 100_000).astype(np.int64)
    # Recent single arrivals on the docket often start in a shelter shared with many others.
    sizes = np.bincount(household, minlength=n_hh)
    shelter = (hh_cat == DOCKET) & (sizes == 1) & (first_entry > TODAY - 3 * YEAR) & (rng.random(n_hh) < 0.3)
    hh_address[shelter, 0] = n_addr + rng.integers(0, n_shelters, int(shelter.sum()))
    return hh_address.astype(np.int64), move_day, addresses
