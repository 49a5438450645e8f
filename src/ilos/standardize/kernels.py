"""Vectorised (Arrow compute) twins of the standardizers whose columns are nearly unique per row
(identifiers, phones, street lines), where computing over unique values saves nothing.

Each kernel must agree with its pure function on ASCII text; non-ASCII rows are sent to the pure
function by `table.py`. A property test compares the two on arbitrary ASCII strings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilos.standardize.addresses import (
    HOUSE_NUMBER_PATTERN,
    PO_BOX_PATTERN,
    REPEATED_UNIT_PATTERN,
    STREET_PLACEHOLDER_PATTERN,
    normalize_street_token,
    prepare_street,
)
from ilos.standardize.identifiers import (
    A_NUMBER_TYPOS,
    DOCUMENT_MAX_LENGTH,
    DOCUMENT_MIN_LENGTH,
    EXTENSION_PATTERN,
    FICTIONAL_EXCHANGE,
    MASK_PATTERN,
    SHARED_SSNS,
)
from ilos.standardize.placeholders import (
    BLANK_PATTERN,
    DUMMY_DIGITS,
    FLOAT_TAIL_PATTERN,
    PLACEHOLDER_PATTERN,
    SCIENTIFIC_PATTERN,
)

Kernel = Callable[[Any], Any]
_DUMMY = pa.array(sorted(DUMMY_DIGITS))
_SHARED_SSNS = pa.array(sorted(SHARED_SSNS))
_NULL_STRING = pa.scalar(None, pa.string())


_DELETE = 255


def _byte_table(keep: str, translate: dict[str, str] | None = None) -> np.ndarray:
    """A 256-entry byte map: lower-case ASCII letters upper-cased, bytes in `keep` kept (after an
    optional translation), every other byte (all non-ASCII bytes included) deleted (255)."""
    table = np.full(256, _DELETE, dtype=np.uint8)
    for code in range(128):
        char = chr(code).upper()
        char = (translate or {}).get(char, char)
        if char in keep:
            table[code] = ord(char)
    return table


_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
UPPER_ALNUM = _byte_table(_UPPER + "0123456789")
DIGITS = _byte_table("0123456789")


def filter_ascii(values: Any, table: np.ndarray) -> Any:
    """Map or delete every byte of a string column through a byte table, in numpy: the vectorised form
    of `re.sub("[^A-Z0-9]+", "", text.upper())` and friends (Arrow's regex replace is ~10x slower).
    The output is always ASCII."""
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    array = array.cast(pa.string())
    if array.offset:
        array = pa.concat_arrays([array])
    n = len(array)
    _, offsets_buf, data_buf = array.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=n + 1) if n else np.zeros(1, np.int32)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    mapped = table[data[offsets[0] : offsets[-1]]]
    keep = mapped != _DELETE
    kept_before = np.zeros(len(keep) + 1, dtype=np.int32)
    np.cumsum(keep.view(np.uint8), dtype=np.int32, out=kept_before[1:])
    new_offsets = kept_before[offsets - offsets[0]]
    new_data = np.compress(keep, mapped)
    result = pa.StringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(new_data))
    return pc.if_else(array.is_valid(), result, _NULL_STRING) if array.null_count else result


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


def _placeholder_words(upper: Any) -> Any:
    return pc.match_substring_regex(upper, f"^(?:{PLACEHOLDER_PATTERN})$")


def is_placeholder_kernel(values: Any) -> Any:
    """Twin of `placeholders.is_placeholder`; never null."""
    upper = pc.ascii_upper(values)
    blank = pc.match_substring_regex(values, f"^{BLANK_PATTERN}$")
    no_alnum = pc.invert(pc.match_substring_regex(upper, "[A-Z0-9]"))
    compact = filter_ascii(values, UPPER_ALNUM)
    digits = pc.match_substring_regex(compact, "^[0-9]+$")
    repeated = pc.and_(pc.greater_equal(pc.utf8_length(compact), 2), _is_one_repeated(compact))
    dummy = pc.or_(repeated, pc.is_in(compact, value_set=_DUMMY))
    found = pc.or_(pc.or_(_placeholder_words(upper), no_alnum), pc.and_(digits, dummy))
    return pc.fill_null(pc.and_(pc.invert(blank), found), False)


_A_NUMBER_TYPOS = _byte_table(_UPPER + "0123456789", A_NUMBER_TYPOS)


def _without_float_tail(values: Any, scientific: bool = True) -> Any:
    """Twin of `placeholders.without_float_tail`."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    maybe = pc.match_substring(values, ".0")  # a literal search first: a regex over every row costs 3x
    values = _replace_where(values, maybe, FLOAT_TAIL_PATTERN, r"\1")
    if not scientific:
        return values
    with_e = pc.or_(pc.match_substring(values, "E"), pc.match_substring(values, "e"))  # literal looks: cheap
    return _replace_where(values, with_e, f"^{SCIENTIFIC_PATTERN}$", "")


def a_number_kernel(values: Any) -> Any:
    """Twin of `identifiers.normalize_a_number`."""
    compact = filter_ascii(_without_float_tail(values), UPPER_ALNUM)
    after_a = pc.utf8_slice_codeunits(compact, 1, 1 << 30)
    digits = pc.if_else(pc.starts_with(compact, "A"), after_a, compact)
    typos = pc.fill_null(pc.match_substring_regex(digits, "[OQIL]"), False)
    if pc.any(typos).as_py():
        digits = pc.replace_with_mask(digits, typos, filter_ascii(pc.filter(digits, typos), _A_NUMBER_TYPOS))
    padded = pc.utf8_lpad(digits, width=9, padding="0")
    valid = _all(
        pc.match_substring_regex(digits, "^[0-9]{7,9}$"),
        pc.invert(_is_one_repeated(padded)),
        pc.invert(pc.is_in(pc.utf8_ltrim(digits, characters="0"), value_set=_DUMMY)),
    )
    return _keep_where(valid, padded)


def ssn_kernel(values: Any) -> Any:
    """Twin of `identifiers.normalize_ssn`."""
    digits = filter_ascii(_without_float_tail(values), DIGITS)
    area = pc.utf8_slice_codeunits(digits, 0, 3)
    return _keep_where(
        _all(
            pc.match_substring_regex(digits, "^[0-9]{9}$"),
            pc.invert(pc.is_in(area, value_set=pa.array(["000", "666"]))),
            pc.invert(pc.starts_with(digits, "9")),
            pc.not_equal(pc.utf8_slice_codeunits(digits, 3, 5), "00"),
            pc.not_equal(pc.utf8_slice_codeunits(digits, 5, 9), "0000"),
            pc.invert(_is_one_repeated(digits)),
            pc.not_equal(digits, "123456789"),
            pc.invert(pc.is_in(digits, value_set=_SHARED_SSNS)),
        ),
        digits,
    )


def document_number_kernel(values: Any) -> Any:
    """Twin of `identifiers.normalize_document_number` (passport, FBI number, state id). Of the
    placeholder rules only the words and dummy numbers can survive the length and repetition checks."""
    tail = _without_float_tail(values, scientific=False)
    compact = filter_ascii(tail, UPPER_ALNUM)
    length = pc.utf8_length(compact)
    upper = pc.ascii_upper(tail)
    maybe_masked = pc.or_(pc.match_substring(upper, "*"), pc.match_substring(upper, "XX"))
    valid = _all(
        pc.match_substring_regex(compact, "[0-9]"),
        pc.greater_equal(length, DOCUMENT_MIN_LENGTH),
        pc.less_equal(length, DOCUMENT_MAX_LENGTH),
        pc.invert(_is_one_repeated(compact)),
        pc.invert(pc.is_in(compact, value_set=_DUMMY)),
        pc.invert(_placeholder_words(pc.ascii_upper(values))),
        pc.invert(_matching_among(upper, maybe_masked, MASK_PATTERN)),
        pc.invert(
            pc.and_(
                pc.match_substring_regex(compact, "^[A-Z]"),
                _is_one_repeated(pc.utf8_slice_codeunits(compact, 1, DOCUMENT_MAX_LENGTH + 1)),
            )
        ),
    )
    return _keep_where(valid, compact)


def phone_kernel(values: Any) -> Any:
    """Twin of `identifiers.normalize_phone`."""
    upper = pc.ascii_upper(_without_float_tail(values))
    upper = _replace_where(upper, pc.match_substring(upper, "X"), EXTENSION_PATTERN, "")
    digits = filter_ascii(upper, DIGITS)
    with_country = pc.and_(pc.equal(pc.utf8_length(digits), 11), pc.starts_with(digits, "1"))
    digits = pc.if_else(with_country, pc.utf8_slice_codeunits(digits, 1, 11), digits)
    valid = _all(
        pc.match_substring_regex(digits, "^[2-9][0-9]{9}$"),
        pc.invert(_is_one_repeated(pc.utf8_slice_codeunits(digits, 3, 10))),
        pc.not_equal(pc.utf8_slice_codeunits(digits, 3, 8), FICTIONAL_EXCHANGE),
        pc.not_equal(pc.utf8_slice_codeunits(digits, 1, 3), "11"),
        pc.not_equal(pc.utf8_slice_codeunits(digits, 0, 3), "555"),
        pc.invert(pc.is_in(digits, value_set=_DUMMY)),
    )
    return _keep_where(valid, digits)


def postal_code_kernel(values: Any) -> Any:
    """Twin of `addresses.normalize_postal_code`."""
    compact = filter_ascii(_without_float_tail(values), UPPER_ALNUM)
    length = pc.utf8_length(compact)
    short = pc.is_in(length, value_set=pa.array([3, 4, 5], pa.int32()))
    long = pc.is_in(length, value_set=pa.array([8, 9], pa.int32()))
    padded9 = pc.utf8_slice_codeunits(pc.utf8_lpad(compact, width=9, padding="0"), 0, 5)
    zip5 = pc.if_else(short, pc.utf8_lpad(compact, width=5, padding="0"), padded9)
    valid = _all(
        pc.or_(short, long),
        pc.match_substring_regex(compact, "^[0-9]+$"),
        pc.invert(pc.is_in(compact, value_set=_DUMMY)),
        pc.invert(_is_one_repeated(zip5)),
    )
    return _keep_where(valid, zip5)


def _street_words(token: str) -> str:
    return " ".join(normalize_street_token(w) for w in prepare_street(token).split())


def _map_words(values: Any) -> Any:
    """Every space-separated word of every row through `_street_words` (once per distinct word), words
    that come out empty dropped, rows joined again with single spaces."""
    lists = pc.split_pattern(values, " ")
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists).to_numpy()
    encoded = pc.dictionary_encode(flat)
    words = pa.array([_street_words(w) for w in encoded.dictionary.to_pylist()], pa.string())
    mapped = pc.take(words, encoded.indices)
    keep = pc.not_equal(mapped, "").to_numpy(zero_copy_only=False)
    counts = np.bincount(parents[keep], minlength=len(lists))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    rebuilt = pa.ListArray.from_arrays(pa.array(offsets), pc.filter(mapped, pa.array(keep)))
    return pc.if_else(lists.is_valid(), pc.binary_join(rebuilt, " "), _NULL_STRING)


def _matching_among(values: Any, candidates: Any, pattern: str) -> Any:
    """Rows among `candidates` (a cheap literal look) that match `pattern`; the regex runs on those only."""
    found = np.zeros(len(values), dtype=bool)
    rows = pc.indices_nonzero(pc.fill_null(candidates, False)).to_numpy()
    if len(rows):
        hits = pc.fill_null(pc.match_substring_regex(pc.take(values, rows), pattern), False)
        found[rows] = hits.to_numpy(zero_copy_only=False)
    return pa.array(found)


def _replace_where(values: Any, mask: Any, pattern: str, replacement: str) -> Any:
    """A regex replacement run only on the rows that need it (regex replacement is slow in Arrow)."""
    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return values
    fixed = pc.replace_substring_regex(pc.filter(values, mask), pattern, replacement)
    return pc.replace_with_mask(values, mask, fixed)


def street_kernel(values: Any) -> Any:
    """Twin of `addresses.normalize_street`. Words are normalised one distinct word at a time; the raw line
    goes through the whole placeholder rule first (so "00#", one repeated digit, is no street though '#'
    becomes UNIT), the normalised line through its words pattern."""
    street = _map_words(values)
    street = _replace_where(street, pc.match_substring_regex(street, "BOX|POB"), PO_BOX_PATTERN, "PO BOX")
    street = _replace_where(street, pc.match_substring(street, "UNIT UNIT"), REPEATED_UNIT_PATTERN, "UNIT")
    usable = _all(
        pc.match_substring_regex(street, "[A-Z]"),
        pc.invert(pc.match_substring_regex(street, f"^{STREET_PLACEHOLDER_PATTERN}$")),
        pc.invert(_placeholder_words(street)),
        # after the house number, the whole placeholder rule (0A 00: one repeated digit), as the function asks
        pc.invert(is_placeholder_kernel(pc.replace_substring_regex(street, HOUSE_NUMBER_PATTERN, ""))),
        pc.invert(is_placeholder_kernel(values)),
    )
    return _keep_where(usable, street)
