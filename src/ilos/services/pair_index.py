"""The batch files' subjects and scored pairs held in memory as arrays, so one subject's candidate matches
(`gate_inputs.load_candidates`) are found by binary search instead of scans of clusters.parquet and
links.parquet: at a million persons (5.6M records, 18.5M pairs) each scan took most of the 1-2 s a subject
page or an action's gate check spent on its candidate matches. The index gives the rows the scans would
have found (a superset: the same SQL then decides which are candidates), so the rules stay in one place.

Held by long-running processes only (the web and API server: `enable`): built in a background thread the
first time a subject is asked for over a version of the files, used once built, built anew when a run
replaces them. A one-off command reads the files as before."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.file_version import FileVersion, file_version
from ilos.hash_runs import HashRuns
from ilos.resolve.linkage import CLUSTERS_COLUMNS, CLUSTERS_FILE, LINKS_FILE


@dataclass(frozen=True, slots=True)
class _Lookup:
    """Strings found by a binary search over their 64-bit hashes (DuckDB's `hash`), each match checked
    against the string itself."""

    values: pa.Array
    by_hash: HashRuns

    @staticmethod
    def of(values: pa.Array) -> _Lookup:
        return _Lookup(values, HashRuns(_hashes(values), stable=True))

    def positions(self, wanted: Collection[str]) -> npt.NDArray[np.int64]:
        """The positions in `values` of the wanted strings `values` holds."""
        if not wanted:
            return np.zeros(0, np.int64)
        asked = pa.array(sorted(wanted), pa.string())
        runs = self.by_hash.runs(_hashes(asked))
        found: npt.NDArray[np.int64] = np.concatenate(runs).astype(np.int64)
        asking = np.repeat(np.arange(len(asked)), [len(run) for run in runs])
        same = pc.equal(self.values.take(found), asked.take(asking))  # a hash shared by another string
        kept: npt.NDArray[np.int64] = found[pc.fill_null(same, False).to_numpy(zero_copy_only=False)]
        return kept

    @property
    def nbytes(self) -> int:
        return int(self.values.nbytes) + self.by_hash.nbytes


def _hashes(values: pa.Array) -> npt.NDArray[np.uint64]:
    """DuckDB's 64-bit hash of each string, in order (a cursor of one connection kept for it: a connection
    costs 10-20 ms, as much as the rest of a subject's look-up)."""
    cursor = _hasher().cursor()
    try:
        cursor.register("strings", pa.table({"s": values}))
        found = cursor.execute("SELECT hash(s) AS h FROM strings").fetchnumpy()["h"]
    finally:
        cursor.close()
    return np.asarray(found, dtype=np.uint64)


@functools.cache
def _hasher() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    return con


@dataclass(frozen=True, slots=True)
class PairIndex:
    """clusters.parquet and links.parquet of one version: each record a node (its position among the sorted
    record keys), each node's subject, and each pair's two nodes, pairs ordered by their left node."""

    keys: _Lookup
    """Every record key (`source|record_id`) of clusters.parquet, sorted: a record's node is its position."""
    subject_codes: npt.NDArray[np.int32]
    subjects: _Lookup
    """The subject ids; `subject_codes[node]` is the node's subject's position among them."""
    by_subject: npt.NDArray[np.int32]
    subject_starts: npt.NDArray[np.int64]
    """The nodes ordered by subject: subject `c`'s are by_subject[subject_starts[c]:subject_starts[c + 1]]."""
    left: npt.NDArray[np.int32]
    """Each pair's left node, ascending (the pairs are in this order, not links.parquet's)."""
    right: npt.NDArray[np.int32]
    by_right: npt.NDArray[np.int32]
    right_sorted: npt.NDArray[np.int32]
    """The pairs in right node order, and those nodes (`right[by_right]`), for a binary search."""
    probability: pa.Array
    decision: pa.Array

    def rows_for(
        self, subject_ids: Collection[str], live_clusters: pa.Table, live_links: pa.Table
    ) -> tuple[pa.Table, pa.Table]:
        """The rows of clusters.parquet and links.parquet that one subject's candidate query reads
        (`gate_inputs`): the subjects' records, the pairs touching them, and the records of those pairs and of
        the worker's pairs (`live_links`) touching the subjects' records (`live_clusters`: the worker's). A
        superset: the query narrows it."""
        mine = self._nodes_of_subjects(subject_ids)
        pairs = self._pairs_touching(mine)
        live_mine = live_clusters.filter(pc.is_in(live_clusters["subject_id"], pa.array(sorted(subject_ids))))
        mine_keys = pa.concat_arrays(
            [
                self.keys.values.take(pa.array(mine)),
                pc.binary_join_element_wise(
                    live_mine["source"], live_mine["record_id"], "|"
                ).combine_chunks(),
            ]
        )
        touching = live_links.filter(
            pc.or_(
                pc.is_in(live_links["unique_id_l"], mine_keys), pc.is_in(live_links["unique_id_r"], mine_keys)
            )
        )
        live_keys = {*touching["unique_id_l"].to_pylist(), *touching["unique_id_r"].to_pylist()}
        ends: list[npt.NDArray[np.int64]] = [
            mine, self.left[pairs].astype(np.int64), self.right[pairs].astype(np.int64), self.keys.positions(live_keys)
        ]  # fmt: skip
        return self._clusters_rows(np.concatenate(ends)), self._links_rows(pairs)

    def subjects_of(self, keys: Collection[str]) -> dict[str, str]:
        """Of these record keys, those clusters.parquet holds -> the subject it gives each."""
        nodes = self.keys.positions(keys)
        found = self.keys.values.take(pa.array(nodes)).to_pylist()
        subjects = self.subjects.values.take(pa.array(self.subject_codes[nodes])).to_pylist()
        return dict(zip(found, subjects, strict=True))

    def stored_subjects(self, subject_ids: Collection[str]) -> dict[str, str]:
        """Of these subject ids, those clusters.parquet holds (-> '', as a lookup of presence answers)."""
        return dict.fromkeys(
            self.subjects.values.take(pa.array(self.subjects.positions(subject_ids))).to_pylist(), ""
        )

    def _nodes_of_subjects(self, subject_ids: Collection[str]) -> npt.NDArray[np.int64]:
        parts = [
            self.by_subject[self.subject_starts[c] : self.subject_starts[c + 1]]
            for c in self.subjects.positions(subject_ids).tolist()
        ]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)

    def _pairs_touching(self, nodes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The pairs with either record among `nodes`."""
        wanted = nodes.astype(np.int32)  # as the arrays searched: another dtype copies them whole per search
        found: list[npt.NDArray[np.int64]] = [
            *(np.arange(a, b, dtype=np.int64) for a, b in _spans(self.left, wanted)),
            *(self.by_right[a:b].astype(np.int64) for a, b in _spans(self.right_sorted, wanted)),
        ]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)

    def _clusters_rows(self, nodes: npt.NDArray[np.int64]) -> pa.Table:
        """clusters.parquet's rows of these nodes (`linkage.CLUSTERS_COLUMNS`)."""
        nodes = np.unique(nodes)
        source, record_id = _split(self.keys.values.take(pa.array(nodes)))
        subject_id = self.subjects.values.take(pa.array(self.subject_codes[nodes]))
        return pa.table({"source": source, "record_id": record_id, "subject_id": subject_id})

    def _links_rows(self, pairs: npt.NDArray[np.int64]) -> pa.Table:
        """links.parquet's rows of these pairs: the columns `gate_inputs` reads."""
        taken = pa.array(pairs)
        left_keys = self.keys.values.take(pa.array(self.left[pairs]))
        right_keys = self.keys.values.take(pa.array(self.right[pairs]))
        (source_l, record_id_l), (source_r, record_id_r) = _split(left_keys), _split(right_keys)
        return pa.table(
            {
                "unique_id_l": left_keys,
                "unique_id_r": right_keys,
                "source_l": source_l,
                "record_id_l": record_id_l,
                "source_r": source_r,
                "record_id_r": record_id_r,
                "match_probability": self.probability.take(taken),
                "decision": self.decision.take(taken).cast(pa.string()),
            }
        )

    @property
    def nbytes(self) -> int:
        arrays = (self.subject_codes, self.by_subject, self.subject_starts, self.left, self.right)
        held = self.keys.nbytes + self.subjects.nbytes + self.probability.nbytes + self.decision.nbytes
        return int(held + sum(a.nbytes for a in (*arrays, self.by_right, self.right_sorted)))


def _spans(ordered: npt.NDArray[np.int32], wanted: npt.NDArray[np.int32]) -> list[tuple[int, int]]:
    """Where each wanted value sits in an ascending array: (start, end) of each non-empty run."""
    lo, hi = np.searchsorted(ordered, wanted, "left"), np.searchsorted(ordered, wanted, "right")
    return [(a, b) for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]


def _split(keys: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Record keys (`source|record_id`) as their sources and record ids."""
    parts = pc.split_pattern(keys, "|", max_splits=1)
    return pc.list_element(parts, 0), pc.list_element(parts, 1)


def build_index(clusters_path: Path, links_path: Path) -> PairIndex:
    """Read both files once and index them (seconds at a million persons)."""
    clusters = pq.read_table(clusters_path, columns=list(CLUSTERS_COLUMNS))
    keys = pc.binary_join_element_wise(clusters["source"], clusters["record_id"], "|")
    order = pc.sort_indices(keys)
    sorted_keys = keys.take(order).combine_chunks()
    encoded = pc.dictionary_encode(clusters["subject_id"].take(order)).combine_chunks()
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    by_subject = np.argsort(codes, kind="stable").astype(np.int32)
    starts = np.zeros(len(encoded.dictionary) + 1, np.int64)
    np.cumsum(np.bincount(codes, minlength=len(encoded.dictionary)), out=starts[1:])
    links = pq.read_table(links_path, columns=["unique_id_l", "unique_id_r", "match_probability", "decision"])
    left = _nodes(links["unique_id_l"], sorted_keys)
    by_left = np.argsort(left, kind="stable")
    right = _nodes(links["unique_id_r"], sorted_keys)[by_left]
    by_right = np.argsort(right, kind="stable").astype(np.int32)
    taken = pa.array(by_left)
    decision = pc.dictionary_encode(links["decision"].take(taken)).combine_chunks()  # a byte per pair
    index = PairIndex(
        _Lookup.of(sorted_keys), codes, _Lookup.of(encoded.dictionary), by_subject, starts, left[by_left],
        right, by_right, right[by_right], links["match_probability"].take(taken).combine_chunks(),
        pa.DictionaryArray.from_arrays(decision.indices.cast(pa.int8()), decision.dictionary),
    )  # fmt: skip
    del clusters, keys, links
    pa.default_memory_pool().release_unused()  # what the reads held and the index does not
    return index


def _nodes(keys: pa.ChunkedArray, sorted_keys: pa.Array) -> npt.NDArray[np.int32]:
    found = pc.index_in(keys, value_set=sorted_keys)
    if found.null_count:
        raise ValueError("links.parquet names a record clusters.parquet does not hold: files of two runs")
    return np.asarray(found.to_numpy(), dtype=np.int32)


_ENABLED = False
_BUILDING, _FAILED = "building", "failed"
_INDEXES: dict[Path, tuple[tuple[FileVersion, FileVersion], PairIndex | str]] = {}
"""Per clusters.parquet: the files' versions and their index, or whether it is building or failed."""
_LOCK = threading.Lock()
_log = logging.getLogger(__name__)


def enable(linkage_dir: Path | None = None) -> None:
    """Let this process hold indexes (a server answering many gate checks), and start building the one of
    `linkage_dir`'s files, so the first gate checks find it built."""
    global _ENABLED
    _ENABLED = True
    if linkage_dir is not None:
        index_for(linkage_dir / CLUSTERS_FILE, linkage_dir / LINKS_FILE)


def disable() -> None:
    """Hold no indexes any more (a server shutting down); the scans answer."""
    global _ENABLED
    with _LOCK:
        _ENABLED = False
        _INDEXES.clear()


def index_for(clusters_path: Path, links_path: Path) -> PairIndex | None:
    """The index of these files as they are now, or None: not enabled, not built yet (a build starts in the
    background), failed (the scans answer), or the files replaced since (the old index is dropped, a new
    build starts)."""
    if not _ENABLED:
        return None
    clusters, links = file_version(clusters_path), file_version(links_path)
    if clusters is None or links is None:
        return None
    version = (clusters, links)
    with _LOCK:
        kept = _INDEXES.get(clusters_path)
        if kept is not None and kept[0] == version:
            return kept[1] if isinstance(kept[1], PairIndex) else None
        _INDEXES[clusters_path] = (version, _BUILDING)  # drops the old index before the next is built
    threading.Thread(
        target=_build, args=(clusters_path, links_path, version), name="pair-index", daemon=True
    ).start()
    return None


def _build(clusters_path: Path, links_path: Path, version: tuple[FileVersion, FileVersion]) -> None:
    try:
        built: PairIndex | str = build_index(clusters_path, links_path)
    except Exception:  # noqa: BLE001 - whatever stops the build (files gone or half-replaced, memory): the scans answer
        _log.warning(
            "no pair index for %s; candidate matches are read by scanning", clusters_path, exc_info=True
        )
        built = _FAILED
    with _LOCK:
        kept = _INDEXES.get(clusters_path)
        if kept is not None and kept[0] == version:  # still the version asked for
            _INDEXES[clusters_path] = (version, built)


def wait_for_index(clusters_path: Path, links_path: Path, timeout: float = 60.0) -> PairIndex | None:
    """The index once built (tests and benchmarks; a server never waits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = index_for(clusters_path, links_path)
        if found is not None:
            return found
        kept = _INDEXES.get(clusters_path)
        if kept is not None and kept[1] == _FAILED:
            return None
        time.sleep(0.05)
    return None
