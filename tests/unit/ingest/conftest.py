"""Fixtures for ingest unit tests: an in-memory lake and small source files written on demand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ingest_sources import PEOPLE_COLUMNS, SourceFactory

from ilos.definitions.sources import SourceSpec


@pytest.fixture
def lake() -> Iterator[duckdb.DuckDBPyConnection]:
    conn = duckdb.connect()
    yield conn
    conn.close()


@pytest.fixture
def make_source(tmp_path: Path) -> SourceFactory:
    """Write `content` (bytes, or text encoded as utf-8) and return a spec pointing at it."""

    def make(
        content: bytes | str,
        *,
        name: str = "people",
        file_name: str = "people.csv",
        columns: dict[str, Any] | None = None,
        **extra: Any,
    ) -> tuple[SourceSpec, Path]:
        path = tmp_path / file_name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        spec = SourceSpec.model_validate(
            {
                "name": name,
                "path": file_name,
                "record_id": "id",
                "columns": columns or PEOPLE_COLUMNS,
                **extra,
            }
        )
        return spec, path

    return make
