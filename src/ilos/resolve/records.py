"""Standardized records as Python dicts keyed `source|record_id`, the shape the Python scorer reads."""

from __future__ import annotations

from typing import Any

import pyarrow as pa


def record_key(source: str, record_id: str) -> str:
    return f"{source}|{record_id}"


def record_dicts(records: pa.Table) -> dict[str, dict[str, Any]]:
    """One dict per standardized record, with the derived `name_key` the model compares."""
    out: dict[str, dict[str, Any]] = {}
    for row in records.to_pylist():
        keys = row.get("name_keys") or []
        row["name_key"] = " ".join(sorted(keys))
        out[record_key(row["source"], row["record_id"])] = row
    return out
