"""`ilos users` and `ilos audit verify` through Typer's runner, against a SQLite store under ILOS_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.config import Settings
from ilos.services.store_access import open_store

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ILOS_HOME", str(tmp_path))
    monkeypatch.delenv("ILOS_DATABASE_URL", raising=False)
    return tmp_path


def test_users_create_reads_the_password_from_stdin_and_list_shows_it(home: Path) -> None:
    created = runner.invoke(
        app, ["users", "create", "ann", "--role", "analyst", "--password-stdin"], input="a long password!\n"
    )
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["users", "list", "--format", "json"])
    assert '"username": "ann"' in listed.output and "a long password" not in listed.output
    assert runner.invoke(app, ["users", "disable", "ann"]).exit_code == 0
    assert '"disabled": true' in runner.invoke(app, ["users", "list", "--format", "json"]).output


def test_users_create_has_no_password_argument(home: Path) -> None:
    help_text = runner.invoke(app, ["users", "create", "--help"]).output
    assert "--password-stdin" in help_text and "--password " not in help_text
    short = runner.invoke(
        app, ["users", "create", "bob", "--role", "analyst", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 2 and "at least 12 characters" in short.output


def test_audit_verify_passes_then_names_the_first_tampered_event(home: Path) -> None:
    for name in ("ann", "bob", "cy"):
        runner.invoke(
            app,
            ["users", "create", name, "--role", "analyst", "--password-stdin"],
            input="a long password!\n",
        )
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "audit chain ok: 3 events" in ok.output
    store = open_store(Settings(home=home))
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET detail = 'edited' WHERE seq = 2"))
    store.close()
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 8 and "broken at event 2" in broken.output


def test_audit_prune_archives_old_events_and_both_verify(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime, timedelta

    from ilos.services import audit_log

    long_ago = datetime.now(UTC) - timedelta(days=800)

    class Clock(datetime):
        @classmethod
        def now(cls, tz: object = None) -> Clock:
            return cls.fromtimestamp(long_ago.timestamp(), UTC)

    monkeypatch.setenv("ILOS_AUDIT_RETENTION_DAYS", "365")
    monkeypatch.setattr(audit_log, "datetime", Clock)
    for name in ("ann", "bob"):
        runner.invoke(
            app,
            ["users", "create", name, "--role", "analyst", "--password-stdin"],
            input="a long password!\n",
        )
    monkeypatch.setattr(audit_log, "datetime", datetime)
    too_recent = runner.invoke(app, ["audit", "prune", "--before", datetime.now(UTC).date().isoformat()])
    assert too_recent.exit_code != 0 and "ILOS_AUDIT_RETENTION_DAYS" in too_recent.output
    before = (long_ago + timedelta(days=1)).date().isoformat()
    pruned = runner.invoke(app, ["audit", "prune", "--before", before])
    assert pruned.exit_code == 0 and "pruned 2 events" in pruned.output, pruned.output
    archive = home / "audit-archive" / "audit-000000000001-000000000002.jsonl"
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    checked = runner.invoke(app, ["audit", "verify", "--archive", str(archive)])
    assert checked.exit_code == 0 and "audit archive ok: 2 events 1..2" in checked.output, checked.output
