"""Values found by a binary search over a 64-bit hash of each, instead of a dict of millions of Python keys:
the record store's record keys, the worker's timeline by record, the pair index's record keys. Two values may
share a hash, so a caller checks each position found against the value it asked for."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_MASK = (1 << 64) - 1


def text_hash(text: str) -> int:
    """A 64-bit hash of a string, for an index held in this process only (Python's `hash`: it differs from
    one process to the next)."""
    return hash(text) & _MASK


class HashRuns:
    """The positions of an array of hashes grouped by hash: a wanted hash's positions are one run of the
    positions sorted by hash, found by two binary searches."""

    def __init__(self, hashes: npt.NDArray[np.uint64], *, stable: bool = False) -> None:
        """`stable`: a run's positions ascending (its rows read in their order); otherwise in any order, and
        the sort is faster (distinct values such as record keys share a hash only by collision)."""
        order = np.argsort(hashes, kind="stable" if stable else None)
        self._order: npt.NDArray[np.int32] = order.astype(np.int32)  # up to 2**31 positions
        self._sorted = hashes[order]

    def runs(self, wanted: npt.NDArray[np.uint64]) -> list[npt.NDArray[np.int32]]:
        """Per wanted hash, the positions holding it (empty when none does)."""
        lo = np.searchsorted(self._sorted, wanted, "left").tolist()
        hi = np.searchsorted(self._sorted, wanted, "right").tolist()
        return [self._order[a:b] for a, b in zip(lo, hi, strict=True)]

    def run(self, wanted: int) -> list[int]:
        """The positions holding one hash."""
        key = np.uint64(wanted)
        lo, hi = (int(np.searchsorted(self._sorted, key, side)) for side in ("left", "right"))
        return [int(p) for p in self._order[lo:hi]]

    def __len__(self) -> int:
        return int(self._sorted.size)

    @property
    def nbytes(self) -> int:
        return int(self._sorted.nbytes + self._order.nbytes)
