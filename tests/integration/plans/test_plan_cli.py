"""`ilos plan` on the session's generated world (see conftest): each run saves a new version in the store
under ILOS_HOME; versions are listed, shown with explanations and capacity overlays, and compared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilos.cli.main import app


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ILOS_HOME", str(tmp_path))
    monkeypatch.setenv("ILOS_ENVIRONMENT", "test")
    monkeypatch.setenv("ILOS_SECRET_KEY", "cli-test-secret-0123456789")
    return tmp_path


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, ["plan", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_plan_help_lists_every_command() -> None:
    words = set(CliRunner().invoke(app, ["plan", "--help"]).output.split())
    assert {"placement", "transport", "list", "show", "diff", "lock", "depart"} <= words


def test_placement_plan_is_versioned_explained_and_within_capacity(world: Path, home: Path) -> None:
    assert "placement v1 (draft)" in _run("placement", str(world))
    assert "placement v2 (draft)" in _run("placement", str(world))
    listed = json.loads(_run("list", "--format", "json"))
    assert [(p["version"], p["status"]) for p in listed] == [(2, "draft"), (1, "superseded")]
    assert listed[0]["inputs_hash"] == listed[1]["inputs_hash"] and listed[0]["proven_optimal"]
    shown = json.loads(_run("show", "placement", "1", "--limit", "1000", "--format", "json"))
    assert shown["assignments"] and all(a["explanation"] for a in shown["assignments"])
    assert all(c["used"] <= c["capacity"] for c in shown["capacity"])
    assert "0 people changed" in _run("diff", "placement", "1", "2")


def test_transport_plan_seats_the_cleared_and_excludes_the_rest_with_reasons(world: Path, home: Path) -> None:
    _run("transport", str(world), "--flights", str(world / "flights.csv"))
    plan = json.loads(_run("show", "transport", "1", "--limit", "1000", "--format", "json"))
    by_status: dict[str, list[dict[str, object]]] = {}
    for row in plan["assignments"]:
        by_status.setdefault(str(row["status"]), []).append(row)
    assert by_status["seated"] and all("detention days" in str(r["explanation"]) for r in by_status["seated"])
    assert all(
        str(r["explanation"]).startswith("demo gate (truth)") or "travel document" in str(r["explanation"])
        for r in by_status["excluded"]
    )
    assert plan["plan"]["gap"] == 0.0
    total = [r for r in plan["capacity"] if r["segment"] == "*"]
    assert sum(r["used"] for r in total) == len(by_status["seated"])


def test_missing_world_is_not_found(home: Path) -> None:
    result = CliRunner().invoke(app, ["plan", "placement", str(home / "none")])
    assert result.exit_code == 3 and "does not exist" in result.output


def test_showing_a_version_that_does_not_exist_is_not_found(home: Path) -> None:
    result = CliRunner().invoke(app, ["plan", "show", "transport", "9"])
    assert result.exit_code == 3 and "No transport plan version 9" in result.output
