"""Every route added for the review queue, live alerts and cases refuses a missing session (the browser is
sent to sign in: the pages' form of a 401) and a role that may not use it (403, the error page)."""

from __future__ import annotations

import httpx
import pytest
from test_web_pages import signed_in

from conftest import World

GETS = ["/review", "/alerts", "/alerts/stream", "/cases", "/cases/C1", "/actions/A1"]
POSTS = ["/review/judgements", "/alerts/changes", "/cases", "/cases/C1/actions", "/actions/A1/steps"]


@pytest.mark.parametrize("path", GETS + POSTS)
def test_new_routes_need_a_session(server: str, path: str) -> None:
    method = "GET" if path in GETS else "POST"
    response = httpx.request(method, f"{server}{path}")
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/signin?next={path}")


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
