"""Standardized records as Python dicts keyed `source|record_id`, the shape the Python scorer reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa


def record_key(source: str, record_id: str) -> str:
    return f"{source}|{record_id}"


def name_key_of(name_keys: Sequence[str] | None) -> str | None:
    """The order-free name key: sorted name words joined; None when a record has no name."""
    return " ".join(sorted(name_keys)) if name_keys else None


def record_dicts(records: pa.Table) -> dict[str, dict[str, Any]]:
    """One dict per standardized record, with the derived `name_key` the model compares."""
    out: dict[str, dict[str, Any]] = {}
    for row in records.to_pylist():
        row["name_key"] = name_key_of(row.get("name_keys"))
        out[record_key(row["source"], row["record_id"])] = row
    return out
