"""Standardized records as Python dicts keyed `source|record_id`, the shape the Python scorer reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa


def record_key(source: str, record_id: str) -> str:
    return f"{source}|{record_id}"


def split_record_key(text: str) -> tuple[str, str] | None:
    """(source, record_id) from "source|record_id" as stored or "source:record_id" as people type it; None
    without a separator. The source ends at the first ':' or '|' (source names hold neither), so a record
    id may hold either."""
    cuts = [i for i in (text.find(":"), text.find("|")) if i >= 0]
    return (text[: min(cuts)], text[min(cuts) + 1 :]) if cuts else None


def typed_record_key(text: str) -> str:
    """A record key as people type it: source:record_id."""
    parts = split_record_key(text)
    return f"{parts[0]}:{parts[1]}" if parts else text


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
