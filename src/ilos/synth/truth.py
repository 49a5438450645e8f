"""Ground truth kept apart from the sources: who each record really is, who each person really is
(status, orders, protections, departures), households, twins, and every error the model applied."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.synth import lifecycle as lc
from ilos.synth import textops as tx
from ilos.synth.geography import CITIES, STREET_NAMES, STREET_TYPES
from ilos.synth.model import DEPARTED, WorldModel
from ilos.synth.names import NameTables
from ilos.synth.population import CITIZENSHIP_KIND, COUNTRY_CODES, DERIVED, NATURALIZED, US_BORN
from ilos.synth.sources.base import Emitted

IntArray = npt.NDArray[np.int64]
STATUS = ("us_born_citizen", "naturalized_citizen", "derived_citizen", "lpr", "docket")


def person_ids(person: IntArray) -> pa.Array:
    return pc.binary_join_element_wise("P", tx.digits(person, 8), "")


def protections_column(world: WorldModel) -> pa.Array:
    """One list of protection labels per person ('withholding:<COUNTRY>' names the country)."""
    nat = world.pop.nationality
    persons, labels = [], []
    for name, flags in world.protections.items():
        idx = np.flatnonzero(flags)
        persons.append(idx)
        if name in ("withholding", "cat"):
            labels.append(pc.binary_join_element_wise(name, tx.take(pa.array(COUNTRY_CODES), nat[idx]), ":"))
        else:
            labels.append(pa.array([name] * idx.size, pa.string()))
    who = np.concatenate(persons)
    order = np.argsort(who, kind="stable")
    values = pa.concat_arrays([a.cast(pa.string()) for a in labels]).take(pa.array(order))
    offsets = np.concatenate([[0], np.cumsum(np.bincount(who, minlength=world.pop.size))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def removable_now(world: WorldModel) -> npt.NDArray[np.bool_]:
    """Final order, no protection of any kind, not a citizen, not departed."""
    protected = np.logical_or.reduce(list(world.protections.values()))
    citizen = np.isin(world.pop.status, [US_BORN, NATURALIZED, DERIVED])
    out: npt.NDArray[np.bool_] = world.final & ~protected & ~citizen & (world.departed == 0)
    return out


def persons_table(world: WorldModel, names: NameTables) -> pa.Table:
    pop = world.pop
    given = tx.take(names.given.values, pop.given)
    family = tx.join(
        [tx.take(names.surnames.values, pop.family_a), tx.take(names.surnames.values, pop.family_b)]
    )
    citizen = np.isin(pop.status, [US_BORN, NATURALIZED, DERIVED])
    has_history = np.zeros(pop.size, dtype=bool)
    has_history[world.arrests["person"]] = True
    return pa.table(
        {
            "person_id": person_ids(np.arange(pop.size)),
            "given_name": given,
            "middle_name": tx.take(names.given.values, pop.middle),
            "family_name": family,
            "date_of_birth": tx.format_dates(pop.dob, "%Y-%m-%d"),
            "sex": tx.take(pa.array(["M", "F"]), pop.sex),
            "country_of_birth": tx.take(pa.array(COUNTRY_CODES), pop.birth_country),
            "nationality": tx.take(pa.array(COUNTRY_CODES), pop.nationality),
            "household_id": pc.binary_join_element_wise("H", tx.digits(pop.household, 8), ""),
            "household_role": tx.take(pa.array(["head", "spouse", "child"]), pop.role),
            "twin_of": tx.where(pop.twin_of < 0, None, person_ids(np.maximum(pop.twin_of, 0))),
            "status": tx.take(pa.array(STATUS), pop.status),
            "is_us_citizen": pa.array(citizen),
            "citizenship_kind": tx.take(pa.array(CITIZENSHIP_KIND), pop.status),
            "entry_date": tx.format_dates(pop.entry_day, "%Y-%m-%d"),
            "entered_without_inspection": pa.array((pop.status != US_BORN) & ~pop.entry_lawful),
            "a_number": tx.where(
                pop.a_number < 0, None, pc.binary_join_element_wise("A", tx.digits(pop.a_number, 9), "")
            ),
            "court_outcome": tx.take(pa.array(lc.OUTCOMES), world.court.outcome),
            "has_final_order": pa.array(world.final),
            "removable_now": pa.array(removable_now(world)),
            "protections": protections_column(world),
            "has_criminal_history": pa.array(has_history),
            "has_conviction": pa.array(world.has_conviction),
            "is_detained": pa.array(world.detained),
            "removed": pa.array(world.removed),
            "departed": tx.take(pa.array(DEPARTED), world.departed),
            "departure_date": tx.format_dates(world.departure_day, "%Y-%m-%d"),
        }
    )


def records_table(emitted: list[Emitted]) -> pa.Table:
    people = [e for e in emitted if e.person is not None]
    return pa.table(
        {
            "source": pa.concat_arrays([pa.array([e.name] * e.table.num_rows, pa.string()) for e in people]),
            "record_id": pa.concat_arrays(
                [e.table.column(e.spec["record_id"]).combine_chunks() for e in people]
            ),
            "person_id": pa.concat_arrays([person_ids(e.person) for e in people if e.person is not None]),
        }
    )


def corruptions_table(emitted: list[Emitted]) -> pa.Table:
    sources, records, fields, kinds = [], [], [], []
    for e in emitted:
        ids = e.table.column(e.spec["record_id"]).combine_chunks()
        for rows, field_name, kind in zip(e.log.rows, e.log.fields, e.log.kinds, strict=True):
            sources.append(pa.array([e.name] * rows.size, pa.string()))
            records.append(ids.take(pa.array(rows)))
            fields.append(pa.array([field_name] * rows.size, pa.string()))
            kinds.append(pa.array([kind] * rows.size, pa.string()))
    empty = [pa.array([], pa.string())]
    return pa.table(
        {
            "source": pa.concat_arrays(sources or empty),
            "record_id": pa.concat_arrays(records or empty),
            "field": pa.concat_arrays(fields or empty),
            "kind": pa.concat_arrays(kinds or empty),
        }
    )


def households_table(world: WorldModel) -> pa.Table:
    pop = world.pop
    n_hh = pop.household_address.shape[0]
    hh = np.repeat(np.arange(n_hh), 4)
    addr = pop.household_address.reshape(-1)
    used = addr >= 0
    hh, addr, start = hh[used], addr[used], pop.household_move_day.reshape(-1)[used]
    a = pop.addresses
    street = tx.join(
        [
            pa.array(a.street_no[addr]).cast(pa.string()),
            tx.take(pa.array(STREET_NAMES), a.street[addr]),
            tx.take(pa.array([t[0] for t in STREET_TYPES]), a.street_type[addr]),
        ]
    )
    return pa.table(
        {
            "household_id": pc.binary_join_element_wise("H", tx.digits(hh, 8), ""),
            "size": pa.array(np.bincount(pop.household, minlength=n_hh)[hh]),
            "address_id": tx.digits(addr, 9),
            "street": street,
            "unit": tx.where(a.unit[addr] < 0, None, pa.array(a.unit[addr]).cast(pa.string())),
            "city": tx.take(pa.array([c[0] for c in CITIES]), a.city[addr]),
            "state": tx.take(pa.array([c[1] for c in CITIES]), a.city[addr]),
            "postal_code": tx.digits(a.zip5[addr], 5),
            "from_date": tx.format_dates(start, "%Y-%m-%d"),
            "is_shelter": pa.array(a.is_shelter[addr]),
        }
    )


def twins_table(world: WorldModel) -> pa.Table:
    a = np.flatnonzero(world.pop.twin_of > np.arange(world.pop.size))
    return pa.table({"person_id": person_ids(a), "twin_person_id": person_ids(world.pop.twin_of[a])})


def write_truth(
    truth_dir: Path, world: WorldModel, names: NameTables, emitted: list[Emitted], bad_rows: pa.Table
) -> list[Path]:
    truth_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "persons": persons_table(world, names),
        "records": records_table(emitted),
        "households": households_table(world),
        "twins": twins_table(world),
        "corruptions": corruptions_table(emitted),
        "bad_rows": bad_rows,
    }
    paths = []
    for name, table in tables.items():
        path = truth_dir / f"{name}.parquet"
        pq.write_table(table, path, compression="zstd")
        paths.append(path)
    return paths
