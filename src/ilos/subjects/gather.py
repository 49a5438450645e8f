"""Gathering, in DuckDB, every event and observation of every subject: the vectorised half of the build.

The caller owns the connection; these functions register inputs, create `subject_events`,
`record_meta` and return relations ordered by subject, ready for one grouping pass (the caller fetches them
as Arrow or has DuckDB write them to a file, which it can do within its memory limit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

import duckdb
import pyarrow as pa

from ilos.definitions.sources import SourcesConfig
from ilos.subjects.events_sql import source_events_sql
from ilos.subjects.observations_sql import OBSERVATIONS_ORDER, link_confidence_sql, observations_sql

EVENTS_ORDER = "subject_id, occurred_on, source, record_id, kind"


LINK_CONFIDENCE_COLUMNS = ("source_l", "record_id_l", "source_r", "record_id_r", "match_probability")
"""The columns of links.parquet the SQL below reads."""
Linkage: TypeAlias = pa.Table | duckdb.DuckDBPyRelation
"""A linkage file as an Arrow table or as DuckDB reading it (which keeps no more of it in memory than a
query needs: a million persons' files are gigabytes)."""


def register_linkage(
    con: duckdb.DuckDBPyConnection, clusters: Linkage, links: Linkage, records: Linkage
) -> None:
    """Make a linkage's tables visible to the SQL below, and compute each record's link confidence."""
    con.register("clusters", clusters)
    con.register("links", links)
    con.register("records", records)
    con.execute(f"CREATE OR REPLACE TEMP TABLE record_meta AS {link_confidence_sql()}")


def gather_events(
    con: duckdb.DuckDBPyConnection, config: SourcesConfig, raw_tables: Mapping[str, pa.Table]
) -> duckdb.DuckDBPyRelation:
    """Every event of every clustered record, in timeline order within each subject."""
    parts = []
    for spec in config.people_sources:
        if not spec.events or spec.name not in raw_tables:
            continue
        view = f"raw_{spec.name}"
        con.register(view, raw_tables[spec.name])
        parts.append(source_events_sql(spec, view))
    union = " UNION ALL ".join(parts) if parts else _no_events_sql()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE subject_events AS "  # noqa: S608
        f"SELECT m.subject_id, e.* FROM ({union}) e "
        f"JOIN record_meta m ON m.source = e.source AND m.record_id = e.record_id ORDER BY {EVENTS_ORDER}"
    )
    return con.sql(f"SELECT * FROM subject_events ORDER BY {EVENTS_ORDER}")  # noqa: S608


def gather_observations(
    con: duckdb.DuckDBPyConnection, config: SourcesConfig, record_columns: list[str]
) -> duckdb.DuckDBPyRelation:
    """Every observed attribute value with provenance, in no order (`ordered_observations` orders them);
    needs `gather_events` first (observed dates)."""
    markings = pa.table(
        {
            "source": [s.name for s in config.sources],
            "markings": pa.array([list(s.markings) for s in config.sources], pa.list_(pa.string())),
        }
    )
    con.register("source_markings", markings)
    return con.sql(observations_sql(record_columns))


def _no_events_sql() -> str:
    return (
        "SELECT CAST(NULL AS VARCHAR) AS source, CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS VARCHAR) AS kind, "
        "CAST(NULL AS DATE) AS occurred_on, CAST(NULL AS DATE) AS recorded_on, "
        "CAST([] AS STRUCT(k VARCHAR, v VARCHAR)[]) AS attributes, CAST([] AS VARCHAR[]) AS markings WHERE FALSE"
    )


def ordered_observations(observations: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Observations (from `gather_observations`, or a file of them) in the order they are grouped by."""
    return observations.order(OBSERVATIONS_ORDER)
