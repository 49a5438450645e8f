"""`recluster` reads the links of the directory it is given, whatever characters its path holds: DuckDB expands
`[...]` in a path, so a linkage in `run[1]` read the links of `run1`."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ilos.resolve.clustering import IDENTITY_NUMBERS, ClusteringRules
from ilos.resolve.recluster import recluster

KEYS = ["s|A", "s|B"]
OWN = [{"group": -1, "birth_date": 0, "born_by": 0, "numbers": [0] * len(IDENTITY_NUMBERS)}] * 2


def _links(directory: Path, probability: float) -> Path:
    directory.mkdir()
    path = directory / "links.parquet"
    table = pa.table(
        {
            "unique_id_l": ["s|A"],
            "unique_id_r": ["s|B"],
            "match_probability": [probability],
            "household_conflict": [False],
        }
    )
    pq.write_table(table, path)
    return path


def test_recluster_reads_the_links_of_a_directory_named_with_glob_characters(tmp_path: Path) -> None:
    linked = _links(tmp_path / "run[1]", 0.99)
    _links(tmp_path / "run1", 0.01)  # what `run[1]` matches as a pattern
    outcome = recluster(linked, KEYS, OWN, [], ClusteringRules(threshold=0.5))
    assert outcome.labels[0] == outcome.labels[1]
