"""Reading one subject's full record from the linkage files: observations, timeline and the scored links
between its records (with each comparison's level and match weight), in one DuckDB connection."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from ilos.duckdb_paths import literal_path
from ilos.errors import NotFoundError
from ilos.resolve import model_spec
from ilos.resolve.explain import stored_model
from ilos.resolve.linkage import MODEL_FILE
from ilos.resolve.records import typed_record_key
from ilos.subjects.assemble import Row, rows_of

LINKAGE_DIR = "linkage"  # under ILOS_HOME: where `ilos demo` links and builds subjects


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str
    level: str
    weight: float


@dataclass(frozen=True, slots=True)
class ScoredLink:
    """A scored pair of two records of the same subject: why the linker put them together."""

    left: str
    right: str
    probability: float
    weight: float
    decision: str
    comparisons: tuple[Comparison, ...]


@dataclass(frozen=True, slots=True)
class SubjectDetail:
    observations: list[Row]
    events: list[Row]
    links: list[ScoredLink]  # each record's strongest link to another of the subject, strongest first
    as_of: date


def linkage_dir(home: Path) -> Path:
    return home / LINKAGE_DIR


def read_detail(directory: Path, subject_id: str) -> SubjectDetail:
    """Everything stored about one subject; a subject with no stored rows is a 404."""
    files = {n: directory / f"{n}.parquet" for n in ("observations", "timeline", "clusters", "links")}
    missing = [p.name for p in files.values() if not p.is_file()]
    if missing:
        raise NotFoundError(
            f"No {', '.join(missing)} in {directory}; run `ilos demo` or `ilos subjects build` first"
        )
    con = duckdb.connect()
    try:
        obs = con.sql(
            "SELECT * FROM read_parquet(?) WHERE subject_id = ? ORDER BY attribute, source, record_id, value",
            params=[literal_path(files["observations"]), subject_id],
        ).to_arrow_table()
        events = con.sql(
            "SELECT * FROM read_parquet(?) WHERE subject_id = ? ORDER BY occurred_on, source, record_id, kind",
            params=[literal_path(files["timeline"]), subject_id],
        ).to_arrow_table()
        links = _links(con, files["clusters"], files["links"], subject_id)
    finally:
        con.close()
    labels = read_level_labels(directory)
    return SubjectDetail(
        list(rows_of(obs)),
        list(rows_of(events)),
        [_scored(row, labels) for row in links],
        _built_as_of(directory),
    )


# Only each record's strongest link inside the subject (what the page shows): a 50-record subject has
# hundreds of scored pairs, and turning each into comparisons cost more than the rest of the page.
_LINKS_SQL = """
WITH mine AS (SELECT source || '|' || record_id AS k FROM read_parquet(?) WHERE subject_id = ?),
inside AS (
  SELECT * FROM read_parquet(?)
  WHERE unique_id_l IN (SELECT k FROM mine) AND unique_id_r IN (SELECT k FROM mine)
),
ends AS (
  SELECT unique_id_l AS rec, unique_id_l, unique_id_r, match_weight FROM inside
  UNION ALL SELECT unique_id_r, unique_id_l, unique_id_r, match_weight FROM inside
),
strongest AS (
  SELECT DISTINCT unique_id_l, unique_id_r FROM ends
  QUALIFY row_number() OVER (PARTITION BY rec ORDER BY match_weight DESC, unique_id_l, unique_id_r) = 1
)
SELECT inside.* FROM inside JOIN strongest USING (unique_id_l, unique_id_r)
ORDER BY match_weight DESC, unique_id_l, unique_id_r
"""


def _links(con: duckdb.DuckDBPyConnection, clusters: Path, links: Path, subject_id: str) -> list[Row]:
    result = con.execute(_LINKS_SQL, [literal_path(clusters), subject_id, literal_path(links)])
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, r, strict=True)) for r in result.fetchall()]


def _scored(row: Row, labels: dict[str, dict[int, str]]) -> ScoredLink:
    return ScoredLink(
        left=typed_record_key(str(row["unique_id_l"])),
        right=typed_record_key(str(row["unique_id_r"])),
        probability=float(row["match_probability"]),
        weight=float(row["match_weight"]),
        decision=str(row["decision"]),
        comparisons=link_comparisons(row, labels),
    )


def link_comparisons(row: Row, labels: dict[str, dict[int, str]]) -> tuple[Comparison, ...]:
    """Each comparison of a stored link (a row of links.parquet or review.parquet) with its level's label
    and match weight, its term-frequency adjustment included, in the model's order."""
    parts = []
    for name, levels in labels.items():
        gamma, weight = row.get(model_spec.gamma_column(name)), row.get(model_spec.weight_column(name))
        if gamma is None or weight is None:
            continue
        tf_adjustment = float(row.get(model_spec.tf_weight_column(name)) or 0.0)  # what these values add
        parts.append(Comparison(name, levels.get(int(gamma), str(gamma)), float(weight) + tf_adjustment))
    return tuple(parts)


def read_level_labels(directory: Path) -> dict[str, dict[int, str]]:
    """Comparison level labels by gamma, in the linkage model's order (Splink numbers the top level highest)."""
    if not (directory / MODEL_FILE).is_file():
        return {}
    return stored_model(directory).labels


def _built_as_of(directory: Path) -> date:
    manifest = directory / "subjects.json"
    if manifest.is_file():
        return date.fromisoformat(json.loads(manifest.read_text())["as_of"])
    return date.today()
