"""The CLI's reads and judgements of a linkage are audited under `local:<os-user>` in the store of ILOS_HOME
(`services/operator_reads.py`): `ilos subjects show`, `ilos link explain|review|judge`, `ilos worker alerts`.
A judgement's author is the operator, never a name given with `--by`. A generic linkage with no store
anywhere is read unaudited and no store is made for it."""

from __future__ import annotations

import getpass
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from test_api_changes import _stay_for_a_final_order
from typer.testing import CliRunner

from ilos.cli.main import app as cli
from ilos.resolve.judgements import read_judgements
from ilos.services import changes
from ilos.services.access import Purpose, local_operator
from ilos.services.change_inbox import StoreInbox
from ilos.services.realtime import Worker
from ilos.store.tables import AuditEventRow

runner = CliRunner()
OPERATOR = f"local:{getpass.getuser()}"


@pytest.fixture
def env(app: FastAPI, linked: Path) -> dict[str, str]:
    """The CLI's environment: the app's home and store (the linkage is ILOS_HOME's own)."""
    settings = app.state.store.settings
    return {"ILOS_HOME": str(settings.home), "ILOS_DATABASE_URL": settings.database_url or ""}


def _events(app: FastAPI, action: str) -> list[AuditEventRow]:
    with app.state.store.transaction() as session:
        return list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)).all())


def _typed(key: str) -> str:
    return key.replace("|", ":", 1)


def _restricted_record(linked: Path) -> str:
    """A tax record of the linkage (TAX: the marking the CLI prints unfiltered)."""
    clusters = pq.read_table(linked / "clusters.parquet", columns=["source", "record_id"]).to_pylist()
    return next(f"{c['source']}:{c['record_id']}" for c in clusters if c["source"] == "tax_addresses")


def test_subjects_show_is_audited_naming_the_subject(app: FastAPI, linked: Path, env: dict[str, str]) -> None:
    subject_id = pq.read_table(linked / "subjects.parquet", columns=["subject_id"]).column(0)[0].as_py()
    shown = runner.invoke(cli, ["subjects", "show", str(linked), subject_id, "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    missing = runner.invoke(cli, ["subjects", "show", str(linked), "S-000000000000"], env=env)
    assert missing.exit_code == 3
    [read, refused] = _events(app, "subject.read")
    assert (read.actor, read.client, read.purpose) == (OPERATOR, "local", "data_quality")
    assert (read.object_ids, read.outcome, read.result_count) == ([subject_id], "ok", 1)
    assert (refused.object_ids, refused.outcome) == (["S-000000000000"], "not_found")


def test_link_explain_is_audited_naming_the_records(app: FastAPI, linked: Path, env: dict[str, str]) -> None:
    record = _restricted_record(linked)
    one = runner.invoke(cli, ["link", "explain", str(linked), record], env=env)
    assert one.exit_code == 0, one.output
    [explained] = _events(app, "record.explain")
    assert explained.actor == OPERATOR and explained.object_ids[0] == record.replace(":", "|", 1)
    subject = one.output.split(" subject ", 1)[1].split()[0].rstrip(":")
    assert subject in explained.object_ids  # the subject the output names
    pair = runner.invoke(cli, ["link", "review", str(linked), "--limit", "1", "--format", "json"], env=env)
    [first] = json.loads(pair.output)["pairs"]
    both = runner.invoke(cli, ["link", "explain", str(linked), first["record_a"], first["record_b"]], env=env)
    assert both.exit_code == 0, both.output
    keys = sorted(k.replace(":", "|", 1) for k in (first["record_a"], first["record_b"]))
    assert sorted(_events(app, "record.explain")[1].object_ids) == keys


def test_link_review_is_audited_naming_every_record_shown(
    app: FastAPI, linked: Path, env: dict[str, str]
) -> None:
    shown = runner.invoke(cli, ["link", "review", str(linked), "--limit", "3", "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    pairs = json.loads(shown.output)["pairs"]
    [read] = _events(app, "review.read")
    assert read.actor == OPERATOR and read.result_count == len(pairs) == 3
    assert [_typed(k) for k in read.object_ids] == [r[k] for r in pairs for k in ("record_a", "record_b")]


def test_link_judge_is_the_operators_own_and_audited(app: FastAPI, linked: Path, env: dict[str, str]) -> None:
    queue = runner.invoke(cli, ["link", "review", str(linked), "--limit", "1", "--format", "json"], env=env)
    [pair] = json.loads(queue.output)["pairs"]
    a, b = pair["record_a"], pair["record_b"]
    claimed = runner.invoke(
        cli, ["link", "judge", str(linked), a, b, "unsure", "--by", "supervisor"], env=env
    )
    assert claimed.exit_code == 2 and "local:<os-user>" in claimed.output
    assert read_judgements(linked) == []  # nothing recorded under a name given on the command line
    judged = runner.invoke(cli, ["link", "judge", str(linked), a, b, "no-match"], env=env)
    assert judged.exit_code == 0, judged.output
    assert f"by {OPERATOR}" in judged.output
    [made] = read_judgements(linked)
    assert (made.judged_by, made.verdict) == (OPERATOR, "no_match")
    [event] = _events(app, "review.judge")
    assert (event.actor, event.detail, event.outcome) == (OPERATOR, "no_match", "ok")
    assert sorted(_typed(k) for k in event.object_ids) == sorted((a, b))


def test_worker_alerts_are_audited_naming_their_subjects(
    app: FastAPI, linked: Path, env: dict[str, str], world_linkage: tuple[Path, Path]
) -> None:
    store = app.state.store
    stay = _stay_for_a_final_order(world_linkage[0], linked)
    changes.post_change_event(store, local_operator(Purpose.data_quality), "court_cases", stay)
    Worker(linked, inbox=StoreInbox(store, changes.recheck_on_change(store))).run_once()
    shown = runner.invoke(cli, ["worker", "alerts", str(linked)], env=env)
    assert shown.exit_code == 0, shown.output
    [feed] = _events(app, "alert.feed")
    assert feed.actor == OPERATOR and feed.result_count == 1 and len(feed.object_ids) == 1
    assert feed.object_ids[0] in shown.output


def test_a_generic_linkage_with_no_store_is_read_unaudited_and_no_store_is_made(
    world_linkage: tuple[Path, Path], tmp_path: Path
) -> None:
    linkage = Path(shutil.copytree(world_linkage[1], tmp_path / "generic"))
    home = tmp_path / "no-home"
    env = {"ILOS_HOME": str(home), "ILOS_DATABASE_URL": ""}
    shown = runner.invoke(cli, ["link", "review", str(linkage), "--limit", "1", "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    [pair] = json.loads(shown.output)["pairs"]
    judged = runner.invoke(
        cli, ["link", "judge", str(linkage), pair["record_a"], pair["record_b"], "unsure"], env=env
    )
    assert judged.exit_code == 0, judged.output
    assert [j.judged_by for j in read_judgements(linkage)] == [OPERATOR]
    assert not home.exists()
