"""`ilos ingest` via Typer: default command, subcommands that are not config paths, formats, exit codes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from ilos.cli.ingest import app
from ilos.config import Settings

runner = CliRunner()


def test_ingest_config_prints_a_summary_table(settings: Settings, write_config: Callable[..., Path]) -> None:
    result = runner.invoke(app, [str(write_config())])
    assert result.exit_code == 0, result.output
    assert "people" in result.stdout and "encounters" in result.stdout
    assert "landed" in result.stdout
    said = " ".join(result.stdout.split())
    assert "flagged people: people.csv: column 'dob': 1 row(s) have unparseable dates" in said
    assert "quarantined people: people.csv: whole line: 1 row(s) could not be split" in said


def test_quarantine_and_batches_are_subcommands_not_config_paths(settings: Settings) -> None:
    for command in (["quarantine"], ["batches"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert "does not exist" not in result.output


def test_quarantine_lists_rows_as_json_and_csv(settings: Settings, write_config: Callable[..., Path]) -> None:
    runner.invoke(app, [str(write_config())])
    as_json = runner.invoke(app, ["quarantine", "--source", "people", "--limit", "2", "--format", "json"])
    rows = json.loads(as_json.stdout)
    assert [(r["row_number"], r["scope"], r["column"], r["value"]) for r in rows] == [
        (2, "value", "dob", "1990-02-30"),
        (3, "value", "a_number", "12345680"),
    ]
    assert json.loads(rows[0]["raw_values"])["dob"] == "1990-02-30"
    assert rows[0]["record_id"] == "2"
    as_csv = runner.invoke(app, ["quarantine", "--format", "csv"])
    assert len(list(csv.DictReader(io.StringIO(as_csv.stdout)))) == 4


def test_batches_lists_counts(settings: Settings, write_config: Callable[..., Path]) -> None:
    runner.invoke(app, [str(write_config())])
    result = runner.invoke(app, ["batches", "--format", "json"])
    counts = {
        b["source"]: (b["rows_read"], b["rows_accepted"], b["rows_quarantined"], b["values_flagged"])
        for b in json.loads(result.stdout)
    }
    assert counts == {"people": (5, 4, 1, 2), "encounters": (2, 2, 0, 1)}


def test_a_failed_source_exits_non_zero_naming_the_file(
    settings: Settings, write_config: Callable[..., Path]
) -> None:
    result = runner.invoke(app, [str(write_config(people=b""))])
    assert result.exit_code == 2
    assert "people.csv is empty (0 bytes)" in " ".join(result.stderr.split())
    assert "encounters" in result.stdout


def test_missing_config_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    result = runner.invoke(app, [str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml does not exist" in " ".join(result.stderr.split())


def test_help_lists_the_subcommands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("run", "quarantine", "batches"):
        assert name in result.stdout
