"""Opening the lake, the embedded DuckDB file that holds raw batches and everything derived from them.

Each stage owns the DDL of its own tables (ingest creates `ingest_batches`, `raw_*`, `quarantine`);
this module only opens the file, so no stage has to import another to reach it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ilos.errors import ConflictError


def open_lake(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the lake file; another process holding it is a clear error, not a trace."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise ConflictError(
            f"The lake {path} cannot be opened ({str(exc).splitlines()[0]}); "
            "another ilos process may be using it - wait for it to finish and retry"
        ) from None


def lake_exists(path: Path) -> bool:
    """Listing commands read an existing lake only; they never create one."""
    return path.is_file()
