"""One batch linkage from standardized records to subjects: train, score, choose the threshold, cluster under
constraints, and write the linkage directory (clusters, links, model, review queue, report)."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.resolve import engine
from ilos.resolve.clustering import ClusteringRules, cluster_edges
from ilos.resolve.judgements import Judgement, read_judgements
from ilos.resolve.report import write_report
from ilos.resolve.stable_ids import SubjectEvent, assign_stable_ids
from ilos.resolve.threshold import ThresholdChoice, choose_threshold

Progress = Callable[[str], None]

CLUSTERS_FILE = "clusters.parquet"
LINKS_FILE = "links.parquet"
MODEL_FILE = "model.json"
RECORDS_FILE = "records.parquet"
REVIEW_FILE = "review.parquet"
SUMMARY_FILE = "linkage.json"


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


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Readers never see a half-written file: write beside it, then rename over it."""
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
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


def run_linkage(
    records: pa.Table,
    out_dir: Path,
    restricted_sources: Sequence[str],
    config_hash: str,
    options: engine.TrainingOptions,
    progress: Progress,
) -> LinkageSummary:
    """Link `records` (standardize_table output of every source) and write the linkage directory."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = engine.connect_bounded(out_dir, options)
    prepare_records(con, records)
    trained = engine.train_model(con, options, progress)
    raw_model = engine.save_model(trained, out_dir / "model_unregularised.json")
    model = engine.regularise_model(raw_model, options.m_floor, options.u_floor)
    linker = engine.retrain_with(con, model)
    engine.save_model(linker, out_dir / MODEL_FILE)
    progress("scoring candidate pairs")
    links = engine.predict_links(con, linker, options)
    judgements = read_judgements(out_dir)
    summary, clusters, links = cluster_links(
        con, links, restricted_sources, judgements, config_hash, progress, previous_subjects(out_dir)
    )
    progress("writing the linkage directory")
    write_table_atomic(clusters, out_dir / CLUSTERS_FILE)
    write_table_atomic(links, out_dir / LINKS_FILE)
    write_table_atomic(records, out_dir / RECORDS_FILE)
    write_table_atomic(links.filter(pc.equal(links["decision"], "review")), out_dir / REVIEW_FILE)
    summary_dict = asdict(summary)
    events = summary_dict.pop("subject_events")
    summary_dict["merges"] = sum(e["kind"] == "merge" for e in events)
    summary_dict["splits"] = sum(e["kind"] == "split" for e in events)
    (out_dir / SUMMARY_FILE).write_text(json.dumps(summary_dict, indent=2, default=str))
    record_subject_events(out_dir, events, config_hash)
    write_report(out_dir, summary_dict=summary_dict, model=model, clusters=clusters, links=links)
    con.close()
    shutil.rmtree(out_dir / ".duckdb-spill", ignore_errors=True)
    return summary


def cluster_links(
    con: duckdb.DuckDBPyConnection,
    links: pa.Table,
    restricted_sources: Sequence[str],
    judgements: Sequence[Judgement],
    config_hash: str,
    progress: Progress,
    previous: Mapping[str, str] | None = None,
) -> tuple[LinkageSummary, pa.Table, pa.Table]:
    """Choose the threshold, cluster under constraints and label every link with its decision."""
    ids_table = con.sql(
        f"SELECT unique_id, source, record_id FROM {engine.RECORDS_TABLE} ORDER BY unique_id"  # noqa: S608
    ).to_arrow_table()
    ids = ids_table["unique_id"].to_pylist()
    index = {uid: i for i, uid in enumerate(ids)}
    probability = links["match_probability"].to_numpy(zero_copy_only=False).astype(np.float64)
    choice = choose_threshold(probability)
    progress(f"clustering at threshold {choice.threshold:.4f}")
    left = np.fromiter((index[u] for u in links["unique_id_l"].to_pylist()), dtype=np.int64, count=len(links))
    right = np.fromiter(
        (index[u] for u in links["unique_id_r"].to_pylist()), dtype=np.int64, count=len(links)
    )
    household = links["household_conflict"].to_numpy(zero_copy_only=False).astype(bool)
    must = [(index[j.left], index[j.right]) for j in judgements if j.verdict == "match" and _known(j, index)]
    confirmed = {frozenset(p) for p in must}  # a person's "match" outweighs the automatic household rule
    cannot = [
        (int(a), int(b))
        for a, b in zip(left[household], right[household], strict=True)
        if frozenset((int(a), int(b))) not in confirmed
    ]
    cannot += [
        (index[j.left], index[j.right]) for j in judgements if j.verdict == "no_match" and _known(j, index)
    ]
    groups = {name: g for g, name in enumerate(sorted(set(restricted_sources)))}
    restricted = [groups.get(s, -1) for s in ids_table["source"].to_pylist()]
    outcome = cluster_edges(
        len(ids),
        left,
        right,
        probability,
        ClusteringRules(threshold=choice.threshold),
        restricted,
        cannot,
        must,
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
    judged = {(j.left, j.right) for j in judgements} | {(j.right, j.left) for j in judgements}
    decision = _decisions(probability, same, household, choice, links, judged)
    links = links.append_column("decision", pa.array(decision)).append_column("same_subject", pa.array(same))
    summary = LinkageSummary(
        records=len(ids),
        subjects=len(set(subject_of)),
        scored_pairs=len(links),
        merged_pairs=len(outcome.merged_edges),
        review_pairs=decision.count("review"),
        household_conflicts=int(household.sum()),
        refused_merges=dict(outcome.refused),
        threshold=choice,
        config_hash=config_hash,
        restricted_sources=tuple(sorted(set(restricted_sources))),
        subject_events=tuple(events),
    )
    return summary, clusters, links


def _known(judgement: Judgement, index: dict[str, int]) -> bool:
    return judgement.left in index and judgement.right in index


def _subject_ids(
    ids: Sequence[str], labels: np.ndarray, previous: Mapping[str, str]
) -> tuple[list[str], list[SubjectEvent]]:
    members: dict[int, list[str]] = defaultdict(list)
    for uid, label in zip(ids, labels.tolist(), strict=True):
        members[label].append(uid)
    names, events = assign_stable_ids(members, previous)
    return [names[label] for label in labels.tolist()], events


def decision_for(
    probability: float, same: bool, household: bool, judged: bool, choice: ThresholdChoice
) -> str:
    """What became of one scored pair: judged by a person, a household conflict, for review, or decided."""
    if judged:
        return "judged"
    if household and probability >= choice.review_low:
        return "household_conflict"
    if choice.review_low <= probability <= choice.review_high:
        return "review"
    return "match" if same else "non_match"


def _decisions(
    probability: np.ndarray,
    same: np.ndarray,
    household: np.ndarray,
    choice: ThresholdChoice,
    links: pa.Table,
    judged: set[tuple[str, str]],
) -> list[str]:
    pairs = zip(links["unique_id_l"].to_pylist(), links["unique_id_r"].to_pylist(), strict=True)
    return [
        decision_for(p, bool(s), bool(h), pair in judged, choice)
        for p, s, h, pair in zip(probability.tolist(), same.tolist(), household.tolist(), pairs, strict=True)
    ]
