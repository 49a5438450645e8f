"""Decisions as plain JSON-able data, for the decisions log and the API, and back: written by hand, because
dataclasses.asdict is the slowest step of a worklist at scale."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ilos.policy.results import (
    Decision,
    GateId,
    GateResult,
    GateReview,
    LocationView,
    PriorityFactor,
    PriorityResult,
    Status,
)


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


def decision_of_record(r: Mapping[str, Any]) -> Decision:
    """A decision back from its record as the decisions log writes it (dates as ISO text). A record written
    before gates carried their records reads with `records` None (`decide.as_shown` then takes such a gate to
    rest on every withheld record); a gate's review comes back with what the log keeps of it."""
    subject_id = str(r["subject_id"])
    p, loc = r["priority"], r["location"]
    observed_on = loc.get("observed_on")
    return Decision(
        subject_id=subject_id,
        status=Status(r["status"]),
        gates=tuple(_gate_of(g, subject_id, r["policy_version"], r["policy_hash"]) for g in r["gates"]),
        priority=PriorityResult(
            p["rule_set_id"],
            p["rule_set_hash"],
            p["score"],
            p["band"],
            tuple(
                PriorityFactor(f["factor_id"], f["weight"], f["category"], tuple(f["evidence"]))
                for f in p["factors"]
            ),
        ),
        location=LocationView(
            loc["value"],
            loc["source"],
            loc["record_id"],
            _day(observed_on) if observed_on else None,
            loc["confidence"],
            loc["usable"],
            loc["withheld"],
        ),
        policy_id=r["policy_id"],
        policy_version=r["policy_version"],
        policy_hash=r["policy_hash"],
        as_of=_day(r["as_of"]),
        decided_at=_moment(r["decided_at"]),
        purpose=r["purpose"],
        role=r["role"],
        inputs=tuple(r["inputs"]),
        explanation=r["explanation"],
        withheld_records=tuple(r.get("withheld_records") or ()),
    )


def _gate_of(g: Mapping[str, Any], subject_id: str, version: int, policy_hash: str) -> GateResult:
    gate, review, records = GateId(g["gate"]), g.get("review"), g.get("records")
    return GateResult(
        gate=gate,
        blocks=g["blocks"],
        reason=g["reason"],
        evidence=tuple(g["evidence"]),
        policy_version=version,
        policy_hash=policy_hash,
        note=g.get("note", ""),
        review=None if review is None else GateReview(
            gate, subject_id, review["reviewer"], review["role"], _moment(review["at"]), review["outcome"],
            tuple(review["evidence"]),
        ),
        records=None if records is None else tuple(records),
    )  # fmt: skip


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _moment(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
