"""API latency under load: 50 concurrent clients on loopback against `ilos serve` (uvicorn, N workers)
over N published synthetic subjects, mixing subject reads and searches (each audited, so each also
writes an audit event) with writes: cases opened on a subject and notes added to them (the change and
its audit event in one transaction) and sign-ins (a token row plus argon2). Prints p50/p95/p99 per kind,
throughput, the error count and the machine's load average.

Two ways to load the server:
  closed (default)  each client sends its next request as soon as the last one answers: saturation
                    throughput; latency is then clients / throughput by construction.
  --rate R          open loop at R requests/s in total (Poisson arrivals spread over the clients);
                    latency counts from when a request was due, so a slow server cannot hide queueing.

The load generator is a minimal HTTP/1.1 keep-alive client on asyncio streams (one connection per
client), so that on a small machine it takes little CPU from the server it measures.
SQLite by default; --postgres uses ILOS_TEST_POSTGRES_URL (a scratch schema, dropped after).
Run: .venv/bin/python benchmarks/bench_api.py [--postgres] [--workers 2] [--rate 200] [--seconds 20]"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import psycopg

from bench_publish import synthetic_rows
from ilos.cli.serve_workers import connections_per_process, serving_processes
from ilos.config import Settings
from ilos.services import publish, users
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store

PASSWORD = "benchmark password"
SECRET = "benchmark-secret-0123456789"
PURPOSE = "case_investigation"
SIGN_IN = json.dumps({"username": "bench", "password": PASSWORD, "purpose": PURPOSE}).encode()


def prepare(settings: Settings, subjects: int) -> list[str]:
    store = open_store(settings)
    users.create_user(store, local_operator(Purpose.administration), "bench", PASSWORD, ["analyst"])
    rows = list(synthetic_rows(subjects))
    publish.publish(store, local_operator(Purpose.data_quality), rows)
    store.close()
    return [r["subject_id"] for r in rows]


class Connection:
    """One keep-alive HTTP/1.1 connection: write a request, read status, headers and a sized body.

    uvicorn closes a connection idle for 5 s, so one idle for longer is reopened first, as a real
    client's pool would."""

    IDLE = 4.0

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.auth = f"Authorization: Bearer {token}\r\nX-ILOS-Purpose: {PURPOSE}\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is not None and time.perf_counter() - self.used > self.IDLE:
            self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        extra = self.auth + (
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if body else ""
        )
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: bench\r\n{extra}\r\n".encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        payload = await self.reader.readexactly(length)
        self.used = time.perf_counter()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Results:
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def next_request(rng: random.Random, ids: list[str], cases: list[str]) -> tuple[str, str, str, bytes]:
    """About 1 request in 8 writes: 2% sign-ins, 4% cases opened, 6% notes on a case this client opened."""
    roll = rng.random()
    if roll < 0.02:
        return "sign_in (write)", "POST", "/api/v1/auth/token", SIGN_IN
    if roll < 0.06 or (roll < 0.12 and not cases):
        case = {"title": "benchmark case", "subject_ids": [rng.choice(ids)]}
        return "case open (write)", "POST", "/api/v1/cases", json.dumps(case).encode()
    if roll < 0.12:
        note = json.dumps({"text": f"note {rng.randrange(10**6)}"}).encode()
        return "case note (write)", "POST", f"/api/v1/cases/{rng.choice(cases)}/notes", note
    if roll < 0.6:
        return "subject read", "GET", f"/api/v1/subjects/{rng.choice(ids)}", b""
    q = rng.choice(["garcia", "nguyen", "olga", "1975-03-14", f"A{rng.randrange(len(ids)):09d}"])
    return "subject search", "GET", "/api/v1/subjects?" + urlencode({"q": q, "limit": 20}), b""


async def client(
    port: int, token: str, ids: list[str], until: float, seed: int, gap: float | None, results: Results
) -> None:
    """Closed loop when `gap` is None; otherwise requests fall due at Poisson times `gap` apart on average."""
    rng = random.Random(seed)
    conn = Connection(port, token)
    cases: list[str] = []
    due = time.perf_counter() + (rng.expovariate(1 / gap) if gap else 0)
    try:
        while due < until:
            if gap:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            start = due if gap else time.perf_counter()
            kind, method, path, body = next_request(rng, ids, cases)
            try:
                status, payload = await conn.request(method, path, body)
            except (OSError, asyncio.IncompleteReadError) as exc:
                status, payload, conn = 0, b"", Connection(port, token)
                results.errors.append(f"{kind}: {exc!r}")
            end = time.perf_counter()
            results.timings.setdefault(kind, []).append(end - start)
            if status == 201 and kind.startswith("case open"):
                cases.append(json.loads(payload)["case_id"])
            elif status not in (200, 0):
                results.errors.append(f"{kind}: HTTP {status}")
            due = due + rng.expovariate(1 / gap) if gap else end
    finally:
        conn.close()


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its direct children (the uvicorn workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for process in serving_processes(pid):
        try:
            fields = (process / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


async def load(
    port: int, ids: list[str], clients: int, seconds: float, rate: float | None, server_pid: int
) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        signed = await http.post(
            "/api/v1/auth/token", content=SIGN_IN, headers={"Content-Type": "application/json"}
        )
    token = signed.json()["access_token"]
    results = Results()
    gap = clients / rate if rate else None
    began, server_cpu, client_cpu = time.perf_counter(), tree_cpu_seconds(server_pid), time.process_time()
    until = began + seconds
    tasks = [asyncio.create_task(client(port, token, ids, until, i, gap, results)) for i in range(clients)]
    await asyncio.sleep(min(seconds / 2, 5))
    print(f"  connections per server process: {connections_per_process(server_pid, port)}")
    await asyncio.gather(*tasks)
    cpu = (tree_cpu_seconds(server_pid) - server_cpu, time.process_time() - client_cpu)
    report(results, time.perf_counter() - began, cpu)


def admin_url(url: str) -> str:
    """psycopg's own form of a SQLAlchemy URL (ILOS_TEST_POSTGRES_URL may name the driver)."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def report(results: Results, seconds: float, cpu: tuple[float, float]) -> None:
    total = sum(len(t) for t in results.timings.values())
    load1, load5, _ = os.getloadavg()
    print(
        f"{total:,} requests in {seconds:.1f} s ({total / seconds:,.0f} req/s), "
        f"errors: {len(results.errors)}; load average {load1:.2f} (1 min) {load5:.2f} (5 min) "
        f"on {os.cpu_count()} CPUs"
    )
    print(
        f"  CPU per request: server {cpu[0] / max(total, 1) * 1000:.2f} ms, "
        f"load generator {cpu[1] / max(total, 1) * 1000:.2f} ms (PostgreSQL's own not counted)"
    )
    for kind, values in sorted(results.timings.items()):
        q = statistics.quantiles(values, n=100, method="inclusive")
        print(
            f"  {kind:<16} n={len(values):>6,}  p50 {q[49] * 1000:7.1f} ms  "
            f"p95 {q[94] * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms"
        )
    for error in results.errors[:5]:
        print("  e.g.", error)


def serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    ilos = str(Path(sys.executable).parent / "ilos")
    command = [ilos, "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300  # a loaded machine can take minutes to start the workers
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                time.sleep(0.5 * workers)  # let every worker finish starting
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("server did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settle(base_url: str, schema: str) -> None:
    """Measure the steady state, not the aftermath of loading 100k subjects: write the bulk load's WAL out
    now (a checkpoint it would otherwise trigger mid-run stalls every commit) and refresh the statistics."""
    with psycopg.connect(admin_url(base_url), autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def run(args: argparse.Namespace, home: str, schema: str | None, base_url: str) -> None:
    env = dict(os.environ, ILOS_HOME=home, ILOS_ENVIRONMENT="bench", ILOS_SECRET_KEY=SECRET)
    env.pop("ILOS_DATABASE_URL", None)
    if schema:
        separator = "&" if "?" in base_url else "?"
        env["ILOS_DATABASE_URL"] = f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"
    settings = Settings(
        home=Path(home), environment="bench", secret_key=SECRET, database_url=env.get("ILOS_DATABASE_URL")
    )
    ids = prepare(settings, args.subjects)
    if schema:
        settle(base_url, schema)
    port = free_port()
    server = serve(env, port, args.workers)
    try:
        mode = f"open loop at {args.rate:g} req/s" if args.rate else "closed loop"
        print(
            f"{'postgresql' if schema else 'sqlite'}: {args.subjects:,} subjects, {args.clients} clients, "
            f"{args.workers} worker(s), {mode}; load average before: {os.getloadavg()[0]:.2f}"
        )
        asyncio.run(load(port, ids, args.clients, args.seconds, args.rate, server.pid))
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--workers", type=int, default=2, help="Server worker processes (ilos serve --workers)."
    )
    parser.add_argument("--rate", type=float, default=None, help="Open loop: total requests per second.")
    parser.add_argument(
        "--postgres", action="store_true", help="Use ILOS_TEST_POSTGRES_URL (a scratch schema)."
    )
    args = parser.parse_args()
    base_url = os.environ.get("ILOS_TEST_POSTGRES_URL", "")
    schema = f"ilos_bench_{uuid.uuid4().hex[:8]}" if args.postgres else None
    with tempfile.TemporaryDirectory() as home:
        if schema:
            with psycopg.connect(admin_url(base_url), autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            run(args, home, schema, base_url)
        finally:
            if schema:
                with psycopg.connect(admin_url(base_url), autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
