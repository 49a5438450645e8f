"""People are grouped by one key per person that sorts like their attribute rows, even when the
attributes are too wide for a mixed-radix int64."""

from __future__ import annotations

import numpy as np
import pytest

from ilos.operations.placement_network import group_key


@pytest.mark.parametrize("width", [7, 10**7])
def testgroup_key_orders_and_groups_like_the_rows(width: int) -> None:
    rng = np.random.default_rng(width)
    columns = [rng.integers(-1, 3, 200) * (width // 3 + 1) for _ in range(3)]
    key = group_key(columns)
    rows = np.stack(columns, axis=1)
    _, row_groups = np.unique(rows, axis=0, return_inverse=True)
    _, key_groups = np.unique(key, return_inverse=True)
    assert np.array_equal(row_groups.ravel(), key_groups.ravel())
