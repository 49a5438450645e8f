"""Enforcement encounters, detention bookings with transfers and removals, border entries and exits,
self-reported departures and planned agency operations."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilos.synth import history as hi
from ilos.synth import textops as tx
from ilos.synth.errors_model import Corruptions, conflicting_nationality
from ilos.synth.geography import CITIES
from ilos.synth.population import COUNTRY_CODES, COUNTRY_NAMES, DOCKET, LPR, US_BORN
from ilos.synth.sources.base import (
    A_NUMBER_PATTERN,
    Builder,
    Context,
    Emitted,
    a_number_for,
    address_for,
    dob_for,
    event,
    labels,
    names_for,
    record_ids,
    sex_for,
    shuffled,
)
from ilos.synth.sources.justice import fbi_numbers


def emit_encounters(ctx: Context) -> Emitted:
    rows = shuffled(ctx.rng, dict(ctx.world.encounters))
    person = rows["person"]
    log = Corruptions()
    pop = ctx.world.pop
    names = names_for(ctx, person, log)
    has_arrest = np.zeros(pop.size, dtype=bool)
    has_arrest[ctx.world.arrests["person"]] = True
    b = Builder()
    b.add("encounter_id", record_ids("ENC", person.size, 10), required=True)
    b.add_date("event_dt", rows["day"], "%Y-%m-%d", required=True)
    b.add("fname", names.given)
    b.add("lname", names.family)
    b.add_date("birth_dt", dob_for(ctx, person, log), "%Y-%m-%d")
    b.add("gender", sex_for(ctx, person, ("MALE", "FEMALE")))
    nat = conflicting_nationality(ctx.rng, pop.nationality[person], ctx.rates, log, len(COUNTRY_CODES))
    b.add("cntry_citz", labels(COUNTRY_CODES, nat))
    b.add("alien_no", a_number_for(ctx, person, log, "dashed"), "identifier", pattern=r"^\d{3}-\d{3}-\d{3}$")
    b.add(
        "fbi_no",
        tx.where(~has_arrest[person], None, fbi_numbers(person)),
        "identifier",
        pattern=r"^\d{6}[A-Z]{2}\d$",
    )
    city = pop.addresses.city[pop.address_at(person, rows["day"])]
    border = rows["method"] == 0
    b.add("aor_city", tx.where(border, "BORDER SECTOR", labels(tuple(c[0] for c in CITIES), city)))
    b.add("aor_state", labels(tuple(c[1] for c in CITIES), city))
    b.add("apprehension_method", labels(hi.ENCOUNTER_METHODS, rows["method"]))
    b.add("disposition", labels(hi.ENCOUNTER_DISPOSITIONS, rows["disposition"]))
    spec = {
        "name": "encounters",
        "path": "encounters.csv",
        "record_id": "encounter_id",
        "markings": ["LAW_ENFORCEMENT"],
        "description": "Enforcement encounters: border apprehensions, at-large arrests, jail referrals.",
        "fields": {
            "given_name": "fname",
            "family_name": "lname",
            "date_of_birth": {"column": "birth_dt", "format": "%Y-%m-%d"},
            "sex": "gender",
            "nationality": "cntry_citz",
            "a_number": "alien_no",
            "fbi_number": "fbi_no",
        },
        "events": [
            event(
                "encounter",
                "event_dt",
                {
                    "method": "apprehension_method",
                    "disposition": "disposition",
                    "city": "aor_city",
                    "state": "aor_state",
                },
            )
        ],
    }
    return b.emit(spec, person, log)


def emit_detention_bookings(ctx: Context) -> Emitted:
    rows = dict(ctx.world.bookings)
    person = rows["person"]
    log = Corruptions()
    pop = ctx.world.pop
    names = names_for(ctx, person, log, ascii_only=True)
    fac_code = pc.binary_join_element_wise("FAC", tx.digits(rows["facility"] + 1, 4), "")
    b = Builder()
    b.add("booking_no", record_ids("BK", person.size, 9), required=True)
    b.add("anumber", a_number_for(ctx, person, log, "A"), "identifier", pattern=A_NUMBER_PATTERN)
    b.add("last_name", names.family)
    b.add("first_name", names.given)
    b.add_date("dob", dob_for(ctx, person, log), "%m/%d/%Y")
    b.add("sex", sex_for(ctx, person))
    nat = conflicting_nationality(ctx.rng, pop.nationality[person], ctx.rates, log, len(COUNTRY_CODES))
    b.add("citizenship", labels(COUNTRY_NAMES, nat))
    b.add("facility_code", fac_code, required=True)
    b.add("movement_type", labels(hi.MOVEMENTS, rows["movement"]), required=True)
    b.add_date("book_in_date", rows["day_in"], "%m/%d/%Y", required=True)
    b.add_date("book_out_date", rows["day_out"], "%m/%d/%Y")
    b.add("release_reason", tx.where(rows["reason"] == 0, None, labels(hi.RELEASE_REASONS, rows["reason"])))
    b.add(
        "transfer_from",
        tx.where(
            rows["from_facility"] < 0,
            None,
            pc.binary_join_element_wise("FAC", tx.digits(rows["from_facility"] + 1, 4), ""),
        ),
    )
    spec = {
        "name": "detention_bookings",
        "path": "detention_bookings.csv",
        "record_id": "booking_no",
        "markings": ["DETENTION", "LAW_ENFORCEMENT"],
        "description": "Detention book-ins, transfers between facilities, releases and removals.",
        "fields": {
            "a_number": "anumber",
            "family_name": "last_name",
            "given_name": "first_name",
            "date_of_birth": {"column": "dob", "format": "%m/%d/%Y"},
            "sex": "sex",
            "nationality": "citizenship",
        },
        "events": [
            event(
                "detention_booking",
                "book_in_date",
                {"facility": "facility_code"},
                {"movement_type": ["BOOK_IN"]},
            ),
            event(
                "transfer",
                "book_in_date",
                {"facility": "facility_code", "from_facility": "transfer_from"},
                {"movement_type": ["TRANSFER"]},
            ),
            event(
                "detention_release",
                "book_out_date",
                {"facility": "facility_code", "reason": "release_reason"},
                {"release_reason": ["RELEASED_OR", "BONDED", "PAROLED"]},
            ),
            event(
                "removal",
                "book_in_date",
                {"facility": "facility_code", "country": "citizenship"},
                {"movement_type": ["REMOVAL"]},
            ),
        ],
    }
    return b.emit(spec, person, log)


EXIT_DIRECTIONS = ("EXIT", "OUT", "OUTBOUND", "DEPARTURE", "DEPARTED")
"""Crossing directions that are exits; every other crossing (ENTRY, IN, ARRIVAL, none) is read as an entry."""
PORTS = ("SYS", "LAR", "ELP", "NOG", "MIA", "JFK", "LAX", "IAH", "ORD", "ATL")


def emit_border_crossings(ctx: Context) -> Emitted:
    rows = shuffled(ctx.rng, dict(ctx.world.border))
    person = rows["person"]
    log = Corruptions()
    pop = ctx.world.pop
    names = names_for(ctx, person, log, ascii_only=True)
    status = pop.status[person]
    doc_type = np.select([status == US_BORN, status == LPR], [0, 1], 2)
    doc_type = np.where((status == DOCKET) & (ctx.rng.random(person.size) < 0.3), 3, doc_type)
    has_passport = pop.passport[person] >= 0
    doc = pc.binary_join_element_wise(
        tx.take(pa.array([c[0] for c in COUNTRY_CODES]), pop.nationality[person]),
        tx.digits(np.maximum(pop.passport[person], 0), 8),
        "",
    )
    b = Builder()
    b.add("CROSSING_ID", record_ids("X", person.size, 11), required=True)
    b.add("DOC_NUMBER", tx.where(~has_passport, None, doc), "identifier", pattern=r"^[A-Z]?\d{8}$")
    b.add("DOC_TYPE", labels(("US_PASSPORT", "LPR_CARD", "PASSPORT", "BORDER_CROSSING_CARD"), doc_type))
    b.add("SURNAME", names.family)
    b.add("GIVEN_NAMES", pc.utf8_upper(tx.join([names.given, names.middle])))
    b.add_date("BIRTH_DATE", dob_for(ctx, person, log), "%d-%b-%Y")
    b.add("CITIZENSHIP", labels(COUNTRY_CODES, pop.nationality[person]))
    b.add("SEX", sex_for(ctx, person))
    b.add("DIRECTION", labels(("ENTRY", "EXIT"), rows["direction"]), required=True)
    b.add("PORT_CODE", labels(PORTS, ctx.rng.integers(0, len(PORTS), person.size)))
    b.add_date("CROSSING_DATE", rows["day"], "%d-%b-%Y", required=True)
    coa = np.select([status == US_BORN, status == LPR, status == DOCKET], [0, 1, 2], 3)
    b.add("COA", labels(("USC", "LPR", "B2", "H1B"), coa))
    b.add("A_NUMBER", a_number_for(ctx, person, log, "bare"), "identifier", pattern=r"^\d{7,9}$")
    spec = {
        "name": "border_crossings",
        "path": "border_crossings.csv",
        "record_id": "CROSSING_ID",
        "markings": ["BORDER"],
        "description": "Inspected entries at ports of entry and recorded exits.",
        "fields": {
            "passport_number": "DOC_NUMBER",
            "family_name": "SURNAME",
            "given_name": "GIVEN_NAMES",
            "date_of_birth": {"column": "BIRTH_DATE", "format": "%d-%b-%Y"},
            "nationality": "CITIZENSHIP",
            "sex": "SEX",
            "a_number": "A_NUMBER",
        },
        "events": [
            # Every crossing not known to be an exit is read as an entry (IN, ARRIVAL, none): its admission
            # class may be the person's protection (LPR, refugee, parole) or citizenship.
            event(
                "entry",
                "CROSSING_DATE",
                {"port": "PORT_CODE", "class": "COA"},
                unless={"DIRECTION": list(EXIT_DIRECTIONS)},
            ),
            event("exit", "CROSSING_DATE", {"port": "PORT_CODE"}, {"DIRECTION": list(EXIT_DIRECTIONS)}),
        ],
    }
    return b.emit(spec, person, log)


def emit_departure_reports(ctx: Context) -> Emitted:
    rows = shuffled(ctx.rng, dict(ctx.world.self_reports))
    person = rows["person"]
    log = Corruptions()
    pop = ctx.world.pop
    names = names_for(ctx, person, log)
    style = ctx.rng.integers(0, 3, person.size)  # people type their A-number however they like
    a_plain = a_number_for(ctx, person, log, "A")
    nine = pc.utf8_slice_codeunits(a_plain, 1, 10)
    dashed = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(nine, 0, 3),
        pc.utf8_slice_codeunits(nine, 3, 6),
        pc.utf8_slice_codeunits(nine, 6, 9),
        "-",
    )
    bare = pc.utf8_ltrim(nine, characters="0")
    a_free = tx.where(style == 0, a_plain, tx.where(style == 1, dashed, bare))
    phone = tx.where(pop.phone[person] < 0, None, pa.array(pop.phone[person]).cast(pa.string()))
    b = Builder()
    b.add("report_ref", record_ids("DR", person.size, 8), required=True)
    b.add("full_name", tx.join([names.given, names.middle, names.family]))
    b.add_date("date_of_birth", dob_for(ctx, person, log), "%Y-%m-%d")
    b.add("phone", phone)
    b.add("a_number", a_free, "identifier")
    b.add("destination_country", labels(COUNTRY_NAMES, pop.nationality[person]))
    b.add_date("departure_date", rows["day"], "%Y-%m-%d", required=True)
    b.add("channel", labels(("MOBILE_APP", "PHONE", "CONSULATE"), ctx.rng.integers(0, 3, person.size)))
    spec = {
        "name": "departure_reports",
        "path": "departure_reports.csv",
        "record_id": "report_ref",
        "markings": ["SELF_REPORT"],
        "description": "Departures people reported themselves; not verified.",
        "fields": {
            "full_name": "full_name",
            "date_of_birth": {"column": "date_of_birth", "format": "%Y-%m-%d"},
            "phone": "phone",
            "a_number": "a_number",
            "nationality": "destination_country",
        },
        "events": [
            event(
                "departure_self_reported",
                "departure_date",
                {"country": "destination_country", "channel": "channel"},
            )
        ],
    }
    return b.emit(spec, person, log)


def emit_agency_operations(ctx: Context) -> Emitted:
    rows = shuffled(ctx.rng, dict(ctx.world.operations))
    person = rows["person"]
    log = Corruptions()
    names = names_for(ctx, person, log)
    addr = address_for(ctx, person, rows["day"], log, abbreviate=True)
    b = Builder()
    b.add("target_id", record_ids("TGT", person.size, 8), required=True)
    b.add("op_id", pc.binary_join_element_wise("OP-", tx.digits(rows["operation"] + 1, 5), ""), required=True)
    b.add("lead_agency", labels(("ERO", "HSI", "USMS", "CBP"), rows["operation"] % 4))
    b.add_date("planned_date", rows["day"], "%m/%d/%Y", required=True)
    b.add("target_name", pc.binary_join_element_wise(pc.fill_null(names.family, ""), names.given, ", "))
    b.add_date("target_dob", dob_for(ctx, person, log), "%m/%d/%Y")
    b.add("target_a_number", a_number_for(ctx, person, log, "A"), "identifier", pattern=A_NUMBER_PATTERN)
    b.add("target_street", addr.street)
    b.add("target_city", addr.city)
    b.add("target_state", addr.state)
    b.add("target_zip", addr.zip5)
    spec = {
        "name": "agency_operations",
        "path": "agency_operations.csv",
        "record_id": "target_id",
        "markings": ["OPERATIONS", "LAW_ENFORCEMENT"],
        "description": "Planned operations and their targets, for deconfliction between agencies.",
        "fields": {
            "full_name": "target_name",
            "date_of_birth": {"column": "target_dob", "format": "%m/%d/%Y"},
            "a_number": "target_a_number",
            "street": "target_street",
            "city": "target_city",
            "state": "target_state",
            "postal_code": "target_zip",
        },
        "events": [
            event("planned_operation", "planned_date", {"operation": "op_id", "agency": "lead_agency"})
        ],
    }
    return b.emit(spec, person, log)
