"""The recall ceiling: a person's records count as linkable only through shared non-name values."""

from __future__ import annotations

import pyarrow as pa

from ilos.resolve.evaluation import evidence_oracle, score_clusters


def test_records_sharing_only_a_name_are_out_of_reach() -> None:
    records = pa.table(
        {
            "source": ["court", "benefits", "tax", "tax", "wage", "court"],
            "record_id": ["1", "2", "3", "4", "5", "6"],
            "date_of_birth": ["1980-01-02", "1980-01-02", None, None, None, "1990-05-05"],
            "ssn": [None, "123456789", "123456789", None, "987654321", None],
            "a_number": [None, None, None, None, None, None],
        }
    )
    truth = pa.table(
        {
            "source": ["court", "benefits", "tax", "tax", "wage", "court"],
            "record_id": ["1", "2", "3", "4", "5", "6"],
            # P1: court-benefits by date of birth, benefits-tax by SSN (a chain); tax 4 shares nothing.
            # P2: wage and court share nothing but (say) a name.
            "person_id": ["P1", "P1", "P1", "P1", "P2", "P2"],
        }
    )
    oracle = evidence_oracle(records, truth, ("date_of_birth", "ssn", "a_number"))
    subjects = dict(zip(oracle["record_id"].to_pylist(), oracle["subject_id"].to_pylist(), strict=True))
    assert subjects["1"] == subjects["2"] == subjects["3"]
    assert len({subjects["1"], subjects["4"], subjects["5"], subjects["6"]}) == 4
    scores = score_clusters(oracle, truth)
    assert scores.pairwise_precision == 1.0
    assert scores.true_pairs == 7 and scores.correct_pairs == 3
