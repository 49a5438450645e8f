"""Batch linkage of a small synthetic world, checked against its hidden truth."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
import shutil
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.errors import InvalidInputError, NotFoundError
from ilos.resolve import linkage, model_spec
from ilos.resolve.explain import rounded_to_total
from ilos.services.linking import (
    REVIEW_LIMIT_MAX,
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
    for limit in ("-1", "1000000"):
        refused = CliRunner().invoke(app, ["link", "review", out, "--limit", limit])
        assert refused.exit_code == 2 and "Traceback" not in refused.output, refused.output
    everything = review_queue(small_linkage.out_dir, REVIEW_LIMIT_MAX)
    assert everything.pairs.num_rows == everything.waiting == small_linkage.summary.review_pairs
    with pytest.raises(InvalidInputError, match="0 to 999,999 pairs at a time"):
        review_queue(small_linkage.out_dir, REVIEW_LIMIT_MAX + 1)


def test_review_prints_whole_ids_as_judge_takes_them_at_any_width(small_linkage: LinkRun) -> None:
    out = str(small_linkage.out_dir)
    first = review_queue(small_linkage.out_dir, 3).pairs.to_pylist()
    shown = CliRunner().invoke(app, ["link", "review", out, "--limit", "3"], terminal_width=40)
    for row in first:
        a, b = (row[k].replace("|", ":") for k in ("unique_id_l", "unique_id_r"))
        assert re.search(
            rf"^{re.escape(a)} +{re.escape(b)} +{row['match_probability']:.4f} ", shown.output, re.M
        )


def test_review_writes_csv_and_json_for_programs(small_linkage: LinkRun) -> None:
    out = str(small_linkage.out_dir)
    first = review_queue(small_linkage.out_dir, 3).pairs.to_pylist()
    expected = [
        (
            r["unique_id_l"].replace("|", ":"),
            r["unique_id_r"].replace("|", ":"),
            r["match_probability"],
            r["same_subject"],
        )
        for r in first
    ]
    as_csv = CliRunner().invoke(app, ["link", "review", out, "--limit", "3", "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    read = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [
        (r["record_a"], r["record_b"], float(r["probability"]), r["same_subject"] == "true") for r in read
    ] == expected
    as_json = CliRunner().invoke(app, ["link", "review", out, "--limit", "3", "--format", "json"])
    body = json.loads(as_json.stdout)
    assert body["waiting"] == small_linkage.summary.review_pairs and body["judged_unsure"] == 0
    assert [
        (r["record_a"], r["record_b"], r["probability"], r["same_subject"]) for r in body["pairs"]
    ] == expected
    refused = CliRunner().invoke(app, ["link", "review", out, "--format", "xml"])
    unboxed = re.sub(r"[\s│]+", " ", refused.output)  # click's error box wraps the message
    assert refused.exit_code == 2 and "'xml' is not one of 'table', 'csv', 'json'" in unboxed


def test_threshold_was_chosen_from_the_model_and_reported(small_linkage: LinkRun) -> None:
    summary = json.loads((small_linkage.out_dir / linkage.SUMMARY_FILE).read_text())
    threshold = summary["threshold"]
    assert 0.5 <= threshold["threshold"] < 1.0
    assert threshold["review_low"] < threshold["threshold"] < threshold["review_high"]
    report = (small_linkage.out_dir / "report.md").read_text()
    assert "decision threshold (chosen from the model)" in report
    assert "| records per subject | subjects |" in report


def test_report_tables_render_each_row_whole_with_its_chart_in_its_cell(small_linkage: LinkRun) -> None:
    """A chart's axis `|` sits in a code span inside a table cell: unescaped, GitHub's and markdown-it's
    tables split the row there and the chart renders as a lone backtick."""
    report = (small_linkage.out_dir / "report.md").read_text()
    rows: list[list[str]] = []
    for opening, token in itertools.pairwise(MarkdownIt("commonmark").enable("table").parse(report)):
        if token.type == "tr_open":
            rows.append([])
        elif opening.type in ("th_open", "td_open"):  # token: the cell's content, as the table split it
            rows[-1].append(token.content)
    charts = [row[5] for row in rows if len(row) == 6][1:]  # the model table's, below its header
    assert len(charts) > 10
    for chart in charts:
        assert re.fullmatch(r"(` *-*\|\+*`)?", chart), chart  # the bar whole, its axis inside its code span
    assert any("+`" in c for c in charts) and any("-|" in c for c in charts)


def _pairs_across_the_threshold(out: Path) -> list[dict[str, Any]]:
    """Links above and below the threshold, with and without term-frequency adjusted levels."""
    links = pq.read_table(out / linkage.LINKS_FILE).to_pylist()
    threshold = json.loads((out / linkage.SUMMARY_FILE).read_text())["threshold"]["threshold"]
    above = [r for r in links if r["match_probability"] >= threshold]
    below = [r for r in links if r["match_probability"] < threshold]
    tf_levels = [r for r in above if r["gamma_name"] == 7 and r["gamma_date_of_birth"] == 5]
    return [*tf_levels[:2], *above[:2], *below[:3], below[-1]]


def test_the_prior_comparisons_and_term_frequencies_add_up_to_the_stored_weight(
    small_linkage: LinkRun,
) -> None:
    out = small_linkage.out_dir
    pairs = _pairs_across_the_threshold(out)
    model = json.loads((out / "model.json").read_text())
    prior = model["probability_two_random_records_match"]
    adjusted = 0
    for row in pairs:
        e = explain_link(out, row["unique_id_l"], row["unique_id_r"].replace("|", ":"))
        assert e.match_probability == pytest.approx(row["match_probability"])
        assert e.prior_weight == pytest.approx(math.log2(prior / (1 - prior)))
        assert sum(line.weight for line in e.lines()) == pytest.approx(row["match_weight"], abs=1e-9)
        assert e.unstored_tf == 0.0
        adjusted += sum(1 for c in e.comparisons if c.tf_adjustment)
        assert all(c.level for c in e.comparisons)
    assert adjusted >= 4, "the pairs chosen include term-frequency adjusted levels"


def test_an_older_linkage_without_stored_adjustments_shows_them_as_one_line(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    """links.parquet written before the adjustments were stored apart still explains, with the adjustments
    as one line saying why, so the lines add up and nothing is guessed."""
    out = tmp_path / "older"
    shutil.copytree(small_linkage.out_dir, out)
    row = _pairs_across_the_threshold(out)[0]
    current = explain_link(out, row["unique_id_l"], row["unique_id_r"])
    links = pq.read_table(out / linkage.LINKS_FILE)
    stored_apart = [c.tf_weight_column for c in model_spec.comparisons() if c.tf_weight_column]
    pq.write_table(links.drop_columns(stored_apart), out / linkage.LINKS_FILE)
    older = explain_link(out, row["unique_id_l"], row["unique_id_r"])
    assert current.unstored_tf == 0.0 and any(c.tf_adjustment for c in current.comparisons)
    assert older.unstored_tf == pytest.approx(sum(c.tf_adjustment for c in current.comparisons), abs=1e-9)
    assert not any(c.tf_adjustment for c in older.comparisons)
    assert sum(line.weight for line in older.lines()) == pytest.approx(row["match_weight"], abs=1e-9)
    assert "re-run `ilos link`" in older.lines()[-1].detail


def test_the_printed_explanation_adds_up_to_its_printed_total(small_linkage: LinkRun) -> None:
    out = small_linkage.out_dir
    for row in _pairs_across_the_threshold(out):
        a, b = (row[k].replace("|", ":") for k in ("unique_id_l", "unique_id_r"))
        shown = CliRunner().invoke(app, ["link", "explain", str(out), a, b], terminal_width=200)
        assert shown.exit_code == 0, shown.output
        weights = re.findall(r"^\W*(\S+) .*?([+-]\d+\.\d\d) *\W*$", shown.output, flags=re.MULTILINE)
        (total,) = [float(w) for label, w in weights if label == "total"]
        parts = [float(w) for label, w in weights if label != "total"]
        assert weights[0][0] == "prior" and len(parts) >= 1 + len(model_spec.comparisons())
        assert round(sum(parts), 2) == total == round(row["match_weight"], 2)


def test_rounded_parts_add_up_to_their_rounded_sum() -> None:
    weights = [0.004, 0.004, 0.004, -11.751, 10.285, 1.1549]
    shown = rounded_to_total(weights)
    assert sum(shown) == round(sum(weights) * 100)
    assert all(abs(s - w * 100) < 1 for s, w in zip(shown, weights, strict=True))
    assert sorted(rounded_to_total([0.126, 0.126])) == [12, 13]  # 0.252 shows as 0.25, not 0.26


def _never_paired(out: Path) -> tuple[str, str]:
    """Two records of the linkage that no link joins."""
    records = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    links = pq.read_table(out / linkage.LINKS_FILE)
    paired = set(links["unique_id_l"].to_pylist()) | set(links["unique_id_r"].to_pylist())
    linked = {
        tuple(p) for p in zip(links["unique_id_l"].to_pylist(), links["unique_id_r"].to_pylist(), strict=True)
    }
    keys = [f"{r['source']}:{r['record_id']}" for r in records if f"{r['source']}|{r['record_id']}" in paired]
    a, b = keys[0], keys[-1]
    assert (a.replace(":", "|", 1), b.replace(":", "|", 1)) not in linked
    return a, b


@pytest.mark.parametrize(
    ("typed", "error", "message"),
    [
        (("{source}:NOPE", "{a}"), NotFoundError, "Record {source}:NOPE is not in this linkage"),
        (("nosuch:1", "{a}"), NotFoundError, "No source 'nosuch' in this linkage \\(sources: .*{source}"),
        (("{source}x:1", "{a}"), NotFoundError, "did you mean '{source}'"),
        (("EOIR0000000001", "{a}"), InvalidInputError, "Expected SOURCE:RECORD_ID"),
        (("{a}", "{a}"), InvalidInputError, "The two records are the same"),
        (("{a}", "{b}"), NotFoundError, "both in this linkage but were never compared"),
    ],
)
def test_each_mistake_in_naming_a_pair_has_its_own_message(
    small_linkage: LinkRun, typed: tuple[str, str], error: type[Exception], message: str
) -> None:
    out = small_linkage.out_dir
    a, b = _never_paired(out)
    names = {"a": a, "b": b, "source": a.split(":", 1)[0]}
    left, right = (t.format(**names) for t in typed)
    with pytest.raises(error, match=message.format(**names)):
        explain_link(out, left, right)
    with pytest.raises(error, match=message.format(**names)):
        judge_pair(out, left, right, "match", "someone")


def test_a_source_typed_in_another_case_is_the_source(small_linkage: LinkRun) -> None:
    row = pq.read_table(small_linkage.out_dir / linkage.LINKS_FILE).slice(0, 1).to_pylist()[0]
    shouted = f"{row['source_l'].upper()}:{row['record_id_l']}"
    assert explain_link(small_linkage.out_dir, shouted, row["unique_id_r"]).left == row["unique_id_l"]


def test_explaining_a_judged_pair_shows_the_verdict_who_and_when(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = tmp_path / "judged"
    shutil.copytree(small_linkage.out_dir, out)
    row = pq.read_table(out / linkage.REVIEW_FILE).slice(0, 1).to_pylist()[0]
    a, b = (row[k].replace("|", ":") for k in ("unique_id_l", "unique_id_r"))
    made = judge_pair(out, a, b, "no-match", "reviewer-a")
    assert made.verdict == "no_match"
    assert explain_link(out, b, a).judgement == made
    shown = CliRunner().invoke(app, ["link", "explain", str(out), a, b], terminal_width=200)
    assert f"judged no_match by reviewer-a at {made.judged_at:%Y-%m-%d %H:%M}Z" in shown.output


def test_an_unsure_pair_leaves_the_queue_and_is_counted(small_linkage: LinkRun, tmp_path: Path) -> None:
    out = tmp_path / "unsure"
    shutil.copytree(small_linkage.out_dir, out)
    before = review_queue(out, 1)
    row = before.pairs.to_pylist()[0]
    judge_pair(out, row["unique_id_l"], row["unique_id_r"], "unsure", "reviewer-a")
    after = review_queue(out, 1)
    assert (after.waiting, after.unsure) == (before.waiting - 1, before.unsure + 1)
    assert review_queue(out, 10, unsure=True).pairs.to_pylist() == [row]
    shown = CliRunner().invoke(app, ["link", "review", str(out), "--limit", "1"])
    assert f'{before.unsure + 1} pairs judged "unsure" are held out of the queue' in shown.output


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
    unsure_pair = review_queue(out, 1).pairs.to_pylist()[0]
    judge_pair(out, unsure_pair["unique_id_l"], unsure_pair["unique_id_r"], "unsure", "reviewer-c")
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
    # "unsure" decides nothing: the run decides the pair as if unjudged, so it stays in review.parquet,
    # held out of the queue and counted, instead of becoming "judged" and leaving it for good.
    rerun = pq.read_table(out / linkage.LINKS_FILE).to_pylist()
    unsure_key = (unsure_pair["unique_id_l"], unsure_pair["unique_id_r"])
    assert (
        next(r for r in rerun if (r["unique_id_l"], r["unique_id_r"]) == unsure_key)["decision"] == "review"
    )
    assert review_queue(out, 10, unsure=True).pairs.to_pylist()[0]["unique_id_l"] == unsure_key[0]


def test_judging_needs_a_known_pair_and_a_valid_verdict(small_linkage: LinkRun) -> None:
    links = pq.read_table(small_linkage.out_dir / linkage.LINKS_FILE).slice(0, 1).to_pylist()[0]
    with pytest.raises(
        InvalidInputError, match="not one of match, no_match \\(also written no-match\\) or unsure"
    ):
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
