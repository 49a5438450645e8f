"""The `ilos worklist` and `ilos policy` command groups: help lists the commands; errors carry their code."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ilos.cli.main import app


def test_help_lists_worklist_and_policy_commands() -> None:
    runner = CliRunner()
    top = runner.invoke(app, ["--help"])
    assert "worklist" in top.output and "policy" in top.output
    assert {"build", "export"} <= set(runner.invoke(app, ["worklist", "--help"]).output.split())
    assert {"diff", "apply", "history", "show"} <= set(
        runner.invoke(app, ["policy", "--help"]).output.split()
    )


def test_apply_unknown_policy_names_the_shipped_ones(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["policy", "apply", "lenient", "--by", "a", "--reason", "b"], env={"ILOS_HOME": str(tmp_path)}
    )
    assert result.exit_code == 3
    assert "No policy named 'lenient'" in result.output and "default, final-orders-first" in result.output


def test_worklist_build_without_subjects_says_what_to_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["worklist", "build", str(tmp_path)], env={"ILOS_HOME": str(tmp_path)})
    assert result.exit_code == 3 and "ilos subjects build" in result.output


def test_show_prints_the_access_matrix_whole_on_a_narrow_terminal(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["policy", "show"], env={"ILOS_HOME": str(tmp_path), "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    analyst = next(
        line for line in result.output.splitlines() if "case_investigation" in line and "analyst" in line
    )
    assert "authority" in analyst and "deny" in analyst


def test_legal_commands_record_nothing_incomplete_and_name_every_problem(tmp_path: Path) -> None:
    runner, env = CliRunner(), {"ILOS_HOME": str(tmp_path), "COLUMNS": "250"}
    assert {"authority", "review"} <= set(runner.invoke(app, ["legal", "--help"]).output.split())
    assert {"record", "list", "revoke"} <= set(
        runner.invoke(app, ["legal", "authority", "--help"]).output.split()
    )
    result = runner.invoke(
        app, ["legal", "authority", "record", "--subject", "60627", "--period", "2025"], env=env
    )
    assert result.exit_code == 2
    for part in ("postal code", "name is required", "statutory", "reason", "granted", "expires"):
        assert part in result.output
    listed = runner.invoke(app, ["legal", "authority", "list", "--format", "json"], env=env)
    assert listed.exit_code == 0 and listed.output.strip() == "[]"
