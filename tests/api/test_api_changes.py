"""Change and split routes: 401 without a token, 403 for a role they do not serve, 422 naming every wrong
field; a posted stay is processed by the worker and its classified change counted on the event (what it is
shows only through the subject route); the read is audited with the subject and record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from ilos.services.change_inbox import StoreInbox
from ilos.services.changes import recheck_on_change
from ilos.services.realtime import Worker
from ilos.store.tables import AuditEventRow

Headers = Callable[[str], dict[str, str]]
ROUTES = [
    ("post", "/api/v1/changes", {"source": "court_cases", "values": {}}),
    ("get", "/api/v1/changes/0123abcd", None),
    ("get", "/api/v1/split-reviews", None),
]
REFUSED = [("analyst", 0), ("logistics_planner", 1), ("admin", 2)]  # (role, index in ROUTES)


def _stay_for_a_final_order(world: Path, linkage: Path) -> dict[str, str | None]:
    final = {
        s["subject_id"]
        for s in pq.read_table(linkage / "subjects.parquet").to_pylist()
        if s["has_final_order"]
    }
    held = {
        c["record_id"]
        for c in pq.read_table(linkage / "clusters.parquet").to_pylist()
        if c["subject_id"] in final
    }
    options = pcsv.ConvertOptions(
        strings_can_be_null=True, column_types={"DOB": "string", "EVENT_DATE": "string"}
    )
    for row in pcsv.read_csv(world / "court_cases.csv", convert_options=options).to_pylist():
        if row["REC_ID"] in held and row["REC_TYPE"] == "DECISION" and row["DECISION_CODE"] == "REMOVAL":
            stay = {k: None if v is None else str(v) for k, v in row.items()}
            return {**stay, "REC_ID": "API-STAY", "REC_TYPE": "STAY", "STAY_TYPE": "JUDICIAL",
                    "EVENT_DATE": "10/01/2026", "ENTERED_DATE": "10/01/2026", "DECISION_CODE": None}  # fmt: skip
    raise AssertionError("no final removal order in the world")


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_every_change_route_needs_a_token(client: TestClient, method: str, url: str, body: object) -> None:
    response = client.request(method.upper(), url, json=body, headers={"X-ILOS-Purpose": "data_quality"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(("role", "route"), REFUSED)
def test_each_change_route_refuses_a_role_it_does_not_serve(
    client: TestClient, headers_for: Headers, role: str, route: int
) -> None:
    method, url, body = ROUTES[route]
    response = client.request(method.upper(), url, json=body, headers=headers_for(role))
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_change_with_wrong_fields_is_refused_naming_each(
    client: TestClient, headers_for: Headers, linked: Path
) -> None:
    body = {"source": "court_cases", "values": {"REC_ID": "X", "SHOE_SIZE": "9"}}
    response = client.post("/api/v1/changes", json=body, headers=headers_for("data_steward"))
    assert response.status_code == 422
    error = response.json()["error"]
    locations = {p["location"] for p in error["problems"]}
    assert {"values.SHOE_SIZE", "values.CASE_NO", "values.LAST_NAME"} <= locations
    unknown = client.post(
        "/api/v1/changes", json={"source": "tax", "values": {}}, headers=headers_for("data_steward")
    )
    assert unknown.status_code == 422
    assert [p["location"] for p in unknown.json()["error"]["problems"]] == ["source"]


def test_without_a_linkage_a_change_is_not_found(client: TestClient, headers_for: Headers) -> None:
    response = client.post("/api/v1/changes", json=ROUTES[0][2], headers=headers_for("supervisor"))
    assert response.status_code == 404
    assert "ilos demo" in response.json()["error"]["message"]


def test_a_posted_stay_is_processed_and_its_alert_stored(
    client: TestClient, app: FastAPI, headers_for: Headers, linked: Path, world_linkage: tuple[Path, Path]
) -> None:
    stay = _stay_for_a_final_order(world_linkage[0], linked)
    posted = client.post(
        "/api/v1/changes", json={"source": "court_cases", "values": stay}, headers=headers_for("supervisor")
    )
    assert posted.status_code == 201, posted.text
    change = posted.json()
    assert (change["state"], change["posted_by"]) == ("pending", "supervisor")
    twice = client.post(
        "/api/v1/changes", json={"source": "court_cases", "values": stay}, headers=headers_for("supervisor")
    )
    assert twice.status_code == 409 and "already waiting" in twice.json()["error"]["message"], twice.text
    store = app.state.store
    Worker(linked, inbox=StoreInbox(store, recheck_on_change(store))).run_once()

    read = client.get(f"/api/v1/changes/{change['event_id']}", headers=headers_for("oversight"))
    assert read.status_code == 200
    state = read.json()
    assert (state["state"], state["outcome"], state["link_action"]) == ("processed", "linked", "joined")
    assert "values" not in state  # the row may carry markings; the subject API serves it
    # What changed is a legal fact derived from the row (the stay, its court): counted, never shown here.
    assert state["change_counts"] == {"affirmative": 1}, state
    assert "changes" not in state and "stay_granted" not in read.text and "JUDICIAL" not in read.text
    with store.transaction() as session:
        audited = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "change.read")).all()
    assert [e.object_ids for e in audited] == [[change["event_id"], state["subject_id"], state["record"]]]
    again = client.post(
        "/api/v1/changes", json={"source": "court_cases", "values": stay}, headers=headers_for("supervisor")
    )
    assert again.status_code == 409, again.text  # linked now: the worker could never link it again
    assert "already linked" in again.json()["error"]["message"]


def _encounter_of_a_subject(world: Path, linkage: Path) -> dict[str, str | None]:
    """An encounter row of a clustered subject, released (so it makes no order), as a new record."""
    held = {c["record_id"] for c in pq.read_table(linkage / "clusters.parquet").to_pylist()}
    options = pcsv.ConvertOptions(strings_can_be_null=True, column_types={"birth_dt": "string"})
    for row in pcsv.read_csv(world / "encounters.csv", convert_options=options).to_pylist():
        if row["encounter_id"] in held and row["disposition"] == "RELEASED" and row["alien_no"]:
            values = {k: None if v is None else str(v) for k, v in row.items()}
            return {**values, "encounter_id": "API-ENC", "event_dt": "2026-10-01"}
    raise AssertionError("no released encounter in the world")


def test_an_encounter_giving_a_us_nationality_is_an_affirmative_change(
    client: TestClient, app: FastAPI, headers_for: Headers, linked: Path, world_linkage: tuple[Path, Path]
) -> None:
    """The citizenship gate blocks on it, so the worker counts it as a change and re-checks the subject's
    plans at once."""
    encounter = _encounter_of_a_subject(world_linkage[0], linked)
    bodies = [
        {"source": "encounters", "values": {**encounter, "encounter_id": f"API-ENC-{n}", "cntry_citz": n}}
        for n in ("MEXICO", "USA")
    ]
    posted = [client.post("/api/v1/changes", json=b, headers=headers_for("supervisor")) for b in bodies]
    assert [p.status_code for p in posted] == [201, 201], [p.text for p in posted]
    store = app.state.store
    Worker(linked, inbox=StoreInbox(store, recheck_on_change(store))).run_once()
    states = [
        client.get(f"/api/v1/changes/{p.json()['event_id']}", headers=headers_for("oversight")).json()
        for p in posted
    ]
    assert [(s["state"], s["outcome"]) for s in states] == [("processed", "linked")] * 2, states
    assert [s["change_counts"] for s in states] == [{}, {"affirmative": 1}]


def test_an_unknown_change_is_not_found(client: TestClient, headers_for: Headers) -> None:
    response = client.get("/api/v1/changes/00ff", headers=headers_for("data_steward"))
    assert response.status_code == 404


def test_split_reviews_are_listed_for_readers(client: TestClient, headers_for: Headers) -> None:
    response = client.get("/api/v1/split-reviews?state=open", headers=headers_for("analyst"))
    assert response.status_code == 200
    assert response.json() == []
