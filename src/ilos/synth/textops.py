"""Vectorized text and date rendering over numpy index arrays and pyarrow string arrays: no per-row
Python loops, so a million-person world renders in seconds."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
NO_DATE = np.iinfo(np.int64).min  # marks a missing day offset

EPOCH = np.datetime64("1970-01-01", "D")


def day_of(iso: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int((np.datetime64(iso, "D") - EPOCH).astype(np.int64))


def take(values: pa.Array, index: IntArray) -> pa.Array:
    """values[index], with index -1 giving null."""
    missing = index < 0
    safe = np.where(missing, 0, index)
    out = values.take(pa.array(safe))
    if missing.any():
        out = pc.if_else(pa.array(missing), pa.nulls(len(out), out.type), out)
    return out


def where(mask: BoolArray, when_true: pa.Array | str | None, otherwise: pa.Array | str) -> pa.Array:
    """Element-wise choice; a scalar or None broadcasts."""
    if isinstance(otherwise, str):
        otherwise = pa.array(np.full(len(mask), otherwise, dtype=object), pa.string())
    if not mask.any():
        return otherwise
    if when_true is None or isinstance(when_true, str):
        when_true = pa.scalar(when_true, otherwise.type)
    return pc.if_else(pa.array(mask), when_true, otherwise)


def join(parts: list[pa.Array | str], sep: str = " ") -> pa.Array:
    """Join string columns with a separator, skipping nulls (null only when every part is null)."""
    length = len(next(p for p in parts if not isinstance(p, str)))
    cols = [pa.array([p] * length, pa.string()) if isinstance(p, str) else pc.fill_null(p, "") for p in parts]
    joined = pc.binary_join_element_wise(*cols, sep)
    if len(sep) > 0:
        escaped = re.escape(sep)
        joined = pc.replace_substring_regex(joined, f"(?:{escaped})+", sep)
        joined = pc.replace_substring_regex(joined, f"^(?:{escaped})|(?:{escaped})$", "")
    return pc.if_else(pc.equal(joined, ""), pa.nulls(length, pa.string()), joined)


def digits(numbers: IntArray, width: int) -> pa.Array:
    """Zero-padded decimal strings."""
    return pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width=width, padding="0")


def format_dates(days: IntArray, fmt: str) -> pa.Array:
    """Render day offsets with a strftime format; NO_DATE renders as null."""
    missing = days == NO_DATE
    safe = np.where(missing, 0, days).astype(np.int32)
    arr = pa.array(safe, pa.date32(), mask=missing)
    out = pc.strftime(arr, format=fmt)
    if fmt.startswith("%d-%b"):
        out = pc.utf8_upper(out)
    return out


def date_parts(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(year, month, day) arrays for day offsets."""
    dt = (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[D]")
    years = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dt.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mdays = (dt - dt.astype("datetime64[M]")).astype(np.int64) + 1
    return years, months, mdays


def days_from_parts(years: IntArray, months: IntArray, mdays: IntArray) -> IntArray:
    month_start = (years - 1970) * 12 + (months - 1)
    first = month_start.astype("datetime64[M]").astype("datetime64[D]")
    return (first - EPOCH).astype(np.int64) + mdays - 1


def typo(values: pa.Array, mask: BoolArray, rng: np.random.Generator) -> pa.Array:
    """Apply one keyboard slip (substitution, deletion, transposition or doubling) to masked values.

    Works on a fixed-width code-point matrix of just the masked rows, so it stays vectorized."""
    rows = np.flatnonzero(
        mask & pc.fill_null(pc.greater(pc.utf8_length(values), 2), False).to_numpy(zero_copy_only=False)
    )
    if rows.size == 0:
        return values
    chosen = values.take(pa.array(rows)).to_numpy(zero_copy_only=False).astype(str)
    width = max(chosen.dtype.itemsize // 4, 1) + 1
    codes = np.zeros((rows.size, width), dtype=np.uint32)
    codes[:, : width - 1] = chosen.astype(f"<U{width - 1}").view(np.uint32).reshape(rows.size, width - 1)
    lengths = np.count_nonzero(codes, axis=1)
    pos = (rng.random(rows.size) * (lengths - 1)).astype(np.int64) + 1  # keep the first letter
    kind = rng.integers(0, 4, rows.size)
    col = np.arange(width)[None, :]
    p = pos[:, None]
    letters = np.frombuffer("ABCDEFGHIJKLMNOPRSTUVY".encode("utf-32-le"), dtype=np.uint32)
    sub = letters[rng.integers(0, len(letters), rows.size)]
    prev = np.take_along_axis(codes, np.maximum(pos - 1, 0)[:, None], axis=1)[:, 0]
    cur = np.take_along_axis(codes, pos[:, None], axis=1)[:, 0]
    shifted_left = np.concatenate([codes[:, 1:], np.zeros((rows.size, 1), np.uint32)], axis=1)
    shifted_right = np.concatenate([np.zeros((rows.size, 1), np.uint32), codes[:, :-1]], axis=1)
    out = codes.copy()
    k = kind[:, None]
    out = np.where((k == 0) & (col == p), sub[:, None], out)  # substitution
    out = np.where((k == 1) & (col >= p), shifted_left, out)  # deletion
    swap = (k == 2) & (pos[:, None] < lengths[:, None])
    out = np.where(swap & (col == p - 1), cur[:, None], out)  # transposition with the previous letter
    out = np.where(swap & (col == p), prev[:, None], out)
    out = np.where((k == 3) & (col > p), shifted_right, out)  # doubled letter
    out = np.ascontiguousarray(out)
    rendered = out.view(f"<U{width}").reshape(rows.size)
    replaced = np.full(len(values), None, dtype=object)
    replaced[rows] = rendered
    fill = pa.array(replaced, pa.string())
    full_mask = np.zeros(len(values), dtype=bool)
    full_mask[rows] = True
    return pc.if_else(pa.array(full_mask), fill, values)


def mistype_digits(values: pa.Array, mask: BoolArray, rng: np.random.Generator) -> pa.Array:
    """Change one digit of masked identifier strings (separators and letters left as they are)."""
    rows = np.flatnonzero(mask & pc.fill_null(pc.is_valid(values), False).to_numpy(zero_copy_only=False))
    if rows.size == 0:
        return values
    chosen = values.take(pa.array(rows)).to_numpy(zero_copy_only=False).astype(str)
    width = max(chosen.dtype.itemsize // 4, 1)
    codes = chosen.astype(f"<U{width}").view(np.uint32).reshape(rows.size, width).copy()
    is_digit = (codes >= ord("0")) & (codes <= ord("9"))
    score = np.where(is_digit, rng.random(codes.shape), -1.0)
    pos = np.argmax(score, axis=1)
    has_digit = is_digit.any(axis=1)
    old = codes[np.arange(rows.size), pos] - ord("0")
    new = (old + rng.integers(1, 10, rows.size)) % 10 + ord("0")
    codes[np.arange(rows.size), pos] = np.where(has_digit, new, codes[np.arange(rows.size), pos])
    replaced = np.full(len(values), None, dtype=object)
    replaced[rows] = codes.view(f"<U{width}").reshape(rows.size)
    full_mask = np.zeros(len(values), dtype=bool)
    full_mask[rows] = True
    return pc.if_else(pa.array(full_mask), pa.array(replaced, pa.string()), values)
