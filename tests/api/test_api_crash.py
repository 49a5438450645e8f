"""A server SIGKILLed while a client writes loses no acknowledged write, and the audit chain still verifies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from ilos.config import Settings
from ilos.services import audit_log, users
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store
from ilos.store.tables import ApiTokenRow, AuditEventRow

PASSWORD = "a long enough password"


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


class Client(threading.Thread):
    """Signs in and searches in a loop, remembering what the server acknowledged."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.tokens, self.queries = base, [], []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=5) as http:
            i = 0
            while not self.stop.is_set():
                i += 1
                try:
                    self._step(http, i)
                except httpx.TransportError:
                    return  # the server is gone

    def _step(self, http: httpx.Client, i: int) -> None:
        body = {"username": "ann", "password": PASSWORD, "purpose": "case_investigation"}
        issued = http.post("/api/v1/auth/token", json=body)
        assert issued.status_code == 200, issued.text
        self.tokens.append(issued.json()["token_id"])
        headers = {
            "Authorization": f"Bearer {issued.json()['access_token']}",
            "X-ILOS-Purpose": "case_investigation",
        }
        for j in range(5):
            q = f"probe {i} {j}"
            if http.get("/api/v1/subjects", params={"q": q}, headers=headers).status_code == 200:
                self.queries.append(q)


@pytest.mark.slow
def test_sigkilled_server_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, environment="test", secret_key="crash-test-secret-0123456789")
    store = open_store(settings)
    users.create_user(store, local_operator(Purpose.administration), "ann", PASSWORD, ["analyst"])
    store.close()
    port = _free_port()
    env = dict(
        os.environ,
        ILOS_HOME=str(tmp_path),
        ILOS_ENVIRONMENT="test",
        ILOS_SECRET_KEY=settings.secret_key.get_secret_value(),
    )
    env.pop("ILOS_DATABASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "ilos.api.app:create_app",
        "--factory",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, server)
        client = Client(base)
        client.start()
        deadline = time.monotonic() + 20
        while len(client.queries) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        client.stop.set()
        client.join(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
    assert client.tokens and client.queries
    _assert_all_acknowledged_writes_kept(settings, client)


def _assert_all_acknowledged_writes_kept(settings: Settings, client: Client) -> None:
    store = open_store(settings)
    with store.transaction() as session:
        tokens = set(session.scalars(select(ApiTokenRow.id)))
        events = list(session.scalars(select(AuditEventRow)))
        assert audit_log.verify_stored_chain(session).ok
    store.close()
    signed_in = {e.object_ids[0] for e in events if e.action == "auth.sign_in" and e.outcome == "ok"}
    searched = {e.query["q"] for e in events if e.action == "subject.search" and e.query}
    assert set(client.tokens) <= tokens and set(client.tokens) <= signed_in
    assert set(client.queries) <= searched
