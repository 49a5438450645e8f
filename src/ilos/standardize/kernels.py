"""Vectorised (Arrow compute) twins of the standardizers whose columns are nearly unique per row
(identifiers, phones, street lines), where computing over unique values saves nothing.

Each kernel must agree with its pure function on ASCII text; non-ASCII rows are sent to the pure
function by `table.py`. A property test compares the two on arbitrary ASCII strings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ilos.standardize.addresses import (
    PO_BOX_PATTERN,
    REPEATED_UNIT_PATTERN,
    STREET_PLACEHOLDER_PATTERN,
    STREET_PUNCT_PATTERN,
    normalize_street_token,
)
from ilos.standardize.identifiers import A_NUMBER_TYPOS, DOCUMENT_MAX_LENGTH, DOCUMENT_MIN_LENGTH
from ilos.standardize.placeholders import BLANK_PATTERN, DUMMY_DIGITS, PLACEHOLDER_PATTERN

Kernel = Callable[[Any], Any]
_DUMMY = pa.array(sorted(DUMMY_DIGITS))
_NULL_STRING = pa.scalar(None, pa.string())


def _compact(upper: Any, keep: str) -> Any:
    return pc.replace_substring_regex(upper, f"[^{keep}]+", "")


def _is_one_repeated(text: Any) -> Any:
    first = pc.utf8_slice_codeunits(text, 0, 1)
    return pc.equal(pc.binary_repeat(first, pc.utf8_length(text)), text)


def _all(*masks: Any) -> Any:
    result = masks[0]
    for mask in masks[1:]:
        result = pc.and_(result, mask)
    return result


def _keep_where(mask: Any, values: Any) -> Any:
    return pc.if_else(pc.fill_null(mask, False), values, _NULL_STRING)


def is_placeholder_kernel(values: Any) -> Any:
    """Twin of `placeholders.is_placeholder`; never null."""
    upper = pc.ascii_upper(values)
    blank = pc.match_substring_regex(values, f"^{BLANK_PATTERN}$")
    words = pc.match_substring_regex(upper, f"^(?:{PLACEHOLDER_PATTERN})$")
    no_alnum = pc.invert(pc.match_substring_regex(upper, "[A-Z0-9]"))
    compact = _compact(upper, "A-Z0-9")
    digits = pc.match_substring_regex(compact, "^[0-9]+$")
    repeated = pc.and_(pc.greater_equal(pc.utf8_length(compact), 2), _is_one_repeated(compact))
    dummy = pc.or_(repeated, pc.is_in(compact, value_set=_DUMMY))
    found = pc.or_(pc.or_(words, no_alnum), pc.and_(digits, dummy))
    return pc.fill_null(pc.and_(pc.invert(blank), found), False)


def a_number_kernel(values: Any) -> Any:
    """Twin of `identifiers.normalize_a_number`."""
    digits = pc.replace_substring_regex(_compact(pc.ascii_upper(values), "A-Z0-9"), "^A", "")
    for letter, digit in A_NUMBER_TYPOS.items():
        digits = pc.replace_substring(digits, letter, digit)
    padded = pc.utf8_lpad(digits, width=9, padding="0")
    valid = _all(
        pc.match_substring_regex(digits, "^[0-9]{7,9}$"),
        pc.invert(_is_one_repeated(padded)),
        pc.invert(pc.is_in(digits, value_set=_DUMMY)),
    )
    return _keep_where(valid, padded)


def ssn_kernel(values: Any) -> Any:
    """Twin of `identifiers.normalize_ssn`."""
    digits = _compact(values, "0-9")
    area = pc.utf8_slice_codeunits(digits, 0, 3)
    checks = [
        pc.match_substring_regex(digits, "^[0-9]{9}$"),
        pc.invert(pc.is_in(area, value_set=pa.array(["000", "666"]))),
        pc.invert(pc.starts_with(digits, "9")),
        pc.not_equal(pc.utf8_slice_codeunits(digits, 3, 5), "00"),
        pc.not_equal(pc.utf8_slice_codeunits(digits, 5, 9), "0000"),
        pc.invert(_is_one_repeated(digits)),
        pc.not_equal(digits, "123456789"),
    ]
    return _keep_where(_all(*checks), digits)


def document_number_kernel(values: Any) -> Any:
    """Twin of `identifiers.normalize_document_number` (passport, FBI number, state id)."""
    compact = _compact(pc.ascii_upper(values), "A-Z0-9")
    length = pc.utf8_length(compact)
    valid = _all(
        pc.greater_equal(length, DOCUMENT_MIN_LENGTH),
        pc.less_equal(length, DOCUMENT_MAX_LENGTH),
        pc.invert(_is_one_repeated(compact)),
        pc.invert(is_placeholder_kernel(values)),
    )
    return _keep_where(valid, compact)


def phone_kernel(values: Any) -> Any:
    """Twin of `identifiers.normalize_phone`."""
    digits = _compact(values, "0-9")
    with_country = pc.and_(pc.equal(pc.utf8_length(digits), 11), pc.starts_with(digits, "1"))
    digits = pc.if_else(with_country, pc.utf8_slice_codeunits(digits, 1, 11), digits)
    valid = pc.and_(pc.match_substring_regex(digits, "^[2-9][0-9]{9}$"), pc.invert(_is_one_repeated(digits)))
    return _keep_where(valid, digits)


def _map_tokens(lists: Any, function: Callable[[str], str]) -> Any:
    """Apply a word-level function to every word of a list<string> array, once per distinct word."""
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    flat = lists.values.slice(lists.offsets[0].as_py(), lists.offsets[-1].as_py() - lists.offsets[0].as_py())
    encoded = pc.dictionary_encode(flat)
    mapped_words = pa.array([function(w) for w in encoded.dictionary.to_pylist()], pa.string())
    mapped = pc.take(mapped_words, encoded.indices)
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    return pa.ListArray.from_arrays(offsets, mapped, mask=lists.is_null())


def street_kernel(values: Any) -> Any:
    """Twin of `addresses.normalize_street`."""
    text = pc.replace_substring_regex(pc.ascii_upper(values), "['`]", "")
    text = pc.replace_substring(pc.replace_substring_regex(text, STREET_PUNCT_PATTERN, " "), "#", " # ")
    text = pc.utf8_trim(pc.replace_substring_regex(text, " +", " "), " ")
    text = pc.replace_substring_regex(text, PO_BOX_PATTERN, "PO BOX")
    words = _map_tokens(pc.split_pattern(text, " "), normalize_street_token)
    street = pc.replace_substring_regex(pc.binary_join(words, " "), REPEATED_UNIT_PATTERN, "UNIT")
    usable = _all(
        pc.match_substring_regex(street, "[A-Z]"),
        pc.invert(pc.match_substring_regex(street, f"^{STREET_PLACEHOLDER_PATTERN}$")),
        pc.invert(is_placeholder_kernel(street)),
        pc.invert(is_placeholder_kernel(values)),
    )
    return _keep_where(usable, street)
