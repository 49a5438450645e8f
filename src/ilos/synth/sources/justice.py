"""Court proceedings (court_cases), criminal history (criminal_history) and witness/victim
cooperation (cooperation)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilos.synth import lifecycle as lc
from ilos.synth import textops as tx
from ilos.synth.errors_model import Corruptions, conflicting_nationality
from ilos.synth.history import DISPOSITIONS, OFFENSES
from ilos.synth.population import COUNTRY_CODES, COUNTRY_NAMES, TODAY
from ilos.synth.sources.base import (
    A_NUMBER_PATTERN,
    Builder,
    Context,
    Emitted,
    IntArray,
    Table,
    a_number_for,
    dob_for,
    event,
    labels,
    names_for,
    record_ids,
    sex_for,
    shuffled,
)
from ilos.synth.textops import NO_DATE

REC_TYPES = ("CASE", "HEARING", "DECISION", "APPEAL", "STAY")


def _court_rows(ctx: Context) -> Table:
    court, rng = ctx.world.court, ctx.rng
    people = np.flatnonzero(court.in_court)
    hearings = 1 + rng.poisson(1.0, people.size)
    h_person = np.repeat(people, hearings)
    until = np.where(court.decision_day[h_person] == NO_DATE, TODAY + 365, court.decision_day[h_person])
    h_day = court.filed[h_person] + (rng.random(h_person.size) * np.maximum(until - court.filed[h_person], 1))
    decided = people[court.decision_day[people] != NO_DATE]
    appealed = people[court.appeal_day[people] != NO_DATE]
    stayed = np.flatnonzero(court.stay_judicial & court.in_court)
    parts = [
        (people, court.filed[people], 0),
        (h_person, h_day.astype(np.int64), 1),
        (decided, court.decision_day[decided], 2),
        (appealed, court.appeal_day[appealed], 3),
        (stayed, court.stay_day[stayed], 4),
    ]
    rows = shuffled(
        rng,
        {
            "person": np.concatenate([p for p, _, _ in parts]),
            "day": np.concatenate([d for _, d, _ in parts]),
            "rec": np.concatenate([np.full(p.size, r, dtype=np.int64) for p, _, r in parts]),
        },
    )
    # Late-arriving orders: decisions entered long after they were made land at the end of the file.
    late = (rows["rec"] == 2) & court.late_entered[rows["person"]]
    order = np.concatenate([np.flatnonzero(~late), np.flatnonzero(late)])
    return {k: v[order] for k, v in rows.items()}


def emit_court_cases(ctx: Context) -> Emitted:
    rows = _court_rows(ctx)
    person, rec = rows["person"], rows["rec"]
    court, pop = ctx.world.court, ctx.world.pop
    log = Corruptions()
    n = person.size
    names = names_for(ctx, person, log)
    b = Builder()
    b.add("REC_ID", record_ids("EOIR", n, 10), required=True)
    b.add(
        "CASE_NO",
        pc.binary_join_element_wise(
            tx.format_dates(court.filed[person], "%Y"), tx.digits(person, 8), "-RMV-"
        ),
        required=True,
    )
    b.add("A_NBR", a_number_for(ctx, person, log, "A"), "identifier", pattern=A_NUMBER_PATTERN)
    b.add("LAST_NAME", names.family)
    b.add("FIRST_NAME", tx.join([names.given, names.middle]))
    b.add_date("DOB", dob_for(ctx, person, log), "%m/%d/%Y")
    nat = conflicting_nationality(ctx.rng, pop.nationality[person], ctx.rates, log, len(COUNTRY_CODES) - 1)
    b.add("NAT", labels(COUNTRY_NAMES, nat))
    b.add("REC_TYPE", labels(REC_TYPES, rec), required=True)
    b.add_date("EVENT_DATE", rows["day"], "%m/%d/%Y", required=True)
    is_decision, is_appeal = rec == 2, rec == 3
    b.add("DECISION_CODE", tx.where(~is_decision, None, labels(lc.OUTCOMES, court.outcome[person])))
    relief = np.where(is_decision, court.relief[person], 0)
    b.add("RELIEF_TYPE", tx.where(relief == 0, None, labels(lc.RELIEFS, relief)))
    dest = tx.where(
        ~(is_decision & np.isin(court.outcome[person], [lc.REMOVAL, lc.VD])),
        None,
        labels(COUNTRY_CODES, pop.nationality[person]),
    )
    b.add("DESTINATION_CTRY", dest)
    b.add("APPEAL_STATUS", tx.where(~is_appeal, None, labels(lc.APPEAL_STATUS, court.appeal_status[person])))
    b.add("STAY_TYPE", tx.where(rec != 4, None, "JUDICIAL"))
    b.add_date("ENTERED_DATE", np.where(is_decision, court.entered_day[person], rows["day"]), "%m/%d/%Y")
    spec = {
        "name": "court_cases",
        "path": "court_cases.csv",
        "record_id": "REC_ID",
        "markings": ["COURT"],
        "description": "Immigration court proceedings: cases, hearings, decisions, appeals and stays.",
        "fields": {
            "a_number": "A_NBR",
            "family_name": "LAST_NAME",
            "given_name": "FIRST_NAME",
            "date_of_birth": {"column": "DOB", "format": "%m/%d/%Y"},
            "nationality": "NAT",
        },
        "events": [
            event("court_proceeding", "EVENT_DATE", {"case": "CASE_NO"}, {"REC_TYPE": ["CASE"]}),
            event("hearing", "EVENT_DATE", {"case": "CASE_NO"}, {"REC_TYPE": ["HEARING"]}),
            event(
                "removal_order",
                "EVENT_DATE",
                {
                    "case": "CASE_NO",
                    "outcome": "DECISION_CODE",
                    "relief": "RELIEF_TYPE",
                    "destination_country": "DESTINATION_CTRY",
                    "entered": "ENTERED_DATE",
                },
                {"REC_TYPE": ["DECISION"], "DECISION_CODE": ["REMOVAL", "VOLUNTARY_DEPARTURE"]},
            ),
            event(
                "court_proceeding",
                "EVENT_DATE",
                {"case": "CASE_NO", "outcome": "DECISION_CODE", "relief": "RELIEF_TYPE"},
                {"REC_TYPE": ["DECISION"], "DECISION_CODE": ["RELIEF_GRANTED", "TERMINATED"]},
            ),
            event(
                "appeal",
                "EVENT_DATE",
                {"case": "CASE_NO", "status": "APPEAL_STATUS"},
                {"REC_TYPE": ["APPEAL"]},
            ),
            event(
                "stay", "EVENT_DATE", {"case": "CASE_NO", "stay_type": "STAY_TYPE"}, {"REC_TYPE": ["STAY"]}
            ),
        ],
    }
    return b.emit(spec, person, log)


def fbi_numbers(person: IntArray) -> pa.Array:
    """A stable FBI-style number per person: six digits, two letters, one digit."""
    letters = np.array(list("ABCDEFGHJKLMNPRSTUVWXY"))
    mix = (person * 2_654_435_761) % 4_294_967_291
    l1, l2 = letters[mix % 22], letters[(mix // 22) % 22]
    return pc.binary_join_element_wise(
        tx.digits(mix % 1_000_000, 6),
        pa.array(np.char.add(l1, l2).astype(object)),
        pa.array(person % 10).cast(pa.string()),
        "",
    )


def emit_criminal_history(ctx: Context) -> Emitted:
    arrests, charges = ctx.world.arrests, ctx.world.charges
    a_n, c_n = arrests["person"].size, charges["person"].size
    d = charges["disposition"] > 0
    disp = np.flatnonzero(d)
    rows = shuffled(
        ctx.rng,
        {
            "person": np.concatenate([arrests["person"], charges["person"], charges["person"][disp]]),
            "rec": np.concatenate(
                [np.zeros(a_n, np.int64), np.ones(c_n, np.int64), np.full(disp.size, 2, np.int64)]
            ),
            "day": np.concatenate(
                [arrests["day"], arrests["day"][charges["arrest"]], charges["disposition_day"][disp]]
            ),
            "arrest": np.concatenate([np.arange(a_n), charges["arrest"], charges["arrest"][disp]]),
            "charge": np.concatenate([np.full(a_n, -1), np.arange(c_n), disp]).astype(np.int64),
        },
    )
    person, rec, charge = rows["person"], rows["rec"], rows["charge"]
    log = Corruptions()
    names = names_for(ctx, person, log, ascii_only=True)
    pop = ctx.world.pop
    b = Builder()
    b.add("rap_seq", record_ids("R", person.size, 10), required=True)
    b.add("fbi_num", fbi_numbers(person), "identifier", pattern=r"^\d{6}[A-Z]{2}\d$")
    sid_state = tx.take(pa.array(["TX", "CA", "FL", "NY", "IL", "AZ"]), pop.household[person] % 6)
    sid = tx.where(
        pop.state_id[person] < 0,
        None,
        pc.binary_join_element_wise(sid_state, pa.array(pop.state_id[person]).cast(pa.string()), ""),
    )
    b.add("sid", sid, "identifier", pattern=r"^[A-Z]{2}\d{7}$")
    b.add(
        "subj_name",
        pc.binary_join_element_wise(
            pc.fill_null(names.family, ""), tx.join([names.given, names.middle]), ", "
        ),
    )
    b.add_date("dob", dob_for(ctx, person, log), "%Y%m%d")
    b.add("sex", sex_for(ctx, person))
    b.add("record_type", labels(("ARREST", "CHARGE", "DISPOSITION"), rec), required=True)
    b.add_date("event_date", rows["day"], "%Y%m%d", required=True)
    b.add("arrest_no", tx.digits(rows["arrest"] + 1, 8))
    safe = np.maximum(charge, 0)
    off = charges["offense"][safe]
    has = charge >= 0
    b.add("offense_code", tx.where(~has, None, labels(tuple(o[0] for o in OFFENSES), off)))
    b.add("offense_category", tx.where(~has, None, labels(tuple(o[1] for o in OFFENSES), off)))
    sev = pa.array(np.array([o[2] for o in OFFENSES])[off]).cast(pa.string())
    b.add("severity", tx.where(~has, None, sev), "integer")
    b.add("offense_level", tx.where(~has, None, labels(tuple(o[3] for o in OFFENSES), off)))
    b.add("disposition", tx.where(~has, None, labels(DISPOSITIONS, charges["disposition"][safe])))
    spec = {
        "name": "criminal_history",
        "path": "criminal_history.parquet",
        "record_id": "rap_seq",
        "markings": ["CRIMINAL_JUSTICE"],
        "description": "State and federal rap sheets: arrests, charges and court dispositions.",
        "fields": {
            "fbi_number": "fbi_num",
            "state_id": "sid",
            "full_name": "subj_name",
            "date_of_birth": {"column": "dob", "format": "%Y%m%d"},
            "sex": "sex",
        },
        "events": [
            event("arrest", "event_date", {"arrest": "arrest_no"}, {"record_type": ["ARREST"]}),
            event(
                "charge",
                "event_date",
                {
                    "arrest": "arrest_no",
                    "offense": "offense_category",
                    "severity": "severity",
                    "disposition": "disposition",
                },
                {"record_type": ["CHARGE"]},
            ),
            event(
                "conviction",
                "event_date",
                {
                    "arrest": "arrest_no",
                    "offense": "offense_category",
                    "severity": "severity",
                    "level": "offense_level",
                    "disposition": "disposition",
                },
                {"record_type": ["DISPOSITION"], "disposition": ["CONVICTED", "VACATED"]},
            ),
        ],
    }
    return b.emit(spec, person, log)


COOP_KINDS = ("U_VISA_CERTIFICATION", "MATERIAL_WITNESS", "VICTIM_SERVICES", "T_CONTINUED_PRESENCE")


def emit_cooperation(ctx: Context) -> Emitted:
    coop = shuffled(ctx.rng, dict(ctx.world.cooperation))
    person = coop["person"]
    log = Corruptions()
    names = names_for(ctx, person, log)
    b = Builder()
    b.add("coop_id", record_ids("WV-", person.size, 7), required=True)
    b.add(
        "certifying_agency",
        labels(
            ("DA OFFICE", "POLICE DEPT", "FBI", "HSI", "US ATTORNEY"), ctx.rng.integers(0, 5, person.size)
        ),
    )
    b.add("case_ref", tx.digits(ctx.rng.integers(0, 10**8, person.size), 8))
    b.add("witness_last", names.family)
    b.add("witness_first", names.given)
    b.add_date("witness_dob", dob_for(ctx, person, log), "%Y-%m-%d")
    b.add("cert_type", labels(COOP_KINDS, coop["kind"]))
    b.add_date("start_date", coop["start"], "%Y-%m-%d", required=True)
    b.add_date("end_date", coop["end"], "%Y-%m-%d")
    b.add("status", tx.where(coop["end"] == NO_DATE, "ACTIVE", pa.array(["ENDED"] * person.size)))
    spec = {
        "name": "cooperation",
        "path": "cooperation.csv",
        "record_id": "coop_id",
        "markings": ["COOPERATION"],
        "one_record_per_entity": True,
        "description": "Witness and victim cooperation certifications from law enforcement and prosecutors.",
        "fields": {
            "family_name": "witness_last",
            "given_name": "witness_first",
            "date_of_birth": {"column": "witness_dob", "format": "%Y-%m-%d"},
        },
        "events": [
            event(
                "cooperation",
                "start_date",
                {"type": "cert_type", "status": "status", "end": "end_date", "agency": "certifying_agency"},
            )
        ],
    }
    return b.emit(spec, person, log)
