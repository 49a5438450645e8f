"""`ilos plan placement|transport` on a generated world: versioned, explained plans with capacity overlays."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.services.world import generate_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(out, 5000, 3, None)
    return out


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, ["plan", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_plan_help_lists_both_plans() -> None:
    assert {"placement", "transport"} <= set(CliRunner().invoke(app, ["plan", "--help"]).output.split())


def test_placement_plan_is_versioned_explained_and_within_capacity(world: Path, tmp_path: Path) -> None:
    _run("placement", str(world), "--out", str(tmp_path))
    _run("placement", str(world), "--out", str(tmp_path))
    first, second = (
        json.loads((tmp_path / f"placement-{world.name}" / v / "plan.json").read_text()) for v in ("v1", "v2")
    )
    assert (first["version"], second["version"]) == (1, 2)
    assert first["inputs_hash"] == second["inputs_hash"] and first["proven_optimal"]
    assert first["assignments"] and all(a["explanation"] for a in first["assignments"])
    assert all(row["used"] <= row["capacity"] for row in first["capacity"])
    table = pq.read_table(tmp_path / f"placement-{world.name}" / "v1" / "assignments.parquet")
    assert table.num_rows == len(first["assignments"])


def test_transport_plan_seats_the_cleared_and_excludes_the_rest_with_reasons(
    world: Path, tmp_path: Path
) -> None:
    flights = tmp_path / "flights.csv"
    countries = [
        "ECU",
        "GTM",
        "HND",
        "MEX",
        "SLV",
        "VEN",
        "COL",
        "BRA",
        "IND",
        "CHN",
        "HTI",
        "DOM",
        "NIC",
        "PER",
        "CUB",
    ]
    flights.write_text(
        "resource_id,seats,destination_country,departure_date,cost_usd\n"
        + "".join(f"X{i},50,{c},2026-12-20,100\n" for i, c in enumerate(countries))
    )
    _run("transport", str(world), "--out", str(tmp_path), "--flights", str(flights), "--plan-id", "demo")
    plan = json.loads((tmp_path / "demo" / "v1" / "plan.json").read_text())
    by_status: dict[str, list[dict[str, object]]] = {}
    for row in plan["assignments"]:
        by_status.setdefault(str(row["status"]), []).append(row)
    assert by_status["seated"] and all("detention days" in str(r["explanation"]) for r in by_status["seated"])
    assert all(
        str(r["explanation"]).startswith("demo gate (truth)") or "travel document" in str(r["explanation"])
        for r in by_status["excluded"]
    )
    assert plan["gap"] == 0.0
    total = [r for r in plan["capacity"] if r["destination"] == "*"]
    assert sum(r["used"] for r in total) == len(by_status["seated"])


def test_missing_world_is_not_found(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["plan", "placement", str(tmp_path / "none")])
    assert result.exit_code == 3 and "does not exist" in result.output
