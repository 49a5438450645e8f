"""Timeline events of the change events the near-real-time worker journaled beside a linkage since it was
built: what gate checks and worklists add to the batch files, so a stay posted a moment ago counts at once.
The journal stays the worker's (`realtime`); this module only reads its complete lines (`journal_records`:
those whose record's events the subjects build does not hold, with the subjects their records belong to now,
as clusters.parquet gives them once a batch run took a record in)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ilos.services.journal_file import JOURNAL_FILE
from ilos.services.journal_records import Journal, read_journal
from ilos.services.journal_rows import raw_rows
from ilos.services.linkage_config import load_linkage_config
from ilos.subjects.events_sql import source_events_sql


def journal_size(directory: Path) -> int:
    """Bytes in the worker's journal (0 without one). It is only appended to, so a new event changes it."""
    try:
        return (directory / JOURNAL_FILE).stat().st_size
    except FileNotFoundError:
        return 0


def journaled_events(
    directory: Path, subject_ids: Collection[str] | None = None, journal: Journal | None = None
) -> pa.Table | None:
    """The journaled events of these subjects (every subject when None) as timeline rows (`subject_id`, the
    subject the event's record belongs to now, and the event columns), one DuckDB query per source; None
    when there are none. `journal`: the journal as the request read it already (`read_journal`)."""
    read = journal if journal is not None else read_journal(directory)
    entries = read.events_of(subject_ids)
    if not entries:
        return None
    by_source: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_source.setdefault(entry["source"], []).append(entry)
    config = load_linkage_config(directory)
    tables = []
    con = duckdb.connect()
    try:
        for source, posted in by_source.items():
            spec = config.source(source)
            if not spec.events:
                continue
            raw = raw_rows(spec, [e["values"] for e in posted])
            subjects = pa.table(
                {
                    "record_id": [e["record"].split("|", 1)[1] for e in posted],
                    "subject_id": [e["subject_id"] for e in posted],
                }
            )
            con.register("incoming_raw", raw)
            con.register("incoming_subjects", subjects)
            tables.append(
                con.sql(
                    f"SELECT m.subject_id, e.* FROM ({source_events_sql(spec, 'incoming_raw')}) e "  # noqa: S608 - SQL built from the validated config
                    "JOIN (SELECT DISTINCT record_id, subject_id FROM incoming_subjects) m "
                    "ON m.record_id = e.record_id"
                ).to_arrow_table()
            )
            con.unregister("incoming_raw")
            con.unregister("incoming_subjects")
    finally:
        con.close()
    return pa.concat_tables(tables) if tables else None
