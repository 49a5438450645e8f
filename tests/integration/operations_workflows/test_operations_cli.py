"""The operations CLI against a real store under ILOS_HOME: cases, deconfliction, departures."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.config import load_settings
from ilos.services.store_access import Store, open_store

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, publish_subjects: Callable[[Store], None]) -> Path:
    monkeypatch.setenv("ILOS_HOME", str(tmp_path))
    monkeypatch.setenv("ILOS_ENVIRONMENT", "test")
    monkeypatch.setenv("ILOS_SECRET_KEY", "cli-test-secret-0123456789")
    store = open_store(load_settings())
    publish_subjects(store)
    store.close()
    return tmp_path


def test_case_open_note_close(home: Path) -> None:
    opened = runner.invoke(app, ["cases", "open", "Cruz household", "--subject", "S1", "--subject", "S2"])
    assert opened.exit_code == 0, opened.output
    case_id = re.search(r"case (\w+)", opened.output).group(1)  # type: ignore[union-attr]
    assert runner.invoke(app, ["cases", "note", case_id, "address confirmed"]).exit_code == 0
    closed = runner.invoke(app, ["cases", "close", case_id, "--reason", "done"])
    assert "(closed)" in closed.output
    late = runner.invoke(app, ["cases", "note", case_id, "late"])
    assert late.exit_code == 4 and "closed" in late.output


def test_deconflict_register_start_refused_then_resolved(home: Path) -> None:
    args = ["deconflict", "register", "--start", "2027-01-01", "--end", "2027-01-03", "--subject", "S1"]
    first = runner.invoke(app, [*args, "--agency", "ERO"])
    second = runner.invoke(app, [*args, "--agency", "HSI"])
    assert "conflicted" in second.output, second.output
    op_id = re.search(r"operation (\w+)", first.output).group(1)  # type: ignore[union-attr]
    conflict = re.search(r"conflict (\w+)", second.output).group(1)  # type: ignore[union-attr]
    assert runner.invoke(app, ["deconflict", "start", op_id]).exit_code == 4
    assert runner.invoke(app, ["deconflict", "resolve", conflict, "--note", "ERO first"]).exit_code == 0
    assert "under_way" in runner.invoke(app, ["deconflict", "start", op_id]).output


def test_departures_report_on_an_empty_store(home: Path) -> None:
    result = runner.invoke(app, ["departures", "report"])
    assert result.exit_code == 0 and "verified 0" in result.output
    assert "0 unmatched" in runner.invoke(app, ["departures", "review"]).output


def test_cases_plan_refuses_a_destination_that_names_no_country(home: Path) -> None:
    result = runner.invoke(app, ["cases", "plan", "S1", "--kind", "removal", "--destination", "xx"])
    assert result.exit_code == 2, result.output
    assert "destination_country: 'xx' names no known country" in result.output
