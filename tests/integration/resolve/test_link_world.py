"""Batch linkage of a small synthetic world, checked against its hidden truth."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.errors import InvalidInputError, NotFoundError
from ilos.resolve import linkage
from ilos.services.linking import (
    LinkRun,
    evaluate_linkage,
    explain_link,
    judge_pair,
    link_config,
    review_queue,
)


def test_every_input_record_appears_exactly_once_in_clusters(
    small_world: Path, small_linkage: LinkRun
) -> None:
    clusters = pq.read_table(small_linkage.out_dir / linkage.CLUSTERS_FILE)
    truth = pq.read_table(small_world / "truth" / "records.parquet")
    keys = [
        f"{s}|{r}"
        for s, r in zip(clusters["source"].to_pylist(), clusters["record_id"].to_pylist(), strict=True)
    ]
    assert len(keys) == len(set(keys))
    truth_keys = {
        f"{s}|{r}" for s, r in zip(truth["source"].to_pylist(), truth["record_id"].to_pylist(), strict=True)
    }
    assert set(keys) == truth_keys
    assert small_linkage.summary.records == len(keys)


def test_clusters_match_truth_closely(small_world: Path, small_linkage: LinkRun) -> None:
    """Regression floor for accuracy on this world; the benchmark reports the full figures."""
    scores = evaluate_linkage(small_linkage.out_dir, small_world / "truth" / "records.parquet")
    assert scores.pairwise_precision >= 0.98
    assert scores.pairwise_recall >= 0.85
    assert scores.bcubed_f1 >= 0.93
    assert scores.household_false_merge_rate <= 0.02


def test_one_record_per_entity_sources_never_share_a_subject(
    small_world: Path, small_linkage: LinkRun
) -> None:
    config = (small_world / "sources.yaml").read_text()
    assert "one_record_per_entity: true" in config
    restricted = {
        s["name"] for s in __import__("yaml").safe_load(config)["sources"] if s.get("one_record_per_entity")
    }
    clusters = pq.read_table(small_linkage.out_dir / linkage.CLUSTERS_FILE).to_pylist()
    seen: set[tuple[str, str]] = set()
    for row in clusters:
        if row["source"] in restricted:
            key = (row["source"], row["subject_id"])
            assert key not in seen
            seen.add(key)


def test_links_carry_each_comparison_level_and_weight(small_linkage: LinkRun) -> None:
    links = pq.read_table(small_linkage.out_dir / linkage.LINKS_FILE)
    for name in ("name", "date_of_birth", "a_number", "address"):
        assert f"gamma_{name}" in links.column_names
        assert f"mw_{name}" in links.column_names
    assert pc.min(links["match_probability"]).as_py() >= 0.0
    assert set(links["decision"].to_pylist()) <= {
        "match",
        "non_match",
        "review",
        "household_conflict",
        "judged",
    }


def test_links_are_ordered_by_record_key_and_agree_with_clusters_and_review(small_linkage: LinkRun) -> None:
    out = small_linkage.out_dir
    links = pq.read_table(out / linkage.LINKS_FILE)
    pairs = list(zip(links["unique_id_l"].to_pylist(), links["unique_id_r"].to_pylist(), strict=True))
    assert pairs == sorted(pairs) and all(a < b for a, b in pairs)
    assert len(set(pairs)) == len(pairs) == small_linkage.summary.scored_pairs
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    subject = {f"{c['source']}|{c['record_id']}": c["subject_id"] for c in clusters}
    assert links["same_subject"].to_pylist() == [subject[a] == subject[b] for a, b in pairs]
    review = pq.read_table(out / linkage.REVIEW_FILE)
    assert review.equals(links.filter(pc.equal(links["decision"], "review")))
    assert review.num_rows == small_linkage.summary.review_pairs


def test_the_review_queue_holds_the_band_pairs_whose_verdict_could_change_a_subject(
    small_linkage: LinkRun,
) -> None:
    """Every band pair across two subjects is queued; a queued pair within one subject is a link that merged
    (so at or above the threshold: clustering merges nothing below it); band pairs together through other
    links are matches. The queue shows the most uncertain pair first."""
    out = small_linkage.out_dir
    band = json.loads((out / linkage.SUMMARY_FILE).read_text())["threshold"]
    links = pq.read_table(out / linkage.LINKS_FILE).to_pylist()
    in_band = [r for r in links if band["review_low"] <= r["match_probability"] <= band["review_high"]]
    undecided = [r for r in in_band if r["decision"] not in ("household_conflict", "judged")]
    across = [r for r in undecided if not r["same_subject"]]
    assert across and all(r["decision"] == "review" for r in across)
    queued_within = [r for r in undecided if r["same_subject"] and r["decision"] == "review"]
    assert queued_within and all(r["match_probability"] >= band["threshold"] for r in queued_within)
    assert len(across) + len(queued_within) == small_linkage.summary.review_pairs
    together = [r for r in undecided if r["same_subject"] and r["decision"] != "review"]
    assert len(together) > len(queued_within)  # most band pairs within a subject have nothing to decide

    queue = review_queue(out, 10_000)
    rows = queue.pairs.to_pylist()
    assert queue.waiting == small_linkage.summary.review_pairs == len(rows)
    uncertainty = [abs(r["match_probability"] - 0.5) for r in rows]
    assert uncertainty == sorted(uncertainty)
    first = review_queue(out, 1)
    assert first.waiting == queue.waiting and first.pairs.to_pylist() == rows[:1]


def test_a_judged_pair_leaves_the_queue_whichever_way_its_link_was_written(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    """A link added one at a time names the new record first, so it may be written right-to-left; judgements
    are stored left-to-right. The judged pair must still leave the queue."""
    out = tmp_path / "linkage"
    shutil.copytree(small_linkage.out_dir, out)
    review = pq.read_table(out / linkage.REVIEW_FILE)
    flipped = (
        review.slice(0, 1)
        .rename_columns(
            [
                "unique_id_r" if c == "unique_id_l" else "unique_id_l" if c == "unique_id_r" else c
                for c in review.column_names
            ]
        )
        .select(review.column_names)
    )
    linkage.write_table_atomic(flipped, out / linkage.REVIEW_FILE)
    pair = flipped.to_pylist()[0]
    assert pair["unique_id_l"] > pair["unique_id_r"]
    assert review_queue(out, 10).waiting == 1
    judge_pair(out, pair["unique_id_l"], pair["unique_id_r"], "no-match", "reviewer-a")
    assert review_queue(out, 10).waiting == 0


def test_the_review_command_lists_the_queue_and_refuses_a_bad_limit(small_linkage: LinkRun) -> None:
    out = str(small_linkage.out_dir)
    shown = CliRunner().invoke(app, ["link", "review", out, "--limit", "3"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert f"{small_linkage.summary.review_pairs} pairs to review" in shown.output
    refused = CliRunner().invoke(app, ["link", "review", out, "--limit", "-1"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output


def test_threshold_was_chosen_from_the_model_and_reported(small_linkage: LinkRun) -> None:
    summary = json.loads((small_linkage.out_dir / linkage.SUMMARY_FILE).read_text())
    threshold = summary["threshold"]
    assert 0.5 <= threshold["threshold"] < 1.0
    assert threshold["review_low"] < threshold["threshold"] < threshold["review_high"]
    report = (small_linkage.out_dir / "report.md").read_text()
    assert "decision threshold (chosen from the model)" in report
    assert "| records per subject | subjects |" in report


def test_explanation_sums_to_the_stored_weight(small_linkage: LinkRun) -> None:
    links = pq.read_table(small_linkage.out_dir / linkage.LINKS_FILE).slice(0, 1).to_pylist()[0]
    explanation = explain_link(
        small_linkage.out_dir, links["unique_id_l"], links["unique_id_r"].replace("|", ":")
    )
    assert explanation.match_probability == pytest.approx(links["match_probability"])
    assert {c.comparison for c in explanation.comparisons} >= {"name", "date_of_birth"}
    assert all(c.level for c in explanation.comparisons)


def test_explaining_an_unscored_pair_says_why_there_is_no_evidence(small_linkage: LinkRun) -> None:
    with pytest.raises(NotFoundError, match="never compared"):
        explain_link(small_linkage.out_dir, "nosuch:1", "nosuch:2")


def test_review_judgements_are_honoured_by_the_next_run(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = tmp_path / "rerun"
    shutil.copytree(small_linkage.out_dir, out)
    links = pq.read_table(out / linkage.LINKS_FILE)
    merged = links.filter(pc.and_(links["same_subject"], pc.greater(links["match_probability"], 0.99)))
    apart = links.filter(pc.invert(links["same_subject"])).sort_by([("match_probability", "descending")])
    split_pair = merged.slice(0, 1).to_pylist()[0]
    join_pair = apart.slice(0, 1).to_pylist()[0]
    judge_pair(out, split_pair["unique_id_l"], split_pair["unique_id_r"], "no-match", "reviewer-a")
    judge_pair(out, join_pair["unique_id_l"], join_pair["unique_id_r"], "match", "reviewer-b")
    link_config(small_world / "sources.yaml", out)
    clusters = {
        f"{r['source']}|{r['record_id']}": r["subject_id"]
        for r in pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    }
    assert clusters[split_pair["unique_id_l"]] != clusters[split_pair["unique_id_r"]]
    assert clusters[join_pair["unique_id_l"]] == clusters[join_pair["unique_id_r"]]
    events = [json.loads(line) for line in (out / linkage.SUBJECT_EVENTS_FILE).read_text().splitlines()]
    assert any(e["kind"] == "split" for e in events)
    # The judged "match" moved one record's subject: a merge, or a split when the record left a subject
    # whose other records stay (a one-record-per-entity source, say); either way the event names it.
    moved = {key for e in events for key in e["records"]}
    assert {join_pair["unique_id_l"], join_pair["unique_id_r"]} & moved
    queue = review_queue(out, 10_000).pairs.to_pylist()
    judged = {tuple(sorted((split_pair["unique_id_l"], split_pair["unique_id_r"])))}
    assert all(tuple(sorted((r["unique_id_l"], r["unique_id_r"]))) not in judged for r in queue)


def test_judging_needs_a_known_pair_and_a_valid_verdict(small_linkage: LinkRun) -> None:
    links = pq.read_table(small_linkage.out_dir / linkage.LINKS_FILE).slice(0, 1).to_pylist()[0]
    with pytest.raises(InvalidInputError, match="not one of"):
        judge_pair(small_linkage.out_dir, links["unique_id_l"], links["unique_id_r"], "maybe", "someone")
    with pytest.raises(NotFoundError):
        judge_pair(small_linkage.out_dir, "a:1", "b:2", "match", "someone")


def test_rerunning_on_the_same_data_keeps_every_subject_id(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = tmp_path / "again"
    shutil.copytree(small_linkage.out_dir, out)
    before = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    link_config(small_world / "sources.yaml", out)
    after = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    assert before == after
    summary = json.loads((out / linkage.SUMMARY_FILE).read_text())
    assert summary["merges"] == 0 and summary["splits"] == 0
