"""Routes: authentication (401), authorisation by role (403), search semantics and their audit events."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

ROUTES = [
    ("/api/v1/subjects?q=cruz", "oversight"),
    ("/api/v1/subjects/S7f3a9c", "admin"),
    ("/api/v1/audit/events", "analyst"),
    ("/api/v1/audit/verify", "supervisor"),
]
Headers = Callable[[str], dict[str, str]]


@pytest.mark.parametrize(("path", "_role"), ROUTES)
def test_every_route_needs_a_token(client: TestClient, path: str, _role: str) -> None:
    for headers in ({}, {"Authorization": "Bearer forged", "X-ILOS-Purpose": "oversight"}):
        assert client.get(path, headers=headers).status_code == 401


@pytest.mark.parametrize(("path", "role"), ROUTES)
def test_every_route_refuses_the_wrong_role(
    client: TestClient, headers_for: Headers, path: str, role: str
) -> None:
    assert client.get(path, headers=headers_for(role)).status_code == 403


def test_token_route_refuses_bad_passwords_and_foreign_purposes(client: TestClient) -> None:
    wrong = {"username": "analyst", "password": "not the password", "purpose": "case_investigation"}
    assert client.post("/api/v1/auth/token", json=wrong).status_code == 401
    foreign = {"username": "analyst", "password": "a long enough password", "purpose": "oversight"}
    assert client.post("/api/v1/auth/token", json=foreign).status_code == 403
    unknown = dict(foreign, purpose="curiosity")
    assert client.post("/api/v1/auth/token", json=unknown).status_code == 400


def test_health_needs_no_token_and_shows_no_subject_data(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert set(response.json()) == {"status", "version", "database"} and response.json()["database"] == "ok"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("cruz", ["S7f3a9c", "S0b41d2"]),  # contains
        ("JOSE", ["S7f3a9c"]),  # case and diacritics ignored
        ("1980-02-03", ["S99e01a", "S7f3a9c"]),  # exact date of birth
        ("a012345678", ["S7f3a9c"]),  # identifier, punctuation and case ignored
        ("nobody", []),
    ],
)
def test_search_matches_names_dates_and_identifiers(
    client: TestClient, headers_for: Headers, q: str, expected: list[str]
) -> None:
    response = client.get("/api/v1/subjects", params={"q": q}, headers=headers_for("analyst"))
    assert response.status_code == 200, response.text
    assert [s["subject_id"] for s in response.json()["items"]] == expected  # ordered by normalised name


def test_a_subject_read_is_audited_with_purpose_client_query_and_count(
    client: TestClient, headers_for: Headers
) -> None:
    assert (
        client.get("/api/v1/subjects", params={"q": "cruz"}, headers=headers_for("analyst")).status_code
        == 200
    )
    one = client.get("/api/v1/subjects/S7f3a9c", headers=headers_for("analyst"))
    assert one.json()["identifiers"] == [{"kind": "a_number", "value": "A012345678"}]
    events = client.get("/api/v1/audit/events", headers=headers_for("oversight")).json()["items"]
    search, read = [e for e in events if e["action"].startswith("subject.") and e["actor"] == "analyst"]
    assert (search["purpose"], search["client"], search["query"]) == (
        "case_investigation",
        "testclient",
        {"q": "cruz", "limit": 20},
    )
    assert search["result_count"] == 2 and sorted(search["object_ids"]) == ["S0b41d2", "S7f3a9c"]
    assert (read["object_ids"], read["result_count"], read["outcome"]) == (["S7f3a9c"], 1, "ok")


def test_a_refused_read_is_audited_as_denied(client: TestClient, headers_for: Headers) -> None:
    client.get("/api/v1/subjects/S7f3a9c", headers=headers_for("oversight"))
    events = client.get("/api/v1/audit/events", headers=headers_for("oversight")).json()["items"]
    denied = [e for e in events if e["outcome"] == "denied"]
    assert [(e["action"], e["actor"], e["object_ids"]) for e in denied] == [
        ("subject.read", "oversight", ["S7f3a9c"])
    ]


def test_verify_reports_an_intact_chain(client: TestClient, headers_for: Headers) -> None:
    body = client.get("/api/v1/audit/verify", headers=headers_for("oversight")).json()
    assert body["ok"] is True and body["first_bad_seq"] is None and body["checked"] == body["head_seq"]
