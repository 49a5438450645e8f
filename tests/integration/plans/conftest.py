"""Plan fixtures: a store on each backend, a generated world with flights to every country it holds
people of, and a gate source the test controls."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ilos.config import Settings
from ilos.operations.transport_types import TransportProblem
from ilos.services import action_gates, logistics
from ilos.services.store_access import Store, open_store
from ilos.services.world import generate_world

sys.path.insert(0, str(Path(__file__).parents[1] / "operations_workflows"))
sys.path.insert(0, str(Path(__file__).parent))
from gates_fake import FakeGates
from plan_instances import three_flights

COUNTRIES = [
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


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plans") / "world"
    generate_world(out, 5000, 3, None)
    (out / "flights.csv").write_text(
        "resource_id,seats,destination_country,departure_date,cost_usd\n"
        + "".join(f"X{i},50,{c},2026-12-20,100\n" for i, c in enumerate(COUNTRIES))
    )
    return out


@pytest.fixture
def store(tmp_path: Path, db_url: str, world: Path) -> Iterator[Store]:
    (tmp_path / "world").symlink_to(world)
    settings = Settings(
        home=tmp_path, database_url=db_url, environment="test", secret_key="plan-test-secret-0123456789"
    )
    opened = open_store(settings)
    yield opened
    opened.close()


@pytest.fixture
def flights(monkeypatch: pytest.MonkeyPatch) -> TransportProblem:
    """Transport plans are made on `three_flights` instead of the world's files."""
    problem = three_flights()
    monkeypatch.setattr(
        logistics, "draft_plan", lambda *_args: logistics.transport_draft(problem, "three flights")
    )
    return problem


@pytest.fixture
def gates(monkeypatch: pytest.MonkeyPatch) -> FakeGates:
    fake = FakeGates()
    monkeypatch.setattr(action_gates, "gate_source_for", lambda _store: fake)
    return fake
