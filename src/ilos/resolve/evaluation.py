"""Accuracy of a clustering against ground truth: pairwise and B-cubed scores, and household false merges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ilos.resolve.clustering import ClusterForest

EVIDENCE_FIELDS = (
    "date_of_birth", "sex", "street", "city", "state", "postal_code", "address_key", "country_of_birth",
    "nationality", "phone", "a_number", "fbi_number", "ssn", "passport_number", "state_id",
)  # fmt: skip
"""Every standardized field except the names."""


@dataclass(frozen=True, slots=True)
class LinkageScores:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    household_person_pairs: int
    household_false_merges: int
    linkage_records_without_truth: int
    """Clustered records the truth does not cover: left out of every measure."""
    truth_records_not_in_linkage: int
    """Truth rows naming a record the linkage lacks (added later, another world): left out too."""

    @property
    def household_false_merge_rate(self) -> float:
        return (
            self.household_false_merges / self.household_person_pairs if self.household_person_pairs else 0.0
        )


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_clusters(clusters: pa.Table, truth: pa.Table, addresses: pa.Table | None = None) -> LinkageScores:
    """Compare `clusters` (source, record_id, subject_id) with `truth` (source, record_id, person_id), over
    the records both hold; how many each holds alone is counted, so a partial truth can be reported.

    `addresses` (source, record_id, address_key) enables the household measure: among pairs of distinct true
    persons seen at one address, the share with records of both in one subject.
    """
    con = duckdb.connect()
    con.register("c", clusters.select(["source", "record_id", "subject_id"]))
    con.register("t", truth.select(["source", "record_id", "person_id"]))
    con.execute(
        "CREATE TEMP TABLE j AS SELECT c.subject_id AS s, CAST(t.person_id AS VARCHAR) AS p "
        "FROM c JOIN t USING (source, record_id)"
    )
    row = con.sql(
        """
        WITH sp AS (SELECT s, p, count(*) AS n FROM j GROUP BY s, p),
             ss AS (SELECT s, count(*) AS n FROM j GROUP BY s),
             pp AS (SELECT p, count(*) AS n FROM j GROUP BY p)
        SELECT
          (SELECT count(*) FROM j),
          (SELECT COALESCE(sum(n * (n - 1) / 2), 0) FROM pp),
          (SELECT COALESCE(sum(n * (n - 1) / 2), 0) FROM ss),
          (SELECT COALESCE(sum(n * (n - 1) / 2), 0) FROM sp),
          (SELECT COALESCE(sum(sp.n * sp.n / ss.n), 0) FROM sp JOIN ss USING (s)),
          (SELECT COALESCE(sum(sp.n * sp.n / pp.n), 0) FROM sp JOIN pp USING (p)),
          (SELECT count(*) FROM c ANTI JOIN t USING (source, record_id)),
          (SELECT count(*) FROM t ANTI JOIN c USING (source, record_id))
        """
    ).fetchall()[0]
    assert row is not None
    n, true_pairs, pred_pairs, correct, b_prec_sum, b_rec_sum = (float(x) for x in row[:6])
    without_truth, not_in_linkage = int(row[6]), int(row[7])
    precision = correct / pred_pairs if pred_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    b_prec = b_prec_sum / n if n else 1.0
    b_rec = b_rec_sum / n if n else 1.0
    hh_pairs, hh_merges = _household_merges(con, addresses) if addresses is not None else (0, 0)
    return LinkageScores(
        records=int(n),
        true_pairs=int(true_pairs),
        predicted_pairs=int(pred_pairs),
        correct_pairs=int(correct),
        pairwise_precision=precision,
        pairwise_recall=recall,
        pairwise_f1=_f1(precision, recall),
        bcubed_precision=b_prec,
        bcubed_recall=b_rec,
        bcubed_f1=_f1(b_prec, b_rec),
        household_person_pairs=hh_pairs,
        household_false_merges=hh_merges,
        linkage_records_without_truth=without_truth,
        truth_records_not_in_linkage=not_in_linkage,
    )


def _household_merges(con: duckdb.DuckDBPyConnection, addresses: pa.Table) -> tuple[int, int]:
    """Pairs of distinct persons seen at one address, and those of them merged: a record of one and a record
    of the other in one subject, whichever records those are (counting only the records that carry the
    address missed a housemate's crossing merged into the other's subject)."""
    con.register("a", addresses.select(["source", "record_id", "address_key"]))
    row = con.sql(
        """
        WITH seen AS (
          SELECT DISTINCT a.address_key, CAST(t.person_id AS VARCHAR) AS p
          FROM a JOIN t USING (source, record_id) JOIN c USING (source, record_id)
          WHERE a.address_key IS NOT NULL
        ),
        pairs AS (
          SELECT DISTINCT x.p AS p1, y.p AS p2
          FROM seen x JOIN seen y ON x.address_key = y.address_key AND x.p < y.p
        ),
        subjects AS (SELECT DISTINCT p, s FROM j),
        merged AS (
          SELECT DISTINCT pairs.p1, pairs.p2
          FROM pairs JOIN subjects x ON x.p = pairs.p1 JOIN subjects y ON y.p = pairs.p2 AND x.s = y.s
        )
        SELECT (SELECT count(*) FROM pairs), (SELECT count(*) FROM merged)
        """
    ).fetchall()[0]
    assert row is not None
    return int(row[0]), int(row[1])


def evidence_oracle(records: pa.Table, truth: pa.Table, fields: Sequence[str] = EVIDENCE_FIELDS) -> pa.Table:
    """The best clustering any linker can reach without linking on a name alone: each true person's records
    split into the groups joined by a chain of records that share a value of `fields` (exactly, so an
    optimistic bound only in that typos are not credited). Its pairwise recall is the recall ceiling; the
    rest of a person's records share nothing with the others but a name, which namesakes share too."""
    con = duckdb.connect()
    con.register("records", records.select(["source", "record_id", *fields]))
    con.register("t", truth.select(["source", "record_id", "person_id"]))
    con.execute(
        "CREATE TEMP TABLE r AS SELECT row_number() OVER (ORDER BY source, record_id) - 1 AS i, "
        "CAST(t.person_id AS VARCHAR) AS person_id, records.* FROM records JOIN t USING (source, record_id)"
    )
    keys = con.sql("SELECT source, record_id, person_id FROM r ORDER BY i").to_arrow_table()
    forest = ClusterForest([-1] * keys.num_rows)
    for field in fields:
        groups = con.sql(
            f'SELECT list(i) FROM r WHERE "{field}" IS NOT NULL '  # noqa: S608 - field names are ours
            f'GROUP BY person_id, "{field}" HAVING count(*) > 1'
        ).fetchall()
        for (members,) in groups:
            root = forest.find(members[0])
            for other in members[1:]:
                other_root = forest.find(other)
                if other_root != root:
                    root = forest.union(root, other_root)
    persons = keys["person_id"].to_pylist()
    subjects = [f"{p}#{forest.find(i)}" for i, p in enumerate(persons)]
    return pa.table({"source": keys["source"], "record_id": keys["record_id"], "subject_id": subjects})
