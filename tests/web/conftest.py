"""Web fixtures: one small published world per session (pipeline run once), its demo users, a real uvicorn
server on a free loopback port, and a headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import pytest

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
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PERSONS = 200


@dataclass(frozen=True)
class World:
    settings: Settings
    passwords: dict[str, str]
    subject_id: str  # the subject with the most records
    name: str


@dataclass(frozen=True)
class History:
    """A merge and a split recorded for `kept` as a re-run records them."""

    kept: str  # the subject with the most records: absorbed `gone`, lost one record to `split_off`
    gone: str
    merged: int  # records that joined `kept` from `gone`
    split_off: str


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    home = tmp_path_factory.mktemp("web-world")
    settings = Settings(home=home)
    run_demo(settings, PERSONS, 3, lambda _message: None)
    passwords = {u.username: u.password for u in reset_demo_users(settings)}
    import duckdb

    [(subject_id, name)] = duckdb.sql(
        "SELECT subject_id, list_filter(best, lambda b: b.attribute = 'full_name')[1].value "
        f"FROM read_parquet('{home / 'linkage' / 'subjects.parquet'}') ORDER BY record_count DESC, subject_id LIMIT 1"
    ).fetchall()
    return World(settings, passwords, subject_id, name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(world: World) -> Iterator[str]:
    """A real uvicorn process serving `ilos serve`'s app (web pages and the API) over the session's world."""
    port = _free_port()
    env = {**os.environ, "ILOS_HOME": str(world.settings.home)}
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
