"""One decision per subject: gates, status, priority and last known location, for one role and purpose.

Priority and location rest only on data the purpose may use. Gates are evaluated on that data *and* on
all data, and block if either blocks: a protection is never lost because its evidence is marked."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime

from ilos.definitions.policy import Policy
from ilos.domain.attributes import Value
from ilos.domain.provenance import Observed
from ilos.domain.subjects import Subject
from ilos.policy.access import Usage, restrict_subject
from ilos.policy.authority import LegalAuthority
from ilos.policy.gates import evaluate_gates
from ilos.policy.priority import score_priority
from ilos.policy.results import (
    VERIFICATION_GATES,
    CandidateMatch,
    CaseRecordElsewhere,
    Decision,
    DisputedPair,
    GateResult,
    GateReview,
    LocationView,
    PendingMerge,
    PriorityResult,
    Status,
)


def status_of(gates: Sequence[GateResult]) -> Status:
    """Any blocking gate means not actionable; only identity gates make it 'needs verification'."""
    blocking = [g for g in gates if g.blocks]
    if any(g.gate not in VERIFICATION_GATES for g in blocking):
        return Status.BLOCKED
    return Status.NEEDS_VERIFICATION if blocking else Status.ACTIONABLE


def merge_gates(*evaluations: Sequence[GateResult]) -> tuple[GateResult, ...]:
    """Per gate, the first blocking result among the evaluations (else the first result)."""
    merged: dict[str, GateResult] = {}
    for results in evaluations:
        for result in results:
            held = merged.get(result.gate)
            if held is None or (result.blocks and not held.blocks):
                merged[result.gate] = result
    return tuple(merged.values())


def evaluate_subject(
    subject: Subject,
    today: date,
    policy: Policy,
    role: str,
    purpose: str,
    *,
    authorities: Sequence[LegalAuthority] = (),
    reviews: Sequence[GateReview] = (),
    destination_country: str | None = None,
    candidates: Sequence[CandidateMatch] = (),
    disputes: Sequence[DisputedPair] = (),
    pending_merges: Sequence[PendingMerge] = (),
    unread_records: Sequence[str] = (),
    case_records_elsewhere: Sequence[CaseRecordElsewhere] = (),
    decided_at: datetime | None = None,
    used_on: date | None = None,
) -> Decision:
    """The decision for one subject, with its inputs, policy hash and a one-line explanation.

    `used_on` is the day the data is used, when authorities must be in force (default `today`)."""
    usage = Usage(subject, role, purpose, authorities, policy, used_on or today)
    usable = restrict_subject(subject, usage)
    identity = (candidates, disputes, pending_merges, unread_records, case_records_elsewhere)
    gates = merge_gates(
        evaluate_gates(usable, today, policy, destination_country, reviews, *identity),
        evaluate_gates(subject, today, policy, destination_country, reviews, *identity),
    )
    priority = score_priority(usable, today, policy.rules)
    status = status_of(gates)
    return Decision(
        subject_id=subject.subject_id,
        status=status,
        gates=gates,
        priority=priority,
        location=last_location(subject, usage),
        policy_id=policy.id,
        policy_version=policy.version,
        policy_hash=policy.content_hash,
        as_of=today,
        decided_at=decided_at or datetime.combine(today, datetime.min.time()),
        purpose=purpose,
        role=role,
        inputs=_inputs(subject, reviews, authorities, destination_country),
        explanation=_explain(status, gates, priority),
        withheld_records=_withheld_records(subject, usable),
    )


def _withheld_records(subject: Subject, usable: Subject) -> tuple[str, ...]:
    """Records with something in the subject and nothing in what the purpose may use."""

    def records(s: Subject) -> set[str]:
        observed = {str(o.record) for a in s.attributes.values() for o in a.observations}
        return observed | {str(e.record) for e in s.events}

    return tuple(sorted(records(subject) - records(usable)))


def as_shown(decision: Decision, also_hidden: Collection[str] = ()) -> Decision:
    """The decision as it is shown for its purpose. Gates look at all data, so a protection is never hidden
    by a marking; but a gate whose reason, evidence or note shows a record the purpose may not see (one of
    its `records` among the decision's `withheld_records`, or `also_hidden`: say, another subject's record in
    a candidate match) would show that record's values and dates ("date_of_birth=1975-05-05 <tax record>").
    Such a gate is shown blocking or not as decided, with the withheld sources instead of its reason and
    evidence; the inputs name such records by source. A gate recorded without its records (None) that shows
    any evidence or note is taken to rest on every withheld record. Reviews are checked against the gate's
    own evidence, never this."""
    hidden = set(decision.withheld_records).union(also_hidden)
    if not hidden:
        return decision
    gates = gates_as_shown(decision.gates, hidden)
    withheld = dict.fromkeys(f"withheld:{k.split(':', 1)[0]}" for k in sorted(hidden) if k in decision.inputs)
    inputs = (*(i for i in decision.inputs if i not in hidden), *withheld)
    explanation = _explain(decision.status, gates, decision.priority)
    return replace(decision, gates=tuple(gates), inputs=inputs, explanation=explanation)


def gates_as_shown(gates: Sequence[GateResult], hidden: Collection[str]) -> tuple[GateResult, ...]:
    """Gates as `as_shown` shows them to a purpose that may not see the records in `hidden`: each resting on
    one of them keeps its verdict but shows the withheld sources instead of its reason, evidence and note."""
    hidden = frozenset(hidden)
    shown_gates = []
    for gate in gates:
        rests_on = hidden_rested_on(gate.records, hidden, legacy_shows=bool(gate.evidence or gate.note))
        if rests_on:
            reason, evidence = withheld_text(rests_on)
            shown = None if gate.records is None else tuple(r for r in gate.records if r not in hidden)
            gate = replace(gate, reason=reason, evidence=evidence, note="", records=shown)
        shown_gates.append(gate)
    return tuple(shown_gates)


def hidden_rested_on(
    records: Collection[str] | None, hidden: frozenset[str], *, legacy_shows: bool = True
) -> frozenset[str]:
    """The records of `hidden` a gate's text rests on: those among its `records`; text recorded without them
    (None) rests on every hidden record when it shows anything of a record (`legacy_shows`)."""
    if records is None:
        return hidden if legacy_shows else frozenset()
    return hidden.intersection(records)


def withheld_text(rests_on: Collection[str]) -> tuple[str, tuple[str, ...]]:
    """The reason and evidence a gate resting on the records `rests_on` shows instead of its own: their
    sources only."""
    sources = sorted({k.split(":", 1)[0] for k in rests_on})
    reason = (
        f"rests on records withheld for this purpose ({', '.join(sources)}); decided on all the data, "
        "as every gate is: a person allowed to see them must review it"
    )
    return reason, tuple(f"withheld:{s}" for s in sources)


def withheld_records(subject: Subject, usage: Usage) -> tuple[str, ...]:
    """The subject's records the usage may use nothing of (a decision's `withheld_records` for its usage)."""
    return _withheld_records(subject, restrict_subject(subject, usage))


def _recency(o: Observed[Value]) -> tuple[date, float, str]:
    return (o.observed_on or date.min, o.link_confidence, str(o.record))


def last_location(subject: Subject, usage: Usage) -> LocationView:
    """The latest address the purpose may use; newer ones it may not use are reported as withheld, by their
    source only (that a tax filing exists, when it was made or how many there are is itself tax return
    information)."""
    addresses = sorted(subject.attribute("address").observations, key=_recency, reverse=True)
    withheld: dict[str, str] = {}  # source -> the reason its newest address is withheld
    for o in addresses:
        use = usage.of(o.source, o.record_id, o.markings, o.observed_on)
        if use.allowed:
            return LocationView(
                str(o.value),
                o.source,
                o.record_id,
                o.observed_on,
                o.link_confidence,
                True,
                _withheld_addresses(withheld),
            )
        withheld.setdefault(o.source, use.reason)
    return LocationView(None, None, None, None, None, False, _withheld_addresses(withheld))


def _withheld_addresses(reasons: dict[str, str]) -> str:
    """One line per source, in source order: a line per address, or their order by date, would tell how many
    there are and which was filed last."""
    return "; ".join(f"a newer address from {s} withheld: {why}" for s, why in sorted(reasons.items()))


def _inputs(
    subject: Subject,
    reviews: Sequence[GateReview],
    authorities: Sequence[LegalAuthority],
    destination: str | None,
) -> tuple[str, ...]:
    """What the decision rested on besides the policy: the subject's records, reviews, authorities cited,
    destination."""
    records = tuple(str(r) for r in subject.records)
    reviewed = tuple(
        f"review:{r.gate.value}:{r.reviewer}:{r.at.isoformat()}:{r.outcome}"
        + (f":{r.finding}" if r.finding else "")
        + (f":{r.review_id}" if r.review_id else "")
        for r in reviews
        if r.subject_id == subject.subject_id
    )
    cited = tuple(f"authority:{a.authority_id}" for a in authorities)
    return records + reviewed + cited + ((f"destination:{destination}",) if destination else ())


def _explain(status: Status, gates: Sequence[GateResult], priority: PriorityResult) -> str:
    blocking = "; ".join(f"{g.gate.value}: {g.reason}" for g in gates if g.blocks)
    return f"{status.value}" + (f" — {blocking}" if blocking else "") + f"; priority {priority.explain()}"
