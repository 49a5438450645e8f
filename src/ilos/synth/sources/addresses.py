"""Address observations from tax (tax_addresses), health-benefit (health_addresses), housing
(housing_addresses) and wage (wage_addresses) systems: where a person was seen living, and when."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilos.synth import textops as tx
from ilos.synth.errors_model import Corruptions
from ilos.synth.population import DOCKET, TODAY, YEAR
from ilos.synth.sources.base import (
    SSN_PATTERN,
    Builder,
    Context,
    Emitted,
    IntArray,
    address_for,
    dob_for,
    event,
    labels,
    names_for,
    record_ids,
    sex_for,
    shuffled,
    ssn_for,
)
from ilos.synth.textops import NO_DATE


def _repeat(
    ctx: Context, chosen: np.ndarray[Any, np.dtype[np.bool_]], max_obs: int, first_day: IntArray, spacing: int
) -> dict[str, IntArray]:
    people = np.flatnonzero(chosen)
    counts = ctx.rng.integers(1, max_obs + 1, people.size)
    person = np.repeat(people, counts)
    k = np.arange(person.size) - np.repeat(np.cumsum(counts) - counts, counts)
    day = TODAY - 20 - k * spacing - ctx.rng.integers(0, spacing, person.size)
    day = np.maximum(day, first_day[person])
    return shuffled(ctx.rng, {"person": person.astype(np.int64), "day": day.astype(np.int64)})


def _arrival(ctx: Context) -> IntArray:
    pop = ctx.world.pop
    adult = pop.dob + int(18 * YEAR)
    return np.maximum(np.where(pop.entry_day == NO_DATE, adult, pop.entry_day + 30), adult)


def emit_tax_addresses(ctx: Context) -> Emitted:
    pop = ctx.world.pop
    start = _arrival(ctx)
    rows = _repeat(
        ctx, (pop.tax_id >= 0) & (start < TODAY - 400) & (ctx.rng.random(pop.size) < 0.7), 4, start, 365
    )
    person, day = rows["person"], rows["day"]
    log = Corruptions()
    names = names_for(ctx, person, log)
    addr = address_for(ctx, person, day, log, abbreviate=True)
    year = tx.date_parts(day)[0] - 1
    b = Builder()
    b.add("TXR_ID", record_ids("T", person.size, 10), required=True)
    b.add("TIN", ssn_for(ctx, person, log, dashed=False, ssn_only=False), "identifier", pattern=r"^\d{9}$")
    b.add("TAX_YEAR", pa.array(year).cast(pa.string()), "integer")
    b.add("PRIMARY_NAME", tx.join([names.given, names.middle, names.family]))
    b.add("ADDR_LINE1", addr.street)
    b.add("CITY", addr.city)
    b.add("ST", addr.state)
    b.add("ZIP5", addr.zip5)
    b.add_date("FILING_DATE", day, "%Y%m%d", required=True)
    spec = {
        "name": "tax_addresses",
        "path": "tax_addresses.csv",
        "record_id": "TXR_ID",
        "markings": ["TAX"],
        "description": "Addresses on tax returns (SSN or ITIN filers), one row per filing.",
        "minimum_age": 14,
        "fields": {
            "record_date": {"column": "FILING_DATE", "format": "%Y%m%d"},
            "ssn": "TIN",
            "full_name": "PRIMARY_NAME",
            "street": "ADDR_LINE1",
            "city": "CITY",
            "state": "ST",
            "postal_code": "ZIP5",
        },
        "events": [
            event(
                "address_observation",
                "FILING_DATE",
                {
                    "street": "ADDR_LINE1",
                    "city": "CITY",
                    "state": "ST",
                    "postal_code": "ZIP5",
                    "tax_year": "TAX_YEAR",
                },
            )
        ],
    }
    return b.emit(spec, person, log)


def emit_health_addresses(ctx: Context) -> Emitted:
    pop = ctx.world.pop
    start = np.where(pop.entry_day == NO_DATE, pop.dob, pop.entry_day + 30)
    young = (TODAY - pop.dob) < 19 * YEAR
    rows = _repeat(ctx, ctx.rng.random(pop.size) < np.where(young, 0.45, 0.15), 2, start, 500)
    person, day = rows["person"], rows["day"]
    log = Corruptions()
    names = names_for(ctx, person, log)
    addr = address_for(ctx, person, day, log, abbreviate=True)
    plus4 = ctx.rng.random(person.size) < 0.3
    zip_out = tx.where(
        plus4,
        pc.binary_join_element_wise(addr.zip5, tx.digits(ctx.rng.integers(0, 9999, person.size), 4), "-"),
        addr.zip5,
    )
    phone = pop.phone[person]
    phone_s = pc.binary_join_element_wise(
        pc.binary_join_element_wise("(", tx.digits(phone // 10_000_000, 3), ") ", ""),
        tx.digits(phone // 10_000 % 1000, 3),
        "-",
        tx.digits(phone % 10_000, 4),
        "",
    )
    b = Builder()
    b.add("member_id", record_ids("MBR", person.size, 9), required=True)
    b.add("first", pc.utf8_title(names.given))
    b.add("middle_initial", pc.utf8_slice_codeunits(names.middle, 0, 1))
    b.add("last", pc.utf8_title(names.family))
    b.add_date("birth_date", dob_for(ctx, person, log), "%m/%d/%Y")
    b.add("gender", sex_for(ctx, person))
    b.add("street", pc.utf8_title(addr.street))
    b.add("city", pc.utf8_title(addr.city))
    b.add("state", addr.state)
    b.add("zip", zip_out)
    b.add("phone", tx.where(phone < 0, None, phone_s))
    b.add_date("eligibility_start", day, "%m/%d/%Y", required=True)
    spec = {
        "name": "health_addresses",
        "path": "health_addresses.csv",
        "record_id": "member_id",
        "markings": ["HEALTH"],
        "description": "Health-benefit enrolment addresses; never usable for enforcement.",
        "fields": {
            "given_name": "first",
            "middle_name": "middle_initial",
            "family_name": "last",
            "date_of_birth": {"column": "birth_date", "format": "%m/%d/%Y"},
            "sex": "gender",
            "street": "street",
            "city": "city",
            "state": "state",
            "postal_code": "zip",
            "phone": "phone",
        },
        "events": [
            event(
                "address_observation",
                "eligibility_start",
                {"street": "street", "city": "city", "state": "state", "postal_code": "zip"},
            )
        ],
    }
    return b.emit(spec, person, log)


def emit_housing_addresses(ctx: Context) -> Emitted:
    pop = ctx.world.pop
    n_hh = int(pop.household[-1]) + 1
    assisted = ctx.rng.random(n_hh) < 0.12
    person = ctx.rng.permutation(np.flatnonzero(assisted[pop.household])).astype(np.int64)
    slot = ctx.rng.integers(0, 4, person.size)
    move_in = pop.household_move_day[pop.household[person], slot]
    move_in = np.where(move_in > TODAY, pop.household_move_day[pop.household[person], 0], move_in)
    recent = TODAY - (ctx.rng.random(person.size) * 12 * YEAR).astype(np.int64)
    move_in = np.clip(np.maximum(move_in, recent), pop.dob[person], TODAY - 1)
    log = Corruptions()
    names = names_for(ctx, person, log)
    addr = address_for(ctx, person, move_in, log, abbreviate=False)
    b = Builder()
    b.add("hh_member_key", record_ids("H", person.size, 9), required=True)
    b.add("household_ref", tx.digits(pop.household[person], 8))
    b.add("head_of_household", labels(("Y", "N", "N"), pop.role[person]))
    b.add("surname", names.family)
    b.add("forename", names.given)
    b.add_date("dob", dob_for(ctx, person, log), "%d-%b-%Y")
    b.add("ssn", ssn_for(ctx, person, log, dashed=True), "identifier", pattern=SSN_PATTERN)
    b.add("unit_address", addr.street)
    b.add("city", addr.city)
    b.add("state", addr.state)
    b.add("zip", addr.zip5)
    b.add_date("move_in_date", move_in, "%d-%b-%Y", required=True)
    spec = {
        "name": "housing_addresses",
        "path": "housing_addresses.parquet",
        "record_id": "hh_member_key",
        "markings": ["HOUSING"],
        "description": "Assisted-housing household rosters with move-in dates.",
        "fields": {
            "family_name": "surname",
            "given_name": "forename",
            "date_of_birth": {"column": "dob", "format": "%d-%b-%Y"},
            "ssn": "ssn",
            "street": "unit_address",
            "city": "city",
            "state": "state",
            "postal_code": "zip",
        },
        "events": [
            event(
                "address_observation",
                "move_in_date",
                {
                    "street": "unit_address",
                    "city": "city",
                    "state": "state",
                    "postal_code": "zip",
                    "household": "household_ref",
                },
            )
        ],
    }
    return b.emit(spec, person, log)


EMPLOYERS = (
    "ACME FOODS",
    "SUNBELT CONSTRUCTION",
    "VALLEY FARMS",
    "METRO CLEANING",
    "CITY HOSPITAL",
    "EAGLE LOGISTICS",
    "GREEN LAWN CARE",
    "BEST HOTELS",
    "PRIME MEATPACKING",
    "STAR RESTAURANTS",
)


def emit_wage_addresses(ctx: Context) -> Emitted:
    pop = ctx.world.pop
    start = _arrival(ctx)
    works = (start < TODAY - 200) & (TODAY - pop.dob < 67 * YEAR)
    # Docket workers without an SSN appear under a borrowed one; the others with their own.
    chosen = works & (
        ctx.rng.random(pop.size) < np.where(pop.has_ssn, 0.55, np.where(pop.status == DOCKET, 0.15, 0))
    )
    rows = _repeat(ctx, chosen, 6, start, 91)
    person, day = rows["person"], rows["day"]
    log = Corruptions()
    names = names_for(ctx, person, log, ascii_only=True)
    addr = address_for(ctx, person, day, log, abbreviate=True)
    ssn = ssn_for(ctx, person, log, dashed=False)
    no_ssn = ~pop.has_ssn[person]
    donor = ctx.rng.integers(0, pop.size, person.size)
    lent = tx.digits(np.where(pop.has_ssn[donor], pop.tax_id[donor], 0), 9)
    log.add(no_ssn, "ssn", "borrowed")
    ssn = tx.where(no_ssn, lent, ssn)
    years, months, _ = tx.date_parts(day)
    quarter = pc.binary_join_element_wise(
        pa.array(years).cast(pa.string()), pa.array((months - 1) // 3 + 1).cast(pa.string()), "Q"
    )
    employer = pop.household[person] % len(EMPLOYERS)
    b = Builder()
    b.add("wage_rec_no", record_ids("W", person.size, 11), required=True)
    b.add("ssn", ssn, "identifier", pattern=r"^\d{9}$")
    b.add("employee_name", pc.binary_join_element_wise(pc.fill_null(names.family, ""), names.given, " "))
    b.add("year_quarter", quarter)
    b.add("employer_name", labels(EMPLOYERS, employer))
    b.add("home_address", addr.street)
    b.add("home_city", addr.city)
    b.add("home_state", addr.state)
    b.add("home_zip", addr.zip5)
    b.add_date("report_date", day, "%Y-%m-%d", required=True)
    wages = np.round(ctx.rng.lognormal(8.7, 0.5, person.size), 2)
    b.add("wages", pa.array(wages).cast(pa.string()), "number")
    spec = {
        "name": "wage_addresses",
        "path": "wage_addresses.csv",
        "record_id": "wage_rec_no",
        "name_order": "family_first",
        "markings": ["LABOR"],
        "description": "Quarterly employer wage reports with the employee's home address.",
        "minimum_age": 14,
        "fields": {
            "record_date": {"column": "report_date", "format": "%Y-%m-%d"},
            "ssn": "ssn",
            "full_name": "employee_name",
            "street": "home_address",
            "city": "home_city",
            "state": "home_state",
            "postal_code": "home_zip",
        },
        "events": [
            event(
                "address_observation",
                "report_date",
                {
                    "street": "home_address",
                    "city": "home_city",
                    "state": "home_state",
                    "postal_code": "home_zip",
                    "employer": "employer_name",
                },
            )
        ],
    }
    return b.emit(spec, person, log)
