"""Benefit and relief applications (benefit_applications) and citizenship evidence
(citizenship_evidence: birth records, naturalization certificates, certificates of citizenship)."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from ilos.synth import lifecycle as lc
from ilos.synth import textops as tx
from ilos.synth.errors_model import Corruptions
from ilos.synth.geography import CITIES
from ilos.synth.population import COUNTRY_NAMES, DERIVED, NATURALIZED, TODAY, US_BORN
from ilos.synth.sources.base import (
    A_NUMBER_PATTERN,
    SSN_PATTERN,
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
    shuffled,
    ssn_for,
    without_repeats,
)
from ilos.synth.textops import NO_DATE

SERVICE_CENTERS = ("IOE", "EAC", "WAC", "LIN", "SRC", "MSC")
PENDING_DECISIONS = ("PENDING", "")
"""Decision values that are no decision: a row holding one yields no `benefit_decision` (its application stays
pending, and its empty decision date is no unreadable date)."""


def emit_benefit_applications(ctx: Context) -> Emitted:
    rows = shuffled(ctx.rng, dict(ctx.world.benefits))
    person = rows["person"]
    n = person.size
    log = Corruptions()
    pop = ctx.world.pop
    names = names_for(ctx, person, log)
    addr = address_for(ctx, person, rows["filed"], log, abbreviate=False)
    center, digits = ctx.rng.integers(0, len(SERVICE_CENTERS), n), ctx.rng.integers(0, 10**10, n)
    code = without_repeats(ctx.rng, center * 10**10 + digits, len(SERVICE_CENTERS) * 10**10)
    receipt = pc.binary_join_element_wise(
        labels(SERVICE_CENTERS, code // 10**10), tx.digits(code % 10**10, 10), ""
    )
    b = Builder()
    b.add("receipt_number", receipt, "identifier", pattern=r"^[A-Z]{3}\d{10}$", required=True)
    b.add("form_type", labels(lc.FORMS, rows["form"]), required=True)
    b.add("benefit_kind", labels(lc.FORM_KIND, rows["form"]))
    b.add("app_last_nm", pc.utf8_title(names.family))
    b.add("app_first_nm", pc.utf8_title(names.given))
    b.add("app_middle_nm", pc.utf8_title(names.middle))
    b.add_date("app_dob", dob_for(ctx, person, log), "%m/%d/%Y")
    b.add("app_a_number", a_number_for(ctx, person, log, "A"), "identifier", pattern=A_NUMBER_PATTERN)
    b.add("app_ssn", ssn_for(ctx, person, log, dashed=True), "identifier", pattern=SSN_PATTERN)
    b.add("country_of_birth", labels(COUNTRY_NAMES, pop.birth_country[person]))
    b.add("mail_street", pc.utf8_title(addr.street))
    b.add("mail_city", pc.utf8_title(addr.city))
    b.add("mail_state", addr.state)
    b.add("mail_zip", addr.zip5)
    b.add_date("filed_date", rows["filed"], "%m/%d/%Y", required=True)
    b.add("decision", labels(lc.DECISIONS, rows["decision"]), required=True)
    b.add_date("decision_date", rows["decision_day"], "%m/%d/%Y")
    spec = {
        "name": "benefit_applications",
        "path": "benefit_applications.csv",
        "record_id": "receipt_number",
        "markings": ["BENEFITS"],
        "description": "Benefit and relief applications (asylum, TPS, DACA, U/T visas, adjustment, "
        "naturalization, stays of removal) with their decisions.",
        "fields": {
            "family_name": "app_last_nm",
            "given_name": "app_first_nm",
            "middle_name": "app_middle_nm",
            "date_of_birth": {"column": "app_dob", "format": "%m/%d/%Y"},
            "a_number": "app_a_number",
            "ssn": "app_ssn",
            "country_of_birth": "country_of_birth",
            "street": "mail_street",
            "city": "mail_city",
            "state": "mail_state",
            "postal_code": "mail_zip",
        },
        "events": [
            event(
                "benefit_application",
                "filed_date",
                {"form": "form_type", "benefit": "benefit_kind", "receipt": "receipt_number"},
            ),
            event(
                "benefit_decision",
                "decision_date",
                {
                    "form": "form_type",
                    "benefit": "benefit_kind",
                    "decision": "decision",
                    "receipt": "receipt_number",
                },
                # Every decision but none: a code nobody listed (GRANTED, APPRV) is read, and the status rules
                # decide what it means (one they do not know holds the person); a pending row is no decision.
                unless={"decision": list(PENDING_DECISIONS)},
            ),
            event(
                "address_observation",
                "filed_date",
                {
                    "street": "mail_street",
                    "city": "mail_city",
                    "state": "mail_state",
                    "postal_code": "mail_zip",
                },
            ),
        ],
    }
    return b.emit(spec, person, log)


EVIDENCE = ("BIRTH_RECORD", "NATURALIZATION_CERTIFICATE", "CERTIFICATE_OF_CITIZENSHIP")


def emit_citizenship_evidence(ctx: Context) -> Emitted:
    pop = ctx.world.pop
    r = ctx.rng.random(pop.size)
    chosen = (
        ((pop.status == US_BORN) & (r < 0.4))
        | ((pop.status == NATURALIZED) & (r < 0.9))
        | ((pop.status == DERIVED) & (r < 0.7))
    )
    person = ctx.rng.permutation(np.flatnonzero(chosen)).astype(np.int64)
    n = person.size
    status = pop.status[person]
    kind = np.select([status == US_BORN, status == NATURALIZED], [0, 1], 2)
    issued = np.where(
        status == US_BORN,
        pop.dob[person] + ctx.rng.integers(1, 40, n),
        pop.naturalized_day[person] + np.where(status == DERIVED, ctx.rng.integers(30, 3000, n), 0),
    )
    issued = np.minimum(issued, TODAY - 1)
    log = Corruptions()
    names = names_for(ctx, person, log)
    birth_city = pop.addresses.city[pop.address_at(person, pop.dob[person])]
    place = tx.where(
        status != US_BORN,
        labels(COUNTRY_NAMES, pop.birth_country[person]),
        pc.binary_join_element_wise(
            labels(tuple(c[0] for c in CITIES), birth_city),
            labels(tuple(c[1] for c in CITIES), birth_city),
            ", ",
        ),
    )
    doc_no = tx.digits(ctx.rng.integers(0, 10**8, n), 8)
    us_passport = tx.where(
        (pop.passport[person] < 0) | (status != US_BORN),
        None,
        tx.digits(np.maximum(pop.passport[person], 0), 9),
    )
    b = Builder()
    b.add("evidence_id", record_ids("CE", n, 9), required=True)
    b.add("evidence_type", labels(EVIDENCE, kind), required=True)
    b.add("full_name", tx.join([names.given, names.middle, names.family]))
    b.add_date("dob", dob_for(ctx, person, log), "%Y-%m-%d")
    b.add("place_of_birth", place)
    b.add("document_number", doc_no, "identifier")
    b.add(
        "a_number",
        tx.where(status == US_BORN, None, a_number_for(ctx, person, log, "A")),
        "identifier",
        pattern=A_NUMBER_PATTERN,
    )
    b.add(
        "ssn",
        ssn_for(ctx, person, log, dashed=False),
        "identifier",
        pattern=r"^\d{9}$",
    )
    b.add("us_passport", us_passport, "identifier", pattern=r"^\d{9}$")
    b.add_date("issue_date", np.where(issued == NO_DATE, TODAY - 1, issued), "%Y-%m-%d", required=True)
    spec = {
        "name": "citizenship_evidence",
        "path": "citizenship_evidence.parquet",
        "record_id": "evidence_id",
        "markings": ["CITIZENSHIP"],
        "one_record_per_entity": True,
        "description": "Evidence of US citizenship: birth records, naturalization certificates and "
        "certificates of citizenship (derived through parents).",
        "fields": {
            "full_name": "full_name",
            "date_of_birth": {"column": "dob", "format": "%Y-%m-%d"},
            "a_number": "a_number",
            "ssn": "ssn",
            "passport_number": "us_passport",
        },
        "events": [
            event(
                "citizenship_evidence",
                "issue_date",
                {"type": "evidence_type", "document": "document_number", "place_of_birth": "place_of_birth"},
            )
        ],
    }
    return b.emit(spec, person, log)
