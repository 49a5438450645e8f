"""`ilos serve --workers N`: every worker listens on the port itself, so connections spread across them;
SIGTERM stops them all; a port another program holds is an error, not a restart loop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ilos.cli.serve_workers import connections_per_process, serving_processes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(tmp_path: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        ILOS_HOME=str(tmp_path),
        ILOS_ENVIRONMENT="test",
        ILOS_SECRET_KEY="serve-test-secret-0123456789",
    )
    env.pop("ILOS_DATABASE_URL", None)
    ilos = str(Path(sys.executable).parent / "ilos")
    command = [ilos, "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_connections_spread_over_the_workers_and_sigterm_stops_them_all(tmp_path: Path) -> None:
    port = _free_port()
    server = _serve(tmp_path, port, 2)
    clients: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 90
        up = 0
        while up < 2 and time.monotonic() < deadline:  # both workers answer once each has started
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                up = (
                    2
                    if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200
                    else 0
                )
            except httpx.TransportError:
                time.sleep(0.2)
        time.sleep(5)  # the second worker may still be importing the app
        for _ in range(40):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: test\r\n\r\n")
            assert b" 200 " in sock.recv(4096)
            clients.append(sock)
        spread = connections_per_process(server.pid, port)
        # With one shared socket a single worker could take all 40; each worker has its own here, and the
        # kernel hashes connections over them (all 40 on one: 2 in 2**40).
        assert len(spread) == 2 and min(spread) > 0 and sum(spread) == 40, spread
        workers = {int(p.name) for p in serving_processes(server.pid)} - {server.pid}
    finally:
        for sock in clients:
            sock.close()
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
        if server.stderr:
            server.stderr.close()
    assert code == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_a_port_held_by_another_program_is_an_error(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        server = _serve(tmp_path, holder.getsockname()[1], 2)
        _, err = server.communicate(timeout=120)
    assert server.returncode != 0
    assert b"cannot listen on 127.0.0.1" in err and b"nothing is serving" in err
