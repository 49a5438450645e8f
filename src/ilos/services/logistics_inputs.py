"""Logistics inputs read from files: facilities and transport resources in the synthetic world's format,
and DEMO people derived from the world's detention bookings and its hidden ground truth.

The demo people are stand-ins: a real deployment takes detainees from published subjects and the
removal flag from the policy gates. Here security level, medical need, counsel and document readiness
are derived deterministically from a hash of the A-number, and `removal_allowed` comes from the
truth's `removable_now`, so the plans can be shown end to end on synthetic data."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from ilos.domain.countries import US_SOIL, country_code
from ilos.errors import BadSourceFileError, FieldProblem, NotFoundError
from ilos.operations.geo import GeoPoint
from ilos.operations.placement_types import (
    BED_CLASSES,
    Detainee,
    Facility,
    MedicalLevel,
    SecurityLevel,
    Sex,
)
from ilos.operations.transport_types import Flight, Removee

FACILITY_COLUMNS = ("facility_id", "name", "latitude", "longitude", "medical_level")
FLIGHT_COLUMNS = ("resource_id", "seats", "destination_country", "departure_date", "cost_usd")


def read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise NotFoundError(f"{path} does not exist; give a world directory or the CSV file")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, restval="")  # a short row's missing cells are empty, never None
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            problems = [FieldProblem(f"{path.name}:{c}", "column is missing") for c in missing]
            raise BadSourceFileError(f"{path} lacks {len(missing)} required columns", problems)
        return list(reader)


CAPACITY_COLUMNS = {c: f"cap_{'male' if c[0] == Sex.MALE else 'female'}_{c[1].value}" for c in BED_CLASSES}


class RowProblems:
    """Every problem of one input file, each at file:line:column with the value as written, so one run
    reports them all; `raise_any` refuses the file when there is one (nothing is planned or saved)."""

    def __init__(self, path: Path) -> None:
        self.path, self.problems = path, list[FieldProblem]()

    def add(self, line: int, column: str, value: str, why: str) -> None:
        self.problems.append(
            FieldProblem(f"{self.path.name}:{line}:{column}", f"{value.strip()[:40]!r} {why}")
        )

    def integer(self, line: int, row: dict[str, str], column: str, blank: int | None = None) -> int:
        """A whole number ≥ 0 (`blank` when the cell is empty and that is allowed)."""
        text = (row.get(column) or "").strip()
        if not text and blank is not None:
            return blank
        if not (text.isascii() and text.isdigit()):  # "²" is a digit to isdigit, not to int
            self.add(line, column, text, "is not a whole number of 0 or more")
            return 0
        return int(text)

    def number(self, line: int, row: dict[str, str], column: str, low: float, high: float) -> float:
        text = (row.get(column) or "").strip()
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high or value == math.inf:  # NaN fails too
            span = f"of {low:g} or more" if high == math.inf else f"from {low:g} to {high:g}"
            self.add(line, column, text, f"is not a number {span}")
            return low
        return value

    def raise_any(self, what: str) -> None:
        if self.problems:
            raise BadSourceFileError(
                f"{self.path} has {len(self.problems)} problem(s) in its {what}; nothing was planned",
                self.problems,
            )


def load_facilities(path: Path) -> tuple[Facility, ...]:
    """Facilities with capacity columns cap_<male|female>_<low|medium|high> (each a whole number ≥ 0; an
    empty cell is no beds) and a medical level. Every problem of the file is reported at once."""
    rows = read_rows(path, FACILITY_COLUMNS + tuple(CAPACITY_COLUMNS.values()))
    check, out, seen = RowProblems(path), [], set[str]()
    levels = ", ".join(m.name for m in MedicalLevel)
    for line, r in enumerate(rows, start=2):
        _check_id(check, line, r, "facility_id", seen)
        capacity = {c: check.integer(line, r, column, blank=0) for c, column in CAPACITY_COLUMNS.items()}
        location = GeoPoint(
            check.number(line, r, "latitude", -90, 90), check.number(line, r, "longitude", -180, 180)
        )
        medical = MedicalLevel.__members__.get(r["medical_level"].strip().upper())
        if medical is None:
            check.add(line, "medical_level", r["medical_level"], f"is not a medical level ({levels})")
        out.append(Facility(r["facility_id"], r["name"], location, capacity, medical or MedicalLevel.NONE))
    check.raise_any("facilities")
    return tuple(out)


def _check_id(check: RowProblems, line: int, row: dict[str, str], column: str, seen: set[str]) -> None:
    value = row[column].strip()
    if not value or value in seen:
        check.add(line, column, value, "is blank" if not value else "is given to an earlier row too")
    seen.add(value)


def load_flights(path: Path) -> tuple[Flight, ...]:
    """Transport resources: one destination country each, seats, departure date and cost in dollars. The
    destination is kept as its ISO 3166-1 alpha-3 code (the code manifest locks check protections in); a
    destination that names no known country, or the United States or a US territory (no one is removed to
    them, as actions refuse), is refused like every other problem of the file: all at once, each named."""
    rows = read_rows(path, FLIGHT_COLUMNS)
    check, out, seen = RowProblems(path), [], set[str]()
    for line, r in enumerate(rows, start=2):
        _check_id(check, line, r, "resource_id", seen)
        code = country_code(r["destination_country"])
        if code is None or code in US_SOIL:
            why = (
                "is the United States or a US territory: no removal destination"
                if code
                else "names no known country"
            )
            check.add(
                line,
                "destination_country",
                r["destination_country"],
                f"{why}; give an ISO 3166-1 alpha-3 code",
            )
        seats = check.integer(line, r, "seats")
        cost = check.number(line, r, "cost_usd", 0, math.inf)
        try:
            departs = date.fromisoformat(r["departure_date"].strip())
        except ValueError:
            check.add(line, "departure_date", r["departure_date"], "is not a date (YYYY-MM-DD)")
            departs = date.min
        out.append(Flight(r["resource_id"], (str(code),), seats, departs, round(cost * 100)))
    check.raise_any("flights")
    return tuple(out)


def world_today(world_dir: Path) -> date:
    manifest = world_dir / "world.json"
    if not manifest.is_file():
        raise NotFoundError(f"{world_dir} has no world.json; generate one with `ilos synth generate`")
    return date.fromisoformat(json.loads(manifest.read_text())["today"])


@dataclass(frozen=True, slots=True)
class HeldPerson:
    """A currently open detention booking joined to the world's truth (DEMO input only)."""

    a_number: str
    facility_id: str
    sex: Sex
    nationality: str
    removable_now: bool
    protections: tuple[str, ...]
    has_conviction: bool
    has_criminal_history: bool


def held_people(world_dir: Path) -> list[HeldPerson]:
    """People whose latest booking is still open (no book-out, not a removal), one per A-number."""
    bookings = read_rows(world_dir / "detention_bookings.csv", ("booking_no", "anumber", "facility_code"))
    latest: dict[str, dict[str, str]] = {}
    for b in sorted(bookings, key=lambda r: (_booking_date(r["book_in_date"]), r["booking_no"])):
        latest[b["anumber"]] = b
    truth = _truth_by_booking(world_dir)
    out = []
    for a_number, b in sorted(latest.items()):
        t = truth.get(b["booking_no"])
        if b["book_out_date"] or b["movement_type"] == "REMOVAL" or t is None or not a_number:
            continue
        out.append(
            HeldPerson(
                a_number=a_number,
                facility_id=b["facility_code"],
                sex=Sex.FEMALE if t["sex"] == "F" else Sex.MALE,
                nationality=str(t["nationality"]),
                removable_now=bool(t["removable_now"]),
                protections=tuple(str(x) for x in t["protections"] or ()),  # type: ignore[attr-defined]
                has_conviction=bool(t["has_conviction"]),
                has_criminal_history=bool(t["has_criminal_history"]),
            )
        )
    return out


def _booking_date(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date() if text else date.min


def _truth_by_booking(world_dir: Path) -> dict[str, dict[str, object]]:
    truth = world_dir / "truth"
    records = pq.read_table(truth / "records.parquet").to_pylist()
    persons = {p["person_id"]: p for p in pq.read_table(truth / "persons.parquet").to_pylist()}
    return {r["record_id"]: persons[r["person_id"]] for r in records if r["source"] == "detention_bookings"}


def _fraction(key: str, salt: str) -> float:
    """A stable pseudo-random number in [0, 1) for a person, so demo inputs are the same on every run."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def demo_detainees(people: list[HeldPerson]) -> tuple[Detainee, ...]:
    """DEMO: origin and court at the current facility; 35% have counsel in the facility's city."""
    out = []
    for p in people:
        security = (
            SecurityLevel.HIGH
            if p.has_conviction
            else SecurityLevel.MEDIUM
            if p.has_criminal_history
            else SecurityLevel.LOW
        )
        medical = _fraction(p.a_number, "medical")
        need = (
            MedicalLevel.NONE
            if medical < 0.75
            else MedicalLevel.BASIC
            if medical < 0.93
            else MedicalLevel.FULL
        )
        counsel = p.facility_id if _fraction(p.a_number, "counsel") < 0.35 else None
        out.append(Detainee(p.a_number, p.sex, security, need, p.facility_id, p.facility_id, counsel))
    return tuple(out)


def demo_removees(people: list[HeldPerson], today: date) -> tuple[Removee, ...]:
    """DEMO: removal_allowed is the truth's removable_now (a stand-in for the policy gates); 85% have a
    travel document ready within three weeks."""
    out = []
    for p in people:
        ready = _fraction(p.a_number, "documents")
        documents = today + timedelta(days=int(ready * 25)) if ready < 0.85 else None
        reason = None if p.removable_now else _blocked_reason(p)
        out.append(Removee(p.a_number, p.nationality, p.removable_now, documents, reason))
    return tuple(out)


def _blocked_reason(p: HeldPerson) -> str:
    if p.protections:
        return "demo gate (truth): " + ", ".join(p.protections)
    return "demo gate (truth): no final order in effect"
