"""A gate source for workflow tests: gates a test sets per subject, with identity settled by review."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from ilos.definitions.policy import Policy
from ilos.definitions.sources import SourcesConfig
from ilos.domain.subjects import Subject
from ilos.policy.gates import evaluate_gates
from ilos.policy.results import GateId, GateResult, GateReview
from ilos.services.access import Caller
from ilos.services.action_gates import hidden_records
from ilos.services.gate_inputs import GateInputs


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
                records=(),  # every gate fills it; these show no record
            )
            for gate in GateId
        ]

    def hidden_from(
        self, subject_id: str, caller: Caller, named: Collection[str] = (), legacy: bool = False
    ) -> frozenset[str]:
        return frozenset()  # its gates rest on no record


@dataclass
class ScenarioGates:
    """Real gates over scenario subjects, and the records each caller may not see of them by the real rule
    (`action_gates.hidden_records`; with no sources config, other subjects' records are never named)."""

    subjects: dict[str, Subject]
    policy: Policy
    today: date
    sources: SourcesConfig = field(default_factory=lambda: SourcesConfig.model_construct(sources=()))

    def __call__(
        self, subject_id: str, destination: str | None, reviews: Sequence[GateReview]
    ) -> Sequence[GateResult]:
        return evaluate_gates(self.subjects[subject_id], self.today, self.policy, destination, reviews)

    def hidden_from(
        self, subject_id: str, caller: Caller, named: Collection[str] = (), legacy: bool = False
    ) -> frozenset[str]:
        found = GateInputs(self.subjects[subject_id])
        return hidden_records(found, self.policy, caller, self.sources, named, legacy)
