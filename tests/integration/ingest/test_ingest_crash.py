"""A real ingest process killed mid-batch leaves no partial batch; a re-run lands it fully."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from ilos.config import Settings
from ilos.services.ingestion import ingest_config

BIG_ROWS = 600_000
CONFIG = """
sources:
  - name: small
    path: small.csv
    record_id: id
    columns: {id: {required: true}, zip: {}}
  - name: big
    path: big.csv
    record_id: id
    columns:
      id: {required: true}
      name: {}
      dob: {type: date, format: "%Y-%m-%d"}
      zip: {}
"""
CHILD = """
import sys
from pathlib import Path
from ilos.config import Settings
from ilos.services.ingestion import ingest_config

class Announce:
    def source_started(self, name, index, total):
        print("start", name, flush=True)
    def source_finished(self, outcome):
        print("done", outcome.source, flush=True)

ingest_config(Path(sys.argv[1]), Settings(), Announce())
"""


def _write_world(directory: Path) -> Path:
    directory.mkdir()
    (directory / "small.csv").write_text("id,zip\n1,00501\n2,00502\n")
    with duckdb.connect() as conn:
        conn.execute(
            "COPY (SELECT i AS id, 'name ' || i AS name, "
            "CASE WHEN i % 100000 = 7 THEN '2020-02-30' ELSE '2020-01-01' END AS dob, "
            f"lpad((i % 1000)::VARCHAR, 5, '0') AS zip FROM range(1, {BIG_ROWS + 1}) t(i)) "
            f"TO '{directory / 'big.csv'}' (HEADER, QUOTE '\"')"
        )
    (directory / "sources.yaml").write_text(CONFIG)
    return directory / "sources.yaml"


def _kill_during_big(config: Path, settings: Settings) -> None:
    env = {**os.environ, "ILOS_HOME": str(settings.home)}
    command = [sys.executable, "-c", CHILD, str(config)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "start big":
                break
        time.sleep(0.4)  # the big source takes about a second here: kill it mid-batch
        assert child.poll() is None, "the ingest finished before it could be killed; make the file bigger"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)


def test_killed_ingest_leaves_no_partial_batch_and_rerun_lands_it(tmp_path: Path, settings: Settings) -> None:
    config = _write_world(tmp_path / "world")
    _kill_during_big(config, settings)
    with duckdb.connect(str(settings.lake_path)) as lake:
        assert lake.execute("SELECT source FROM ingest_batches").fetchall() == [("small",)]
        tables = {r[0] for r in lake.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "raw_big" in tables:
            assert lake.execute("SELECT count(*) FROM raw_big").fetchone() == (0,)
        assert lake.execute("SELECT count(*) FROM quarantine WHERE source = 'big'").fetchone() == (0,)
    report = ingest_config(config, settings)
    assert [o.status for o in report.outcomes] == ["already_landed", "landed"]
    big = report.outcomes[1]
    assert (big.rows_read, big.rows_accepted, big.rows_quarantined, big.values_flagged) == (
        BIG_ROWS,
        BIG_ROWS,
        0,
        6,
    )
    with duckdb.connect(str(settings.lake_path), read_only=True) as lake:
        assert lake.execute("SELECT count(*), min(zip) FROM raw_big").fetchone() == (BIG_ROWS, "00000")
        assert lake.execute("SELECT count(*) FROM quarantine WHERE source = 'big'").fetchone() == (6,)
