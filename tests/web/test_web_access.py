"""Every page and form post refuses a missing session (the browser is sent to sign in: the pages' form of a
401) and a role that may not use it (403, the error page); where the service audits refusals, the refusal
is in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import func, select
from test_web_pages import signed_in

from conftest import World
from ilos.services.store_access import open_store
from ilos.store.tables import AuditEventRow

GETS = ["/review", "/alerts", "/alerts/stream", "/cases", "/cases/C1", "/actions/A1"]
GETS += ["/search", "/search?q=garcia", "/worklist", "/worklist?status=blocked", "/audit"]
GETS += ["/audit?action=subject.read", "/data-health"]
POSTS = ["/review/judgements", "/alerts/changes", "/cases", "/cases/C1/actions", "/actions/A1/steps"]
POSTS += ["/signout"]


@pytest.mark.parametrize(
    ("method", "path"), [("GET", path) for path in GETS] + [("POST", path) for path in POSTS]
)
def test_routes_need_a_session(server: str, method: str, path: str) -> None:
    response = httpx.request(method, f"{server}{path}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/signin?next={quote(path)}&expired=1"


@contextmanager
def audited(world: World) -> Iterator[list[AuditEventRow]]:
    """The audit events the server records while the block runs (read from its store)."""
    store = open_store(world.settings, migrate=False)
    try:
        with store.transaction() as session:
            start = session.scalar(select(func.max(AuditEventRow.seq))) or 0
        events: list[AuditEventRow] = []
        yield events
        with store.transaction() as session:
            after = select(AuditEventRow).where(AuditEventRow.seq > start).order_by(AuditEventRow.seq)
            events += session.scalars(after)
    finally:
        store.close()


def _only(events: list[AuditEventRow], action: str) -> AuditEventRow:
    """The one event of `action` (a refusal records no success beside it)."""
    found = [e for e in events if e.action == action]
    assert len(found) == 1, f"{action}: {[(e.actor, e.outcome) for e in found]}"
    return found[0]


def _refused(
    server: str, world: World, who: tuple[str, str], path: str, action: str, roles: str
) -> tuple[AuditEventRow, list[AuditEventRow]]:
    """GET `path` as `who` (user, purpose): the error page's 403, showing none of the world's subject, and
    the one audited refusal of `action`; returns it and every event recorded meanwhile."""
    with signed_in(server, world, *who) as client, audited(world) as events:
        response = client.get(path)
    assert response.status_code == 403
    assert "Not allowed" in response.text
    assert world.name not in response.text
    denied = _only(events, action)
    expected = (*who, "denied", f"{action} needs one of the roles {roles}")
    assert (denied.actor, denied.purpose, denied.outcome, denied.detail) == expected
    return denied, events


SUBJECT_READERS = "analyst, data_steward, logistics_planner, supervisor"
NOT_OVERSIGHT = [
    ("analyst", "case_investigation"),
    ("steward", "data_quality"),
    ("supervisor", "case_investigation"),
]
HEALTH_READERS = [("steward", "data_quality"), ("supervisor", "data_quality"), ("oversight", "oversight")]


def test_oversight_may_not_read_a_subject_and_the_refusal_is_audited(server: str, world: World) -> None:
    path = f"/subjects/{world.subject_id}"
    denied, _ = _refused(server, world, ("oversight", "oversight"), path, "subject.read", SUBJECT_READERS)
    assert denied.object_ids == [world.subject_id]


def test_oversight_may_not_search_subjects_and_the_refusal_is_audited(server: str, world: World) -> None:
    path = f"/search?q={quote(world.name)}"
    denied, _ = _refused(server, world, ("oversight", "oversight"), path, "subject.search", SUBJECT_READERS)
    assert denied.query == {"q": world.name, "limit": 50}


def test_the_empty_search_form_is_every_signed_in_role_s_home_and_searches_nothing(
    server: str, world: World
) -> None:
    with signed_in(server, world, "oversight", "oversight") as oversight, audited(world) as events:
        assert oversight.get("/").headers["location"] == "/search"
        form = oversight.get("/search")
    assert form.status_code == 200
    assert not [e for e in events if e.action == "subject.search"]


@pytest.mark.parametrize("who", NOT_OVERSIGHT, ids="-".join)
def test_only_oversight_may_open_the_audit_viewer_and_a_refusal_is_audited(
    server: str, world: World, who: tuple[str, str]
) -> None:
    path = "/audit?action=subject.read"
    _, events = _refused(server, world, who, path, "audit.verify", "oversight")
    assert not [e for e in events if e.action == "audit.read"]  # refused before any event was read


@pytest.mark.parametrize("purpose", ["case_investigation", "data_quality"])
def test_an_analyst_may_not_open_data_health_whatever_the_purpose_and_the_refusal_is_audited(
    server: str, world: World, purpose: str
) -> None:
    roles = "data_steward, oversight, supervisor"
    _refused(server, world, ("analyst", purpose), "/data-health", "data_health.read", roles)


@pytest.mark.parametrize("who", HEALTH_READERS, ids="-".join)
def test_data_health_is_served_to_stewards_supervisors_and_oversight(
    server: str, world: World, who: tuple[str, str]
) -> None:
    with signed_in(server, world, *who) as client, audited(world) as events:
        response = client.get("/data-health")
    assert response.status_code == 200
    assert "Quarantine by source and reason" in response.text
    assert _only(events, "data_health.read").outcome == "ok"


def test_an_analyst_may_not_open_the_review_queue_or_judge(server: str, world: World) -> None:
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        assert analyst.get("/review").status_code == 403
        form = {"left": "a|1", "right": "b|2", "verdict": "match", "csrf": analyst.cookies["ilos_csrf"]}
        response = analyst.post("/review/judgements", data=form)
    assert response.status_code == 403
    assert "Not allowed" in response.text


def test_an_oversight_officer_may_not_watch_alerts_and_an_analyst_may_not_post_changes(
    server: str, world: World
) -> None:
    with signed_in(server, world, "oversight", "oversight") as oversight:
        assert oversight.get("/alerts").status_code == 403
        assert oversight.get("/alerts/stream").status_code == 403
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        assert analyst.get("/alerts").status_code == 200
        form = {"subject_id": world.subject_id, "stay_type": "JUDICIAL", "on": "2026-11-01"}
        response = analyst.post("/alerts/changes", data={**form, "csrf": analyst.cookies["ilos_csrf"]})
    assert response.status_code == 403


def test_the_alert_stream_is_event_stream_and_audited_once_per_connection(server: str, world: World) -> None:
    with signed_in(server, world, "steward", "data_quality") as steward:
        with steward.stream("GET", "/alerts/stream", timeout=10) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            first = next(stream.iter_lines())
        assert first == "retry: 2000"
        assert steward.get("/search").status_code == 200  # the server carries on after the client left
    with signed_in(server, world, "oversight", "oversight") as oversight:
        page = oversight.get("/audit", params={"action": "alert.stream", "actor": "steward"}).text
    assert "alert.stream" in page


def test_case_pages_refuse_roles_outside_case_work(server: str, world: World) -> None:
    with signed_in(server, world, "steward", "data_quality") as steward:
        csrf = steward.cookies["ilos_csrf"]
        assert steward.get("/cases").status_code == 403
        assert steward.get("/cases/C1").status_code == 403
        assert steward.get("/actions/A1").status_code == 403
        assert (
            steward.post("/cases", data={"title": "t", "subject_id": "S-1", "csrf": csrf}).status_code == 403
        )
        plan = {"subject_id": "S-1", "kind": "removal", "csrf": csrf}
        assert steward.post("/cases/C1/actions", data=plan).status_code == 403
        step = {"step": "approve", "csrf": csrf}
        assert steward.post("/actions/A1/steps", data=step).status_code == 403
    with signed_in(server, world, "oversight", "oversight") as oversight:
        assert oversight.get("/cases").status_code == 200  # oversight reads cases, never works them
        form = {"title": "t", "subject_id": "S-1", "csrf": oversight.cookies["ilos_csrf"]}
        assert oversight.post("/cases", data=form).status_code == 403
