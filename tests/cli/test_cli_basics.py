"""The CLI a person meets first: version, help, errors on stderr with a code."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilos import __version__
from ilos.cli.main import app

runner = CliRunner()


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ilos {__version__}"


@pytest.mark.parametrize("group", ["synth", "ingest", "link", "worker", "demo"])
def test_every_command_group_has_help(group: str) -> None:
    result = runner.invoke(app, [group, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_link_with_a_missing_config_fails_with_a_coded_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["link", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "[invalid_input]" in result.stderr
    assert "does not exist" in result.stderr


def test_link_explain_of_unknown_pair_exits_not_found(tmp_path: Path) -> None:
    result = runner.invoke(app, ["link", "explain", str(tmp_path), "a:1", "b:2"])
    assert result.exit_code == 3
    assert "[not_found]" in result.stderr
