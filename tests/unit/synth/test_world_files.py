"""The files a world is made of: sources.yaml loads, schemas match the files, truth covers every
record once, and the same seed gives the same bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from ilos.definitions.sources import SourceSpec, load_sources_config
from ilos.errors import InvalidInputError
from ilos.synth import WorldSummary, generate_world
from ilos.synth.sources.base import without_repeats

EVENT_KINDS = {
    "entry", "exit", "encounter", "arrest", "charge", "conviction", "court_proceeding", "hearing",
    "removal_order", "appeal", "stay", "benefit_application", "benefit_decision", "detention_booking",
    "detention_release", "transfer", "removal", "departure_self_reported", "citizenship_evidence",
    "cooperation", "address_observation", "planned_operation",
}  # fmt: skip


def read_source(path: Path, spec: SourceSpec) -> pa.Table:
    if spec.file_format == "parquet":
        return pq.read_table(path)
    opts = pacsv.ConvertOptions(column_types={}, strings_can_be_null=True, auto_dict_encode=False)
    table = pacsv.read_csv(path, convert_options=opts)
    return table.cast(pa.schema([(n, pa.string()) for n in table.column_names]))


def tree_digest(root: Path) -> dict[str, str]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_sources_yaml_loads_and_names_every_file(world: WorldSummary) -> None:
    config = load_sources_config(world.config_path)
    assert {s.name for s in config.sources} == set(world.rows_per_source)
    for spec in config.sources:
        assert config.path_of(spec).is_file(), spec.name
    assert {s.name for s in config.sources if s.reference} == {"facilities", "transport_resources"}
    formats = {s.file_format for s in config.people_sources}
    assert formats == {"csv", "parquet"}


def test_declared_columns_are_exactly_the_file_columns(world: WorldSummary) -> None:
    config = load_sources_config(world.config_path)
    for spec in config.sources:
        table = read_source(config.path_of(spec), spec)
        assert list(spec.declared_schema()) == table.column_names, spec.name
        assert table.num_rows == world.rows_per_source[spec.name]
        ids = table.column(spec.record_id)
        assert pc.count_distinct(ids).as_py() == table.num_rows, f"{spec.name} record ids are not unique"


def test_events_use_known_kinds_and_declared_columns(world: WorldSummary) -> None:
    config = load_sources_config(world.config_path)
    for spec in config.people_sources:
        schema = spec.declared_schema()
        assert spec.events, spec.name
        for event in spec.events:
            assert event.kind in EVENT_KINDS
            assert schema[event.date].type == "date"
            assert set(event.attributes.values()) <= set(schema)
            assert set((event.when or {}).keys()) <= set(schema)


def test_truth_covers_every_people_record_exactly_once(world: WorldSummary) -> None:
    config = load_sources_config(world.config_path)
    records = pq.read_table(world.truth_dir / "records.parquet")
    persons = pq.read_table(world.truth_dir / "persons.parquet")
    assert persons.num_rows == world.persons
    keys = pc.binary_join_element_wise(records["source"], records["record_id"], "|")
    assert pc.count_distinct(keys).as_py() == records.num_rows
    for spec in config.people_sources:
        ids = read_source(config.path_of(spec), spec).column(spec.record_id)
        mine = records.filter(pc.equal(records["source"], spec.name))
        assert sorted(mine["record_id"].to_pylist()) == sorted(ids.to_pylist()), spec.name
    assert pc.all(pc.is_in(records["person_id"], persons["person_id"])).as_py()


def test_one_record_per_entity_sources_hold_at_most_one_record_per_person(world: WorldSummary) -> None:
    config = load_sources_config(world.config_path)
    records = pq.read_table(world.truth_dir / "records.parquet")
    marked = [s.name for s in config.sources if s.one_record_per_entity]
    assert marked
    for name in marked:
        persons = records.filter(pc.equal(records["source"], name))["person_id"]
        assert pc.count_distinct(persons).as_py() == len(persons), name


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a = generate_world(tmp_path / "a", 600, 5)
    b = generate_world(tmp_path / "b", 600, 5)
    c = generate_world(tmp_path / "c", 600, 6)
    digest_a, digest_b, digest_c = tree_digest(a.out_dir), tree_digest(b.out_dir), tree_digest(c.out_dir)
    assert len(digest_a) > 20
    assert digest_a == digest_b
    differing = {k for k in digest_a if digest_a[k] != digest_c.get(k)}
    assert "court_cases.csv" in differing and "truth/persons.parquet" in differing


@pytest.mark.parametrize(("persons", "seed"), [(0, 1), (10, -1)])
def test_invalid_size_or_seed_is_refused(tmp_path: Path, persons: int, seed: int) -> None:
    with pytest.raises(InvalidInputError):
        generate_world(tmp_path, persons, seed)


def test_random_record_ids_never_repeat_and_a_draw_without_repeats_is_kept() -> None:
    """A 1M-person world once drew one benefit receipt number twice: one record id, two records."""
    rng = np.random.default_rng(3)
    crowded = rng.integers(0, 60, 50)  # 50 draws from 60 values: repeats are all but certain
    assert len(set(crowded.tolist())) < 50
    fixed = without_repeats(rng, crowded, 60)
    assert len(set(fixed.tolist())) == 50 and fixed.min() >= 0 and fixed.max() < 60
    distinct = np.arange(10)
    assert without_repeats(rng, distinct, 60).tolist() == distinct.tolist()
