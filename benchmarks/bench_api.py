"""API latency under load: 50 concurrent clients on loopback against a uvicorn server over N published
synthetic subjects, mixing subject reads (search and fetch, each audited) with sign-ins (writes).
Prints p50/p95/p99 per kind and the error count. SQLite by default; --postgres uses ILOS_TEST_POSTGRES_URL.
Run: .venv/bin/python benchmarks/bench_api.py [--subjects 100000] [--seconds 20] [--clients 50]"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
import psycopg

from bench_publish import synthetic_rows
from ilos.config import Settings
from ilos.services import publish, users
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store

PASSWORD = "benchmark password"
SECRET = "benchmark-secret-0123456789"
PURPOSE = "case_investigation"


def prepare(settings: Settings, subjects: int) -> list[str]:
    store = open_store(settings)
    users.create_user(store, local_operator(Purpose.administration), "bench", PASSWORD, ["analyst"])
    rows = list(synthetic_rows(subjects))
    publish.publish(store, local_operator(Purpose.data_quality), rows)
    store.close()
    return [r["subject_id"] for r in rows]


async def client(
    http: httpx.AsyncClient,
    ids: list[str],
    token: str,
    until: float,
    seed: int,
    timings: dict[str, list[float]],
    errors: list[str],
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}", "X-ILOS-Purpose": PURPOSE}
    while time.perf_counter() < until:
        roll = rng.random()
        if roll < 0.02:
            kind, request = (
                "sign_in (write)",
                http.post(
                    "/api/v1/auth/token", json={"username": "bench", "password": PASSWORD, "purpose": PURPOSE}
                ),
            )
        elif roll < 0.6:
            kind, request = "subject read", http.get(f"/api/v1/subjects/{rng.choice(ids)}", headers=headers)
        else:
            q = rng.choice(["garcia", "nguyen", "olga", "1975-03-14", f"A{rng.randrange(len(ids)):09d}"])
            kind, request = (
                "subject search",
                http.get("/api/v1/subjects", params={"q": q, "limit": 20}, headers=headers),
            )
        start = time.perf_counter()
        try:
            response = await request
            ok = response.status_code == 200
        except httpx.HTTPError as exc:
            ok, response = False, exc
        timings.setdefault(kind, []).append(time.perf_counter() - start)
        if not ok:
            errors.append(f"{kind}: {response}")


async def load(base: str, ids: list[str], clients: int, seconds: float) -> None:
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        signed = await http.post(
            "/api/v1/auth/token", json={"username": "bench", "password": PASSWORD, "purpose": PURPOSE}
        )
        token = signed.json()["access_token"]
        timings: dict[str, list[float]] = {}
        errors: list[str] = []
        until = time.perf_counter() + seconds
        await asyncio.gather(*(client(http, ids, token, until, i, timings, errors) for i in range(clients)))
    report(timings, errors, seconds)


def report(timings: dict[str, list[float]], errors: list[str], seconds: float) -> None:
    total = sum(len(t) for t in timings.values())
    print(f"{total:,} requests in {seconds:.0f} s ({total / seconds:,.0f} req/s), errors: {len(errors)}")
    for kind, values in sorted(timings.items()):
        q = statistics.quantiles(values, n=100, method="inclusive")
        print(
            f"  {kind:<16} n={len(values):>6,}  p50 {q[49] * 1000:7.1f} ms  p95 {q[94] * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms"
        )
    for error in errors[:5]:
        print("  e.g.", error)


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
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
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--postgres", action="store_true", help="Use ILOS_TEST_POSTGRES_URL (a scratch schema)."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, ILOS_HOME=home, ILOS_ENVIRONMENT="bench", ILOS_SECRET_KEY=SECRET)
        schema = f"ilos_bench_{uuid.uuid4().hex[:8]}" if args.postgres else None
        base_url = os.environ.get("ILOS_TEST_POSTGRES_URL", "")
        if schema:
            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            env["ILOS_DATABASE_URL"] = (
                f"{base_url}{'&' if '?' in base_url else '?'}options={quote(f'-csearch_path={schema}')}"
            )
        else:
            env.pop("ILOS_DATABASE_URL", None)
        try:
            ids = prepare(
                Settings(
                    home=Path(home),
                    environment="bench",
                    secret_key=SECRET,
                    database_url=env.get("ILOS_DATABASE_URL"),
                ),
                args.subjects,
            )
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            server = serve(env, port)
            try:
                print(
                    f"{'postgresql' if schema else 'sqlite'}: {args.subjects:,} subjects, {args.clients} clients"
                )
                asyncio.run(load(f"http://127.0.0.1:{port}", ids, args.clients, args.seconds))
            finally:
                server.terminate()
                server.wait()
        finally:
            if schema:
                with psycopg.connect(base_url, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
