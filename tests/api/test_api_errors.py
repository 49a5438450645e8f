"""Every error the API returns has one shape: {"error": {"code", "message", "problems"}}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "problems"}
    assert body["error"]["code"] == code and body["error"]["message"]
    assert all(set(p) == {"location", "message"} for p in body["error"]["problems"])
    return dict(body["error"])


def test_unknown_route_is_a_404_in_the_error_shape(client: TestClient) -> None:
    _error(client.get("/api/v1/nowhere"), 404, "not_found")
    _error(client.get("/not-even-api"), 404, "not_found")


def test_wrong_method_is_a_405_in_the_error_shape(client: TestClient) -> None:
    _error(client.delete("/api/v1/health"), 405, "method_not_allowed")


def test_validation_errors_list_every_problem(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    error = _error(
        client.get("/api/v1/subjects", params={"limit": 0}, headers=headers_for("analyst")),
        422,
        "invalid_input",
    )
    assert {p["location"] for p in error["problems"]} == {"query.q", "query.limit"}
    _error(
        client.post("/api/v1/auth/token", content=b"{not json", headers={"Content-Type": "application/json"}),
        422,
        "invalid_input",
    )


def test_missing_token_is_a_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/api/v1/subjects", params={"q": "cruz"})
    _error(response, 401, "not_authenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("purpose", [None, "curiosity"])
def test_missing_or_unknown_purpose_is_a_400(
    client: TestClient, headers_for: Callable[[str], dict[str, str]], purpose: str | None
) -> None:
    headers = {"Authorization": headers_for("analyst")["Authorization"]}
    if purpose:
        headers["X-ILOS-Purpose"] = purpose
    error = _error(
        client.get("/api/v1/subjects", params={"q": "cruz"}, headers=headers), 400, "unknown_purpose"
    )
    assert "case_investigation" in error["message"]


def test_unknown_subject_is_a_404(client: TestClient, headers_for: Callable[[str], dict[str, str]]) -> None:
    _error(client.get("/api/v1/subjects/Snope", headers=headers_for("analyst")), 404, "not_found")


def test_refusals_are_a_403(client: TestClient, headers_for: Callable[[str], dict[str, str]]) -> None:
    _error(client.get("/api/v1/audit/events", headers=headers_for("analyst")), 403, "permission_denied")
