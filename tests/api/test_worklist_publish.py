"""Publishing a built worklist from the lake to the store (both backends): the API then serves it, the
decisions keep their explanations, a new publish replaces the old one, and the refusals say why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from ilos.cli.main import app as cli
from ilos.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ilos.policy.decide import as_shown
from ilos.policy.records import decision_of_record
from ilos.services import legal_records, worklists
from ilos.services.access import Caller, Purpose, Role, local_operator
from ilos.services.worklist_publish import publish_worklist
from ilos.store.tables import AuditEventRow
from ilos.store.worklist_tables import PublishedDecisionRow, WorklistItemRow

Headers = Callable[[str], dict[str, str]]
STEWARD = local_operator(Purpose.data_quality)


def _build(app: FastAPI, linkage: Path) -> worklists.WorklistBuild:
    store = app.state.store
    inputs = legal_records.decision_inputs(store, STEWARD)
    return worklists.build_worklist(linkage, home=store.settings.home, inputs=inputs)


def _all_items(client: TestClient, headers: dict[str, str]) -> tuple[str, list[str]]:
    page, ids = 1, []
    while True:
        body = client.get(f"/api/v1/worklist?page={page}", headers=headers).json()
        ids += [i["subject_id"] for i in body["items"]]
        if page >= body["pages"]:
            return body["decided_by"], ids
        page += 1


def test_the_api_serves_the_published_worklist_in_the_lakes_order(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    built = _build(app, published)
    made = publish_worklist(app.state.store, STEWARD, published)
    lake = pq.read_table(published / worklists.WORKLIST_FILE).column("subject_id").to_pylist()
    assert (made.subjects, made.role, made.purpose) == (len(lake), built.role, "case_investigation")

    decided_by, served = _all_items(client, headers_for("analyst"))

    assert decided_by.startswith(f"published by {STEWARD.actor}")
    assert served == lake
    events = _events(app, "worklist.publish")
    assert [(e.result_count, e.outcome) for e in events] == [(len(lake), "ok")]


def test_each_published_decision_keeps_its_explanation_and_policy(app: FastAPI, published: Path) -> None:
    _build(app, published)
    publish_worklist(app.state.store, STEWARD, published)
    lines = (published / worklists.DECISIONS_FILE).read_text().splitlines()
    lake = {d["subject_id"]: d for d in map(json.loads, lines)}
    with app.state.store.transaction() as session:
        stored = {r.subject_id: r for r in session.scalars(select(PublishedDecisionRow))}
    assert stored.keys() == lake.keys()
    for subject_id, row in stored.items():
        assert (row.status, row.policy_hash) == (lake[subject_id]["status"], lake[subject_id]["policy_hash"])
        assert row.record["explanation"] == lake[subject_id]["explanation"]
        assert row.record["gates"] == lake[subject_id]["gates"]


def test_a_new_publish_replaces_the_old_one(app: FastAPI, published: Path) -> None:
    _build(app, published)
    store = app.state.store
    publish_worklist(store, STEWARD, published)
    _keep_first(published, 10)  # a smaller build of the same role and purpose
    publish_worklist(store, STEWARD, published)
    with store.transaction() as session:
        items = session.scalars(select(WorklistItemRow.subject_id).order_by(WorklistItemRow.position)).all()
        decisions = session.scalar(select(func.count()).select_from(PublishedDecisionRow))
    lake = pq.read_table(published / worklists.WORKLIST_FILE).column("subject_id").to_pylist()
    assert list(items) == lake and decisions == len(lake) == 10


def _keep_first(linkage: Path, n: int) -> None:
    table = pq.read_table(linkage / worklists.WORKLIST_FILE).slice(0, n)
    pq.write_table(table, linkage / worklists.WORKLIST_FILE)
    kept = set(table.column("subject_id").to_pylist())
    lines = (linkage / worklists.DECISIONS_FILE).read_text().splitlines()
    (linkage / worklists.DECISIONS_FILE).write_text(
        "".join(line + "\n" for line in lines if json.loads(line)["subject_id"] in kept)
    )
    manifest = linkage / worklists.WORKLIST_MANIFEST
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "subjects": n}))


def test_a_build_whose_files_disagree_is_refused_and_nothing_changes(app: FastAPI, published: Path) -> None:
    _build(app, published)
    store = app.state.store
    publish_worklist(store, STEWARD, published)
    table = pq.read_table(published / worklists.WORKLIST_FILE)
    renamed = table.set_column(0, "subject_id", pa.array(["S-stranger", *table.column(0).to_pylist()[1:]]))
    pq.write_table(renamed, published / worklists.WORKLIST_FILE)  # an item no decision backs
    with pytest.raises(InvalidInputError, match="2 subjects in only one file"):
        publish_worklist(store, STEWARD, published)
    with store.transaction() as session:
        stored = set(session.scalars(select(WorklistItemRow.subject_id)))
    assert "S-stranger" not in stored and len(stored) == table.num_rows  # the earlier publish stands


def test_the_decision_route_sets_the_published_decision_beside_the_one_made_now(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    _build(app, published)
    lake = [json.loads(line) for line in (published / worklists.DECISIONS_FILE).read_text().splitlines()]
    subject = lake[0]["subject_id"]
    before = client.get(f"/api/v1/subjects/{subject}/decision", headers=headers_for("analyst")).json()
    assert before["published"] is None
    publish_worklist(app.state.store, STEWARD, published)
    after = client.get(f"/api/v1/subjects/{subject}/decision", headers=headers_for("analyst")).json()
    published_one = after["published"]
    assert (published_one["status"], published_one["explanation"]) == (
        lake[0]["status"],
        lake[0]["explanation"],
    )
    assert published_one["published_by"] == STEWARD.actor
    assert after["status"] == published_one["status"]  # nothing changed since the build


def test_a_published_explanation_is_shown_as_the_purpose_may_see_it(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    """decisions.jsonl keeps each decision whole, reasons resting on withheld records included; what the API
    serves beside the decision made now is that explanation as the worklist's rows show it."""
    _build(app, published)
    lake = [json.loads(line) for line in (published / worklists.DECISIONS_FILE).read_text().splitlines()]
    withheld = [d for d in lake if as_shown(decision_of_record(d)).explanation != d["explanation"]]
    assert withheld, "the world has no decision resting on a record the purpose may not use"
    publish_worklist(app.state.store, STEWARD, published)
    for decided in withheld[:3]:
        url = f"/api/v1/subjects/{decided['subject_id']}/decision"
        shown = client.get(url, headers=headers_for("analyst")).json()["published"]["explanation"]
        assert shown == as_shown(decision_of_record(decided)).explanation != decided["explanation"]
        assert "rests on records withheld for this purpose" in shown
        assert not [k for k in decided["withheld_records"] if k in shown]


def test_publishing_refuses_a_missing_build_an_authority_build_and_a_wrong_role(
    app: FastAPI, published: Path
) -> None:
    store = app.state.store
    with pytest.raises(NotFoundError, match="ilos worklist build"):
        publish_worklist(store, STEWARD, published)
    _build(app, published)
    analyst = Caller("ann", frozenset({Role.analyst}), Purpose.case_investigation, "test")
    with pytest.raises(PermissionDeniedError):
        publish_worklist(store, analyst, published)
    manifest = published / worklists.WORKLIST_MANIFEST
    about = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**about, "authorities": ["A1"]}))
    with pytest.raises(InvalidInputError, match="cited legal authorities"):
        publish_worklist(store, STEWARD, published)
    assert [e.outcome for e in _events(app, "worklist.publish")] == ["denied"]


def test_a_published_worklist_goes_stale_when_the_linkage_changes(
    client: TestClient, app: FastAPI, headers_for: Headers, published: Path
) -> None:
    _build(app, published)
    publish_worklist(app.state.store, STEWARD, published)
    timeline = published / "timeline.parquet"
    pq.write_table(pq.read_table(timeline), timeline)  # a rebuild: same rows, a new file

    body = client.get("/api/v1/worklist", headers=headers_for("analyst")).json()

    assert body["decided_by"] == "decided when first viewed"


def test_ilos_worklist_publish_on_the_command_line(
    app: FastAPI, published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = app.state.store.settings
    monkeypatch.setenv("ILOS_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("ILOS_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("ILOS_DATABASE_URL", raising=False)
    missing = CliRunner().invoke(cli, ["worklist", "publish", str(published)])
    assert missing.exit_code != 0 and "ilos worklist build" in missing.output
    _build(app, published)

    done = CliRunner().invoke(cli, ["worklist", "publish", str(published)])

    assert done.exit_code == 0, done.output
    subjects = pq.read_table(published / "subjects.parquet").num_rows
    assert f"published {subjects:,} decisions for case_investigation" in done.output


def _events(app: FastAPI, action: str) -> list[AuditEventRow]:
    with app.state.store.transaction() as session:
        return list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))
