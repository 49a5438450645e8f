"""The gates an action's steps re-check: evaluated now from the linkage and the policy in force
(`linkage_gates`), with the subject's recorded reviews and the action's identity verifications, and what a
step keeps of them (the blocks it decides on, the audit line). Gates decide on all the data; what a step
shows its caller is the gates as the caller's purpose may see them (`shown_to`); what is stored for others
to read later is shown to each as theirs may (`stored_gates`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from ilos.definitions.policy import Policy
from ilos.definitions.sources import SourcesConfig
from ilos.domain.cases import ActionFacts, GateBlock, Verification, VerificationKind
from ilos.policy.access import Usage
from ilos.policy.decide import gates_as_shown
from ilos.policy.gates import REVIEWER_ROLE
from ilos.policy.results import VERIFICATION_GATES, GateId, GateResult, GateReview
from ilos.services.access import Caller
from ilos.services.gate_inputs import GateInputs, subject_facts, subject_gate_inputs
from ilos.services.legal_store import recorded_reviews
from ilos.services.policy_in_force import current_policy, policy_role
from ilos.services.record_visibility import other_records_sources, subject_records
from ilos.services.store_access import Store
from ilos.services.subject_record import linkage_dir
from ilos.store.operations_tables import ActionRow


class GateSource(Protocol):
    def __call__(
        self, subject_id: str, destination: str | None, reviews: Sequence[GateReview]
    ) -> Sequence[GateResult]:
        """Every gate's result on the subject now, decided on all its data."""

    def hidden_from(
        self, subject_id: str, caller: Caller, named: Collection[str] = (), legacy: bool = False
    ) -> frozenset[str]:
        """The records ("source:record_id") the gates may rest on, and those of `named` (records gate text
        stored earlier rests on), that the caller's purpose may not see; with `legacy` (text stored without
        its records) also every source the purpose may not see, as `source:*`. Asked with `named` and not
        `legacy`, a source may answer for `named` alone: stored text rests on nothing else."""


class linkage_gates:  # noqa: N801 - called as a function, as it was before it had a second method
    """Gates evaluated now from the subject's gate inputs (`gate_inputs.subject_gate_inputs`: the linkage
    under ILOS_HOME, the worker's journaled events, the unjudged candidate matches, the reviews given) and
    the applied policy: never a cached answer, and the same evidence the worklist's gates rest on."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._read: dict[str, GateInputs] = {}
        """Each subject's inputs as the gates last read them, so what is hidden is decided on the same data
        (and not read twice); one source serves one request (`gate_source_for`)."""

    def __call__(
        self, subject_id: str, destination: str | None, reviews: Sequence[GateReview]
    ) -> Sequence[GateResult]:
        policy = current_policy(self.home)
        found = subject_gate_inputs(linkage_dir(self.home), subject_id, policy, reviews)
        self._read[subject_id] = found
        return found.evaluate(date.today(), policy, destination)

    def hidden_from(
        self, subject_id: str, caller: Caller, named: Collection[str] = (), legacy: bool = False
    ) -> frozenset[str]:
        directory = linkage_dir(self.home)
        policy = current_policy(self.home)
        sources = other_records_sources(directory)
        found = self._read.get(subject_id)
        if found is None and named and not legacy:
            # Stored text rests on `named` alone, and which of them are hidden is decided by the subject's
            # records and the sources' markings: its identity evidence (candidate matches, a second or two a
            # subject at a million persons) changes nothing there.
            only = GateInputs(subject_facts(directory, subject_id))
            return hidden_records(only, policy, caller, sources, named).intersection(named)
        found = found or subject_gate_inputs(directory, subject_id, policy)
        return hidden_records(found, policy, caller, sources, named, legacy)


def hidden_records(
    found: GateInputs,
    policy: Policy,
    caller: Caller,
    sources: SourcesConfig,
    named: Collection[str] = (),
    legacy: bool = False,
) -> frozenset[str]:
    """The records of a subject's gate inputs (candidate matches, disputes, pending merges included), and of
    `named`, the caller may not see, as the subject page takes them with no authority cited
    (`record_visibility.subject_records`; `sources` decides the records of other subjects, and of `named`
    those no longer the subject's). With `legacy`, also each source the caller may not see (`source:*`):
    text kept without its records may name a record that has left the subject since."""
    usage = Usage(found.subject, policy_role(policy, caller), caller.purpose.value, (), policy, date.today())
    seen = subject_records(usage, found.candidates, sources, found.waiting_records)
    hidden = seen.hidden.union(r for r in named if not seen.visibility(r))
    return hidden.union(f"{s}:*" for s in seen.visibility.refused_sources()) if legacy else hidden


def shown_to(
    source: GateSource, caller: Caller, subject_id: str, results: Sequence[GateResult]
) -> tuple[GateResult, ...]:
    """The gates as the caller's purpose may see them (`decide.gates_as_shown`): each keeps its verdict;
    one resting on a record the caller may not see shows that record's source, not its key or values."""
    hidden = source.hidden_from(subject_id, caller)
    shown = gates_as_shown(results, hidden)
    if [(g.gate, g.blocks) for g in shown] != [(g.gate, g.blocks) for g in results]:
        raise AssertionError("showing gates for a purpose changed a verdict")  # never: as_shown keeps them
    return shown


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
        GateBlock(r.gate.value, r.reason, tuple(r.evidence), r.gate in VERIFICATION_GATES, r.records)
        for r in results
        if r.blocks
    ]


def checked_summary(results: Sequence[GateResult]) -> str:
    blocking = [f"{r.gate.value}: {r.reason}" for r in results if r.blocks]
    policy = f"policy v{results[0].policy_version}" if results else "no gates"
    return f"{len(results)} gates checked ({policy}); blocking: {'; '.join(blocking) or 'none'}"
