"""A few subjects clustered again over their stored links, as a batch run clusters them: how `ilos link add`
honours a reviewer's "match" that joining whole subjects cannot. A run joins the two records before any scored
link and keeps out the records those links would bring against a constraint; joining whole subjects would
bring them in (or refuse the match for them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from ilos.duckdb_paths import literal_path
from ilos.resolve.clustering import (
    IDENTITY_NUMBERS,
    ClusterForest,
    ClusteringOutcome,
    ClusteringRules,
    cluster_edges,
)
from ilos.resolve.judgements import Judgement
from ilos.resolve.linkage import judged_links
from ilos.resolve.record_store import RecordStore


def judged_subjects(
    forest: ClusterForest, store: RecordStore, refused: Sequence[Judgement], judged: Sequence[Judgement]
) -> set[int]:
    """The roots of the subjects of the refused judgements' records, and of every subject a "match" among
    `judged` joins to one of them: a run joins those records before any scored link, so it clusters them
    together."""
    nodes = [(store.find(j.left), store.find(j.right)) for j in judged if j.verdict == "match"]
    matched = [(a, b) for a, b in nodes if a is not None and b is not None]
    found = (store.find(key) for j in refused for key in (j.left, j.right))
    roots = {forest.find(node) for node in found if node is not None}
    grown = True
    while grown:
        grown = False
        for a, b in matched:
            ra, rb = forest.find(a), forest.find(b)
            if (ra in roots) != (rb in roots):
                roots |= {ra, rb}
                grown = True
    return roots


def recluster(
    links_path: Path,
    keys: Sequence[str],
    own: Sequence[Mapping[str, Any]],
    judgements: Sequence[Judgement],
    rules: ClusteringRules,
) -> ClusteringOutcome:
    """Cluster the records `keys` (sorted, as a run numbers its records) as a batch run would cluster them
    alone: over their links in `links_path` to each other, the latest `judgements` (in the order a run takes
    them) on their pairs, and each record's `own` constraint values (`group` and `node_constraints`)."""
    at = {key: node for node, key in enumerate(keys)}
    left, right, probability, household = _links_among(links_path, at)
    known = [
        (at[j.left], at[j.right], j.verdict)
        for j in judgements
        if j.verdict != "unsure" and j.left in at and j.right in at
    ]
    must, cannot = judged_links(known, zip(left[household].tolist(), right[household].tolist(), strict=True))
    return cluster_edges(
        len(keys), left, right, probability, rules, [o["group"] for o in own], cannot, must,
        birth_dates=[o["birth_date"] for o in own], born_by=[o["born_by"] for o in own],
        numbers=[[o["numbers"][kind] for o in own] for kind in range(len(IDENTITY_NUMBERS))],
    )  # fmt: skip


def _links_among(
    links_path: Path, at: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The stored links between two of the records, as node arrays ordered by (left, right) node: the order a
    run's edges have, so ties break as they did (`ilos link add` appends its links unordered)."""
    with duckdb.connect() as con:
        con.register("ilos_keys", pa.table({"key": pa.array(list(at), pa.string())}))
        found = con.execute(
            "SELECT unique_id_l, unique_id_r, match_probability, household_conflict FROM read_parquet(?) "
            "WHERE unique_id_l IN (SELECT key FROM ilos_keys) AND unique_id_r IN (SELECT key FROM ilos_keys)",
            [literal_path(links_path)],
        ).fetchall()
    edges = sorted((*sorted((at[a], at[b])), p, bool(h)) for a, b, p, h in found)
    return (
        np.array([e[0] for e in edges], dtype=np.int64),
        np.array([e[1] for e in edges], dtype=np.int64),
        np.array([e[2] for e in edges], dtype=np.float64),
        np.array([e[3] for e in edges], dtype=bool),
    )
