"""Decisions as plain JSON-able data, for the decisions log and the API: written by hand, because
dataclasses.asdict is the slowest step of a worklist at scale."""

from __future__ import annotations

from typing import Any

from ilos.policy.results import Decision, GateResult


def decision_record(d: Decision) -> dict[str, Any]:
    """Every field of a decision; dates stay dates (the writer chooses how to encode them)."""
    loc = d.location
    return {
        "subject_id": d.subject_id,
        "status": d.status.value,
        "explanation": d.explanation,
        "gates": [_gate_record(g) for g in d.gates],
        "priority": {
            "rule_set_id": d.priority.rule_set_id,
            "rule_set_hash": d.priority.rule_set_hash,
            "score": d.priority.score,
            "band": d.priority.band,
            "factors": [
                {
                    "factor_id": f.factor_id,
                    "weight": f.weight,
                    "category": f.category,
                    "evidence": list(f.evidence),
                }
                for f in d.priority.factors
            ],
        },
        "location": {
            "value": loc.value,
            "source": loc.source,
            "record_id": loc.record_id,
            "observed_on": loc.observed_on,
            "confidence": loc.confidence,
            "usable": loc.usable,
            "withheld": loc.withheld,
        },
        "policy_id": d.policy_id,
        "policy_version": d.policy_version,
        "policy_hash": d.policy_hash,
        "as_of": d.as_of,
        "decided_at": d.decided_at,
        "purpose": d.purpose,
        "role": d.role,
        "inputs": list(d.inputs),
        "withheld_records": list(d.withheld_records),
    }


def _gate_record(g: GateResult) -> dict[str, Any]:
    review = g.review
    return {
        "gate": g.gate.value,
        "blocks": g.blocks,
        "reason": g.reason,
        "evidence": list(g.evidence),
        "note": g.note,
        "records": None if g.records is None else list(g.records),
        "review": None if review is None else {
            "reviewer": review.reviewer, "role": review.reviewer_role, "at": review.at, "outcome": review.outcome,
            "evidence": list(review.evidence),
        },
    }  # fmt: skip
