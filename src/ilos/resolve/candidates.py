"""In-memory candidate index over the model's blocking keys: the records an incoming record must be scored
against, found by dictionary lookups instead of a Splink run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ilos.resolve.model_spec import PREDICTION_BLOCKING, BlockingRule
from ilos.resolve.pair_functions import Rec


def _key(rec: Rec, columns: Sequence[str]) -> tuple[object, ...] | None:
    values = tuple(rec.get(c) for c in columns)
    return None if any(v is None for v in values) else values


class CandidateIndex:
    """For each blocking rule, records keyed by the rule's right-hand columns (and, for rules that pair
    different columns, also by the left-hand ones, so either record may play either side)."""

    def __init__(self, rules: Sequence[BlockingRule] = PREDICTION_BLOCKING) -> None:
        self.rules = tuple(rules)
        self._by_right: list[dict[tuple[object, ...], list[int]]] = [defaultdict(list) for _ in self.rules]
        self._by_left: list[dict[tuple[object, ...], list[int]]] = [defaultdict(list) for _ in self.rules]

    def add(self, node: int, rec: Rec) -> None:
        for i, rule in enumerate(self.rules):
            right = _key(rec, [b for _, b in rule])
            if right is not None:
                self._by_right[i][right].append(node)
            if not _symmetric(rule):
                left = _key(rec, [a for a, _ in rule])
                if left is not None:
                    self._by_left[i][left].append(node)

    def candidates(self, rec: Rec) -> set[int]:
        """Every indexed record some blocking rule pairs with `rec`."""
        found: set[int] = set()
        for i, rule in enumerate(self.rules):
            as_left = _key(rec, [a for a, _ in rule])
            if as_left is not None:
                found.update(self._by_right[i].get(as_left, ()))
            if not _symmetric(rule):
                as_right = _key(rec, [b for _, b in rule])
                if as_right is not None:
                    found.update(self._by_left[i].get(as_right, ()))
        return found

    def size(self) -> int:
        return sum(len(v) for index in (*self._by_right, *self._by_left) for v in index.values())


def _symmetric(rule: BlockingRule) -> bool:
    return all(a == b for a, b in rule)
