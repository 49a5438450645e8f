"""One summary row per subject (subjects.parquet): best values with their provenance, critical-field
conflicts and the headline legal facts. The full observations and timeline sit beside it, so any
summary value can be traced and re-derived."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import pyarrow as pa

from ilos.domain.attributes import SurvivorshipRules
from ilos.domain.subjects import Subject

BEST_ATTRIBUTES = (
    "full_name",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "nationality",
    "a_number",
    "address",
)
_BEST_TYPE = pa.list_(
    pa.struct(
        [
            ("attribute", pa.string()),
            ("value", pa.string()),
            ("source", pa.string()),
            ("record_id", pa.string()),
        ]
    )
)
SUMMARY_SCHEMA = pa.schema(
    [
        ("subject_id", pa.string()),
        ("record_count", pa.int32()),
        ("sources", pa.list_(pa.string())),
        ("best", _BEST_TYPE),
        ("conflicts", pa.list_(pa.string())),
        ("as_of", pa.date32()),
        ("has_final_order", pa.bool_()),
        ("final_order_type", pa.string()),
        ("final_order_date", pa.date32()),
        ("final_order_country", pa.string()),
        ("appeal_window_open", pa.bool_()),
        ("appeal_pending", pa.bool_()),
        ("stays_in_effect", pa.list_(pa.string())),
        ("country_protections", pa.list_(pa.string())),
        ("protected_statuses", pa.list_(pa.string())),
        ("pending_applications", pa.list_(pa.string())),
        ("detained", pa.bool_()),
        ("departure", pa.string()),
        ("citizenship_evidence", pa.list_(pa.string())),
        ("convictions", pa.int32()),
        ("cooperating", pa.bool_()),
        ("rules_hash", pa.string()),
    ]
)


def summary_row(subject: Subject, rules: SurvivorshipRules) -> dict[str, Any]:
    legal = subject.legal
    order = legal.final_order
    best = []
    for name in BEST_ATTRIBUTES:
        found = subject.best(name, rules)
        if found is not None:
            best.append(
                {
                    "attribute": name,
                    "value": str(found.value),
                    "source": found.source,
                    "record_id": found.record_id,
                }
            )
    return {
        "subject_id": subject.subject_id,
        "record_count": len(subject.records),
        "sources": sorted({r.source for r in subject.records}),
        "best": best,
        "conflicts": list(subject.conflicts(rules)),
        "as_of": legal.as_of,
        "has_final_order": order is not None,
        "final_order_type": order.order_type.value if order else None,
        "final_order_date": order.ordered_on if order else None,
        "final_order_country": order.country if order else None,
        "appeal_window_open": bool(legal.appeal_windows),
        "appeal_pending": bool(legal.pending_appeals),
        "stays_in_effect": sorted(s.kind.value for s in legal.stays_in_effect),
        "country_protections": sorted(f"{p.kind}:{p.country or '?'}" for p in legal.country_protections),
        "protected_statuses": sorted(legal.status_kinds()),
        "pending_applications": sorted({p.benefit for p in legal.pending_applications}),
        "detained": legal.detention.detained,
        "departure": legal.departure.kind.value,
        "citizenship_evidence": sorted({c.kind for c in legal.citizenship}),
        "convictions": len(legal.convictions),
        "cooperating": legal.is_cooperating,
        "rules_hash": rules.content_hash,
    }


SUBJECTS_PER_BATCH = 50_000


def summary_batches(
    subjects: Iterable[Subject], rules: SurvivorshipRules, step: int = SUBJECTS_PER_BATCH
) -> Iterator[pa.RecordBatch]:
    """Summary rows, `step` subjects at a time: a million subjects' rows at once are gigabytes of Python
    objects, and the build writes each batch as it comes."""
    rows = (summary_row(s, rules) for s in subjects)  # a subject is let go once its row is made
    while chunk := list(islice(rows, step)):
        yield pa.RecordBatch.from_pylist(chunk, schema=SUMMARY_SCHEMA)
