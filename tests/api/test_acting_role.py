"""A user holding several roles works under one acting role per token: every route answers a multi-role user
exactly as it answers a user holding only that role (status and body), for every purpose the roles allow.
Sign-in names the role when several of the user's roles allow the purpose (docs/users-and-purposes.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from api_world import PASSWORD
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from ilos.services import users
from ilos.services.access import Purpose, local_operator
from ilos.store.tables import ApiTokenRow, AuditEventRow

Headers = dict[str, str]
Session = tuple[str, Headers]  # a username and the headers of its requests
ADMIN = local_operator(Purpose.administration)
# (roles held, purpose, role named at sign-in or None, the acting role the requests must be judged as)
CASES = [
    (["analyst", "oversight"], "oversight", None, "oversight"),
    (["analyst", "oversight"], "case_investigation", None, "analyst"),
    (["analyst", "oversight"], "data_quality", None, "analyst"),
    (["analyst", "supervisor"], "case_investigation", "analyst", "analyst"),
    (["analyst", "supervisor"], "case_investigation", "supervisor", "supervisor"),
    (["analyst", "supervisor"], "data_quality", "supervisor", "supervisor"),
    (["analyst", "supervisor"], "removal_logistics", None, "supervisor"),
    (["data_steward", "logistics_planner"], "data_quality", None, "data_steward"),
    (["data_steward", "logistics_planner"], "removal_logistics", None, "logistics_planner"),
    (["data_steward", "analyst"], "data_quality", "data_steward", "data_steward"),
    (["data_steward", "analyst"], "data_quality", "analyst", "analyst"),
    (["supervisor", "oversight"], "oversight", None, "oversight"),
    (["supervisor", "oversight"], "removal_logistics", None, "supervisor"),
    (["logistics_planner", "oversight"], "oversight", None, "oversight"),
    (["admin", "analyst"], "administration", None, "admin"),
    (["admin", "analyst"], "case_investigation", None, "analyst"),
    (["analyst", "supervisor", "data_steward", "oversight"], "oversight", None, "oversight"),
]
SUBJECT_ROUTES = ["", "/provenance", "/timeline", "/why-linked", "/decision"]
# Routes whose whole body must match; the others change with every call (the audit log, decided-at times)
# and are compared by status.
BODY_ROUTES = ["/api/v1/review-queue", "/api/v1/legal-authorities", "/api/v1/gate-reviews"]
BODY_ROUTES += ["/api/v1/plans", "/api/v1/split-reviews", "/api/v1/worklist"]
STATUS_ROUTES = ["/api/v1/audit/verify", "/api/v1/audit/events?limit=1", "/api/v1/alerts"]
STATUS_ROUTES += ["/api/v1/departures/report", "/api/v1/departures/review-queue", "/api/v1/cases/C-none"]
STATUS_ROUTES += ["/api/v1/changes/E-none", "/api/v1/actions/A-none", "/api/v1/operations/O-none"]
POSTS = [
    ("/api/v1/cases", {"subject_ids": ["S-none"], "title": "t"}),
    ("/api/v1/review-judgements", {"left": "a|1", "right": "b|2", "verdict": "match"}),
    ("/api/v1/changes", {"source": "no_such_source", "values": {}}),
]


def _taxed_subject(linkage: Path) -> str:
    """The subject with the most records among those holding both TAX and HEALTH records."""
    rows = pq.read_table(linkage / "subjects.parquet", columns=["subject_id", "record_count", "sources"])
    marked = [
        r
        for r in rows.to_pylist()
        if any(s.startswith("tax_") for s in r["sources"])
        and any(s.startswith("health_") for s in r["sources"])
    ]
    assert marked, "the test world has a subject with TAX and HEALTH records"
    return min(marked, key=lambda r: (-r["record_count"], r["subject_id"]))["subject_id"]


@pytest.fixture
def world(app: FastAPI, published: Path) -> Iterator[tuple[TestClient, str]]:
    store = app.state.store
    for roles in {tuple(sorted(c[0])) for c in CASES}:
        users.create_user(store, ADMIN, "multi-" + "-".join(roles).replace("_", ""), PASSWORD, list(roles))
    for role in {c[3] for c in CASES}:
        users.create_user(store, ADMIN, "only-" + role.replace("_", ""), PASSWORD, [role])
    with TestClient(app) as client:
        yield client, _taxed_subject(published)


def _multi(roles: list[str]) -> str:
    return "multi-" + "-".join(sorted(roles)).replace("_", "")


def _sign_in(client: TestClient, username: str, purpose: str, role: str | None = None) -> Headers:
    body = {"username": username, "password": PASSWORD, "purpose": purpose}
    if role is not None:
        body["role"] = role
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}", "X-ILOS-Purpose": purpose}


def _answers(client: TestClient, user: Session, subject: str, name: str) -> dict[str, Any]:
    """What every route answers the user: (status, body) or, for the volatile ones, status alone."""
    username, headers = user
    seen: dict[str, Any] = {}
    subject_urls = [f"/api/v1/subjects?q={name}", *(f"/api/v1/subjects/{subject}{r}" for r in SUBJECT_ROUTES)]
    for url in [*subject_urls, *BODY_ROUTES]:
        response = client.get(url, headers=headers)
        seen[url] = (response.status_code, _steady(response.text.replace(username, "USER")))
    for url in STATUS_ROUTES:
        seen[url] = client.get(url, headers=headers).status_code
    for url, body in POSTS:
        seen["POST " + url] = client.post(url, json=body, headers=headers).status_code
    return seen


def _steady(text: str) -> Any:
    return _volatile_out(json.loads(text))


def _volatile_out(body: Any) -> Any:
    """The body without what differs from one call to the next (times a decision or page was made at)."""
    if isinstance(body, dict):
        return {k: _volatile_out(v) for k, v in body.items() if k not in {"decided_at", "generated_at"}}
    if isinstance(body, list):
        return [_volatile_out(v) for v in body]
    return body


def _name_of(client: TestClient, headers: dict[str, str], subject: str) -> str:
    summary = client.get(f"/api/v1/subjects/{subject}", headers=headers).json()
    return str(summary["display_name"]).split()[-1]


@pytest.mark.parametrize(("roles", "purpose", "named", "acting"), CASES)
def test_a_multi_role_user_is_answered_as_a_user_of_its_acting_role_alone(
    world: tuple[TestClient, str], roles: list[str], purpose: str, named: str | None, acting: str
) -> None:
    client, subject = world
    multi, single = _multi(roles), "only-" + acting.replace("_", "")
    name = _name_of(client, _sign_in(client, "only-analyst", "case_investigation"), subject)
    expected = _answers(client, (single, _sign_in(client, single, purpose)), subject, name)
    assert _answers(client, (multi, _sign_in(client, multi, purpose, named)), subject, name) == expected


def test_analyst_and_oversight_signed_in_for_oversight_reads_no_subject(
    world: tuple[TestClient, str],
) -> None:
    """The reported defect: the role check passed as analyst while the marking policy judged the request as
    oversight, which may use TAX and HEALTH data: 200 with both. Now the user acts as oversight: 403, like
    a user holding oversight alone, and the refusal is audited with the role it was judged as."""
    client, subject = world
    headers = _sign_in(client, _multi(["analyst", "oversight"]), "oversight")
    for view in SUBJECT_ROUTES:
        response = client.get(f"/api/v1/subjects/{subject}{view}", headers=headers)
        assert response.status_code == 403, (view, response.text[:300])
        assert response.json()["error"]["code"] == "permission_denied"
    assert client.get("/api/v1/subjects?q=a", headers=headers).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=headers).status_code == 200  # oversight's own work
    app = client.app
    assert isinstance(app, FastAPI)
    with app.state.store.transaction() as session:
        last = session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq.desc()).limit(3)).all()
    denied = [e for e in last if e.outcome == "denied"]
    assert denied and all("acting as oversight" in e.detail for e in denied)


def test_sign_in_records_the_acting_role(world: tuple[TestClient, str]) -> None:
    client, _ = world
    response = client.post(
        "/api/v1/auth/token",
        json={"username": _multi(["analyst", "oversight"]), "password": PASSWORD, "purpose": "oversight"},
    )
    assert response.status_code == 200
    assert response.json()["role"] == "oversight"
    assert sorted(response.json()["roles"]) == ["analyst", "oversight"]
    app = client.app
    assert isinstance(app, FastAPI)
    with app.state.store.transaction() as session:
        event = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.action == "auth.sign_in")
            .order_by(AuditEventRow.seq.desc())
        ).first()
    assert event is not None and event.query == {"kind": "bearer", "role": "oversight"}


@pytest.mark.parametrize(
    ("roles", "purpose", "named", "status", "says"),
    [
        (["analyst", "supervisor"], "case_investigation", None, 422, "name the one to work under"),
        (["data_steward", "analyst"], "data_quality", None, 422, "analyst, data_steward each allow"),
        (["analyst", "oversight"], "oversight", "analyst", 403, "may not declare purpose oversight"),
        (["analyst", "oversight"], "case_investigation", "supervisor", 403, "not one of the user's roles"),
        (["analyst", "oversight"], "oversight", "chief", 422, "Unknown role 'chief'"),
    ],
)
def test_sign_in_refuses_an_unnamed_choice_or_a_role_that_does_not_fit(
    world: tuple[TestClient, str], roles: list[str], purpose: str, named: str | None, status: int, says: str
) -> None:
    client, _ = world
    body = {"username": _multi(roles), "password": PASSWORD, "purpose": purpose}
    if named is not None:
        body["role"] = named
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == status, response.text
    assert says in response.text


def test_a_token_without_a_role_is_refused_when_several_roles_fit_and_when_its_role_is_taken_away(
    world: tuple[TestClient, str],
) -> None:
    """Tokens issued before tokens named their role act under the only role that fits; when several fit,
    or the token's role is no longer the user's, the token no longer works (401: sign in again)."""
    client, subject = world
    app = client.app
    assert isinstance(app, FastAPI)
    ambiguous = _sign_in(client, _multi(["analyst", "supervisor"]), "case_investigation", "supervisor")
    single = _sign_in(client, "only-analyst", "case_investigation")
    with app.state.store.transaction() as session:
        session.execute(update(ApiTokenRow).values(role=None))
    assert client.get(f"/api/v1/subjects/{subject}", headers=single).status_code == 200
    assert client.get(f"/api/v1/subjects/{subject}", headers=ambiguous).status_code == 401
    oversight = _sign_in(client, _multi(["analyst", "oversight"]), "oversight")
    with app.state.store.transaction() as session:
        session.execute(update(ApiTokenRow).values(role="analyst"))
    response = client.get(f"/api/v1/subjects/{subject}", headers=oversight)
    assert response.status_code == 401, "analyst may not work for oversight: the token is refused"
