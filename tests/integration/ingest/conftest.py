"""Fixtures for ingest integration tests: ILOS_HOME inside tmp_path and a two-source config on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ilos.config import Settings

CONFIG = """
version: 1
sources:
  - name: people
    path: people.csv
    record_id: id
    columns:
      id: {type: string, required: true}
      name: {type: string}
      dob: {type: date, format: "%Y-%m-%d"}
      a_number: {type: identifier, pattern: "[0-9]{9}"}
      zip: {type: string}
  - name: encounters
    path: encounters.parquet
    record_id: encounter_id
    columns:
      encounter_id: {type: string, required: true}
      a_number: {type: identifier, pattern: "[0-9]{9}"}
      encountered_on: {type: date, format: "%Y-%m-%d"}
"""

PEOPLE_CSV = (
    "id,name,dob,a_number,zip\n"
    "1,Ann,1990-01-01,012345678,00501\n"
    "2,Bob,1990-02-30,012345679,00502\n"
    "3,Cy,1991-03-03,12345680,00503\n"
    "4,Dee\n"
    "5,Ed,1992-04-04,012345681,00504\n"
)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("ILOS_HOME", str(tmp_path / "home"))
    return Settings()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write the two-source config and its files; `people` may be replaced to make a bad file."""

    def write(people: str | bytes = PEOPLE_CSV, config: str = CONFIG) -> Path:
        data_dir = tmp_path / "world"
        data_dir.mkdir(exist_ok=True)
        (data_dir / "people.csv").write_bytes(people.encode() if isinstance(people, str) else people)
        table = pa.table(
            {
                "encounter_id": ["e1", "e2"],
                "a_number": ["012345678", "000000001"],
                "encountered_on": ["2024-01-02", "x"],
            }
        )
        pq.write_table(table, data_dir / "encounters.parquet")
        (data_dir / "sources.yaml").write_text(config)
        return data_dir / "sources.yaml"

    return write
