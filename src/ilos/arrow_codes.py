"""A column's values as codes into its distinct values: what holds millions of rows with few distinct values
(the linker's record store, the subjects build's dates and markings) converts each distinct value to a
Python object once. Lists of strings are coded whole, joined into one string and split back into tuples."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

LIST_JOINER = "\x1f"


def coded_values(array: pa.Array) -> tuple[npt.NDArray[np.int32], list[Any]]:
    """Each row's code into the distinct values (-1 for a null) and those values as Python objects; a list
    of strings comes back as a tuple (an empty list, or one only of empty strings, as ())."""
    is_list = pa.types.is_list(array.type)
    if is_list:
        array = pc.binary_join(array, LIST_JOINER)
    encoded = pc.dictionary_encode(array)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    distinct = encoded.dictionary.to_pylist()
    if is_list:
        distinct = [tuple(v.split(LIST_JOINER)) if v else () for v in distinct]
    return codes, distinct


def joins_apart(lists: pa.Array) -> bool:
    """Whether joining these lists of strings keeps every list apart (`coded_values`): none holds a null, an
    empty string or the joiner."""
    flat = pc.list_flatten(lists)
    return not flat.null_count and not pc.any(pc.match_substring_regex(flat, f"^$|{LIST_JOINER}")).as_py()
