"""One batch linkage from standardized records to subjects: train, score, choose the threshold, cluster under
constraints, and write the linkage directory (clusters, links, model, review queue, report)."""

from __future__ import annotations

import json
import shutil
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from ilos.duckdb_paths import literal_path
from ilos.resolve import engine
from ilos.resolve.clustering import CONSTRAINT_COLUMNS, ClusteringRules, cluster_edges, constraint_columns
from ilos.resolve.judgements import JUDGEMENTS_FILE, Judgement, judgement_history, latest_rows
from ilos.resolve.model_spec import MODEL_VERSION
from ilos.resolve.report import REPORT_FILE, write_report
from ilos.resolve.stable_ids import SubjectEvent, assign_stable_ids
from ilos.resolve.threshold import ThresholdChoice, choose_threshold
from ilos.resolve.verdict_effect import RefusedMatch

Progress = Callable[[str], None]

CLUSTERS_FILE = "clusters.parquet"
CLUSTERS_COLUMNS = ("source", "record_id", "subject_id")
"""clusters.parquet's columns: every input record once, with its subject."""
LINKS_FILE = "links.parquet"
MODEL_FILE = "model.json"
RECORDS_FILE = "records.parquet"
REVIEW_FILE = "review.parquet"
SUMMARY_FILE = "linkage.json"
UNREGULARISED_MODEL_FILE = "model_unregularised.json"
WORK_DIR = ".link-work"
"""Where a run keeps what it has not yet published: its models and scored parts (removed at the end)."""


@dataclass(frozen=True, slots=True)
class LinkageSummary:
    records: int
    subjects: int
    scored_pairs: int
    merged_pairs: int
    review_pairs: int
    household_conflicts: int
    refused_merges: dict[str, int]
    threshold: ThresholdChoice
    config_hash: str
    restricted_sources: tuple[str, ...] = ()
    subject_events: tuple[SubjectEvent, ...] = ()
    model_version: str = MODEL_VERSION
    """The model and standardization that made the linkage: records linked into it later must be read alike."""
    dropped_records: int = 0
    """Records of the last run in the directory that this run's inputs no longer hold."""
    unlearnt_comparisons: tuple[str, ...] = ()
    """Comparisons training learnt backwards (agreement as evidence against a match), made to weigh nothing
    (`engine.neutralise_inverted`)."""
    judgements_applied: int = 0
    """How many rows of judgements.parquet (`judgement_history`, oldest first) the batch files reflect: the run
    honoured the latest verdict per pair among them (`ilos link add` counts again as it rewrites clusters).
    Rows after them were recorded since (`judgements_applied`)."""
    refused_matches: tuple[RefusedMatch, ...] = ()
    """Reviewers' "match" judgements a clustering constraint refused: their records are in two subjects."""


JUDGEMENTS_APPLIED_KEY = "judgements_applied"


def judgements_applied(linkage_dir: Path) -> int:
    """How many judgement rows the batch files reflect (`LinkageSummary.judgements_applied`), from
    linkage.json; 0 for a linkage written before runs counted them, whose every row then counts as new
    (held by the identity gate, taken in in order by the worker) until `ilos link` is re-run."""
    path = linkage_dir / SUMMARY_FILE
    if not path.is_file():
        return 0
    return int(json.loads(path.read_text()).get(JUDGEMENTS_APPLIED_KEY, 0))


def threshold_choice(linkage_dir: Path) -> ThresholdChoice | None:
    """The threshold and review band the run chose (`LinkageSummary.threshold`), from linkage.json; None
    without one, or as a release that stored other fields wrote it."""
    path = linkage_dir / SUMMARY_FILE
    if not path.is_file():
        return None
    found = json.loads(path.read_text()).get("threshold")
    try:
        return ThresholdChoice(**found) if isinstance(found, dict) else None
    except TypeError:
        return None


def recorded_refusals(linkage_dir: Path) -> dict[tuple[str, str], RefusedMatch]:
    """The "match" judgements the run's clustering refused (`LinkageSummary.refused_matches`), by pair (left <=
    right), from linkage.json; none for a linkage written before runs recorded them."""
    path = linkage_dir / SUMMARY_FILE
    found = json.loads(path.read_text()).get("refused_matches", []) if path.is_file() else []
    refused = (RefusedMatch(**fields) for fields in found)
    return {(min(r.left, r.right), max(r.left, r.right)): r for r in refused}


def record_judgements_applied(linkage_dir: Path, count: int) -> None:
    """Record in linkage.json that the batch files now reflect the first `count` judgement rows (`ilos link
    add`, after it wrote clusters.parquet: a crash in between leaves the older count, which holds more)."""
    path = linkage_dir / SUMMARY_FILE
    summary = json.loads(path.read_text())
    summary[JUDGEMENTS_APPLIED_KEY] = count
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(summary, indent=2, default=str))
    tmp.replace(path)


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Readers never see a half-written file: write beside it, then rename over it."""
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)


def append_table_atomic(rows: pa.Table, path: Path) -> None:
    """`path` with `rows` added at the end (cast to the file's schema), written beside it and renamed over
    it. DuckDB streams the file's own rows through, so adding a hundred rows to a file of millions holds
    neither file in memory."""
    if not path.exists():
        write_table_atomic(rows, path)
        return
    schema = pq.read_schema(path)
    tmp = path.with_name(path.name + ".tmp")
    con = duckdb.connect()
    con.register("ilos_appended", rows.select(schema.names).cast(schema))
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{engine.sql_path(literal_path(path))}') UNION ALL SELECT * FROM ilos_appended) "  # noqa: S608 - quoted paths
        f"TO '{engine.sql_path(tmp)}' (FORMAT parquet)"
    )
    con.close()
    tmp.replace(path)


SUBJECT_EVENTS_FILE = "subject_events.jsonl"


def record_subject_events(out_dir: Path, events: Sequence[Mapping[str, object]], config_hash: str) -> None:
    """Append this run's merges and splits to the directory's history (never rewritten)."""
    at = datetime.now(UTC).isoformat()
    with (out_dir / SUBJECT_EVENTS_FILE).open("a") as log:
        for event in events:
            log.write(json.dumps({"at": at, "config_hash": config_hash, **event}, default=list) + "\n")


def previous_subjects(out_dir: Path) -> dict[str, str]:
    """record key -> subject id from the last run in this directory, so ids carry over."""
    path = out_dir / CLUSTERS_FILE
    if not path.exists():
        return {}
    table = pq.read_table(path)
    keys = (
        f"{s}|{r}" for s, r in zip(table["source"].to_pylist(), table["record_id"].to_pylist(), strict=True)
    )
    return dict(zip(keys, table["subject_id"].to_pylist(), strict=True))


def prepare_records(con: duckdb.DuckDBPyConnection, records: pa.Table) -> None:
    """Register the standardized records as the table Splink reads, keyed `source|record_id`."""
    con.register("incoming_records", records)
    con.execute(
        f"CREATE OR REPLACE TABLE {engine.RECORDS_TABLE} AS "
        f"{engine.model_input_sql('incoming_records')} ORDER BY unique_id"
    )
    con.unregister("incoming_records")


@dataclass(frozen=True, slots=True)
class ScoredEdges:
    """Every scored pair as compact arrays ordered by (node_l, node_r), i.e. by record key: what clustering
    needs, about 17 bytes a pair instead of a row of strings and weights."""

    left: npt.NDArray[np.int32]
    right: npt.NDArray[np.int32]
    probability: npt.NDArray[np.float64]
    household: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.left)


def read_scored_edges(con: duckdb.DuckDBPyConnection, parts: Sequence[Path]) -> ScoredEdges:
    table = con.sql(
        "SELECT node_l, node_r, match_probability, household_conflict "  # noqa: S608 - internal paths
        f"FROM {engine.parts_sql(parts)} ORDER BY node_l, node_r"
    ).to_arrow_table()

    def column(name: str) -> npt.NDArray[Any]:
        values: npt.NDArray[Any] = table[name].to_numpy()
        return values

    return ScoredEdges(
        column("node_l").astype(np.int32),
        column("node_r").astype(np.int32),
        column("match_probability").astype(np.float64),
        column("household_conflict").astype(bool),
    )


def run_linkage(
    records: pa.Table,
    out_dir: Path,
    restricted_sources: Sequence[str],
    config_hash: str,
    options: engine.TrainingOptions,
    progress: Progress,
    carried: Mapping[str, str] | None = None,
) -> LinkageSummary:
    """Link `records` (standardize_table output of every source) and write the linkage directory. `carried`:
    record key -> subject id of records the last run's clusters do not hold but a subject id is attached to
    (the change worker's), so those ids carry over too."""
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / WORK_DIR
    shutil.rmtree(work, ignore_errors=True)  # what a killed run left
    work.mkdir()
    con = engine.connect_bounded(out_dir, options)
    try:
        prepare_records(con, records)
        trained = engine.train_model(con, options, progress)
        raw_model = engine.save_model(trained, work / UNREGULARISED_MODEL_FILE)
        model, unlearnt = engine.neutralise_inverted(
            engine.regularise_model(raw_model, options.m_floor, options.u_floor)
        )
        linker = engine.retrain_with(con, model)
        engine.save_model(linker, work / MODEL_FILE)
        progress("scoring candidate pairs")
        parts = engine.write_link_parts(con, linker, options, work / "link-parts", progress)
        edges = read_scored_edges(con, parts)
        history = judgement_history(out_dir)  # read once: a row recorded from here on is the next run's
        judgements = [history[row] for row in latest_rows(history).values()]
        previous = {**(carried or {}), **previous_subjects(out_dir)}
        dropped = _dropped_records(con, previous)
        summary, clusters, decisions = cluster_links(
            con, edges, restricted_sources, judgements, config_hash, progress, previous
        )
        summary = replace(
            summary, dropped_records=dropped, judgements_applied=len(history), unlearnt_comparisons=unlearnt
        )
        progress("writing the linkage directory")
        bound = min(options.memory_limit_gib, options.write_memory_limit_gib)
        con.execute(f"SET memory_limit = '{int(bound * 1024)}MB'")
        write_table_atomic(clusters, work / CLUSTERS_FILE)
        write_links(con, parts, decisions, work)
        write_table_atomic(records, work / RECORDS_FILE)
        summary_dict = asdict(summary)
        events = summary_dict.pop("subject_events")
        summary_dict["merges"] = sum(e["kind"] == "merge" for e in events)
        summary_dict["splits"] = sum(e["kind"] == "split" for e in events)
        (work / SUMMARY_FILE).write_text(json.dumps(summary_dict, indent=2, default=str))
        write_report(work, summary_dict, model, clusters, edges.probability)
        # Until here a failed run has changed nothing of a linkage already in the directory.
        for name in PUBLISHED_IN_ORDER:
            (work / name).replace(out_dir / name)
        record_subject_events(out_dir, events, config_hash)
    finally:
        con.close()
        shutil.rmtree(out_dir / ".duckdb-spill", ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return summary


PUBLISHED_IN_ORDER = (
    UNREGULARISED_MODEL_FILE, MODEL_FILE, CLUSTERS_FILE, LINKS_FILE, REVIEW_FILE, RECORDS_FILE, REPORT_FILE,
    SUMMARY_FILE,
)  # fmt: skip
"""What a run moves from its work directory into DIR at its end; the summary last, as the run's seal."""
OUTPUT_FILES = (*PUBLISHED_IN_ORDER, SUBJECT_EVENTS_FILE, JUDGEMENTS_FILE)
"""What a linkage directory holds: no input may be one of these."""


def _dropped_records(con: duckdb.DuckDBPyConnection, previous: Mapping[str, str]) -> int:
    """Records of the last run (`previous_subjects`: its record keys) that this run's records no longer hold."""
    if not previous:
        return 0
    con.register("ilos_previous", pa.table({"unique_id": pa.array(previous.keys(), pa.string())}))
    try:
        return int(
            con.sql(
                f"SELECT count(*) FROM ilos_previous p ANTI JOIN {engine.RECORDS_TABLE} r USING (unique_id)"  # noqa: S608
            ).fetchall()[0][0]
        )
    finally:
        con.unregister("ilos_previous")


DECISIONS = ("judged", "household_conflict", "review", "match", "non_match")
"""Decision codes: a link's decision is DECISIONS[code]."""


def write_links(
    con: duckdb.DuckDBPyConnection, parts: Sequence[Path], decisions: pa.Table, out_dir: Path
) -> None:
    """links.parquet (every scored pair with its decision, ordered by record key) and review.parquet, written by
    DuckDB from the parts and the compact decision arrays (never a Python copy of every link)."""
    con.register("ilos_decisions", decisions)
    labels = "[" + ", ".join(f"'{d}'" for d in DECISIONS) + "]"
    links, review = out_dir / LINKS_FILE, out_dir / REVIEW_FILE
    for path, where in ((links, ""), (review, f"WHERE d.decision_code = {DECISIONS.index('review')}")):
        tmp = path.with_name(path.name + ".tmp")
        con.execute(
            f"COPY (SELECT p.* EXCLUDE (node_l, node_r), {labels}[d.decision_code + 1] AS decision, "  # noqa: S608
            f"d.same_subject FROM {engine.parts_sql(parts)} p JOIN ilos_decisions d USING (node_l, node_r) "
            f"{where} ORDER BY p.node_l, p.node_r) TO '{engine.sql_path(tmp)}' (FORMAT parquet)"
        )
        tmp.replace(path)
    con.unregister("ilos_decisions")


def cluster_links(
    con: duckdb.DuckDBPyConnection,
    edges: ScoredEdges,
    restricted_sources: Sequence[str],
    judgements: Sequence[Judgement],
    config_hash: str,
    progress: Progress,
    previous: Mapping[str, str] | None = None,
) -> tuple[LinkageSummary, pa.Table, pa.Table]:
    """Choose the threshold, cluster under constraints and decide every link; returns the summary, the clusters
    and each link's decision (`node_l`, `node_r`, `decision_code`, `same_subject`)."""
    ids_table = con.sql(
        f"SELECT unique_id, source, record_id, {', '.join(CONSTRAINT_COLUMNS)} "  # noqa: S608
        f"FROM {engine.RECORDS_TABLE} ORDER BY unique_id"
    ).to_arrow_table()
    ids = ids_table["unique_id"].to_pylist()
    choice = choose_threshold(edges.probability)
    progress(f"clustering at threshold {choice.threshold:.4f}")
    left, right, household = edges.left, edges.right, edges.household
    known = [
        (a, b, j.verdict)
        for j in judgements
        if (a := _node(ids, j.left)) >= 0 and (b := _node(ids, j.right)) >= 0
    ]
    must, cannot = judged_links(known, zip(left[household].tolist(), right[household].tolist(), strict=True))
    groups = {name: g for g, name in enumerate(sorted(set(restricted_sources)))}
    restricted = [groups.get(s, -1) for s in ids_table["source"].to_pylist()]
    outcome = cluster_edges(
        len(ids),
        left.astype(np.int64),
        right.astype(np.int64),
        edges.probability,
        ClusteringRules(threshold=choice.threshold),
        restricted,
        cannot,
        must,
        **constraint_columns(ids_table),
    )
    refused = tuple(
        RefusedMatch(ids[a], ids[b], refusal)
        for a, b, refusal in outcome.refused_must_links
        if outcome.labels[a] != outcome.labels[b]
    )
    subject_of, events = _subject_ids(ids, outcome.labels, previous or {})
    clusters = pa.table(
        {
            "source": ids_table["source"],
            "record_id": ids_table["record_id"],
            "subject_id": pa.array(subject_of),
        }
    )
    same = outcome.labels[left] == outcome.labels[right]
    # "unsure" is not a decision: the pair is decided as if unjudged (policy still counts it as an unsettled
    # candidate), while the review queue holds it out until someone judges it again.
    judged = judged_edges(edges, [(a, b) for a, b, verdict in known if verdict != "unsure"])
    merging = np.zeros(len(edges), dtype=bool)
    merging[np.asarray(outcome.merged_edges + outcome.supporting_edges, dtype=np.int64)] = True
    group = np.asarray(restricted, dtype=np.int64)
    kept_apart = (group[left] >= 0) & (
        group[left] == group[right]
    )  # both of one one_record_per_entity source
    codes = decision_codes(edges.probability, same, household, judged, choice, merging, kept_apart)
    summary = LinkageSummary(
        records=len(ids),
        subjects=len(set(subject_of)),
        scored_pairs=len(edges),
        merged_pairs=len(outcome.merged_edges),
        review_pairs=int((codes == DECISIONS.index("review")).sum()),
        household_conflicts=int(household.sum()),
        refused_merges=dict(outcome.refused),
        threshold=choice,
        config_hash=config_hash,
        restricted_sources=tuple(sorted(set(restricted_sources))),
        subject_events=tuple(events),
        refused_matches=refused,
    )
    decisions = pa.table({"node_l": left, "node_r": right, "decision_code": codes, "same_subject": same})
    return summary, clusters, decisions


def judged_links(
    known: Sequence[tuple[int, int, str]], household_pairs: Iterable[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The must-links and cannot-links clustering takes from the judged pairs (node, node, verdict; latest per
    pair) and the household conflicts: every "match" must link, and every "no match" and household conflict
    cannot, but on a pair a person judged "match" (a person's "match" outweighs the automatic household rule
    on that pair; `cluster_edges` joins the must-links before any scored link)."""
    must = [(a, b) for a, b, verdict in known if verdict == "match"]
    confirmed = {frozenset(p) for p in must}
    cannot = [(a, b) for a, b in household_pairs if frozenset((a, b)) not in confirmed]
    cannot += [(a, b) for a, b, verdict in known if verdict == "no_match"]
    return must, cannot


def _node(ids: Sequence[str], uid: str) -> int:
    """The node of a record key in the sorted ids, or -1."""
    i = bisect_left(ids, uid)
    return i if i < len(ids) and ids[i] == uid else -1


def judged_edges(edges: ScoredEdges, pairs: Sequence[tuple[int, int]]) -> npt.NDArray[np.bool_]:
    """Which edges a person judged (either orientation), found by binary search over the (left, right) order."""
    judged = np.zeros(len(edges), dtype=bool)
    if not pairs or not len(edges):
        return judged
    width = np.int64(max(int(edges.right.max()), max(max(p) for p in pairs)) + 1)
    keys = edges.left.astype(np.int64) * width + edges.right.astype(np.int64)
    wanted = np.array([min(a, b) * int(width) + max(a, b) for a, b in pairs], dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    judged[at[keys[at] == wanted]] = True
    return judged


def _subject_ids(
    ids: Sequence[str], labels: np.ndarray, previous: Mapping[str, str]
) -> tuple[list[str], list[SubjectEvent]]:
    members: dict[int, list[str]] = defaultdict(list)
    for uid, label in zip(ids, labels.tolist(), strict=True):
        members[label].append(uid)
    names, events = assign_stable_ids(members, previous)
    return [names[label] for label in labels.tolist()], events


def decision_for(
    probability: float,
    same: bool,
    household: bool,
    judged: bool,
    choice: ThresholdChoice,
    merging: bool,
    kept_apart: bool = False,
) -> str:
    """What became of one scored pair: judged by a person, a household conflict, for review, or decided.

    A pair in the uncertain band is for review only when a person's verdict could change a subject: it joins
    two subjects (a "match" would merge them) or it carried a merge of two groups (`merging`: it completed the
    merge or was a weak link counted towards it; a "no match" would split them). A band pair whose records are
    together through other links is a match; one whose records no verdict can join (`kept_apart`: both of one
    `one_record_per_entity` source) is a non-match."""
    if judged:
        return "judged"
    if household and probability >= choice.review_low:
        return "household_conflict"
    if choice.review_low <= probability <= choice.review_high and (merging or not same) and not kept_apart:
        return "review"
    return "match" if same else "non_match"


def decision_codes(
    probability: npt.NDArray[np.float64],
    same: npt.NDArray[np.bool_],
    household: npt.NDArray[np.bool_],
    judged: npt.NDArray[np.bool_],
    choice: ThresholdChoice,
    merging: npt.NDArray[np.bool_],
    kept_apart: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.int8]:
    """`decision_for` over every link at once, as codes into DECISIONS (later rules take precedence)."""
    codes = np.where(same, DECISIONS.index("match"), DECISIONS.index("non_match")).astype(np.int8)
    band = (probability >= choice.review_low) & (probability <= choice.review_high)
    open_to_a_verdict = merging | ~same if kept_apart is None else (merging | ~same) & ~kept_apart
    codes[band & open_to_a_verdict] = DECISIONS.index("review")
    codes[household & (probability >= choice.review_low)] = DECISIONS.index("household_conflict")
    codes[judged] = DECISIONS.index("judged")
    return codes
