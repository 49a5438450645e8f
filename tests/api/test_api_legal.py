"""Legal records over HTTP: every route refuses without a token (401) and for a role it does not serve
(403); a supervisor records a complete authority, an incomplete one is refused with every problem named,
oversight revokes; an analyst's gate review is refused and audited, a supervisor's is recorded."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ilos.policy.results import GateId
from ilos.services import action_gates

sys.path.insert(0, str(Path(__file__).parents[1] / "integration" / "operations_workflows"))
from gates_fake import FakeGates

Headers = Callable[[str], dict[str, str]]
SUBJECT = "S-3267c1c2ffa3"
AUTHORITY = {
    "subject_id": SUBJECT,
    "taxpayer_name": "JOSE DE LA CRUZ",
    "tax_periods": [2024, 2025],
    "statute": "26 U.S.C. 6103(i)(1)",
    "reason": "locating a person with a final order",
    "granted_by": "US District Court ND Ill., order 26-17",
    "granted_on": (date.today() - timedelta(days=3)).isoformat(),
    "expires_on": (date.today() + timedelta(days=90)).isoformat(),
}
REVIEW = {
    "subject_id": SUBJECT,
    "gate": "us_citizenship_signal",
    "decision": "cleared",
    "finding": "not_this_person",
    "reason": "the birth record is a namesake's",
    "evidence": ["birth record: born 1961 in Ohio; this person entered in 2003 aged 20"],
}
ROUTES = [
    ("post", "/api/v1/legal-authorities", AUTHORITY),
    ("get", "/api/v1/legal-authorities", None),
    ("post", "/api/v1/legal-authorities/abc123/revoke", {"reason": "r"}),
    ("post", "/api/v1/gate-reviews", REVIEW),
    ("get", "/api/v1/gate-reviews", None),
]


@pytest.fixture
def gates(monkeypatch: pytest.MonkeyPatch) -> FakeGates:
    fake = FakeGates()
    fake.block(SUBJECT, GateId.CITIZENSHIP, "records suggest US citizenship (BIRTH_RECORD)")
    monkeypatch.setattr(action_gates, "gate_source_for", lambda _store: fake)
    return fake


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_every_legal_route_needs_a_token(client: TestClient, method: str, url: str, body: object) -> None:
    response = client.request(
        method.upper(), url, json=body, headers={"X-ILOS-Purpose": "case_investigation"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_every_legal_route_refuses_an_administrator(
    client: TestClient, headers_for: Headers, method: str, url: str, body: object
) -> None:
    response = client.request(method.upper(), url, json=body, headers=headers_for("admin"))
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "permission_denied"


def test_authority_recorded_listed_and_revoked(client: TestClient, headers_for: Headers) -> None:
    refused = client.post("/api/v1/legal-authorities", json=AUTHORITY, headers=headers_for("analyst"))
    assert refused.status_code == 403
    made = client.post("/api/v1/legal-authorities", json=AUTHORITY, headers=headers_for("supervisor"))
    assert made.status_code == 201, made.text
    authority = made.json()
    assert authority["state"] == "in_force" and authority["recorded_by"] == "supervisor"
    listed = client.get(f"/api/v1/legal-authorities?subject_id={SUBJECT}", headers=headers_for("analyst"))
    assert [a["authority_id"] for a in listed.json()] == [authority["authority_id"]]
    url = f"/api/v1/legal-authorities/{authority['authority_id']}/revoke"
    revoked = client.post(url, json={"reason": "order vacated"}, headers=headers_for("oversight"))
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    again = client.post(url, json={"reason": "again"}, headers=headers_for("supervisor"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_incomplete_authority_names_every_problem(client: TestClient, headers_for: Headers) -> None:
    postal = {**AUTHORITY, "subject_id": "60627", "statute": "", "reason": ""}
    response = client.post("/api/v1/legal-authorities", json=postal, headers=headers_for("supervisor"))
    assert response.status_code == 422
    problems = {p["location"] for p in response.json()["error"]["problems"]}
    assert problems == {"taxpayer", "statute", "reason"}


def test_analysts_review_is_refused_and_audited_a_supervisors_recorded(
    client: TestClient, headers_for: Headers, gates: FakeGates
) -> None:
    refused = client.post("/api/v1/gate-reviews", json=REVIEW, headers=headers_for("analyst"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    events = client.get("/api/v1/audit/events?action=gate_review.record", headers=headers_for("oversight"))
    (denied,) = events.json()["items"]
    assert (
        denied["actor"] == "analyst" and denied["outcome"] == "denied" and denied["object_ids"] == [SUBJECT]
    )
    made = client.post("/api/v1/gate-reviews", json=REVIEW, headers=headers_for("supervisor"))
    assert made.status_code == 201, made.text
    review = made.json()
    assert review["reviewer_role"] == "supervisor" and review["covers"] == ["us_citizenship_signal evidence"]
    listed = client.get(f"/api/v1/gate-reviews?subject_id={SUBJECT}", headers=headers_for("oversight"))
    assert [r["review_id"] for r in listed.json()] == [review["review_id"]]
    gates.clear(SUBJECT, GateId.CITIZENSHIP)
    stale = client.post("/api/v1/gate-reviews", json=REVIEW, headers=headers_for("supervisor"))
    assert stale.status_code == 409
