"""Data health for the web: landed ingest batches and quarantine counts by source and reason, read from
the lake for roles that watch data quality; every read is audited."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ilos.services.access import Caller, Role
from ilos.services.audit_log import Action, record_alone, require_role
from ilos.services.ingestion import BatchRow, list_batches, list_quarantine
from ilos.services.store_access import Store

DATA_HEALTH_READERS = frozenset({Role.data_steward, Role.supervisor, Role.oversight})
EXAMPLES = 20


@dataclass(frozen=True, slots=True)
class ReasonCount:
    source: str
    reason: str
    rows: int
    scope: str = "row"
    """'row': rows quarantined whole; 'value': values flagged in rows that were accepted."""


@dataclass(frozen=True, slots=True)
class DataHealth:
    batches: tuple[BatchRow, ...]
    reasons: tuple[ReasonCount, ...]
    rows_read: int
    rows_quarantined: int
    values_flagged: int = 0


def data_health(store: Store, caller: Caller) -> DataHealth:
    """Batches newest first, and quarantine lines (rows held, values flagged) counted by source, scope and
    reason (most first)."""
    action = Action("data_health.read", "ingest_batch")
    require_role(store, caller, DATA_HEALTH_READERS, action)
    batches = tuple(list_batches(store.settings))
    counts: Counter[tuple[str, str, str]] = Counter()
    for row in list_quarantine(store.settings):
        for reason in _reasons(row.reasons):
            counts[(row.source, reason, row.scope)] += 1
    reasons = tuple(
        ReasonCount(s, r, n, scope)
        for (s, r, scope), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    record_alone(store, caller, Action("data_health.read", "ingest_batch", result_count=len(batches)))
    return DataHealth(
        batches,
        reasons,
        sum(b.rows_read for b in batches),
        sum(b.rows_quarantined for b in batches),
        sum(b.values_flagged for b in batches),
    )


_KIND = re.compile(r"(column '[^']+': [^'(]+)")


def _reasons(text: str) -> list[str]:
    """Each reason without the offending value (`column 'dob': unparseable date`), so rows group by kind
    and no raw value is shown."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    kinds = [(m.group(1).strip() if (m := _KIND.match(p)) else p) for p in parts]
    return kinds or ["(no reason recorded)"]
