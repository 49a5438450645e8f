"""Measured error rates match the configured ones: emitted values compared to the hidden truth on a
2,000-person world whose rates are raised (see conftest.HIGH_RATES) so the measure is not noise."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ilos.definitions.sources import load_sources_config
from ilos.synth import ErrorRates, WorldSummary
from ilos.synth.names import build_name_tables, strip_diacritics


def joined(world: WorldSummary, source: str) -> pa.Table:
    """The source's rows with the true person's attributes alongside (truth columns prefixed true_)."""
    path = world.out_dir / f"{source}.csv"
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    table = table.cast(pa.schema([(n, pa.string()) for n in table.column_names]))
    records = pq.read_table(world.truth_dir / "records.parquet")
    records = records.filter(pc.equal(records["source"], source))
    persons = pq.read_table(world.truth_dir / "persons.parquet").drop_columns(["protections"])
    persons = persons.rename_columns([f"true_{c}" if c != "person_id" else c for c in persons.column_names])
    id_column = table.column_names[0]
    table = table.join(records.rename_columns(["source", id_column, "person_id"]), id_column)
    return table.join(persons, "person_id").sort_by(id_column)


def within(measured: float, expected: float, tolerance: float) -> bool:
    return abs(measured - expected) <= tolerance


def test_nicknames_appear_at_the_configured_rate(noisy_world: WorldSummary, high_rates: ErrorRates) -> None:
    tables = build_name_tables()
    voc = tables.given.values.to_pylist()
    nick = {voc[i]: voc[j] for i, j in enumerate(tables.given.nickname_of) if i != j}
    t = joined(noisy_world, "encounters")
    hits = eligible = 0
    for emitted, true in zip(t["fname"].to_pylist(), t["true_given_name"].to_pylist(), strict=True):
        if true in nick:
            eligible += 1
            hits += strip_diacritics(emitted or "") == strip_diacritics(nick[true])
    assert eligible > 150
    # a nickname can be hidden again by a later typo, swap or placeholder: allow for that
    assert within(hits / eligible, high_rates.nickname * 0.85, 0.07), (hits, eligible)


def test_placeholder_names_and_ssns_match_their_rates(
    noisy_world: WorldSummary, high_rates: ErrorRates
) -> None:
    t = joined(noisy_world, "encounters")
    unknown = pc.sum(pc.equal(t["fname"], "UNKNOWN")).as_py() / t.num_rows
    assert within(unknown, high_rates.placeholder_name, 0.025)
    b = joined(noisy_world, "benefit_applications")
    ssn = b["app_ssn"].drop_null()
    zeros = pc.sum(pc.equal(ssn, "000-00-0000")).as_py() / len(ssn)
    assert within(zeros, high_rates.placeholder_ssn, 0.04)


def test_day_month_swaps_and_default_dates_match_their_rates(
    noisy_world: WorldSummary, high_rates: ErrorRates
) -> None:
    t = joined(noisy_world, "encounters")
    swapped = swappable = defaulted = 0
    for emitted, true in zip(t["birth_dt"].to_pylist(), t["true_date_of_birth"].to_pylist(), strict=True):
        y, m, d = (int(x) for x in true.split("-"))
        if d <= 12 and d != m:
            swappable += 1
            swapped += emitted == f"{y:04d}-{d:02d}-{m:02d}"
        defaulted += emitted == f"{y:04d}-01-01" and (m, d) != (1, 1)
    assert within(swapped / swappable, high_rates.dob_day_month_swapped, 0.06)
    assert within(defaulted / t.num_rows, high_rates.dob_defaulted * 0.9, 0.025)


def test_typos_are_logged_at_the_configured_rate_and_change_the_name(
    noisy_world: WorldSummary, high_rates: ErrorRates
) -> None:
    corruptions = pq.read_table(noisy_world.truth_dir / "corruptions.parquet")
    typos = corruptions.filter(pc.and_(pc.equal(corruptions["kind"], "typo"),
                                       pc.equal(corruptions["source"], "encounters")))  # fmt: skip
    rows = noisy_world.rows_per_source["encounters"]
    assert within(len(typos) / rows, high_rates.typo * 0.95, 0.05)
    t = joined(noisy_world, "encounters")
    given_typo = set(typos.filter(pc.equal(typos["field"], "given_name"))["record_id"].to_pylist())
    picked = t.filter(pc.is_in(t["encounter_id"], pa.array(sorted(given_typo))))
    changed = [
        strip_diacritics(e) != strip_diacritics(g)
        for e, g in zip(picked["fname"].to_pylist(), picked["true_given_name"].to_pylist(), strict=True)
        if e is not None
    ]
    assert np.mean(changed) > 0.9


def test_maternal_surname_is_dropped_at_the_default_rate(world: WorldSummary) -> None:
    t = joined(world, "encounters")
    dropped = two = 0
    for emitted, true in zip(t["lname"].to_pylist(), t["true_family_name"].to_pylist(), strict=True):
        parts = strip_diacritics(true).split(" ")
        if len(parts) == 2 and emitted:
            two += 1
            dropped += strip_diacritics(emitted) in parts
    assert two > 200
    assert within(dropped / two, ErrorRates().maternal_dropped, 0.07)


def test_bad_rows_do_not_parse_and_match_the_rate(noisy_world: WorldSummary, high_rates: ErrorRates) -> None:
    config = load_sources_config(noisy_world.config_path)
    bad = pq.read_table(noisy_world.truth_dir / "bad_rows.parquet")
    people_rows = sum(noisy_world.rows_per_source[s.name] for s in config.people_sources)
    assert within(bad.num_rows / people_rows, high_rates.bad_row, 0.01)
    for row in bad.to_pylist()[:200]:
        spec = config.source(row["source"])
        fmt = spec.declared_schema()[row["column"]].format
        assert fmt is not None
        try:
            datetime.strptime(row["value"], fmt)
        except ValueError:
            continue
        raise AssertionError(f"{row} parses with {fmt}")


def test_default_rates_are_small_and_documented() -> None:
    rates = ErrorRates()
    assert rates.bad_row <= 0.005
    doc = Path(__file__).parents[3] / "docs" / "data-card.md"
    text = doc.read_text(encoding="utf-8")
    for name in rates.__dataclass_fields__:
        assert f"`{name}`" in text, f"error kind {name} is not documented in docs/data-card.md"
