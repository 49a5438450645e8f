"""Operations routes: every route refuses without a token (401) and for a role it does not serve (403);
the action flow, the gate_blocked error shape, departures and deconfliction over HTTP."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from ilos.policy.results import GateId
from ilos.services import action_gates
from ilos.store.tables import AuditEventRow

sys.path.insert(0, str(Path(__file__).parents[1] / "integration" / "operations_workflows"))
from api_world import add_user_with_token
from gates_fake import FakeGates

Headers = Callable[[str], dict[str, str]]
X = "abc123"
ROUTES = [
    ("post", "/api/v1/cases", {"title": "t", "subject_ids": ["S7f3a9c"]}),
    ("get", f"/api/v1/cases/{X}", None),
    ("post", f"/api/v1/cases/{X}/assign", {"assignee": "analyst"}),
    ("post", f"/api/v1/cases/{X}/notes", {"text": "n"}),
    ("post", f"/api/v1/cases/{X}/close", {"reason": "r"}),
    ("post", "/api/v1/actions", {"subject_id": "S7f3a9c", "kind": "removal"}),
    ("get", f"/api/v1/actions/{X}", None),
    ("post", f"/api/v1/actions/{X}/steps", {"step": "approve"}),
    ("get", "/api/v1/departures/report", None),
    ("get", "/api/v1/departures/review-queue", None),
    (
        "post",
        "/api/v1/operations",
        {
            "agency": "ERO",
            "title": "t",
            "starts_on": "2027-01-01",
            "ends_on": "2027-01-02",
            "subject_ids": ["S1"],
        },
    ),
    ("get", f"/api/v1/operations/{X}", None),
    ("post", f"/api/v1/operations/{X}/start", None),
    ("post", f"/api/v1/operation-conflicts/{X}/resolve", {"note": "n"}),
]


@pytest.fixture
def gates(monkeypatch: pytest.MonkeyPatch) -> FakeGates:
    fake = FakeGates()
    fake.block("S7f3a9c", GateId.IDENTITY, "needs verification: 1 record linked below 0.9")
    monkeypatch.setattr(action_gates, "gate_source_for", lambda _store: fake)
    return fake


@pytest.mark.parametrize(("method", "url", "body"), [*ROUTES, ("get", "/api/v1/alerts", None)])
def test_every_operations_route_needs_a_token(
    client: TestClient, method: str, url: str, body: object
) -> None:
    response = client.request(
        method.upper(), url, json=body, headers={"X-ILOS-Purpose": "case_investigation"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_every_operations_route_refuses_an_administrator(
    client: TestClient, headers_for: Headers, method: str, url: str, body: object
) -> None:
    response = client.request(method.upper(), url, json=body, headers=headers_for("admin"))
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "permission_denied"


def test_action_flow_and_a_stay_after_lock_in_the_one_error_shape(
    app: FastAPI, client: TestClient, headers_for: Headers, gates: FakeGates, password_hash: str
) -> None:
    planner, supervisor = headers_for("logistics_planner"), headers_for("supervisor")
    approver = add_user_with_token(app.state.store, "supervisor", password_hash, "supervisor-2")
    body = {"subject_id": "S7f3a9c", "kind": "manifest_entry", "destination_country": "MX"}
    created = client.post("/api/v1/actions", json=body, headers=planner)
    assert created.status_code == 201, created.text
    url = f"/api/v1/actions/{created.json()['action_id']}/steps"
    early = client.post(url, json={"step": "approve"}, headers=supervisor)
    assert early.status_code == 409 and "not possible" in early.json()["error"]["message"]
    for step, who in [
        ("verify_identity", supervisor),
        ("verify_legal_status", supervisor),
    ]:
        response = client.post(url, json={"step": step, "evidence": ["passport P1 checked"]}, headers=who)
        assert response.status_code == 200, response.text
    own = client.post(url, json={"step": "approve"}, headers=supervisor)  # the verifier cannot approve
    assert own.status_code == 409 and "cannot also approve" in own.json()["error"]["message"]
    for step, who in [("approve", approver), ("lock", planner)]:
        assert client.post(url, json={"step": step}, headers=who).status_code == 200
    gates.block("S7f3a9c", GateId.STAY, "judicial stay of removal in effect")
    refused = client.post(url, json={"step": "execute"}, headers=planner)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "gate_blocked"
    assert error["problems"] == [
        {"location": "gate.stay_in_effect", "message": "judicial stay of removal in effect"}
    ]
    halted = client.get(f"/api/v1/actions/{created.json()['action_id']}", headers=supervisor).json()
    assert halted["state"] == "halted" and halted["halts"][0]["gate"] == "stay_in_effect"
    alerts = client.get("/api/v1/alerts", headers=planner).json()
    assert alerts and alerts[0]["kind"] == "action_halted"


def test_a_destination_is_kept_as_its_code_and_an_unknown_one_is_refused_in_the_error_shape(
    client: TestClient, headers_for: Headers, gates: FakeGates
) -> None:
    planner = headers_for("logistics_planner")
    body = {"subject_id": "S7f3a9c", "kind": "removal", "destination_country": " mx "}
    created = client.post("/api/v1/actions", json=body, headers=planner)
    assert created.status_code == 201, created.text
    assert created.json()["destination_country"] == "MEX"
    assert gates.calls[-1] == ("S7f3a9c", "MEX")  # the gates were asked about the code
    refused = client.post("/api/v1/actions", json={**body, "destination_country": "xx"}, headers=planner)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["problems"] == [
        {
            "location": "destination_country",
            "message": "'xx' names no known country; give an ISO 3166-1 alpha-3 code, e.g. COL for Colombia",
        }
    ]


def test_case_lifecycle(client: TestClient, headers_for: Headers) -> None:
    analyst = headers_for("analyst")
    case = client.post(
        "/api/v1/cases", json={"title": "Cruz", "subject_ids": ["S7f3a9c"]}, headers=analyst
    ).json()
    url = f"/api/v1/cases/{case['case_id']}"
    assert (
        client.post(f"{url}/assign", json={"assignee": "supervisor"}, headers=analyst).json()["assignee"]
        == "supervisor"
    )
    assert client.post(f"{url}/notes", json={"text": "address confirmed"}, headers=analyst).json()["notes"][
        0
    ]["text"]
    closed = client.post(f"{url}/close", json={"reason": "done"}, headers=analyst).json()
    assert closed["state"] == "closed"
    again = client.post(f"{url}/notes", json={"text": "late"}, headers=analyst)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_a_case_on_subjects_that_are_not_published_is_refused_naming_each(
    client: TestClient, app: FastAPI, headers_for: Headers
) -> None:
    body = {"title": "Cruz", "subject_ids": ["S7f3a9c", "S-guess", "S0b41d2", "S-other"]}
    response = client.post("/api/v1/cases", json=body, headers=headers_for("analyst"))
    assert response.status_code == 422
    problems = response.json()["error"]["problems"]
    assert [(p["location"], p["message"]) for p in problems] == [
        ("subject_ids[1]", "no published subject 'S-guess'"),
        ("subject_ids[3]", "no published subject 'S-other'"),
    ]
    with app.state.store.transaction() as session:
        events = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "case.open")).all()
        assert [(e.actor, e.outcome) for e in events] == [("analyst", "invalid")]
        assert "S-guess" in events[0].detail and "S-guess" in events[0].object_ids


def test_departures_and_deconfliction_over_http(client: TestClient, headers_for: Headers) -> None:
    analyst, planner, supervisor = (
        headers_for("analyst"),
        headers_for("logistics_planner"),
        headers_for("supervisor"),
    )
    report = client.get("/api/v1/departures/report", headers=analyst).json()
    assert report["verified"] == 0 and report["counts"] == []
    body = {
        "agency": "ERO",
        "title": "a",
        "starts_on": "2027-01-01",
        "ends_on": "2027-01-05",
        "subject_ids": ["S7f3a9c"],
    }
    first = client.post("/api/v1/operations", json=body, headers=planner).json()
    second = client.post("/api/v1/operations", json={**body, "agency": "HSI"}, headers=analyst).json()
    assert second["state"] == "conflicted"
    start = client.post(f"/api/v1/operations/{first['operation_id']}/start", headers=planner)
    assert start.status_code == 409
    conflict = second["conflicts"][0]["conflict_id"]
    resolve = client.post(
        f"/api/v1/operation-conflicts/{conflict}/resolve", json={"note": "ERO first"}, headers=supervisor
    )
    assert resolve.status_code == 200 and resolve.json()["state"] == "resolved"
    assert (
        client.post(f"/api/v1/operations/{first['operation_id']}/start", headers=planner).json()["state"]
        == "under_way"
    )
