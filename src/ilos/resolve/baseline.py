"""A plain Splink baseline, as a careful Splink user would build it, to measure ILOS against on the same data.

Standard library comparisons (names, date of birth, exact identifiers and postal code), term-frequency
adjustment on names, sensible blocking, unsupervised training, connected-components clustering.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from ilos.resolve.clustering import ClusteringRules, cluster_edges

BASELINE_TABLE = "baseline_records"


@dataclass(frozen=True, slots=True)
class BaselinePairs:
    ids: list[str]
    left: np.ndarray
    right: np.ndarray
    probability: np.ndarray


def score_baseline(records: pa.Table, seed: int = 42) -> BaselinePairs:
    """Train the baseline model without labels and score its blocked pairs."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = duckdb.connect()
    con.register("incoming", records)
    con.execute(
        f"CREATE TABLE {BASELINE_TABLE} AS SELECT source || '|' || record_id AS unique_id, given_name, "  # noqa: S608
        "family_name, date_of_birth, postal_code, a_number, ssn, passport_number, sex FROM incoming "
        "ORDER BY unique_id"
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
            cl.ExactMatch("postal_code"),
            cl.ExactMatch("a_number"),
            cl.ExactMatch("ssn"),
            cl.ExactMatch("passport_number"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("a_number"),
            block_on("ssn"),
            block_on("family_name", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("given_name", "family_name"),
            block_on("postal_code", "family_name"),
        ],
    )
    linker = Linker(DuckDBAPI(connection=con).register(BASELINE_TABLE), settings, log_level=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linker.training.estimate_probability_two_random_records_match(
            [block_on("given_name", "family_name", "date_of_birth")], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("date_of_birth"), record_sample_proportion=1.0, max_pairs=2e6
        )
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("family_name"), record_sample_proportion=1.0, max_pairs=2e6
        )
        frame = linker.inference.predict(threshold_match_probability=0.01, warning_mode="never")
    ids = [r[0] for r in con.execute(f"SELECT unique_id FROM {BASELINE_TABLE} ORDER BY unique_id").fetchall()]  # noqa: S608
    pairs = con.execute(
        f"SELECT unique_id_l, unique_id_r, match_probability FROM {frame.physical_name}"  # noqa: S608
    ).fetchall()
    index = {u: i for i, u in enumerate(ids)}
    return BaselinePairs(
        ids=ids,
        left=np.array([index[a] for a, _, _ in pairs], dtype=np.int64),
        right=np.array([index[b] for _, b, _ in pairs], dtype=np.int64),
        probability=np.array([p for _, _, p in pairs], dtype=np.float64),
    )


def baseline_clusters(pairs: BaselinePairs, threshold: float) -> pa.Table:
    """Connected components at a threshold, as Splink's own clustering does."""
    outcome = cluster_edges(
        len(pairs.ids),
        pairs.left,
        pairs.right,
        pairs.probability,
        ClusteringRules(threshold=threshold, strong=0.0),
    )
    sources = [i.split("|", 1)[0] for i in pairs.ids]
    records = [i.split("|", 1)[1] for i in pairs.ids]
    return pa.table({"source": sources, "record_id": records, "subject_id": [str(x) for x in outcome.labels]})
