"""One writer of a linkage at a time: `ilos link add` and `ilos link` refuse a directory another of them is
writing (two adds at once would each write the clusters they read: the first one's records would be in
records.parquet and in no subject), and a writer that died holds nothing."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.definitions.sources import load_sources_config
from ilos.errors import ConflictError
from ilos.resolve import linkage
from ilos.services.linkage_locks import WRITER_LOCK, file_lock, writing_linkage
from ilos.services.linking import LinkRun, add_records, link_config
from ilos.services.source_reading import read_source_file


def _new_court_row(world: Path, path: Path) -> Path:
    config = load_sources_config(world / "sources.yaml")
    spec = config.source("court_cases")
    row = read_source_file(config, spec).slice(0, 1)
    row = row.set_column(row.schema.get_field_index(spec.record_id), spec.record_id, pa.array(["LOCK-1"]))
    pq.write_table(row, path)
    return path


def _file_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.name != WRITER_LOCK}


@pytest.fixture
def linkage_copy(small_linkage: LinkRun, tmp_path: Path) -> Path:
    return Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))


def test_add_is_refused_while_another_writer_holds_the_linkage(
    small_world: Path, linkage_copy: Path, tmp_path: Path
) -> None:
    new = _new_court_row(small_world, tmp_path / "new.parquet")
    before = _file_bytes(linkage_copy)
    with writing_linkage(linkage_copy, "ilos link add"), pytest.raises(ConflictError) as refused:
        add_records(linkage_copy, "court_cases", new)
    assert "`ilos link add` (pid " in refused.value.message
    assert "Wait for it to finish" in refused.value.message
    assert _file_bytes(linkage_copy) == before  # nothing written

    report = add_records(linkage_copy, "court_cases", new)  # released: the same add goes through
    assert report.records == 1
    clusters = pq.read_table(linkage_copy / linkage.CLUSTERS_FILE)
    assert "LOCK-1" in clusters["record_id"].to_pylist()


def test_a_batch_run_is_refused_while_an_add_writes_the_directory(
    small_world: Path, linkage_copy: Path
) -> None:
    before = _file_bytes(linkage_copy)
    with writing_linkage(linkage_copy, "ilos link add"), pytest.raises(ConflictError, match="ilos link add"):
        link_config(small_world / "sources.yaml", linkage_copy)
    assert _file_bytes(linkage_copy) == before


def test_the_cli_says_who_holds_the_linkage_and_exits_with_the_conflict_code(
    small_world: Path, linkage_copy: Path, tmp_path: Path
) -> None:
    new = _new_court_row(small_world, tmp_path / "new.parquet")
    args = ["link", "add", str(linkage_copy), "--source", "court_cases", "--input", str(new)]
    with writing_linkage(linkage_copy, "ilos link"):
        result = CliRunner().invoke(app, args)
    assert result.exit_code == ConflictError.exit_code
    assert "`ilos link` (pid " in result.output
    assert "is writing the linkage" in result.output


def test_a_writer_that_died_holding_the_lock_blocks_nothing(
    small_world: Path, linkage_copy: Path, tmp_path: Path
) -> None:
    script = (
        "import os, sys; from pathlib import Path\n"
        "from ilos.services.linkage_locks import writing_linkage\n"
        "with writing_linkage(Path(sys.argv[1]), 'ilos link add'):\n"
        "    os._exit(9)  # killed mid-write: no release, no clean-up\n"
    )
    died = subprocess.run([sys.executable, "-c", script, str(linkage_copy)], check=False)
    assert died.returncode == 9
    assert "ilos link add" in (linkage_copy / WRITER_LOCK).read_text()  # its note is left behind
    report = add_records(linkage_copy, "court_cases", _new_court_row(small_world, tmp_path / "new.parquet"))
    assert report.records == 1


def test_a_lock_on_a_file_its_holder_removed_meanwhile_is_taken_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that made the directory removes it and the lock file when it fails; one that opened the file
    just before must not hold a lock on the removed file while a third takes the new one."""
    path = tmp_path / WRITER_LOCK
    real_flock = fcntl.flock
    removed: list[bool] = []

    def flock_after_a_removal(handle: Any, operation: int) -> None:
        if not removed:  # the holder's clean-up lands between this writer's open and its lock
            path.unlink()
            path.touch()
            removed.append(True)
        real_flock(handle, operation)

    monkeypatch.setattr(fcntl, "flock", flock_after_a_removal)
    with file_lock(path) as held, path.open("a+") as third:
        assert held
        with pytest.raises(BlockingIOError):  # the lock held is on the file now at the path
            real_flock(third, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_a_failed_run_leaves_no_directory_it_made_and_blocks_nothing(tmp_path: Path) -> None:
    made = tmp_path / "new"
    with pytest.raises(RuntimeError), writing_linkage(made, "ilos link"):
        raise RuntimeError("the run failed")
    assert not made.exists()
    with writing_linkage(made, "ilos link"):
        assert (made / WRITER_LOCK).read_text().startswith("`ilos link` (pid ")
