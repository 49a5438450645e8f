"""The household measure: among distinct persons seen at one address, the share merged into one subject,
by any of their records (not only those carrying the address)."""

from __future__ import annotations

import pyarrow as pa

from ilos.resolve.evaluation import score_clusters


def test_a_housemate_merged_by_a_record_without_the_address_counts() -> None:
    # P1 and P2 live at K; P1's crossing (no address) landed in P2's subject. P3 and P4 live at L, apart.
    # P5 lives at K too, merged with nobody.
    records = [
        ("court", "1", "P1", "S1", "K"),
        ("crossings", "2", "P1", "S2", None),
        ("court", "3", "P2", "S2", "K"),
        ("court", "4", "P3", "S3", "L"),
        ("court", "5", "P4", "S4", "L"),
        ("court", "6", "P5", "S5", "K"),
    ]
    source, record_id, person, subject, address = (list(c) for c in zip(*records, strict=True))
    scores = score_clusters(
        pa.table({"source": source, "record_id": record_id, "subject_id": subject}),
        pa.table({"source": source, "record_id": record_id, "person_id": person}),
        pa.table({"source": source, "record_id": record_id, "address_key": address}),
    )
    # pairs at one address: P1-P2, P1-P5, P2-P5 (K), P3-P4 (L); merged: P1-P2 only
    assert (scores.household_person_pairs, scores.household_false_merges) == (4, 1)
    assert scores.household_false_merge_rate == 0.25
