"""The per-record standardize step for the near-real-time path: one raw row (a dict of text) in, the row
`standardize_table` would give for it out, through the same registry functions with no Arrow table built.
tests/unit/standardize/test_standardize_record.py holds the two equal on every row of a synthetic world."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ilos.definitions.sources import SourceSpec
from ilos.standardize import addresses, dates, names
from ilos.standardize.registry import COLUMN_STANDARDIZERS, standardizer_for
from ilos.standardize.table import (
    OUTPUT_SCHEMA,
    PLACEHOLDER_ORDER,
    date_format,
    family_facts,
    given_facts,
    placeholder_check,
    split_full,
)

_FIELDS = tuple(OUTPUT_SCHEMA.names)


def standardize_record(values: Mapping[str, str | None], spec: SourceSpec) -> dict[str, Any]:
    """One raw row of `spec`'s source as `standardize_table(...).to_pylist()` would give it (columns absent
    from `values` count as null). Kernels are not used: each agrees with its pure function on ASCII text."""
    raws = {c: _raw_value(values, spec, c) for c in PLACEHOLDER_ORDER}
    out: dict[str, Any] = {"source": spec.name, "record_id": values.get(spec.record_id)}
    out.update(_names(spec, raws))
    fmt = date_format(spec)
    out.update(_date(raws["date_of_birth"], fmt))
    record_date = _raw_value(values, spec, "record_date")
    out["born_by"] = dates.born_by(record_date, date_format(spec, "record_date"), spec.minimum_age or 0)
    for field in COLUMN_STANDARDIZERS:
        raw = raws[field]
        out[field] = standardizer_for(field).function(raw) if raw is not None else None
    out["address_key"] = addresses.key_from_normalized(out["street"], out["postal_code"])
    out["placeholder_fields"] = [
        field
        for field in PLACEHOLDER_ORDER
        if (raw := raws[field]) is not None and out[field] is None and placeholder_check(field, fmt)(raw)
    ]
    return {name: out[name] for name in _FIELDS}


def standardized_row(spec: SourceSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """A source row (raw text values, any extra keys ignored) as the model sees it: how the worker
    standardizes an event's record, and how its journaled values are standardized again to be shown."""
    return standardize_record({c: values.get(c) for c in spec.declared_schema()}, spec)


def _raw_value(values: Mapping[str, str | None], spec: SourceSpec, canonical: str) -> str | None:
    """The raw text of one canonical field: its column, or its columns joined with spaces (as
    `table.join_with_spaces`: nulls as empty parts, outer spaces trimmed, empty as null)."""
    if canonical not in spec.fields:
        return None
    parts = [values.get(c) for c in spec.mapped_columns(canonical)]
    if len(parts) == 1:
        return parts[0]
    return " ".join(p if p is not None else "" for p in parts).strip(" ") or None


def _names(spec: SourceSpec, raws: Mapping[str, str | None]) -> dict[str, Any]:
    if "given_name" not in spec.fields and "family_name" not in spec.fields and "full_name" in spec.fields:
        given, middle, family = split_full(raws["full_name"], spec.full_name_family_first)
    else:
        given, middle, family = (
            names.normalize_name(raws[f]) for f in ("given_name", "middle_name", "family_name")
        )
        if names.is_placeholder_pair(given, family):
            given, family = None, None
    canonical, given_keys, given_phonetic = given_facts(given)
    first, second, family_phonetic = family_facts(family)
    tokens = sorted({w for name in (given, middle, family) for w in names.token_set(name)})
    full = " ".join(p if p is not None else "" for p in (given, family)).strip(" ") or None
    return {
        "given_name": given, "given_name_canonical": canonical, "middle_name": middle, "family_name": family,
        "family_first": first, "family_second": second, "full_name": full, "name_tokens": tokens,
        "name_keys": sorted({k for w in tokens for k in names.token_keys(w)}), "given_keys": list(given_keys),
        "given_phonetic": given_phonetic, "family_phonetic": family_phonetic,
    }  # fmt: skip


def _date(raw: str | None, fmt: str) -> dict[str, Any]:
    dob: date | None = dates.parse_birth_date(raw, fmt) if raw is not None else None
    if dob is None:
        return {"date_of_birth": None, "dob_is_default": None, "dob_year": None}
    return {"date_of_birth": dob, "dob_is_default": dob.month == 1 and dob.day == 1, "dob_year": dob.year}
