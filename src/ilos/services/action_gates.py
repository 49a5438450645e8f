"""The gates an action's steps re-check: evaluated now from the linkage and the policy in force
(`linkage_gates`), with the subject's recorded reviews and the action's identity verifications, and what a
step keeps of them (the blocks it decides on, the record on the action, the audit line)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ilos.domain.cases import ActionFacts, GateBlock, Verification, VerificationKind
from ilos.policy.gates import REVIEWER_ROLE
from ilos.policy.results import VERIFICATION_GATES, GateId, GateResult, GateReview
from ilos.services.gate_inputs import subject_gate_inputs
from ilos.services.legal_store import recorded_reviews
from ilos.services.policy_in_force import current_policy
from ilos.services.store_access import Store
from ilos.services.subject_record import linkage_dir
from ilos.store.operations_tables import ActionRow

# (subject id, destination country, reviews) -> every gate's result now
GateSource = Callable[[str, str | None, Sequence[GateReview]], Sequence[GateResult]]


def linkage_gates(home: Path) -> GateSource:
    """Gates evaluated now from the subject's gate inputs (`gate_inputs.subject_gate_inputs`: the linkage
    under ILOS_HOME, the worker's journaled events, the unjudged candidate matches, the reviews given) and
    the applied policy: never a cached answer, and the same evidence the worklist's gates rest on."""

    def evaluate(
        subject_id: str, destination: str | None, reviews: Sequence[GateReview]
    ) -> Sequence[GateResult]:
        policy = current_policy(home)
        found = subject_gate_inputs(linkage_dir(home), subject_id, policy, reviews)
        return found.evaluate(date.today(), policy, destination)

    return evaluate


def gate_source_for(store: Store) -> GateSource:
    return linkage_gates(store.settings.home)


def gates_for_action(
    session: Session, source: GateSource, row: ActionRow, facts: ActionFacts, pending: Verification | None
) -> tuple[Sequence[GateResult], Verification | None]:
    """Gates now, with the subject's recorded gate reviews (a supervisor's citizenship or identity review)
    and this action's identity verifications, each a review covering the identity gate's evidence it saw.
    An identity verification being made now covers the gate's evidence now: it comes back with `covers`
    set, and the gates are evaluated again with it."""
    recorded = recorded_reviews(session, [row.subject_id]).get(row.subject_id, ())
    reviews = [*recorded, *identity_reviews(row.subject_id, facts.verifications)]
    results = source(row.subject_id, row.destination_country, reviews)
    if pending is None or pending.kind is not VerificationKind.IDENTITY:
        return results, pending
    covers = next((tuple(r.evidence) for r in results if r.gate is GateId.IDENTITY), ())
    pending = replace(pending, covers=covers)
    if not covers:  # the identity gate rests on nothing now: the verification changes no result
        return results, pending
    reviews += identity_reviews(row.subject_id, [pending])
    return source(row.subject_id, row.destination_country, reviews), pending


def identity_reviews(subject_id: str, verifications: Sequence[Verification]) -> list[GateReview]:
    """Identity verifications as identity-gate reviews, each covering only the evidence it saw."""
    return [
        GateReview(
            GateId.IDENTITY,
            subject_id,
            v.verified_by,
            REVIEWER_ROLE,
            v.at,
            "cleared",
            v.evidence,
            v.note,
            covers=v.covers,
        )
        for v in verifications
        if v.kind is VerificationKind.IDENTITY
    ]


def blocks_of(results: Sequence[GateResult]) -> list[GateBlock]:
    return [
        GateBlock(r.gate.value, r.reason, tuple(r.evidence), r.gate in VERIFICATION_GATES)
        for r in results
        if r.blocks
    ]


def gate_record(results: Sequence[GateResult]) -> list[dict[str, Any]]:
    return [
        {
            "gate": r.gate.value,
            "blocks": r.blocks,
            "reason": r.reason,
            "policy": f"v{r.policy_version}:{r.policy_hash}",
        }
        for r in results
    ]


def checked_summary(results: Sequence[GateResult]) -> str:
    blocking = [f"{r.gate.value}: {r.reason}" for r in results if r.blocks]
    policy = f"policy v{results[0].policy_version}" if results else "no gates"
    return f"{len(results)} gates checked ({policy}); blocking: {'; '.join(blocking) or 'none'}"
