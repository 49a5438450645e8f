"""A server SIGKILLed while clients write (sign-ins, cases opened on published subjects, notes on those
cases, audited searches) loses no acknowledged write, on SQLite and on PostgreSQL: each is in the store
with its audit event, nothing is stored without its event, and the audit chain still verifies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
from api_world import PASSWORD, SUBJECTS
from sqlalchemy import select

from ilos.config import Settings
from ilos.services import audit_log, publish, users
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store
from ilos.store.operations_tables import CaseNoteRow, CaseRow, CaseSubjectRow
from ilos.store.tables import ApiTokenRow, AuditEventRow

SUBJECT_IDS = [str(s["subject_id"]) for s in SUBJECTS]
WRITERS = 3  # concurrent clients, so that writes are in flight in the server when it is killed
ENOUGH = {"tokens": 6, "cases": 30, "notes": 30, "queries": 30}  # acknowledged before the kill


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "server exited early"
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("server did not start")


@dataclass
class Acknowledged:
    """What the server answered 2xx to, over all clients; anything else it answered is an error."""

    tokens: list[str] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)  # case id -> the subject it was opened on
    notes: list[tuple[str, str]] = field(default_factory=list)  # (case id, text)
    queries: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {name: len(getattr(self, name)) for name in ENOUGH}


class Client(threading.Thread):
    """An analyst in a loop: sign in (every fifth round), open a case on a subject, note on it, search."""

    def __init__(self, base: str, number: int, seen: Acknowledged) -> None:
        super().__init__(daemon=True)
        self.base, self.number, self.seen = base, number, seen
        self.headers: dict[str, str] = {}

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as http:
            i = 0
            while True:
                try:
                    self._round(http, i)
                except httpx.TransportError:
                    return  # the server is gone
                i += 1

    def _acknowledged(self, response: httpx.Response, expected: int) -> bool:
        if response.status_code == expected:
            return True
        with self.seen.lock:
            self.seen.errors.append(f"{response.request.method} {response.request.url.path}: {response.text}")
        return False

    def _round(self, http: httpx.Client, i: int) -> None:
        tag = f"{self.number}-{i}"
        if i % 5 == 0:
            body = {"username": "ann", "password": PASSWORD, "purpose": "case_investigation"}
            issued = http.post("/api/v1/auth/token", json=body)
            if not self._acknowledged(issued, 200):
                return
            self.headers = {
                "Authorization": f"Bearer {issued.json()['access_token']}",
                "X-ILOS-Purpose": "case_investigation",
            }
            with self.seen.lock:
                self.seen.tokens.append(issued.json()["token_id"])
        subject_id = SUBJECT_IDS[i % len(SUBJECT_IDS)]
        case = {"title": f"crash case {tag}", "subject_ids": [subject_id]}
        opened = http.post("/api/v1/cases", json=case, headers=self.headers)
        if not self._acknowledged(opened, 201):
            return
        case_id = opened.json()["case_id"]
        with self.seen.lock:
            self.seen.cases[case_id] = subject_id
        text = f"crash note {tag}"
        noted = http.post(f"/api/v1/cases/{case_id}/notes", json={"text": text}, headers=self.headers)
        if self._acknowledged(noted, 200):
            with self.seen.lock:
                self.seen.notes.append((case_id, text))
        searched = http.get("/api/v1/subjects", params={"q": f"probe {tag}"}, headers=self.headers)
        if self._acknowledged(searched, 200):
            with self.seen.lock:
                self.seen.queries.append(f"probe {tag}")


@pytest.mark.slow
def test_sigkilled_server_keeps_every_acknowledged_write(settings: Settings) -> None:
    store = open_store(settings)
    users.create_user(store, local_operator(Purpose.administration), "ann", PASSWORD, ["analyst"])
    publish.publish(store, local_operator(Purpose.data_quality), SUBJECTS)
    store.close()
    assert settings.database_url  # the db_url fixture's: a SQLite file or a scratch PostgreSQL schema
    port = _free_port()
    env = dict(
        os.environ,
        ILOS_HOME=str(settings.home),
        ILOS_DATABASE_URL=settings.database_url,
        ILOS_ENVIRONMENT="test",
        ILOS_SECRET_KEY=settings.secret_key.get_secret_value(),
    )
    command = [sys.executable, "-m", "uvicorn", "ilos.api.app:create_app", "--factory"]
    server = subprocess.Popen([*command, "--port", str(port), "--log-level", "warning"], env=env)
    seen = Acknowledged()
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, server)
        clients = [Client(base, n, seen) for n in range(WRITERS)]
        for client in clients:
            client.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not seen.errors:
            if all(seen.counts()[name] >= least for name, least in ENOUGH.items()):
                break
            time.sleep(0.02)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        for client in clients:
            client.join(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert not seen.errors
    assert all(not client.is_alive() for client in clients)
    assert all(seen.counts()[name] >= least for name, least in ENOUGH.items()), seen.counts()
    _assert_acknowledged_writes_kept(settings, seen)


def _assert_acknowledged_writes_kept(settings: Settings, seen: Acknowledged) -> None:
    store = open_store(settings)
    try:
        with store.transaction() as session:
            tokens = set(session.scalars(select(ApiTokenRow.id)))
            cases = {(c.case_id, c.subject_id) for c in session.scalars(select(CaseSubjectRow))}
            case_ids = set(session.scalars(select(CaseRow.id)))
            notes = {(n.case_id, n.text) for n in session.scalars(select(CaseNoteRow))}
            events = list(session.scalars(select(AuditEventRow)))
        verification = audit_log.verify(store, local_operator(Purpose.oversight))
    finally:
        store.close()
    ok = [e for e in events if e.outcome == "ok"]
    signed_in = {e.object_ids[0] for e in ok if e.action == "auth.sign_in"}
    opened = {tuple(e.object_ids) for e in ok if e.action == "case.open"}
    noted = Counter(e.object_ids[0] for e in ok if e.action == "case.note")
    searched = {e.query["q"] for e in ok if e.action == "subject.search" and e.query}
    # Every acknowledged write is stored...
    assert set(seen.tokens) <= tokens
    assert set(seen.cases.items()) <= cases
    assert set(seen.notes) <= notes
    assert set(seen.queries) <= searched
    # ...and nothing, acknowledged or caught in flight, is stored without its audit event or vice versa.
    assert tokens == signed_in
    assert opened == cases
    assert {case_id for case_id, _ in cases} == case_ids
    assert noted == Counter(case_id for case_id, _ in notes)
    assert verification.ok, verification.reason
    assert verification.checked == len(events)
