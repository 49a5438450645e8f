"""A gate source for workflow tests: gates a test sets per subject, with identity settled by review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ilos.policy.results import GateId, GateResult, GateReview


@dataclass
class FakeGates:
    """Every gate of every subject clear unless a test says otherwise; calls are counted per subject."""

    blocking: dict[str, dict[GateId, str]] = field(default_factory=dict)
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def block(self, subject_id: str, gate: GateId, reason: str) -> None:
        self.blocking.setdefault(subject_id, {})[gate] = reason

    def clear(self, subject_id: str, gate: GateId) -> None:
        self.blocking.get(subject_id, {}).pop(gate, None)

    def __call__(
        self, subject_id: str, destination: str | None, reviews: Sequence[GateReview]
    ) -> Sequence[GateResult]:
        self.calls.append((subject_id, destination))
        blocked = self.blocking.get(subject_id, {})
        cleared = {r.gate for r in reviews if r.clears and r.subject_id == subject_id}
        return [
            GateResult(
                gate=gate,
                blocks=gate in blocked and gate not in cleared,
                reason=blocked.get(gate, f"{gate.value} clear"),
                evidence=(f"{gate.value} evidence",) if gate in blocked else (),
                policy_version=1,
                policy_hash="testhash",
            )
            for gate in GateId
        ]
