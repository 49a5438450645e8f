"""Every page and form post refuses a missing session (the browser is sent to sign in: the pages' form of a
401) and a role that may not use it (403, the error page); where the service audits refusals, the refusal
is in the audit log. Sign-in (the session cookies, lockout) and sessions that end (idle, expired, signed
out) are here too. Each test runs against a server on SQLite and one on PostgreSQL (`backend`), and reads
the audit log and tokens from that server's own store."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import func, select, update
from test_web_pages import form_token, signed_in
from web_world import Backend, World

from ilos.services import users
from ilos.services.access import Purpose, local_operator
from ilos.services.demo import DEMO_USERS
from ilos.services.store_access import Store, open_store
from ilos.store.tables import ApiTokenRow, AuditEventRow, UserRow

GETS = ["/review", "/alerts", "/alerts/stream", "/cases", "/cases/C1", "/actions/A1"]
GETS += ["/search", "/search?q=garcia", "/worklist", "/worklist?status=blocked", "/audit"]
GETS += ["/audit?action=subject.read", "/data-health"]
POSTS = ["/review/judgements", "/alerts/changes", "/cases", "/cases/C1/actions", "/actions/A1/steps"]
POSTS += ["/signout"]
SIGN_IN_REFUSED = "Username or password is wrong, or the account is disabled or locked"
ENDED = "Your session has ended"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", path) for path in GETS] + [("POST", path) for path in POSTS]
)
def test_routes_need_a_session(backend: Backend, method: str, path: str) -> None:
    response = httpx.request(method, f"{backend.server}{path}")
    assert response.status_code == 303
    back_to = path if method == "GET" else "/"  # a form post without a Referer: the home page
    assert response.headers["location"] == f"/signin?next={quote(back_to)}"  # no session cookie: none ended


def test_a_form_post_without_a_session_returns_to_the_page_the_form_was_on(backend: Backend) -> None:
    """A redirect cannot replay a POST: after signing in the browser goes back to the form's page."""
    page = f"{backend.server}/cases/C1?tab=actions"
    response = httpx.post(f"{backend.server}/cases/C1/actions", headers={"Referer": page})
    assert response.headers["location"] == f"/signin?next={quote('/cases/C1?tab=actions')}"
    elsewhere = httpx.post(f"{backend.server}/cases", headers={"Referer": "https://evil.example/cases"})
    assert elsewhere.headers["location"] == f"/signin?next={quote('/')}"


def test_a_first_visit_is_asked_to_sign_in_and_not_told_a_session_ended(backend: Backend) -> None:
    with httpx.Client(base_url=backend.server, follow_redirects=True) as client:
        response = client.get("/worklist?status=blocked")
    assert response.status_code == 200
    assert response.url.raw_path.decode() == f"/signin?next={quote('/worklist?status=blocked')}"
    assert 'name="csrf"' in response.text
    assert ENDED not in response.text


@contextmanager
def opened(world: World) -> Iterator[Store]:
    """The store the world's server uses (its backend's), opened beside the server."""
    store = open_store(world.settings, migrate=False)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def audited(world: World) -> Iterator[list[AuditEventRow]]:
    """The audit events the server records while the block runs (read from its store)."""
    with opened(world) as store:
        with store.transaction() as session:
            start = session.scalar(select(func.max(AuditEventRow.seq))) or 0
        events: list[AuditEventRow] = []
        yield events
        with store.transaction() as session:
            after = select(AuditEventRow).where(AuditEventRow.seq > start).order_by(AuditEventRow.seq)
            events += session.scalars(after)


def _only(events: list[AuditEventRow], action: str) -> AuditEventRow:
    """The one event of `action` (a refusal records no success beside it)."""
    found = [e for e in events if e.action == action]
    assert len(found) == 1, f"{action}: {[(e.actor, e.outcome) for e in found]}"
    return found[0]


def _refused(
    backend: Backend, who: tuple[str, str], path: str, action: str, roles: str
) -> tuple[AuditEventRow, list[AuditEventRow]]:
    """GET `path` as `who` (user, purpose): the error page's 403, showing none of the world's subject, and
    the one audited refusal of `action`; returns it and every event recorded meanwhile."""
    world = backend.world
    with signed_in(backend.server, world, *who) as client, audited(world) as events:
        response = client.get(path)
    assert response.status_code == 403
    assert "Not allowed" in response.text
    assert world.name not in response.text
    denied = _only(events, action)
    acting = dict(DEMO_USERS)[who[0]].value  # a demo user holds one role: it acts as that role
    expected = (*who, "denied", f"{action} needs one of the roles {roles} (acting as {acting})")
    assert (denied.actor, denied.purpose, denied.outcome, denied.detail) == expected
    return denied, events


SUBJECT_READERS = "analyst, data_steward, logistics_planner, supervisor"
NOT_OVERSIGHT = [
    ("analyst", "case_investigation"),
    ("steward", "data_quality"),
    ("supervisor", "case_investigation"),
]
HEALTH_READERS = [("steward", "data_quality"), ("supervisor", "data_quality"), ("oversight", "oversight")]


def test_oversight_may_not_read_a_subject_and_the_refusal_is_audited(backend: Backend) -> None:
    path = f"/subjects/{backend.world.subject_id}"
    denied, _ = _refused(backend, ("oversight", "oversight"), path, "subject.read", SUBJECT_READERS)
    assert denied.object_ids == [backend.world.subject_id]


@pytest.mark.parametrize(
    "junk", ["S" * 3000, "S" * 65, "S-1<script>"], ids=["3000-chars", "65-chars", "markup"]
)
def test_an_id_no_subject_has_is_refused_before_it_is_read_or_audited(backend: Backend, junk: str) -> None:
    """As the API refuses a subject id over 64 characters (422) before the read, the page refuses one (or one
    of characters no subject id has): the junk never reaches the audit chain."""
    world = backend.world
    with (
        signed_in(backend.server, world, "analyst", "case_investigation") as client,
        audited(world) as events,
    ):
        response = client.get(f"/subjects/{quote(junk)}")
    assert response.status_code == 422
    assert "Check what you entered" in response.text
    assert not [e for e in events if e.action == "subject.read"]


def test_oversight_may_not_search_subjects_and_the_refusal_is_audited(backend: Backend) -> None:
    name = backend.world.name
    denied, _ = _refused(
        backend, ("oversight", "oversight"), f"/search?q={quote(name)}", "subject.search", SUBJECT_READERS
    )
    assert denied.query == {"q": name, "limit": 50}


def test_the_empty_search_form_is_every_signed_in_role_s_home_and_searches_nothing(backend: Backend) -> None:
    world = backend.world
    with signed_in(backend.server, world, "oversight", "oversight") as oversight, audited(world) as events:
        assert oversight.get("/").headers["location"] == "/search"
        form = oversight.get("/search")
    assert form.status_code == 200
    assert not [e for e in events if e.action == "subject.search"]


@pytest.mark.parametrize("who", NOT_OVERSIGHT, ids="-".join)
def test_only_oversight_may_open_the_audit_viewer_and_a_refusal_is_audited(
    backend: Backend, who: tuple[str, str]
) -> None:
    _, events = _refused(backend, who, "/audit?action=subject.read", "audit.verify", "oversight")
    assert not [e for e in events if e.action == "audit.read"]  # refused before any event was read


@pytest.mark.parametrize("purpose", ["case_investigation", "data_quality"])
def test_an_analyst_may_not_open_data_health_whatever_the_purpose_and_the_refusal_is_audited(
    backend: Backend, purpose: str
) -> None:
    roles = "data_steward, oversight, supervisor"
    _refused(backend, ("analyst", purpose), "/data-health", "data_health.read", roles)


@pytest.mark.parametrize("who", HEALTH_READERS, ids="-".join)
def test_data_health_is_served_to_stewards_supervisors_and_oversight(
    backend: Backend, who: tuple[str, str]
) -> None:
    world = backend.world
    with signed_in(backend.server, world, *who) as client, audited(world) as events:
        response = client.get("/data-health")
    assert response.status_code == 200
    assert "Quarantine by source and reason" in response.text
    assert _only(events, "data_health.read").outcome == "ok"


def test_an_analyst_may_not_open_the_review_queue_or_judge(backend: Backend) -> None:
    with signed_in(backend.server, backend.world, "analyst", "case_investigation") as analyst:
        assert analyst.get("/review").status_code == 403
        form = {"left": "a|1", "right": "b|2", "verdict": "match", "csrf": form_token(analyst)}
        response = analyst.post("/review/judgements", data=form)
    assert response.status_code == 403
    assert "Not allowed" in response.text


def test_an_oversight_officer_may_not_watch_alerts_and_an_analyst_may_not_post_changes(
    backend: Backend,
) -> None:
    server, world = backend.server, backend.world
    with signed_in(server, world, "oversight", "oversight") as oversight:
        assert oversight.get("/alerts").status_code == 403
        assert oversight.get("/alerts/stream").status_code == 403
    with signed_in(server, world, "analyst", "case_investigation") as analyst:
        assert analyst.get("/alerts").status_code == 200
        form = {"subject_id": world.subject_id, "stay_type": "JUDICIAL", "on": "2026-11-01"}
        response = analyst.post("/alerts/changes", data={**form, "csrf": form_token(analyst)})
    assert response.status_code == 403


def test_the_alert_stream_is_event_stream_and_audited_once_per_connection(backend: Backend) -> None:
    server, world = backend.server, backend.world
    with signed_in(server, world, "steward", "data_quality") as steward:
        with steward.stream("GET", "/alerts/stream", timeout=10) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            first = next(stream.iter_lines())
        assert first == "retry: 2000"
        assert steward.get("/search").status_code == 200  # the server carries on after the client left
    with signed_in(server, world, "oversight", "oversight") as oversight:
        page = oversight.get("/audit", params={"action": "alert.stream", "actor": "steward"}).text
    assert "alert.stream" in page


def test_case_pages_refuse_roles_outside_case_work(backend: Backend) -> None:
    server, world = backend.server, backend.world
    with signed_in(server, world, "steward", "data_quality") as steward:
        csrf = form_token(steward)
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
        form = {"title": "t", "subject_id": "S-1", "csrf": form_token(oversight)}
        assert oversight.post("/cases", data=form).status_code == 403


def _post_sign_in(client: httpx.Client, username: str, password: str, purpose: str) -> httpx.Response:
    """The sign-in form as a browser posts it (with the form's CSRF token), next=/worklist."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text)
    assert found is not None
    form = {"username": username, "password": password, "purpose": purpose, "csrf": found.group(1)}
    return client.post("/signin", data={**form, "next": "/worklist"})


def _token(store: Store, session_cookie: str) -> ApiTokenRow:
    """The stored session behind a session cookie (found by its keyed hash, as the server finds it)."""
    digest = users.token_digest(store.settings.secret_key.get_secret_value(), session_cookie)
    with store.transaction() as session:
        row = session.scalars(select(ApiTokenRow).where(ApiTokenRow.token_hash == digest)).one()
        session.expunge(row)
    return row


def test_sign_in_sets_http_only_strict_session_cookies_for_the_purpose_and_is_audited(
    backend: Backend,
) -> None:
    world = backend.world
    with httpx.Client(base_url=backend.server) as client, audited(world) as events:
        response = _post_sign_in(client, "analyst", world.passwords["analyst"], "case_investigation")
        assert client.get("/worklist").status_code == 200
    assert (response.status_code, response.headers["location"]) == (303, "/worklist")
    set_cookies = {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}
    lifetime = world.settings.token_lifetime_hours * 3600
    assert set(set_cookies) == {"ilos_session", "ilos_purpose"}
    for cookie in set_cookies.values():
        attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/", f"max-age={lifetime}"} <= attributes
        assert "secure" not in attributes  # plain http on loopback; https sets it
    assert set_cookies["ilos_purpose"].startswith("ilos_purpose=case_investigation;")
    session_cookie = set_cookies["ilos_session"].split(";")[0].split("=", 1)[1]
    with opened(world) as store:
        token = _token(store, session_cookie)
        with store.transaction() as session:
            user = session.get(UserRow, token.user_id)
            assert user is not None and user.username == "analyst"
    assert (token.kind, token.purpose, token.role, token.revoked) == (
        "session",
        "case_investigation",
        "analyst",
        False,
    )
    signed = _only(events, "auth.sign_in")
    assert (signed.actor, signed.purpose, signed.outcome) == ("analyst", "case_investigation", "ok")
    assert (signed.object_ids, signed.query) == ([token.id], {"kind": "session", "role": "analyst"})


def test_five_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too(
    backend: Backend,
) -> None:
    """A user of this test's own (the demo users stay usable): every refusal is the same generic page."""
    world, username, password = backend.world, f"lockout-{uuid.uuid4().hex[:8]}", "the right password!"
    with opened(world) as store:
        users.create_user(store, local_operator(Purpose.administration), username, password, ["analyst"])
    with httpx.Client(base_url=backend.server) as client, audited(world) as events:
        refusals = [_post_sign_in(client, username, f"wrong {n}", "case_investigation") for n in range(5)]
        refusals.append(_post_sign_in(client, username, password, "case_investigation"))
        assert "ilos_session" not in client.cookies
    for refused in refusals:
        assert refused.status_code == 401
        assert SIGN_IN_REFUSED in refused.text
    details = [e.detail for e in events if e.action == "auth.sign_in"]
    assert details[:5] == ["wrong password"] * 5
    assert len(details) == 6 and details[5].startswith("account locked until ")
    assert {(e.actor, e.outcome) for e in events if e.action == "auth.sign_in"} == {(username, "denied")}
    with opened(world) as store, store.transaction() as session:
        user = session.scalars(select(UserRow).where(UserRow.username == username)).one()
        locked_for = timedelta(minutes=world.settings.lockout_minutes - 1)
        assert user.locked_until is not None and user.locked_until > datetime.now(UTC) + locked_for


def _end(store: Store, token: ApiTokenRow, how: str) -> None:
    """End a session in the store the way time would: idle past the limit, or past its lifetime."""
    now = datetime.now(UTC)
    idle = timedelta(minutes=store.settings.session_idle_minutes + 1)
    values = {"last_seen_at": now - idle} if how == "idle" else {"expires_at": now - timedelta(seconds=1)}
    with store.transaction() as session:
        session.execute(update(ApiTokenRow).where(ApiTokenRow.id == token.id).values(**values))


def _ended_session(backend: Backend, how: str) -> str:
    """The Cookie header of a session that has ended `how` (signed in first, except `unknown`: a cookie the
    server never issued)."""
    if how == "unknown":
        return f"ilos_session={secrets.token_urlsafe(32)}; ilos_purpose=case_investigation"
    with signed_in(backend.server, backend.world, "analyst", "case_investigation") as analyst:
        cookies = {name: analyst.cookies[name] for name in ("ilos_session", "ilos_purpose")}
        assert analyst.get("/worklist").status_code == 200
        if how == "signed_out":
            assert analyst.post("/signout", data={"csrf": form_token(analyst)}).status_code == 303
        else:
            with opened(backend.world) as store:
                _end(store, _token(store, cookies["ilos_session"]), how)
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@pytest.mark.parametrize("how", ["idle", "expired", "signed_out", "unknown"])
def test_a_session_that_has_ended_sends_the_browser_to_sign_in_again_saying_so(
    backend: Backend, how: str
) -> None:
    """The browser still presents the old cookies (a signed-out tab elsewhere; cookies outlive idleness)."""
    header = _ended_session(backend, how)
    response = httpx.get(f"{backend.server}/worklist?status=blocked", headers={"cookie": header})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"/signin?next={quote('/worklist?status=blocked')}&expired=1"
    assert ENDED in httpx.get(f"{backend.server}{location}").text
    deleted = [c for c in response.headers.get_list("set-cookie") if c.startswith("ilos_session=")]
    assert deleted and "Max-Age=0" in deleted[0]  # the next first visit is not told its session ended


def test_a_purpose_cookie_other_than_the_session_s_is_refused_and_audited(backend: Backend) -> None:
    world = backend.world
    with signed_in(backend.server, world, "analyst", "case_investigation") as analyst:
        header = f"ilos_session={analyst.cookies['ilos_session']}; ilos_purpose=data_quality"
    with audited(world) as events:
        response = httpx.get(f"{backend.server}/search", headers={"cookie": header})
    assert response.status_code == 403
    assert "Not allowed" in response.text
    denied = _only(events, "auth.purpose")
    assert (denied.actor, denied.purpose, denied.outcome) == ("analyst", "case_investigation", "denied")
    assert denied.detail == "token was issued for purpose case_investigation, request declared data_quality"
