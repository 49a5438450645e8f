"""The live alerts' service (`services/web_alerts.py`) on the API tests' world: a stay posted from the alerts
page carries only values the poster's purpose may use outside TAX and HEALTH records, and still reaches its
subject; the feed and what the stream pushes are audited naming the subjects shown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ilos.errors import InvalidInputError
from ilos.services import changes, web_alerts
from ilos.services.access import Caller, Purpose, Role
from ilos.services.change_inbox import StoreInbox
from ilos.services.realtime import Worker
from ilos.services.store_access import Store
from ilos.store.inbox_tables import ChangeEventRow
from ilos.store.tables import AuditEventRow
from ilos.web import alerts_page

RESTRICTED_SOURCES = {"tax_addresses", "health_addresses"}
# A supervisor signed in for data quality: may post a stay, may not see HEALTH data.
POSTER = Caller("sup", frozenset({Role.supervisor}), Purpose.data_quality, "test")
READER = Caller("ste", frozenset({Role.data_steward}), Purpose.data_quality, "test")


def _observations(linked: Path) -> list[dict[str, object]]:
    columns = ["subject_id", "attribute", "value", "source"]
    return pq.read_table(linked / "observations.parquet", columns=columns).to_pylist()


def _open_values(linked: Path) -> dict[tuple[str, str], set[str]]:
    """(subject, attribute) -> the values records outside TAX and HEALTH give."""
    values: dict[tuple[str, str], set[str]] = {}
    for o in _observations(linked):
        if o["source"] not in RESTRICTED_SOURCES:
            values.setdefault((str(o["subject_id"]), str(o["attribute"])), set()).add(str(o["value"]))
    return values


def _restricted_only_subject(linked: Path) -> str:
    sources: dict[str, set[str]] = {}
    for c in pq.read_table(linked / "clusters.parquet", columns=["subject_id", "source"]).to_pylist():
        sources.setdefault(c["subject_id"], set()).add(c["source"])
    return next(s for s, of in sorted(sources.items()) if of <= RESTRICTED_SOURCES)


def _subject_dated_by_restricted_records(linked: Path) -> str:
    """A subject open records name but only a TAX or HEALTH record gives a date of birth (its survivorship's)."""
    open_values = _open_values(linked)
    for row in pq.read_table(linked / "subjects.parquet", columns=["subject_id", "best"]).to_pylist():
        sid = str(row["subject_id"])
        dated_by = {b["attribute"]: b["source"] for b in row["best"]}.get("date_of_birth")
        named, dated, numbered = (
            open_values.get((sid, a)) for a in ("family_name", "date_of_birth", "a_number")
        )
        if named and not dated and not numbered and dated_by in RESTRICTED_SOURCES:
            return sid
    raise AssertionError("no subject whose only date of birth is a restricted record's")


def _subject_with_restricted_and_open_records(linked: Path) -> str:
    """A subject with TAX or HEALTH records whose open records give a name and a date of birth."""
    open_values = _open_values(linked)
    restricted = {str(o["subject_id"]) for o in _observations(linked) if o["source"] in RESTRICTED_SOURCES}
    return next(
        sid
        for sid in sorted(restricted)
        if open_values.get((sid, "family_name")) and open_values.get((sid, "date_of_birth"))
    )


def _posted(app: FastAPI, event_id: str) -> ChangeEventRow:
    with app.state.store.transaction() as session:
        return session.scalars(select(ChangeEventRow).where(ChangeEventRow.event_id == event_id)).one()


def _audited(app: FastAPI, action: str) -> list[AuditEventRow]:
    with app.state.store.transaction() as session:
        return list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)).all())


def test_a_stay_carries_only_open_values_and_reaches_its_subject(app: FastAPI, linked: Path) -> None:
    store = app.state.store
    subject_id = _subject_with_restricted_and_open_records(linked)
    event_id = web_alerts.post_stay(store, POSTER, subject_id, "JUDICIAL", date(2026, 12, 1))
    payload = _posted(app, event_id).payload
    dob = payload["DOB"]
    carried = {
        "given_name": payload["FIRST_NAME"], "family_name": payload["LAST_NAME"], "nationality": payload["NAT"],
        "date_of_birth": f"{dob[6:]}-{dob[:2]}-{dob[3:5]}" if dob else None,
    }  # fmt: skip
    open_values = _open_values(linked)
    assert all(v in open_values[(subject_id, a)] for a, v in carried.items() if v), payload
    Worker(linked, inbox=StoreInbox(store, changes.recheck_on_change(store))).run_once()
    assert _posted(app, event_id).subject_id == subject_id  # the stay joined the subject it was posted for


@pytest.mark.parametrize("pick", [_subject_dated_by_restricted_records, _restricted_only_subject])
def test_a_stay_only_restricted_records_could_link_is_refused(
    app: FastAPI, linked: Path, pick: Callable[[Path], str]
) -> None:
    """Posted with their values it would carry TAX or HEALTH data as COURT data; posted without them it would
    found a subject of its own. Refused, audited, nothing posted."""
    subject_id = pick(linked)
    with pytest.raises(InvalidInputError, match="nor a name and date of birth"):
        web_alerts.post_stay(app.state.store, POSTER, subject_id, "JUDICIAL", date(2026, 12, 1))
    with app.state.store.transaction() as session:
        assert session.scalars(select(ChangeEventRow)).all() == []
    [refused] = _audited(app, "change.post")
    assert (refused.object_ids, refused.outcome) == ([subject_id], "invalid_input")


def _one_alert(app: FastAPI, linked: Path) -> str:
    """Post a stay and let the worker link it: one alert, about the subject returned."""
    store = app.state.store
    subject_id = _subject_with_restricted_and_open_records(linked)
    web_alerts.post_stay(store, POSTER, subject_id, "JUDICIAL", date(2026, 12, 1))
    Worker(linked, inbox=StoreInbox(store, changes.recheck_on_change(store))).run_once()
    return subject_id


def test_the_feed_is_audited_naming_the_subjects_shown(app: FastAPI, linked: Path) -> None:
    subject_id = _one_alert(app, linked)
    page = web_alerts.alerts_page(app.state.store, READER)
    assert [a.subject_id for a in page.alerts] == [subject_id]
    [feed] = _audited(app, "alert.feed")
    assert (feed.object_ids, feed.result_count, feed.actor) == ([subject_id], 1, "ste")


def test_each_batch_the_stream_pushes_is_audited_naming_its_subjects(app: FastAPI, linked: Path) -> None:
    subject_id = _one_alert(app, linked)
    assert subject_id in asyncio.run(_first_pushed(app.state.store))
    web_alerts.record_pushed(app.state.store, READER, [])  # an idle poll records nothing
    [push] = _audited(app, "alert.push")
    assert (push.object_ids, push.result_count, push.query) == ([subject_id], 1, {"after": 0})


async def _first_pushed(store: Store) -> str:
    """The first alert the live stream sends from the start of the journal."""
    events = alerts_page._events(store, READER, 0)
    try:
        async for chunk in events:
            if "event: alert" in chunk:
                return chunk
    finally:
        await events.aclose()
    raise AssertionError("the stream ended without an alert")
