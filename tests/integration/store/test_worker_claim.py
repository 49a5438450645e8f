"""One change worker per linkage and one linkage per store inbox, on both backends: a second worker over the
same linkage, or a worker over another linkage sharing the store, is refused with a message saying who holds
it; the web app then runs no worker and keeps serving."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.config import Settings
from ilos.errors import ConflictError
from ilos.services import web_worker
from ilos.services.linkage_config import CONFIG_COPY
from ilos.services.realtime import RebuildState
from ilos.services.store_access import Store
from ilos.services.web_worker import background_worker
from ilos.services.worker_claim import claim_store_inbox, linkage_lock

runner = CliRunner()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ILOS_HOME", str(settings.home))
    monkeypatch.setenv("ILOS_DATABASE_URL", settings.store_url)
    monkeypatch.setenv("ILOS_ENVIRONMENT", "test")
    monkeypatch.setenv("ILOS_SECRET_KEY", settings.secret_key.get_secret_value())


def _linkage(home: Path) -> Path:
    directory = home / "linkage"
    directory.mkdir(parents=True)
    (directory / CONFIG_COPY).write_text("")
    return directory


def test_only_one_process_holds_a_linkages_worker_lock(tmp_path: Path) -> None:
    with linkage_lock(tmp_path) as first, linkage_lock(tmp_path) as second:
        assert first and not second
    with linkage_lock(tmp_path) as again:
        assert again


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize("inbox", ["store", "file"])
def test_a_second_worker_over_the_same_linkage_is_refused(store: Store, inbox: str) -> None:
    linkage = _linkage(store.settings.home)
    with linkage_lock(linkage):  # the web app's worker runs over it
        result = runner.invoke(app, ["worker", "run", str(linkage), "--inbox", inbox])
    assert result.exit_code == ConflictError.exit_code, result.output
    assert "[conflict]" in result.stderr
    assert f"Another change worker runs over {linkage}" in " ".join(result.stderr.split())


@pytest.mark.usefixtures("cli_env")
def test_a_worker_over_another_linkage_is_refused_the_store_inbox(store: Store, tmp_path: Path) -> None:
    first = _linkage(tmp_path / "first")
    claim_store_inbox(store, first)
    claim_store_inbox(store, first)  # its own claim again: fine
    other = _linkage(store.settings.home)

    result = runner.invoke(app, ["worker", "run", str(other)])
    assert result.exit_code == ConflictError.exit_code, result.output
    said = " ".join(result.stderr.split())
    assert f"The store inbox belongs to the linkage {first.resolve()}" in said
    assert f"not {other.resolve()}" in said
    with background_worker(store.settings.home, store) as web_worker:
        assert web_worker is None  # the web keeps serving without one


def test_the_web_worker_is_rebuilt_from_disk_after_an_unexpected_failure(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error may leave an event linked in memory but not journaled; the loop must not keep
    that worker: it builds a new one (from the batch files and the journal) before the next pass."""
    built: list[object] = []
    passes: list[object] = []

    class Failing:
        def __init__(self, directory: Path, inbox: object, rebuild_in_background: bool) -> None:
            assert rebuild_in_background  # a batch run landing does not stop the web's worker
            built.append(self)

        def rebuild_state(self) -> RebuildState:
            return RebuildState(0, building=False)

        def run_once(self) -> list[object]:
            passes.append(self)
            if len(passes) == 1:
                raise RuntimeError("disk went away mid-group")
            return []

    monkeypatch.setattr(web_worker.realtime, "Worker", Failing)
    worker = web_worker.BackgroundWorker(store.settings.home, store, interval=0.01).start()
    try:
        for _ in range(500):
            if len(passes) >= 3:
                break
            time.sleep(0.01)
    finally:
        worker.stop()
    assert len(built) == 2  # the first worker failed once and was replaced
    assert passes[0] is built[0] and all(p is built[1] for p in passes[1:])
