"""The worker's Python event extraction gives exactly the events the SQL extraction gives, on every row of
every source of a synthetic world."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from ilos.definitions.sources import load_sources_config
from ilos.services.source_reading import read_source_file
from ilos.subjects.assemble import event_from_row, rows_of
from ilos.subjects.events_sql import source_events_sql
from ilos.subjects.row_events import row_events


def test_python_and_sql_event_extraction_agree_on_every_row(small_world: Path) -> None:
    config = load_sources_config(small_world / "sources.yaml")
    con = duckdb.connect()
    compared = 0
    for spec in config.people_sources:
        if not spec.events:
            continue
        raw: pa.Table = read_source_file(config, spec)
        con.register("raw_rows", raw)
        from_sql = list(
            event_from_row(r) for r in rows_of(con.sql(source_events_sql(spec, "raw_rows")).to_arrow_table())
        )
        con.unregister("raw_rows")
        from_python = list(e for row in raw.to_pylist() for e in row_events(spec, row))
        assert sorted(from_python, key=repr) == sorted(from_sql, key=repr), spec.name
        compared += len(from_sql)
    assert compared > 5000


def test_a_record_id_keeps_its_spaces_in_both_extractions(small_world: Path) -> None:
    """ " 1" and "1" are two records: the worker's extraction trimmed the id, so a stay posted as " 1" was
    credited to record "1" (another person's, when both exist), while the SQL kept it as written."""
    config = load_sources_config(small_world / "sources.yaml")
    spec = next(s for s in config.people_sources if s.events)
    raw = read_source_file(config, spec)
    ids = raw[spec.record_id].to_pylist()
    spaced = raw.set_column(raw.column_names.index(spec.record_id), spec.record_id, [[f" {i} " for i in ids]])
    con = duckdb.connect()
    con.register("raw_rows", spaced)
    from_sql = [
        event_from_row(r) for r in rows_of(con.sql(source_events_sql(spec, "raw_rows")).to_arrow_table())
    ]
    from_python = [e for row in spaced.to_pylist() for e in row_events(spec, row)]
    assert from_sql and sorted(from_python, key=repr) == sorted(from_sql, key=repr)
    assert all(e.record_id.startswith(" ") and e.record_id.endswith(" ") for e in from_python)


def test_court_rows_of_any_written_type_give_the_same_events_in_both_extractions(small_world: Path) -> None:
    """REC_TYPE written in other cases, padded, misspelt or missing: both extractions read the same stays,
    appeals and orders, and make the same unrecognised records of the rows no spec reads."""
    config = load_sources_config(small_world / "sources.yaml")
    spec = config.source("court_cases")
    raw = read_source_file(config, spec)
    variants = [
        lambda t: t.lower(),
        lambda t: f" {t.title()}\t",
        lambda t: t[:-1],
        lambda _: None,
        lambda t: t,
    ]
    written = [
        None if t is None else variants[i % len(variants)](t)
        for i, t in enumerate(raw["REC_TYPE"].to_pylist())
    ]
    varied = raw.set_column(raw.column_names.index("REC_TYPE"), "REC_TYPE", pa.array(written, pa.string()))
    con = duckdb.connect()
    con.register("raw_rows", varied)
    from_sql = [
        event_from_row(r) for r in rows_of(con.sql(source_events_sql(spec, "raw_rows")).to_arrow_table())
    ]
    from_python = [e for row in varied.to_pylist() for e in row_events(spec, row)]
    assert sorted(from_python, key=repr) == sorted(from_sql, key=repr)
    kinds = {e.kind for e in from_sql}
    assert {"court_proceeding", "hearing", "appeal", "removal_order", "unrecognised_record"} <= kinds
    unread = sum(1 for e in from_sql if e.kind == "unrecognised_record")
    assert unread == sum(1 for i in range(len(written)) if i % len(variants) in (2, 3)), unread
