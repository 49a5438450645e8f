"""The table-level standardize step: one raw source table in, one row of canonical standardized columns
out per input row. Python runs once per distinct value (or per distinct word), never once per row;
nearly-unique identifier columns go through the Arrow kernels instead."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilos.definitions.sources import DateField, SourceSpec
from ilos.errors import InvalidInputError
from ilos.standardize import addresses, dates, names, placeholders
from ilos.standardize.kernels import is_placeholder_kernel
from ilos.standardize.registry import COLUMN_STANDARDIZERS, Standardizer, standardizer_for

_S = pa.string()
OUTPUT_SCHEMA = pa.schema(
    [
        ("source", _S), ("record_id", _S), ("given_name", _S), ("given_name_canonical", _S),
        ("middle_name", _S), ("family_name", _S), ("family_first", _S), ("family_second", _S),
        ("full_name", _S), ("name_tokens", pa.list_(_S)), ("name_keys", pa.list_(_S)),
        ("given_keys", pa.list_(_S)), ("given_phonetic", _S), ("family_phonetic", _S),
        ("date_of_birth", pa.date32()), ("dob_is_default", pa.bool_()), ("dob_year", pa.int32()),
        ("born_by", pa.date32()),
        ("sex", _S), ("street", _S), ("city", _S), ("state", _S), ("postal_code", _S), ("address_key", _S),
        ("country_of_birth", _S), ("nationality", _S), ("phone", _S), ("a_number", _S), ("fbi_number", _S),
        ("ssn", _S), ("passport_number", _S), ("state_id", _S), ("placeholder_fields", pa.list_(_S)),
    ]
)  # fmt: skip
"""The columns `standardize_table` returns, in order."""

PLACEHOLDER_ORDER: tuple[str, ...] = (
    "given_name", "middle_name", "family_name", "full_name", "date_of_birth", "sex", "street", "city",
    "state", "postal_code", "country_of_birth", "nationality", "phone", "a_number", "fbi_number", "ssn",
    "passport_number", "state_id",
)  # fmt: skip

Column: TypeAlias = Any  # a pyarrow Array or ChunkedArray; pyarrow ships no type hints


def map_uniques(values: Column, function: Callable[[Any], Any], out_type: pa.DataType) -> Column:
    """`function` applied once per distinct value of `values` (null included), mapped back by index."""
    uniques = pc.unique(values)
    results = pa.array([function(v) for v in uniques.to_pylist()], type=out_type)
    return pc.take(results, pc.index_in(values, value_set=uniques))


def map_uniques_multi(
    values: Column, function: Callable[[Any], Sequence[Any]], out_types: Sequence[pa.DataType]
) -> list[Column]:
    """Like `map_uniques` for a function returning several values: one column per output."""
    uniques = pc.unique(values)
    rows = [function(v) for v in uniques.to_pylist()]
    indices = pc.index_in(values, value_set=uniques)
    return [pc.take(pa.array([r[i] for r in rows], type=t), indices) for i, t in enumerate(out_types)]


def apply_standardizer(values: Column, standardizer: Standardizer, out_type: pa.DataType = _S) -> Column:
    """A standardizer over a column: its kernel on ASCII rows when it has one (the non-ASCII rows go
    through the pure function), else the pure function over distinct values."""
    if standardizer.kernel is None:
        return map_uniques(values, standardizer.function, out_type)
    ascii_rows = pc.fill_null(pc.string_is_ascii(values), True)
    fast = standardizer.kernel(values)
    if pc.all(ascii_rows).as_py():
        return fast
    others = pc.if_else(ascii_rows, pa.scalar(None, _S), values)
    return pc.if_else(ascii_rows, fast, map_uniques(others, standardizer.function, out_type))


def _raw_column(table: pa.Table, spec: SourceSpec, canonical: str) -> Column | None:
    """The raw text of one canonical field: its column, or its columns joined with spaces."""
    if canonical not in spec.fields:
        return None
    columns = spec.mapped_columns(canonical)
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise InvalidInputError(
            f"Source {spec.name!r} maps {canonical!r} to column(s) {missing} that the table lacks; "
            f"columns present: {', '.join(table.column_names)}"
        )
    parts = [table.column(c).combine_chunks().cast(_S) for c in columns]
    if len(parts) == 1:
        return parts[0]
    return join_with_spaces(parts)


def join_with_spaces(parts: Sequence[Column]) -> Column:
    """Row-wise join of string columns with spaces, nulls skipped; null when all are null. Inner runs
    of spaces can remain where a middle part is null; every standardizer collapses them.
    (Arrow's null_handling="skip" drops all-null rows in some versions, so nulls are replaced instead.)"""
    joined = pc.binary_join_element_wise(*parts, " ", null_handling="replace", null_replacement="")
    return _nullify_empty(pc.utf8_trim(joined, " "))


def _placeholder_flags(raw: Column, standardized: Column, check: Callable[[str | None], bool]) -> np.ndarray:
    """Rows whose raw value is a placeholder. Only rows that standardized to null can be placeholders,
    so only those few are checked."""
    candidates = pc.and_(pc.is_valid(raw), pc.is_null(standardized))
    flags = np.zeros(len(raw), dtype=bool)
    rows = pc.indices_nonzero(candidates).to_numpy()
    if len(rows):
        flags[rows] = map_uniques(pc.take(raw, rows), check, pa.bool_()).to_numpy(zero_copy_only=False)
    return flags


def _lists_from_pairs(rows: np.ndarray, values: pa.Array, n: int) -> pa.ListArray:
    """A list<string> column of n rows from (row, value) pairs already sorted by row."""
    counts = np.bincount(rows, minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _sorted_unique_pairs(rows: np.ndarray, codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, code) pairs sorted by row then code, duplicates removed (a sort, not a hash: faster here)."""
    keys = np.sort(rows * size + codes)
    if len(keys):
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    return keys // size, keys % size


def _name_token_columns(columns: Sequence[Column], n: int) -> tuple[Column, Column]:
    """Per row, the sorted unique words of all the normalised names (`name_tokens`) and the sorted
    unique matching keys of those words (`name_keys`: nicknames and spelling variants resolved)."""
    lists = [map_uniques(c, names.token_set, pa.list_(_S)) for c in columns]
    lists = [x.combine_chunks() if isinstance(x, pa.ChunkedArray) else x for x in lists]
    parents = np.concatenate([pc.list_parent_indices(x).to_numpy() for x in lists]).astype(np.int64)
    flat = pa.concat_arrays([pc.list_flatten(x).cast(_S) for x in lists])
    vocab = pc.unique(flat)
    vocab = pc.take(vocab, pc.sort_indices(vocab))
    codes = pc.index_in(flat, value_set=vocab).to_numpy(zero_copy_only=False).astype(np.int64)
    rows, unique_codes = _sorted_unique_pairs(parents, codes, max(len(vocab), 1))
    tokens = _lists_from_pairs(rows, pc.take(vocab, pa.array(unique_codes)), n)
    keys_of_word = [names.token_keys(w) for w in vocab.to_pylist()]
    key_vocab = sorted({k for keys in keys_of_word for k in keys})
    position = {k: i for i, k in enumerate(key_vocab)}
    # A word has zero (an initial), one or several keys: expand each (row, word) to its (row, key) pairs.
    word_key_counts = np.array([len(keys) for keys in keys_of_word] or [0], dtype=np.int64)
    word_key_starts = np.concatenate([[0], np.cumsum(word_key_counts)])
    flat_keys = np.array([position[k] for keys in keys_of_word for k in keys] or [0], dtype=np.int64)
    per_row = word_key_counts[codes]
    expanded_rows = np.repeat(parents, per_row)
    within = np.arange(int(per_row.sum())) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    expanded_keys = flat_keys[np.repeat(word_key_starts[codes], per_row) + within]
    rows, key_codes = _sorted_unique_pairs(expanded_rows, expanded_keys, max(len(key_vocab), 1))
    keys = _lists_from_pairs(rows, pc.take(pa.array(key_vocab, _S), pa.array(key_codes)), n)
    return tokens, keys


def _null(n: int, kind: pa.DataType = _S) -> Column:
    return pa.nulls(n, kind)


def _nullify_empty(values: Column) -> Column:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, _S), values)


def _name_columns(table: pa.Table, spec: SourceSpec, n: int) -> dict[str, Column]:
    given_raw = _raw_column(table, spec, "given_name")
    middle_raw = _raw_column(table, spec, "middle_name")
    family_raw = _raw_column(table, spec, "family_name")
    full_raw = _raw_column(table, spec, "full_name")
    if given_raw is None and family_raw is None and full_raw is not None:
        family_first = spec.full_name_family_first
        given, middle, family = map_uniques_multi(
            full_raw, lambda v: split_full(v, family_first), [_S, _S, _S]
        )
    else:
        given = map_uniques(given_raw, names.normalize_name, _S) if given_raw is not None else _null(n)
        middle = map_uniques(middle_raw, names.normalize_name, _S) if middle_raw is not None else _null(n)
        family = map_uniques(family_raw, names.normalize_name, _S) if family_raw is not None else _null(n)
        # JOHN and DOE in two columns are the placeholder JOHN DOE, as in one (`names.is_placeholder_pair`).
        stand_in = pc.and_(
            pc.and_(pc.is_valid(given), pc.is_valid(family)),
            is_placeholder_kernel(join_with_spaces([given, family])),
        )
        given, family = (pc.if_else(stand_in, _null(n), part) for part in (given, family))
    canonical, given_keys, given_phonetic = map_uniques_multi(given, given_facts, [_S, pa.list_(_S), _S])
    first, second, family_phonetic = map_uniques_multi(family, family_facts, [_S, _S, _S])
    full = join_with_spaces([given, family])
    tokens, keys = _name_token_columns([given, middle, family], n)
    return {
        "given_name": given, "given_name_canonical": canonical, "middle_name": middle, "family_name": family,
        "family_first": first, "family_second": second, "full_name": full, "name_tokens": tokens,
        "name_keys": keys, "given_keys": given_keys,
        "given_phonetic": given_phonetic, "family_phonetic": family_phonetic,
    }  # fmt: skip


def split_full(value: str | None, family_first: bool = False) -> tuple[str | None, str | None, str | None]:
    parts = names.split_full_name(value, family_first)
    return parts.given, parts.middle, parts.family


def given_facts(given: str | None) -> tuple[str | None, tuple[str, ...], str | None]:
    return names.canonical_given(given), names.given_keys(given), names.given_phonetic(given)


def family_facts(family: str | None) -> tuple[str | None, str | None, str | None]:
    parts = names.split_surnames(family)
    return parts.first_surname, parts.second_surname, names.phonetic_key(parts.first_surname)


def _date_columns(raw: Column | None, fmt: str, n: int) -> dict[str, Column]:
    if raw is None:
        return {"date_of_birth": _null(n, pa.date32()), "dob_is_default": _null(n, pa.bool_()),
                "dob_year": _null(n, pa.int32())}  # fmt: skip
    dob = map_uniques(raw, lambda v: dates.parse_birth_date(v, fmt), pa.date32())
    is_default = pc.and_(pc.equal(pc.month(dob), 1), pc.equal(pc.day(dob), 1))
    return {"date_of_birth": dob, "dob_is_default": is_default, "dob_year": pc.year(dob).cast(pa.int32())}


def _born_by_column(table: pa.Table, spec: SourceSpec, n: int) -> Column:
    """The latest date of birth each record allows (`dates.born_by`); null where the source maps no record_date."""
    raw = _raw_column(table, spec, "record_date")
    if raw is None:
        return _null(n, pa.date32())
    fmt, age = date_format(spec, "record_date"), spec.minimum_age or 0
    return map_uniques(raw, lambda v: dates.born_by(v, fmt, age), pa.date32())


_BARE_STREET_TYPES = pa.array(sorted(addresses.BARE_STREET_TYPES))


def _address_key(street: Column, postal: Column) -> Column:
    """Twin of `addresses.key_from_normalized`."""
    parts = pc.extract_regex(street, addresses.ADDRESS_KEY_PATTERN)
    number = pc.struct_field(parts, "number")
    word = pc.replace_substring_regex(pc.struct_field(parts, "word"), addresses.ADDRESS_KEY_TAIL_PATTERN, "")
    direction = pc.struct_field(parts, "direction")  # "" when the street has none
    bare = pc.and_(pc.is_in(word, value_set=_BARE_STREET_TYPES), pc.not_equal(direction, ""))
    named = pc.if_else(bare, pc.binary_join_element_wise(direction, word, " "), word)
    return pc.binary_join_element_wise(number, named, postal, " ")


def date_format(spec: SourceSpec, canonical: str = "date_of_birth") -> str:
    """The strptime format of one of the source's canonical date fields (ISO when it is not mapped)."""
    field = spec.fields.get(canonical)
    return field.format if isinstance(field, DateField) else "%Y-%m-%d"


def placeholder_check(canonical: str, fmt: str) -> Callable[[str | None], bool]:
    if canonical == "date_of_birth":
        return lambda v: placeholders.is_placeholder(v) or dates.is_placeholder_date(v, fmt)
    if canonical == "street":
        return addresses.is_placeholder_street
    return placeholders.is_placeholder


def standardize_table(table: pa.Table, spec: SourceSpec) -> pa.Table:
    """Canonical standardized columns (see OUTPUT_SCHEMA) for every row of a raw source table, in order.
    Fields the source does not map come out null; `placeholder_fields` lists, per row, the canonical
    fields whose raw value was a placeholder."""
    n = table.num_rows
    if spec.record_id not in table.column_names:
        raise InvalidInputError(f"Source {spec.name!r} table has no record id column {spec.record_id!r}")
    out: dict[str, Column] = {
        "source": pa.array(np.full(n, spec.name, dtype=object), _S),
        "record_id": table.column(spec.record_id).combine_chunks().cast(_S),
    }
    out.update(_name_columns(table, spec, n))
    fmt = date_format(spec)
    raws = {c: _raw_column(table, spec, c) for c in PLACEHOLDER_ORDER}
    out.update(_date_columns(raws["date_of_birth"], fmt, n))
    out["born_by"] = _born_by_column(table, spec, n)
    for field in COLUMN_STANDARDIZERS:
        raw = raws[field]
        out[field] = apply_standardizer(raw, standardizer_for(field)) if raw is not None else _null(n)
    out["address_key"] = _address_key(out["street"], out["postal_code"])
    out["placeholder_fields"] = _placeholder_fields(raws, out, fmt, n)
    arrays = [pa.chunked_array([out[f.name]], f.type) if not isinstance(out[f.name], pa.ChunkedArray)
              else out[f.name].cast(f.type) for f in OUTPUT_SCHEMA]  # fmt: skip
    return pa.Table.from_arrays(arrays, schema=OUTPUT_SCHEMA)


def _placeholder_fields(raws: dict[str, Column | None], out: dict[str, Column], fmt: str, n: int) -> Column:
    rows: list[np.ndarray] = []
    field_ids: list[np.ndarray] = []
    for i, field in enumerate(PLACEHOLDER_ORDER):
        raw = raws[field]
        if raw is None:
            continue
        flags = _placeholder_flags(raw, out[field], placeholder_check(field, fmt))
        hit = np.flatnonzero(flags)
        rows.append(hit)
        field_ids.append(np.full(len(hit), i, dtype=np.int64))
    if not rows:
        return _lists_from_pairs(np.zeros(0, dtype=np.int64), pa.array([], _S), n)
    all_rows, all_ids = np.concatenate(rows), np.concatenate(field_ids)
    order = np.lexsort((all_ids, all_rows))
    values = pc.take(pa.array(PLACEHOLDER_ORDER, _S), pa.array(all_ids[order]))
    return _lists_from_pairs(all_rows[order], values, n)
