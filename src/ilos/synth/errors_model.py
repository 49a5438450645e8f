"""The error model: one frozen dataclass of per-record rates (each a documented knob) and the
vectorized corruptors that render a person's true identity the way one source system wrote it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ilos.synth import textops as tx
from ilos.synth.names import REGIONS, NameTables
from ilos.synth.population import YEAR, Population

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ErrorRates:
    """Per-record probabilities of each error kind (see docs/data-card.md for what each does)."""

    nickname: float = 0.05  # given name written as its nickname (JOSÉ -> PEPE), where one exists
    typo: float = 0.02  # one keyboard slip in a given or family name
    diacritics_dropped: float = 0.30  # in systems that keep accents; ASCII-only systems always drop them
    transliteration: float = 0.10  # spelling variant (ZHANG -> CHANG, YESENIA -> YESSENIA), where one exists
    maternal_dropped: float = 0.30  # two-surname people recorded with the primary surname only
    surnames_swapped: float = 0.03  # the two surnames in the wrong order
    surnames_hyphenated: float = 0.08  # GARCÍA-LÓPEZ
    given_family_swapped: float = 0.02  # given name in the family-name field and vice versa
    dob_day_month_swapped: float = 0.02  # 03/04 for 04/03, only when the day is 12 or less
    dob_defaulted: float = 0.01  # unknown day and month recorded as 01/01 of the year
    dob_year_off: float = 0.005  # birth year off by one
    identifier_mistyped: float = 0.01  # one digit of an identifier wrong
    identifier_borrowed: float = 0.003  # an identifier of someone else (a relative's, a bought one)
    placeholder_name: float = 0.003  # UNKNOWN / NA NA instead of a name
    placeholder_dob: float = 0.003  # 01/01/1900 instead of the date of birth
    placeholder_ssn: float = 0.02  # 000-00-0000 instead of the SSN
    zip_only_address: float = 0.01  # only the ZIP code of the address was captured
    nationality_conflict: float = 0.02  # another country recorded as nationality
    bad_row: float = 0.001  # a typed column that does not parse (flagged by ingest; the row lands)


@dataclass(frozen=True, slots=True)
class Corruptions:
    """Which rows of one source got which error on which field (kept in truth)."""

    rows: list[IntArray] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def add(self, mask: BoolArray, field_name: str, kind: str) -> None:
        idx = np.flatnonzero(mask)
        if idx.size:
            self.rows.append(idx.astype(np.int64))
            self.fields.append(field_name)
            self.kinds.append(kind)


@dataclass(frozen=True, slots=True)
class RenderedNames:
    given: pa.Array
    middle: pa.Array
    family: pa.Array


def render_names(
    rng: np.random.Generator,
    pop: Population,
    names: NameTables,
    person: IntArray,
    rates: ErrorRates,
    log: Corruptions,
    ascii_only: bool,
) -> RenderedNames:
    """Given, middle and family names of each row's person, with the name errors applied."""
    n = person.size
    g_voc, s_voc = names.given, names.surnames
    given = pop.given[person].copy()
    middle = pop.middle[person].copy()
    fam_a = pop.family_a[person].copy()
    fam_b = pop.family_b[person].copy()
    nick = (rng.random(n) < rates.nickname) & g_voc.has_nickname[given]
    given = np.where(nick, g_voc.nickname_of[given], given)
    log.add(nick, "given_name", "nickname")
    variant_g = (rng.random(n) < rates.transliteration) & g_voc.has_variant[given]
    given = np.where(variant_g, g_voc.variant_of[given], given)
    variant_s = (rng.random(n) < rates.transliteration) & s_voc.has_variant[fam_a]
    fam_a = np.where(variant_s, s_voc.variant_of[fam_a], fam_a)
    log.add(variant_g, "given_name", "transliteration")
    log.add(variant_s, "family_name", "transliteration")
    drop = np.ones(n, dtype=bool) if ascii_only else rng.random(n) < rates.diacritics_dropped
    if not ascii_only:
        log.add(drop, "names", "diacritics_dropped")
    given = np.where(drop, g_voc.ascii_of[given], given)
    middle = np.where(drop & (middle >= 0), g_voc.ascii_of[np.maximum(middle, 0)], middle)
    fam_a = np.where(drop, s_voc.ascii_of[fam_a], fam_a)
    fam_b = np.where(drop & (fam_b >= 0), s_voc.ascii_of[np.maximum(fam_b, 0)], fam_b)
    family = _render_family(rng, pop, person, fam_a, fam_b, s_voc.values, rates, log)
    given_s = tx.take(g_voc.values, given)
    middle_s = tx.take(g_voc.values, middle)
    typo_given = rng.random(n) < rates.typo / 2
    typo_family = rng.random(n) < rates.typo / 2
    given_s = tx.typo(given_s, typo_given, rng)
    family = tx.typo(family, typo_family, rng)
    log.add(typo_given, "given_name", "typo")
    log.add(typo_family, "family_name", "typo")
    swap = rng.random(n) < rates.given_family_swapped
    given_s, family = tx.where(swap, family, given_s), tx.where(swap, given_s, family)
    log.add(swap, "given_name", "given_family_swapped")
    placeholder = rng.random(n) < rates.placeholder_name
    given_s = tx.where(placeholder, "UNKNOWN", given_s)
    log.add(placeholder, "given_name", "placeholder")
    return RenderedNames(given=given_s, middle=middle_s, family=family)


def _render_family(
    rng: np.random.Generator,
    pop: Population,
    person: IntArray,
    fam_a: IntArray,
    fam_b: IntArray,
    values: pa.Array,
    rates: ErrorRates,
    log: Corruptions,
) -> pa.Array:
    two = fam_b >= 0
    primary_last = pop.region[person] == REGIONS.index("brazilian")
    a = tx.take(values, fam_a)
    b = tx.take(values, fam_b)
    full = tx.join([a, b])
    roll = rng.random(person.size)
    drop = two & (roll < rates.maternal_dropped)
    swapped = two & ~drop & (roll < rates.maternal_dropped + rates.surnames_swapped)
    hyphen = (
        two
        & ~drop
        & ~swapped
        & (roll < rates.maternal_dropped + rates.surnames_swapped + rates.surnames_hyphenated)
    )
    primary = pc.if_else(pa.array(primary_last & two), b, a)
    out = tx.where(drop, primary, full)
    out = tx.where(swapped, tx.join([b, a]), out)
    out = tx.where(hyphen, tx.join([a, b], "-"), out)
    log.add(drop, "family_name", "maternal_dropped")
    log.add(swapped, "family_name", "surnames_swapped")
    log.add(hyphen, "family_name", "surnames_hyphenated")
    return out


def render_dob(rng: np.random.Generator, dob: IntArray, rates: ErrorRates, log: Corruptions) -> IntArray:
    """Dates of birth as day offsets with swapped day/month, defaulted 01/01, year slips, placeholders."""
    n = dob.size
    years, months, days = tx.date_parts(dob)
    swap = (rng.random(n) < rates.dob_day_month_swapped) & (days <= 12) & (days != months)
    default = ~swap & (rng.random(n) < rates.dob_defaulted)
    year_off = ~swap & ~default & (rng.random(n) < rates.dob_year_off)
    placeholder = rng.random(n) < rates.placeholder_dob
    out = dob.copy()
    out[swap] = tx.days_from_parts(years[swap], days[swap], months[swap])
    out[default] = tx.days_from_parts(
        years[default], np.ones(int(default.sum()), np.int64), np.ones(int(default.sum()), np.int64)
    )
    out[year_off] = dob[year_off] + np.where(rng.random(int(year_off.sum())) < 0.5, -1, 1) * int(YEAR)
    out[placeholder] = tx.day_of("1900-01-01")
    log.add(swap, "date_of_birth", "day_month_swapped")
    log.add(default, "date_of_birth", "defaulted")
    log.add(year_off, "date_of_birth", "year_off")
    log.add(placeholder, "date_of_birth", "placeholder")
    return out


def borrow(
    rng: np.random.Generator,
    values: IntArray,
    person: IntArray,
    per_person: IntArray,
    pop: Population,
    rate: float,
    log: Corruptions,
    field_name: str,
) -> IntArray:
    """Swap in someone else's identifier: a household member's when there is one, else a stranger's."""
    chosen = (rng.random(person.size) < rate) & (values >= 0)
    donor = np.where(person + 1 < pop.size, person + 1, person - 1)
    same_hh = pop.household[donor] == pop.household[person]
    stranger = rng.integers(0, pop.size, person.size)
    donor = np.where(same_hh, donor, stranger)
    source = per_person[donor]
    chosen &= source >= 0
    log.add(chosen, field_name, "borrowed")
    return np.where(chosen, source, values)


def mistype(
    rng: np.random.Generator, values: pa.Array, rates: ErrorRates, log: Corruptions, field_name: str
) -> pa.Array:
    mask = rng.random(len(values)) < rates.identifier_mistyped
    mask &= pc.is_valid(values).to_numpy(zero_copy_only=False)
    log.add(mask, field_name, "mistyped")
    return tx.mistype_digits(values, mask, rng)


def conflicting_nationality(
    rng: np.random.Generator, nationality: IntArray, rates: ErrorRates, log: Corruptions, countries: int
) -> IntArray:
    mask = rng.random(nationality.size) < rates.nationality_conflict
    log.add(mask, "nationality", "conflict")
    return np.where(
        mask, (nationality + rng.integers(1, countries, nationality.size)) % countries, nationality
    )
