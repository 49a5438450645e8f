"""Deconfliction sees a subject's cooperation as its gates do: the linkage as built plus the certifications the
change worker journaled since, active whatever the case of its status (`deconfliction.linkage_cooperation`)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import BUILT_AS_OF
from ilos.config import Settings
from ilos.errors import ConflictError
from ilos.operations.deconfliction import CooperationCase
from ilos.resolve import linkage
from ilos.services import deconfliction, publish
from ilos.services.access import Caller, Purpose, Role, local_operator
from ilos.services.deconfliction import OperationRequest, linkage_cooperation
from ilos.services.realtime import Worker, post_change
from ilos.services.store_access import Store, open_store
from ilos.services.subjects import TIMELINE_FILE

ERO = Caller("ero-planner", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")


@pytest.fixture
def store(tmp_path: Path, db_url: str) -> Iterator[Store]:
    opened = open_store(
        Settings(
            home=tmp_path, database_url=db_url, environment="test", secret_key="test-secret-key-0123456789"
        )
    )
    yield opened
    opened.close()


def _witness_posted(out: Path, world: Path) -> tuple[str, str]:
    """An FBI material-witness certification, its status written 'active', posted through the worker for
    the person of an encounter whose subject has no cooperation yet; that subject and the record id."""
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    cooperating = {c["subject_id"] for c in clusters if c["source"] == "cooperation"}
    subject_of = {c["record_id"]: c["subject_id"] for c in clusters if c["source"] == "encounters"}
    with (world / "encounters.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if subject_of[r["encounter_id"]] not in cooperating)
    record_id = f"WV-RT-{row['encounter_id']}"
    values = {"coop_id": record_id, "certifying_agency": "FBI", "case_ref": "99998", "witness_last": row["lname"],
              "witness_first": row["fname"], "witness_dob": row["birth_dt"], "cert_type": "MATERIAL_WITNESS",
              "start_date": "2026-10-01", "end_date": None, "status": "active"}  # fmt: skip
    post_change(out, "cooperation", values)
    [done] = Worker(out, as_of=BUILT_AS_OF).run_once()
    assert (done.action, done.subject_id) == ("joined", subject_of[row["encounter_id"]]), done
    return done.subject_id, record_id


def test_cooperation_posted_through_the_worker_conflicts_with_an_operation(
    built_copy: Path, small_world: Path, store: Store
) -> None:
    subject, record_id = _witness_posted(built_copy, small_world)
    home = built_copy.parent
    assert linkage_cooperation(home)([subject]) == [
        CooperationCase(subject, "FBI", record_id, "MATERIAL_WITNESS", True)
    ]
    publish.publish(
        store, local_operator(Purpose.data_quality), [{"subject_id": subject, "display_name": "x"}]
    )
    request = OperationRequest(
        "ERO", "arrest", date(2026, 12, 10), date(2026, 12, 12), subject_ids=(subject,)
    )
    op = deconfliction.register_operation(store, ERO, request)
    assert op.state == "conflicted"
    assert [(c.kind, c.other_agency) for c in op.conflicts] == [("cooperating_witness", "FBI")]


def test_an_operation_cleared_before_a_witness_was_certified_is_checked_again_on_start(
    built_copy: Path, small_world: Path, store: Store
) -> None:
    """Registered while the subject cooperated with nobody, the operation is cleared; the worker then links
    a certification, and starting is refused with the conflict recorded."""
    out = built_copy
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    cooperating = {c["subject_id"] for c in clusters if c["source"] == "cooperation"}
    subject_of = {c["record_id"]: c["subject_id"] for c in clusters if c["source"] == "encounters"}
    with (small_world / "encounters.csv").open(encoding="utf-8") as f:
        first = next(r for r in csv.DictReader(f) if subject_of[r["encounter_id"]] not in cooperating)
    target = subject_of[first["encounter_id"]]
    publish.publish(
        store, local_operator(Purpose.data_quality), [{"subject_id": target, "display_name": "x"}]
    )
    request = OperationRequest("ERO", "arrest", date(2026, 12, 10), date(2026, 12, 12), subject_ids=(target,))
    op = deconfliction.register_operation(store, ERO, request)
    assert op.state == "cleared"
    subject, _ = _witness_posted(out, small_world)
    assert subject == target
    with pytest.raises(ConflictError, match="new conflict"):
        deconfliction.start_operation(store, ERO, op.operation_id)
    shown = deconfliction.read_operation(store, ERO, op.operation_id)
    assert shown.state == "conflicted"
    assert [(c.kind, c.other_agency, c.state) for c in shown.conflicts] == [
        ("cooperating_witness", "FBI", "open")
    ]


def test_an_active_status_is_read_whatever_its_case(built_copy: Path) -> None:
    """A certification in timeline.parquet whose status its source wrote 'Active' (no end date) is active."""
    timeline = built_copy / TIMELINE_FILE
    rewritten = timeline.with_name("timeline_new.parquet")
    con = duckdb.connect()
    try:
        con.execute(
            "COPY (SELECT * REPLACE (list_transform(attributes, lambda a: CASE WHEN a.k = 'status' "
            "THEN {'k': a.k, 'v': 'Active'} ELSE a END) AS attributes) FROM read_parquet($t)) TO $out (FORMAT parquet)",
            {"t": str(timeline), "out": str(rewritten)},
        )
        [subject] = con.execute(
            "SELECT min(subject_id) FROM read_parquet($t) WHERE kind = 'cooperation' "
            "AND map_from_entries(attributes)['end'] IS NULL",
            {"t": str(rewritten)},
        ).fetchone() or [None]
    finally:
        con.close()
    rewritten.replace(timeline)
    assert subject is not None
    cases = linkage_cooperation(built_copy.parent)([subject])
    assert cases and all(c.active for c in cases), cases
