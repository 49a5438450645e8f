"""`ilos synth generate` through Typer's runner: help text, a small world, and the error exit."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ilos.cli.synth import app

runner = CliRunner()


def test_generate_help_names_every_option() -> None:
    result = runner.invoke(app, ["generate", "--help"])
    assert result.exit_code == 0
    for option in ("--persons", "--seed", "--out"):
        assert option in result.output


def test_generate_writes_a_world_and_prints_rows_per_source(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--persons", "300", "--seed", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "court_cases" in result.output and "transport_resources" in result.output
    assert (tmp_path / "sources.yaml").is_file()
    assert (tmp_path / "truth" / "records.parquet").is_file()


def test_generate_refuses_a_world_without_persons(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--persons", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2
