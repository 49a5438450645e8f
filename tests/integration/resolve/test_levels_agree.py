"""The Python twin of every comparison level, and the Python scorer, reproduce Splink's own results on
every pair Splink scored: one model, two engines, no drift."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from ilos.resolve import linkage, model_spec
from ilos.resolve.incremental import term_frequency_tables
from ilos.resolve.records import record_dicts
from ilos.resolve.scoring import PairScorer, term_frequencies, tf_columns_of
from ilos.services.linking import LinkRun


def test_python_levels_and_scores_match_splink_on_every_scored_pair(small_linkage: LinkRun) -> None:
    out = small_linkage.out_dir
    records = record_dicts(pq.read_table(out / linkage.RECORDS_FILE))
    model = json.loads((out / linkage.MODEL_FILE).read_text())
    tf = {c: term_frequencies(r.get(c) for r in records.values()) for c in tf_columns_of(model)}
    scorer = PairScorer(model, tf)
    links = pq.read_table(out / linkage.LINKS_FILE).to_pylist()
    assert len(links) > 1000
    names = [c.name for c in model_spec.comparisons()]
    for link in links:
        left, right = records[link["unique_id_l"]], records[link["unique_id_r"]]
        score = scorer.score(left, right)
        assert score.gammas == tuple(link[f"gamma_{n}"] for n in names), (
            link["unique_id_l"],
            link["unique_id_r"],
        )
        assert score.match_weight == pytest.approx(link["match_weight"], abs=1e-6)
        for c, weight, tf_weight in zip(
            model_spec.comparisons(), score.weights, score.tf_weights, strict=True
        ):
            assert weight == pytest.approx(link[c.weight_column], abs=1e-9)
            assert tf_weight == pytest.approx(
                link[c.tf_weight_column] if c.tf_weight_column else 0.0, abs=1e-9
            )


def test_household_rule_twin_agrees_with_sql(small_linkage: LinkRun) -> None:
    out = small_linkage.out_dir
    records = record_dicts(pq.read_table(out / linkage.RECORDS_FILE))
    for link in pq.read_table(out / linkage.LINKS_FILE).to_pylist():
        left, right = records[link["unique_id_l"]], records[link["unique_id_r"]]
        expected = model_spec.is_household_conflict(left, right, link["gamma_date_of_birth"])
        assert bool(link["household_conflict"]) == expected, (link["unique_id_l"], link["unique_id_r"])


def test_a_loaded_linkage_counts_term_frequencies_as_the_python_scorer_does(small_linkage: LinkRun) -> None:
    """Loading a linkage counts each value's share in DuckDB (`incremental.term_frequency_tables`, 5.6M records
    at 1M persons); it must give the tables the Python scorer's own count gives, or scores would drift."""
    out = small_linkage.out_dir
    table = pq.read_table(out / linkage.RECORDS_FILE)
    records = record_dicts(table)
    columns = tf_columns_of(json.loads((out / linkage.MODEL_FILE).read_text()))
    assert "name_key" in columns
    expected = {c: term_frequencies(r.get(c) for r in records.values()) for c in columns}
    assert term_frequency_tables(table, columns) == expected
