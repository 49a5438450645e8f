"""`ilos demo --no-serve` runs the whole pipeline on a fresh ILOS_HOME and prints a summary."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app


def test_demo_generates_ingests_links_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ILOS_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["demo", "--persons", "300", "--seed", "3", "--no-serve"])
    assert result.exit_code == 0, result.output
    for stage in ("generate", "ingest", "link", "accuracy"):
        assert stage in result.stdout
    world = tmp_path / "world"
    assert (world / "sources.yaml").is_file()
    assert (world / "truth" / "records.parquet").is_file()
    assert (tmp_path / "lake.duckdb").is_file()
    clusters = pq.read_table(tmp_path / "linkage" / "clusters.parquet")
    truth = pq.read_table(world / "truth" / "records.parquet")
    # quarantined rows are not linked; every linked record is a real record of the world
    assert 0 < clusters.num_rows <= truth.num_rows
