"""Pruning the audit log on both backends: archive, anchor, delete; the rest and the archive verify;
the database still refuses any other change."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ilos.config import Settings
from ilos.errors import InvalidInputError
from ilos.services import audit_log, audit_prune
from ilos.services.access import Purpose, local_operator
from ilos.services.audit_log import Action, record
from ilos.services.store_access import Store
from ilos.store.audit_events import EventFilter, find_events

OPERATOR = local_operator(Purpose.administration)
OVERSIGHT = local_operator(Purpose.oversight)
LONG_AGO = datetime.now(UTC) - timedelta(days=3 * 365)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """The shortest retention allowed (a year), so three-year-old events may be pruned."""
    return Settings(
        home=tmp_path,
        database_url=db_url,
        environment="test",
        secret_key="test-secret-key-0123456789",
        audit_retention_days=365,
    )


def _append(store: Store, monkeypatch: pytest.MonkeyPatch, n: int, at: datetime | None = None) -> None:
    """Append n events, recorded at `at` (a fixed clock) or now."""
    if at is not None:

        class Clock(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> Clock:
                return cls.fromtimestamp(at.timestamp(), UTC)

        monkeypatch.setattr(audit_log, "datetime", Clock)
    for i in range(n):
        with store.transaction() as session:
            record(session, OVERSIGHT, Action("test.event", "subject", (f"s{i}",), {"i": i}, 1))
    monkeypatch.setattr(audit_log, "datetime", datetime)


def _before() -> date:
    return (LONG_AGO + timedelta(days=30)).date()


def test_prune_archives_old_events_and_both_the_rest_and_the_archive_verify(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _append(store, monkeypatch, 5, LONG_AGO)
    _append(store, monkeypatch, 3)
    result = audit_prune.prune(store, OPERATOR, _before(), tmp_path)
    assert result.events == 5 and result.anchor.seq == 5 and result.archive is not None
    lines = result.archive.read_text().splitlines()
    assert len(lines) == 6 and json.loads(lines[1])["seq"] == 1 and "hash" in json.loads(lines[5])
    assert audit_log.verify(store, OVERSIGHT).ok
    check = audit_prune.verify_archive(store, OVERSIGHT, result.archive)
    assert check.ok and check.verification.checked == 5
    with store.transaction() as session:
        kept = find_events(session, EventFilter(limit=100))
    assert kept[0].seq == 6
    prune_event = next(e for e in kept if e.action == "audit.prune")
    assert prune_event.result_count == 5 and result.archive.name in prune_event.detail


def test_a_second_prune_continues_from_the_anchor(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _append(store, monkeypatch, 2, LONG_AGO)
    _append(store, monkeypatch, 2, LONG_AGO + timedelta(days=60))
    _append(store, monkeypatch, 1)
    first = audit_prune.prune(store, OPERATOR, _before(), tmp_path)
    second = audit_prune.prune(store, OPERATOR, (LONG_AGO + timedelta(days=90)).date(), tmp_path)
    assert (first.events, first.anchor.seq, second.events, second.anchor.seq) == (2, 2, 2, 4)
    assert audit_log.verify(store, OVERSIGHT).ok
    for archive in (first.archive, second.archive):
        assert archive is not None and audit_prune.verify_archive(store, OVERSIGHT, archive).ok
    assert audit_prune.prune(store, OPERATOR, _before(), tmp_path).archive is None  # nothing left


def test_prune_refuses_a_date_inside_the_retention(store: Store, tmp_path: Path) -> None:
    recent = datetime.now(UTC).date() - timedelta(days=store.settings.audit_retention_days - 1)
    with pytest.raises(InvalidInputError) as caught:
        audit_prune.prune(store, OPERATOR, recent, tmp_path)
    assert "ILOS_AUDIT_RETENTION_DAYS" in caught.value.problems[0].message


def test_a_tampered_archive_names_the_changed_event(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _append(store, monkeypatch, 4, LONG_AGO)
    _append(store, monkeypatch, 1)
    result = audit_prune.prune(store, OPERATOR, _before(), tmp_path)
    assert result.archive is not None
    lines = result.archive.read_text().splitlines()
    changed = json.loads(lines[3])
    changed["actor"] = "someone else"
    lines[3] = json.dumps(changed)
    result.archive.write_text("\n".join(lines) + "\n")
    check = audit_prune.verify_archive(store, OVERSIGHT, result.archive)
    assert not check.ok and check.verification.first_bad_seq == 3


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_events WHERE seq = 7",  # old enough but not anchored
        "DELETE FROM audit_events WHERE seq = 9",  # anchored? no: recent
        "UPDATE audit_events SET actor = 'x' WHERE seq = 7",
        "UPDATE audit_anchors SET hash = 'x'",
        "DELETE FROM audit_anchors",
        "INSERT INTO audit_anchors (seq, hash, events, archive, pruned_at) "
        "VALUES (9, 'x', 1, 'forged', '2020-01-01 00:00:00')",
    ],
)
def test_the_database_still_refuses_everything_but_anchored_deletes(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, statement: str
) -> None:
    _append(store, monkeypatch, 5, LONG_AGO)
    audit_prune.prune(store, OPERATOR, _before(), tmp_path)  # events 1..5 pruned, 6 is audit.prune
    _append(store, monkeypatch, 2, LONG_AGO)  # 7, 8: old, after the anchor
    _append(store, monkeypatch, 1)  # 9: recent
    with pytest.raises(DBAPIError, match=r"append-only|anchor"), store.engine.begin() as conn:
        conn.execute(text(statement))
    assert audit_log.verify(store, OVERSIGHT).ok


def _forge_anchor(store: Store, seq: int, archive: str = "forged.jsonl") -> None:
    """Insert an anchor at event `seq` by hand, as anyone with INSERT on audit_anchors could."""
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_anchors (seq, hash, events, archive, pruned_at) "
                "SELECT seq, hash, :events, :archive, :now FROM audit_events WHERE seq = :seq"
            ),
            {"seq": seq, "events": seq, "archive": archive, "now": datetime.now(UTC)},
        )


def test_the_database_refuses_an_anchor_on_a_back_dated_event_after_recent_ones(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Appending with a back-dated `at` and a correct hash is open to the application's role; anchoring such an
    event would let verification skip the recent events before it."""
    _append(store, monkeypatch, 3)
    _append(store, monkeypatch, 1, LONG_AGO)  # event 4, said to be three years old
    with pytest.raises(DBAPIError, match="anchor"):
        _forge_anchor(store, 4)
    assert audit_log.verify(store, OVERSIGHT).ok


def test_the_database_refuses_an_anchor_that_miscounts_its_events(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append(store, monkeypatch, 5, LONG_AGO)
    with pytest.raises(DBAPIError, match="anchor"), store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_anchors (seq, hash, events, archive, pruned_at) "
                "SELECT seq, hash, 3, 'x.jsonl', '2020-01-01 00:00:00' FROM audit_events WHERE seq = 5"
            )
        )


def test_verify_reports_an_anchor_over_events_still_stored(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over year-old events the database accepts a hand-made anchor; verification starting from it would skip
    events 1..5 (whatever was done to them), so it names the anchor instead."""
    _append(store, monkeypatch, 5, LONG_AGO)
    _append(store, monkeypatch, 2)
    _forge_anchor(store, 5)
    result = audit_log.verify(store, OVERSIGHT)
    assert not result.ok and result.first_bad_seq == 5
    assert "anchor 5 (archive forged.jsonl) is not backed by a prune" in result.reason
    assert "events 1..5" in result.reason and "still stored" in result.reason


def test_verify_reports_pruning_outside_audit_prune(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """An anchor and the deletes it allows, without `ilos audit prune`: no audit.prune event names it."""
    _append(store, monkeypatch, 5, LONG_AGO)
    _append(store, monkeypatch, 2)
    _forge_anchor(store, 5)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq <= 5"))
    result = audit_log.verify(store, OVERSIGHT)
    assert not result.ok and result.first_bad_seq == 5
    assert "no audit.prune event after it records 'events 1..5 archived to forged.jsonl'" in result.reason


def test_verify_checks_the_archives_it_finds_against_the_anchors(
    store: Store, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    _append(store, monkeypatch, 2, LONG_AGO)
    _append(store, monkeypatch, 2, LONG_AGO + timedelta(days=60))
    _append(store, monkeypatch, 1)
    archives = settings.home / "audit-archive"  # where verify looks
    audit_prune.prune(store, OPERATOR, _before(), archives)
    second = audit_prune.prune(store, OPERATOR, (LONG_AGO + timedelta(days=90)).date(), archives)
    assert audit_log.verify(store, OVERSIGHT).ok
    assert second.archive is not None
    lines = second.archive.read_text().splitlines()
    header = json.loads(lines[0])
    header["end_hash"] = "f" * 64
    second.archive.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    result = audit_log.verify(store, OVERSIGHT)
    assert not result.ok and result.first_bad_seq == 4
    assert (
        f"anchor 4 (archive {second.archive.name})" in result.reason and "its archive holds" in result.reason
    )
