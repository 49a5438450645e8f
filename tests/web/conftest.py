"""Web fixtures: one small published world per session (pipeline run once), its demo users, a real uvicorn
server on a free loopback port, and a headless Debian Chromium driven by Playwright.

The world and server are SQLite's; `backend` gives a test the same world and server on each store backend,
PostgreSQL's (a schema of its own on ILOS_TEST_POSTGRES_URL, dropped at the end) built only when a test
asks for it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from web_world import ARTIFACTS, Backend, History, World

from ilos.config import Settings
from ilos.services.demo import reset_demo_users, run_demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PERSONS = 200
POSTGRES_ENV = "ILOS_TEST_POSTGRES_URL"  # as tests/conftest.py: PostgreSQL runs only when it is set
NO_POSTGRES = f"the PostgreSQL variant needs {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)"


def _publish_world(home: Path, database_url: str | None) -> World:
    """The demo pipeline into `home`, published to the store `database_url` names (None: SQLite under home;
    given explicitly so an ILOS_DATABASE_URL in the environment never decides)."""
    settings = Settings(home=home, database_url=database_url)
    run_demo(settings, PERSONS, 3, lambda _message: None)
    passwords = {u.username: u.password for u in reset_demo_users(settings)}
    import duckdb

    [(subject_id, name)] = duckdb.sql(
        "SELECT subject_id, list_filter(best, lambda b: b.attribute = 'full_name')[1].value "
        f"FROM read_parquet('{home / 'linkage' / 'subjects.parquet'}') ORDER BY record_count DESC, subject_id LIMIT 1"
    ).fetchall()
    return World(settings, passwords, subject_id, name)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return _publish_world(tmp_path_factory.mktemp("web-world"), None)


@pytest.fixture(scope="session")
def pg_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The same world published to a PostgreSQL schema of its own (dropped after the session)."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(NO_POSTGRES)
    import psycopg

    schema = f"ilos_web_{uuid.uuid4().hex[:12]}"
    admin_url = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        home = tmp_path_factory.mktemp("web-world-pg")
        yield _publish_world(home, f"{base}{separator}options={quote(f'-csearch_path={schema}')}")
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(world: World) -> Iterator[str]:
    """A real uvicorn process serving `ilos serve`'s app (web pages and the API) over `world`'s home and
    store; its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "ILOS_DATABASE_URL"}
    env["ILOS_HOME"] = str(world.settings.home)
    if world.settings.database_url:
        env["ILOS_DATABASE_URL"] = world.settings.database_url
    command = [sys.executable, "-m", "uvicorn", "--factory", "ilos.server:create_server",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    log_path = world.settings.home / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/signin", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the web server did not start: {log_path.read_text()}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def server(world: World) -> Iterator[str]:
    """The server over the session's (SQLite) world."""
    with _serving(world) as base:
        yield base


@pytest.fixture(scope="session")
def pg_server(pg_world: World) -> Iterator[str]:
    """The server over the PostgreSQL world (stopped before its schema is dropped)."""
    with _serving(pg_world) as base:
        yield base


def _backend_params() -> list[object]:
    """Both backends, decided as tests/conftest.py's `_backends()` decides; without ILOS_TEST_POSTGRES_URL
    the PostgreSQL variant is reported as skipped, with the reason."""
    postgres = [pytest.mark.postgres]
    if not os.environ.get(POSTGRES_ENV):
        postgres.append(pytest.mark.skip(reason=NO_POSTGRES))
    return ["sqlite", pytest.param("postgresql", marks=postgres)]


@pytest.fixture(params=_backend_params())
def backend(request: pytest.FixtureRequest) -> Backend:
    """The world and server of one backend; PostgreSQL's are built when the first test asks for them."""
    if request.param == "sqlite":
        return Backend("sqlite", request.getfixturevalue("world"), request.getfixturevalue("server"))
    return Backend("postgresql", request.getfixturevalue("pg_world"), request.getfixturevalue("pg_server"))


@pytest.fixture()
def page(server: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A page in a fresh headless Chromium profile (never a downloaded browser)."""
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(
            "browser tests need Debian's Chromium at /usr/bin/chromium: run `apt-get install -y chromium` "
            "(CI's .ci/run installs it)"
        )
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            base_url=server,
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


@pytest.fixture(scope="session")
def history(world: World) -> History:
    """The linker's own functions (stable ids, the history writer) record what a re-run would: some of the
    largest subject's records came from a subject that is gone (a merge), and one record of the second
    largest subject had belonged to the largest (a split)."""
    import duckdb

    from ilos.resolve.linkage import record_subject_events
    from ilos.resolve.stable_ids import assign_stable_ids

    directory = world.settings.home / "linkage"
    rows = duckdb.sql(
        "SELECT subject_id, list(source || '|' || record_id ORDER BY source, record_id) FROM "
        f"read_parquet('{directory / 'clusters.parquet'}') GROUP BY subject_id "
        "ORDER BY count(*) DESC, subject_id LIMIT 2"
    ).fetchall()
    (kept, mine), (other, theirs) = rows
    assert kept == world.subject_id and len(theirs) >= 2
    merged = len(mine) // 3
    previous = {r: "S-gone-for-test" for r in mine[:merged]} | {r: kept for r in mine[merged:]}
    previous |= {theirs[0]: kept} | {r: other for r in theirs[1:]}
    names, events = assign_stable_ids({0: mine, 1: theirs}, previous)
    assert names == {0: kept, 1: other}
    record_subject_events(directory, [asdict(e) for e in events], "test-config")
    return History(kept, "S-gone-for-test", merged, other)
