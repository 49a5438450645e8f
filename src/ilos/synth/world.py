"""Orchestrates one world: draw the model, emit every source, inject the bad-row quota, write the
files, sources.yaml, the truth tables and a world.json manifest. Same seed, same bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ilos.errors import InvalidInputError
from ilos.synth.config_yaml import world_today, write_sources_yaml
from ilos.synth.errors_model import ErrorRates
from ilos.synth.model import draw_world
from ilos.synth.names import build_name_tables
from ilos.synth.sources import addresses, benefits, enforcement, justice, reference
from ilos.synth.sources.base import Context, Emitted
from ilos.synth.textops import where
from ilos.synth.truth import write_truth

Progress = Callable[[str, int, int], None]

EMITTERS: tuple[Callable[[Context], Emitted], ...] = (
    justice.emit_court_cases,
    enforcement.emit_encounters,
    justice.emit_criminal_history,
    enforcement.emit_border_crossings,
    benefits.emit_benefit_applications,
    benefits.emit_citizenship_evidence,
    addresses.emit_tax_addresses,
    addresses.emit_health_addresses,
    addresses.emit_housing_addresses,
    addresses.emit_wage_addresses,
    enforcement.emit_detention_bookings,
    enforcement.emit_departure_reports,
    enforcement.emit_agency_operations,
    justice.emit_cooperation,
    reference.emit_facilities,
    reference.emit_transport_resources,
)
# An unparseable value per date format (what a bad row looks like in each source's convention).
BAD_DATES = {
    "%m/%d/%Y": "02/30/1985",
    "%Y-%m-%d": "1985-02-30",
    "%Y%m%d": "19850230",
    "%d-%b-%Y": "30-FEB-1985",
}
MAX_PERSONS = 50_000_000


@dataclass(frozen=True, slots=True)
class WorldSummary:
    """What was written: rows per source, the world's size and seed, and where everything is."""

    out_dir: Path
    persons: int
    seed: int
    rows_per_source: dict[str, int]
    config_path: Path
    truth_dir: Path
    files: tuple[Path, ...]


def _inject_bad_rows(rng: np.random.Generator, emitted: Emitted, rate: float) -> tuple[Emitted, pa.Table]:
    """Break one date per chosen row so ingest has values to flag; record each in truth."""
    columns = emitted.spec["columns"]
    dates = [c for c, s in columns.items() if s["type"] == "date"]
    table = emitted.table
    if not dates or rate <= 0 or table.num_rows == 0:
        return emitted, pa.table(
            {"source": [], "record_id": [], "column": [], "value": []}, schema=_BAD_SCHEMA
        )
    column = dates[0]
    values = table.column(column).combine_chunks()
    present = values.is_valid().to_numpy(zero_copy_only=False)
    chosen = (rng.random(table.num_rows) < rate) & present
    bad = BAD_DATES[columns[column]["format"]]
    fixed = where(chosen, bad, values)
    table = table.set_column(table.column_names.index(column), column, fixed)
    idx = pa.array(np.flatnonzero(chosen))
    record = table.column(emitted.spec["record_id"]).combine_chunks().take(idx)
    bad_rows = pa.table(
        {
            "source": pa.array([emitted.name] * len(idx), pa.string()),
            "record_id": record,
            "column": pa.array([column] * len(idx), pa.string()),
            "value": pa.array([bad] * len(idx), pa.string()),
        },
        schema=_BAD_SCHEMA,
    )
    return Emitted(emitted.spec, table, emitted.person, emitted.log), bad_rows


_BAD_SCHEMA = pa.schema(
    [("source", pa.string()), ("record_id", pa.string()), ("column", pa.string()), ("value", pa.string())]
)


def _write(out_dir: Path, emitted: Emitted) -> Path:
    path = out_dir / str(emitted.spec["path"])
    if path.suffix == ".parquet":
        pq.write_table(emitted.table, path, compression="zstd")
    else:
        pacsv.write_csv(emitted.table, path, pacsv.WriteOptions(include_header=True, quoting_style="needed"))
    return path


def generate_world(
    out_dir: Path, persons: int, seed: int, rates: ErrorRates | None = None, progress: Progress | None = None
) -> WorldSummary:
    """Generate a synthetic world of `persons` people into `out_dir` (created if missing)."""
    if not 1 <= persons <= MAX_PERSONS:
        raise InvalidInputError(
            f"persons must be between 1 and {MAX_PERSONS}, got {persons}; pass e.g. --persons 10000"
        )
    if seed < 0:
        raise InvalidInputError(f"seed must be zero or positive, got {seed}")
    rates = rates or ErrorRates()
    report = progress or (lambda _stage, _done, _total: None)
    total = len(EMITTERS) + 3
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.Generator(np.random.PCG64(seed))
    names = build_name_tables()
    report("population", 0, total)
    world = draw_world(rng, persons, names)
    ctx = Context(rng=rng, world=world, names=names, rates=rates)
    emitted: list[Emitted] = []
    bad: list[pa.Table] = []
    files: list[Path] = []
    for i, emit in enumerate(EMITTERS, start=1):
        source = emit(ctx)
        report(source.name, i, total)
        if source.person is not None:
            source, broken = _inject_bad_rows(rng, source, rates.bad_row)
            bad.append(broken)
        files.append(_write(out_dir, source))
        emitted.append(source)
    report("sources.yaml", len(EMITTERS) + 1, total)
    config_path = out_dir / "sources.yaml"
    write_sources_yaml(config_path, [e.spec for e in emitted], seed, persons)
    report("truth", len(EMITTERS) + 2, total)
    truth_dir = out_dir / "truth"
    files += write_truth(truth_dir, world, names, emitted, pa.concat_tables(bad))
    rows = {e.name: e.table.num_rows for e in emitted}
    manifest = out_dir / "world.json"
    manifest.write_text(
        json.dumps(
            {
                "persons": persons,
                "seed": seed,
                "today": world_today(),
                "rows": rows,
                "error_rates": asdict(rates),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    report("done", total, total)
    return WorldSummary(
        out_dir=out_dir,
        persons=persons,
        seed=seed,
        rows_per_source=rows,
        config_path=config_path,
        truth_dir=truth_dir,
        files=(*files, config_path, manifest),
    )
