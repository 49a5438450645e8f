"""Plan routes: every route refuses without a token (401) and for a role it does not serve (403); a
planner creates versions on the current data, reads them paged with overlays, locks a manifest whose
blocked subject is named with its gate, and checks it again at departure."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ilos.policy.results import GateId
from ilos.services import logistics, publish
from ilos.services.access import Purpose, local_operator
from ilos.services.world import generate_world

sys.path.insert(0, str(Path(__file__).parents[1] / "integration" / "plans"))
from plan_instances import three_flights

sys.path.insert(0, str(Path(__file__).parents[1] / "integration" / "operations_workflows"))
from gates_fake import FakeGates

Headers = Callable[[str], dict[str, str]]
ROUTES = [
    ("post", "/api/v1/plans", {"kind": "placement"}),
    ("get", "/api/v1/plans", None),
    ("get", "/api/v1/plans/placement/1", None),
    ("post", "/api/v1/plans/transport/1/manifests/F0/lock", None),
    ("post", "/api/v1/plans/transport/1/manifests/F0/depart", None),
]


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("api-plans") / "world"
    generate_world(out, 2500, 3, None)
    return out


@pytest.fixture
def current_world(app: FastAPI, small_world: Path) -> Path:
    """The world under ILOS_HOME is the current data plans are made on."""
    world = app.state.store.settings.world_dir
    world.symlink_to(small_world)
    return world


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_every_plan_route_needs_a_token(client: TestClient, method: str, url: str, body: object) -> None:
    response = client.request(method.upper(), url, json=body, headers={"X-ILOS-Purpose": "removal_logistics"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ["admin", "analyst"])
@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_every_plan_route_refuses_a_role_it_does_not_serve(
    client: TestClient, headers_for: Headers, role: str, method: str, url: str, body: object
) -> None:
    response = client.request(method.upper(), url, json=body, headers=headers_for(role))
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_planner_creates_versions_and_reads_them_paged_with_overlays(
    client: TestClient, headers_for: Headers, current_world: Path
) -> None:
    planner = headers_for("logistics_planner")
    first = client.post("/api/v1/plans", json={"kind": "placement"}, headers=planner)
    assert first.status_code == 201, first.text
    second = client.post("/api/v1/plans", json={"kind": "placement"}, headers=planner).json()
    assert (first.json()["version"], second["version"]) == (1, 2) and second["proven_optimal"]
    listed = client.get(
        "/api/v1/plans", params={"kind": "placement"}, headers=headers_for("oversight")
    ).json()
    assert [(p["version"], p["status"]) for p in listed] == [(2, "draft"), (1, "superseded")]
    page = client.get("/api/v1/plans/placement/2", params={"limit": 3}, headers=planner).json()
    assert len(page["assignments"]) == 3 and page["next_after"] == page["assignments"][-1]["person_id"]
    rest = client.get(
        "/api/v1/plans/placement/2", params={"after": page["next_after"]}, headers=planner
    ).json()
    people = [a["person_id"] for a in page["assignments"] + rest["assignments"]]
    assert len(people) == second["summary"]["placed"] + second["summary"]["unplaced"] == len(set(people))
    assert page["capacity"] and all(c["used"] <= c["capacity"] for c in page["capacity"])
    assert all(a["explanation"] for a in page["assignments"])


def test_locking_a_manifest_names_the_blocked_subject_with_its_gate(
    client: TestClient, headers_for: Headers, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = three_flights()
    monkeypatch.setattr(
        logistics, "draft_plan", lambda *_args: logistics.transport_draft(problem, "three flights")
    )
    fake = FakeGates()
    fake.block("SA1", GateId.STAY, "judicial stay of removal in effect")
    monkeypatch.setattr("ilos.services.action_gates.gate_source_for", lambda _store: fake)
    subjects = [
        {
            "subject_id": f"S{a}",
            "display_name": a,
            "date_of_birth": None,
            "identifiers": {"a_number": a},
            "payload": {},
        }
        for a in ("A0", "A1", "A2")
    ]
    publish.publish(app.state.store, local_operator(Purpose.data_quality), subjects)
    planner = headers_for("logistics_planner")
    assert client.post("/api/v1/plans", json={"kind": "transport"}, headers=planner).status_code == 201
    locked = client.post("/api/v1/plans/transport/1/manifests/F0/lock", headers=planner)
    assert locked.status_code == 200, locked.text
    body = locked.json()
    assert body["cleared"] == 2
    assert body["removed"] == [
        {
            "person_id": "A1",
            "gate": "stay_in_effect",
            "reason": "subject SA1: stay_in_effect: judicial stay of removal in effect",
            "step": "manifest lock",
        }
    ]
    again = client.post("/api/v1/plans/transport/1/manifests/F0/lock", headers=planner)
    assert again.status_code == 409 and "already locked" in again.json()["error"]["message"]
    unknown = client.post("/api/v1/plans/transport/1/manifests/NOPE/lock", headers=planner)
    assert unknown.status_code == 404
    oversight = headers_for("oversight")
    events = client.get("/api/v1/audit/events", params={"action": "plan.lock_manifest"}, headers=oversight)
    [event] = events.json()["items"]
    assert event["outcome"] == "ok" and "A1 (stay_in_effect" in event["detail"]

    fake.block("SA2", GateId.APPEAL, "appeal filed after the lock")
    departed = client.post("/api/v1/plans/transport/1/manifests/F0/depart", headers=planner)
    assert departed.status_code == 200, departed.text
    body = departed.json()
    assert body["departed"] == 1 and [(h["person_id"], h["step"]) for h in body["halted"]] == [
        ("A2", "departure")
    ]
    again = client.post("/api/v1/plans/transport/1/manifests/F0/depart", headers=planner)
    assert again.status_code == 409 and "Nobody is seated" in again.json()["error"]["message"]
    unlocked = client.post("/api/v1/plans/transport/1/manifests/F1/depart", headers=planner)
    assert unlocked.status_code == 409 and "not locked" in unlocked.json()["error"]["message"]
    shown = client.get("/api/v1/plans/transport/1", params={"target": "F0"}, headers=oversight).json()
    [manifest] = shown["manifests"]
    assert (manifest["cleared"], manifest["departed"]) == (1, 1)
    assert [(r["person_id"], r["step"]) for r in manifest["removed"]] == [
        ("A1", "manifest lock"),
        ("A2", "departure"),
    ]
    assert [a["status"] for a in shown["assignments"]] == ["departed", "removed", "removed"]


def test_an_unknown_kind_is_invalid_input(client: TestClient, headers_for: Headers) -> None:
    response = client.get("/api/v1/plans/parking/1", headers=headers_for("logistics_planner"))
    assert response.status_code == 422
