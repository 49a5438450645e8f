"""Gates: hard stops on adverse action, each a pure function of the subject, the date and the policy that
returns whether it blocks, why, and the evidence it rests on. The set of gates is law, fixed in code;
the policy only sets parameters (thresholds, which statuses bar removal), and cannot lower the floor."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from ilos.definitions.policy import Policy
from ilos.domain.attributes import Value
from ilos.domain.countries import US_ORIGIN_ATTRIBUTES, country_code, is_us_origin
from ilos.domain.events import EventRef
from ilos.domain.legal import DepartureKind, LegalSituation
from ilos.domain.legal_court import PENDING_APPEAL
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.domain.provenance import Observed, RecordRef
from ilos.domain.subjects import Subject
from ilos.policy.results import (
    CLEARING_FINDINGS,
    REVIEWABLE_GATES,
    CandidateMatch,
    CaseRecordElsewhere,
    DisputedPair,
    Evidence,
    GateId,
    GateResult,
    GateReview,
    PendingMerge,
    ReviewFinding,
)

US_CITIZEN = "US_CITIZEN"
REVIEWER_ROLE = "supervisor"


@dataclass(frozen=True, slots=True)
class _Finding:
    """A gate's verdict before policy stamps and reviews: blocks, why, evidence, and the records whose
    values the reason, evidence or note show (a finding that shows something of a record must name it)."""

    blocks: bool
    reason: str
    evidence: Evidence = ()
    note: str = ""
    records: tuple[str, ...] = ()
    reviewable: bool = True
    """False when only a batch run can lift it (the linkage itself is wrong): no review clears it then."""


class _Fact(Protocol):
    """A legal fact: it rests on the events in its evidence."""

    @property
    def evidence(self) -> tuple[EventRef, ...]: ...


@dataclass(frozen=True, slots=True)
class _Context:
    subject: Subject
    legal: LegalSituation
    today: date
    policy: Policy
    destination: str | None
    candidates: tuple[CandidateMatch, ...] = ()
    disputes: tuple[DisputedPair, ...] = ()
    pending_merges: tuple[PendingMerge, ...] = ()
    unread_records: tuple[str, ...] = ()
    case_records_elsewhere: tuple[CaseRecordElsewhere, ...] = ()


def evaluate_gates(
    subject: Subject,
    today: date,
    policy: Policy,
    destination_country: str | None = None,
    reviews: Sequence[GateReview] = (),
    candidates: Sequence[CandidateMatch] = (),
    disputes: Sequence[DisputedPair] = (),
    pending_merges: Sequence[PendingMerge] = (),
    unread_records: Sequence[str] = (),
    case_records_elsewhere: Sequence[CaseRecordElsewhere] = (),
) -> list[GateResult]:
    """Every gate's result for this subject today (blocking or not), so a decision shows what was checked.

    `candidates` are the linker's unjudged uncertain pairs with other subjects: the identity is unsettled.
    `disputes` (its records judged different people) and `pending_merges` (subjects the change worker found
    to be the same person) wait for a batch run: the stored subject is known to be wrong until then.
    `unread_records` ("source:record_id") are the linkage's records of this subject that its facts were not
    built from (linked by `ilos link add` since the subjects build): what they say, a stay or a
    naturalization certificate, is unknown to every other gate until a build reads them.
    `case_records_elsewhere` are records of its own court cases that other subjects hold and that may bar
    action (`shared_cases`)."""
    legal = subject.legal if subject.legal.as_of == today else derive_legal_situation(subject.events, today)
    ctx = _Context(
        subject, legal, today, policy, destination_country, tuple(candidates), tuple(disputes),
        tuple(pending_merges), tuple(unread_records), tuple(case_records_elsewhere),
    )  # fmt: skip
    ahead = {str(ref) for ref in legal.dated_ahead}
    results = []
    for gate, check in _GATES:
        finding = _dated_ahead(check(ctx), ahead, today)
        review = _clearing_review(gate, subject.subject_id, finding, reviews)
        results.append(
            GateResult(
                gate=gate,
                blocks=finding.blocks and review is None,
                reason=finding.reason if review is None else f"{finding.reason}; {_cleared_by(review)}",
                evidence=finding.evidence,
                policy_version=policy.version,
                policy_hash=policy.content_hash,
                note=finding.note or _review_note(review),
                review=review,
                records=finding.records,
            )
        )
    return results


def _dated_ahead(finding: _Finding, ahead: set[str], today: date) -> _Finding:
    """A blocking finding resting on events dated after today says so: they count because their records are
    held and they can only protect (`legal_derivation.bars_action`), but the date is most likely wrong."""
    dated = [e for e in finding.evidence if e in ahead]
    if not finding.blocks or not dated:
        return finding
    note = f"dated after {today}, a likely data error (a day and month swapped?) to check: {', '.join(dated)}"
    return replace(finding, reason=f"{finding.reason}; {note}")


def _clearing_review(
    gate: GateId, subject_id: str, finding: _Finding, reviews: Sequence[GateReview]
) -> GateReview | None:
    """The review that lifts a reviewable gate, if any; never one for a legal-process gate.

    The newest review of this gate on this subject decides, and it clears only if a supervisor made it with
    outcome `cleared` and it saw all the evidence the gate rests on now: every current evidence reference is
    in what it examined (`covers`), so a record linked later (even one observed earlier) or a new candidate
    match needs a new review, and a review naming nothing it examined clears nothing. Recorded reviews and
    actions' identity verifications are held to this one rule. A citizenship review must
    also say why it clears (someone else's evidence, or evidence that does not establish citizenship), and a
    supervisor's finding that the person is a citizen is final: no later review clears the gate. A finding
    that waits for a batch run (`_Finding.reviewable` false) is not a review's to lift."""
    if not finding.blocks or gate not in REVIEWABLE_GATES or not finding.reviewable:
        return None
    mine = sorted(
        (r for r in reviews if r.gate == gate and r.subject_id == subject_id),
        key=lambda r: r.at,
        reverse=True,
    )
    if gate == GateId.CITIZENSHIP and any(
        r.finding == ReviewFinding.CITIZEN and r.reviewer_role == REVIEWER_ROLE for r in mine
    ):
        return None
    review = mine[0] if mine else None
    if review is None or not review.clears or review.reviewer_role != REVIEWER_ROLE:
        return None
    if gate == GateId.CITIZENSHIP and review.finding not in CLEARING_FINDINGS[gate]:
        return None
    return review if review.covers and set(finding.evidence) <= set(review.covers) else None


def _cleared_by(review: GateReview) -> str:
    return f"cleared by review of {review.reviewer}" + (f" ({review.finding})" if review.finding else "")


def _review_note(review: GateReview | None) -> str:
    """A citizenship record cleared as someone else's is a linkage error to correct, not a fact about
    the person: say so wherever the decision is shown."""
    if review is None or review.finding != ReviewFinding.NOT_THIS_PERSON:
        return ""
    return (
        f"{review.reviewer} found the evidence belongs to another person on {review.at:%Y-%m-%d}; "
        "correct the link (a judgement) so the record leaves this subject"
    )


def _refs(items: Sequence[_Fact]) -> Evidence:
    return tuple(str(ref) for item in items for ref in item.evidence)


def _records(facts: Iterable[_Fact] = (), observed: Iterable[RecordRef | str] = ()) -> tuple[str, ...]:
    """The records behind the facts and observations a finding shows, once each, in key order."""
    keys = {str(ref.record) for fact in facts for ref in fact.evidence} | {str(r) for r in observed}
    return tuple(sorted(keys))


def _final_order(ctx: _Context) -> _Finding:
    order = ctx.legal.final_order
    if order is None:
        proceedings = ctx.legal.proceedings
        return _Finding(True, "no final order of removal", _refs(proceedings), records=_records(proceedings))
    reason = f"final {order.order_type.value} order of {order.ordered_on}"
    return _Finding(False, reason, _refs([order]), records=_records([order]))


def _stay(ctx: _Context) -> _Finding:
    stays = ctx.legal.stays_in_effect
    if not stays:
        return _Finding(False, "no stay in effect")
    kinds = ", ".join(sorted({s.kind.value for s in stays}))
    return _Finding(True, f"{kinds} stay of removal in effect", _refs(stays), records=_records(stays))


def _appeal(ctx: _Context) -> _Finding:
    appeals = ctx.legal.pending_appeals
    windows = tuple(w for w in ctx.legal.appeal_windows if ctx.today < w.closes_on)
    if appeals:
        reason = "an appeal or petition is pending"
        unknown = sorted({a.status for a in appeals} - PENDING_APPEAL)
        if unknown:
            reason += (
                f" (status {', '.join(unknown)}: not one known to leave the order final; check the record)"
            )
        return _Finding(True, reason, _refs(appeals), records=_records(appeals))
    if windows:
        closes = max(w.closes_on for w in windows)
        reason = f"the appeal window is open until {closes}"
        return _Finding(True, reason, _refs(windows), records=_records(windows))
    return _Finding(False, "no appeal pending and no appeal window open")


def _unrecognised(ctx: _Context) -> _Finding:
    """A record ILOS cannot read as the event it may be (a court record no event spec reads, or a stay,
    appeal, certificate or benefit record whose date cannot be read) may bar action: it blocks until it is
    corrected at its source and read (no review lifts it, as none lifts a stay)."""
    found = ctx.legal.unrecognised_records
    if not found:
        return _Finding(False, "every record that may bar action is one ILOS reads")
    named = "; ".join(f"{ref.source}:{ref.record_id} ({u.describe()})" for u in found for ref in u.evidence)
    reason = (
        f"{len(found)} record(s) ILOS cannot read, which may be a stay, an appeal, an order or a bar to "
        f"removal: {named}; correct the record at its source"
    )
    return _Finding(True, reason, _refs(found), records=_records(found), reviewable=False)


def _case_record_elsewhere(ctx: _Context) -> _Finding:
    """A stay (or an appeal, relief, an unread record) entered in this subject's own court case but linked to
    another subject — it carried no A-number or date of birth to link by — may be this person's: it blocks as
    it would in this subject, and no review lifts it. Linking the records (a reviewer's "match" and a run) or
    correcting the case number at its source ends it."""
    found = ctx.case_records_elsewhere
    if not found:
        return _Finding(
            False, "no other subject holds a record of this subject's court cases that may bar action"
        )
    named = "; ".join(str(f) for f in found)
    reason = (
        f"{len(found)} record(s) of this subject's court case(s) that may bar action are held by another "
        f"subject: {named}; they may be this person's: link the records or correct the case number at its source"
    )
    return _Finding(
        True, reason, tuple(f.event for f in found), records=tuple(f.record for f in found), reviewable=False
    )


def _country_protection(ctx: _Context) -> _Finding:
    """Destinations and protections compare as ISO alpha-3 codes however they were written ("col", " COL",
    "Colombia" are COL), so no spelling of a protected country gets past this gate. A destination (or
    order country) that names no known country, or a protection whose country is unknown, bars removal:
    which country is meant cannot be told, so it may be the protected one."""
    protections = ctx.legal.country_protections
    if not protections:
        return _Finding(False, "no withholding or CAT protection")
    order = ctx.legal.final_order
    given = _named(ctx.destination)
    named = given or _named(order.country if order else None)
    destination = country_code(named)
    barred = [p for p in protections if destination is None or country_code(p.country) in (None, destination)]
    countries = ", ".join(sorted({f"{p.kind}:{p.country or '?'}" for p in protections}))
    # Every protection is named, and a destination not given is the order's: both show their records.
    records = _records([*protections, *([order] if order and not given else [])])
    if barred:
        return _Finding(
            True,
            f"removal to {_place(named, destination)} is barred ({countries})",
            _refs(barred),
            records=records,
        )
    note = f"protected against removal to {countries}; removal to {destination} is not barred by it"
    return _Finding(False, f"no protection for {destination}", _refs(protections), note, records)


def _named(country: str | None) -> str | None:
    return country if country and country.strip() else None


def _place(named: str | None, code: str | None) -> str:
    if named is None:
        return "an undesignated country"
    return code or f"{named.strip()[:40]!r} (not a known country)"


def _protected_status(ctx: _Context) -> _Finding:
    """A barring status, a barring application pending, or an application ILOS cannot read (a benefit kind it
    cannot name, a decision code it does not know) that may protect: the last holds whatever the policy lists,
    since what it is cannot be told."""
    params = ctx.policy.spec.gates
    statuses = [s for s in ctx.legal.protected_statuses if s.kind in params.barring_statuses]
    barring_pending = {b.upper() for b in params.barring_pending_benefits}
    pending = [
        p
        for p in ctx.legal.pending_applications
        if p.benefit.upper() in barring_pending or p.unread is not None
    ]
    if not statuses and not pending:
        return _Finding(False, "no protected status or pending protection")
    named = [s.kind for s in statuses] + [
        f"{p.benefit.lower()} pending" + (f" ({p.unread})" if p.unread else "") for p in pending
    ]
    evidence = _refs(statuses) + _refs(pending)
    note = "; ".join(n for s in statuses for n in s.notes)
    records = _records([*statuses, *pending])
    return _Finding(True, f"protected: {', '.join(named)}", evidence, note, records)


def _citizenship(ctx: _Context) -> _Finding:
    """Any record suggesting US citizenship blocks: citizenship evidence and claims (legal facts), a
    `US_CITIZEN` observation, and a nationality or country of birth that is the United States or one of its
    territories (`US_SOIL`), on any record. A nationality or birthplace on a record already cited is not
    cited twice (a reviewer who saw the record saw it)."""
    observed = [o for o in ctx.subject.attribute("citizenship").observations if o.value == US_CITIZEN]
    indications = ctx.legal.citizenship
    cited = {str(r) for r in _records(indications, (o.record for o in observed))}
    american = [
        (name, o)
        for name in US_ORIGIN_ATTRIBUTES
        for o in ctx.subject.attribute(name).observations
        if isinstance(o.value, str) and is_us_origin(o.value) and str(o.record) not in cited
    ]
    if not observed and not indications and not american:
        return _Finding(False, "no record suggests US citizenship")
    evidence = (
        _refs(indications)
        + tuple(f"citizenship={US_CITIZEN} {o.record}" for o in observed)
        + tuple(f"{name}={o.value} {o.record}" for name, o in american)
    )
    kinds = sorted({i.kind for i in indications} or ({"citizenship observation"} if observed else set()))
    kinds += _origin_signals(american)
    reason = f"records suggest US citizenship ({', '.join(kinds)}); supervisor review required"
    records = _records(indications, [*(o.record for o in observed), *(o.record for _, o in american)])
    return _Finding(True, reason, evidence, records=records)


def _origin_signals(american: Sequence[tuple[str, Observed[Value]]]) -> list[str]:
    """'nationality USA on encounters:E1', per attribute, naming its records (the first three, then how many
    more)."""
    out = []
    for name in US_ORIGIN_ATTRIBUTES:
        seen = sorted({(str(o.value), str(o.record)) for n, o in american if n == name})
        if not seen:
            continue
        values = "/".join(sorted({v for v, _ in seen}))
        named = ", ".join(r for _, r in seen[:3]) + (f" and {len(seen) - 3} more" if len(seen) > 3 else "")
        out.append(f"{name.replace('_', ' ')} {values} on {named}")
    return out


def _cooperation(ctx: _Context) -> _Finding:
    active = [c for c in ctx.legal.cooperation if c.active]
    if not active:
        return _Finding(False, "no active witness or victim cooperation")
    kinds = ", ".join(sorted({c.kind or "cooperation" for c in active}))
    return _Finding(True, f"cooperating witness or victim ({kinds})", _refs(active), records=_records(active))


def _identity(ctx: _Context) -> _Finding:
    params = ctx.policy.spec.gates
    weak = sorted(
        {
            o.record
            for a in ctx.subject.attributes.values()
            for o in a.observations
            if o.link_confidence < params.link_confidence_threshold
        },
        key=str,
    )
    conflicts = [n for n in params.critical_conflicts if ctx.subject.attribute(n).conflict]
    waits = _batch_waits(ctx)
    if not weak and not conflicts and not ctx.candidates and not waits:
        return _Finding(False, "identity rests on confident links with no critical conflicts")
    reasons = [f"{len(weak)} record(s) linked below {params.link_confidence_threshold}"] if weak else []
    reasons += [f"conflicting {', '.join(conflicts)}"] if conflicts else []
    reasons += (
        [f"{len(ctx.candidates)} unjudged candidate match(es) with other subjects"] if ctx.candidates else []
    )
    conflicting = [(n, o) for n in conflicts for o in ctx.subject.attribute(n).observations]
    evidence = (
        tuple(str(d) for d in ctx.disputes)
        + tuple(str(m) for m in ctx.pending_merges)
        + tuple(f"weak link {r}" for r in weak)
        + tuple(f"{n}={o.value} {o.record}" for n, o in conflicting)
        + tuple(str(c) for c in ctx.candidates)
    )
    matched = [r for c in ctx.candidates for r in (c.record, c.other_record)]
    waited = [r for d in ctx.disputes for r in d.records] + [r for m in ctx.pending_merges for r in m.records]
    waited += ctx.unread_records
    records = _records(observed=[*weak, *(o.record for _, o in conflicting), *matched, *waited])
    reason = "; ".join([*waits, *(["needs verification: " + "; ".join(reasons)] if reasons else [])])
    return _Finding(True, reason, evidence, records=records, reviewable=not waits)


def _batch_waits(ctx: _Context) -> list[str]:
    """What holds the identity until a batch run re-links: the stored subject is known to be wrong, so no
    person's verification lifts it (a review could only vouch for the wrong grouping)."""
    waits = [
        f"{d.record} and {d.other_record} were judged different people by {d.judged_by} on "
        f"{d.judged_at:%Y-%m-%d}, yet are still one subject: re-run `ilos link` to split it"
        for d in ctx.disputes
    ]
    waits += [
        f"{m.found_by} found this subject to be one person with {m.other_subject} "
        f"({', '.join(m.records)}): "
        + (
            "a batch run refused to merge them (a linking constraint); a person must settle the pair "
            "before either is acted on"
            if m.refused
            else "a batch re-run (`ilos link`) must merge them before either is acted on"
        )
        for m in ctx.pending_merges
    ]
    if ctx.unread_records:
        waits.append(
            f"{len(ctx.unread_records)} record(s) linked to this subject since its facts were built "
            f"({', '.join(ctx.unread_records[:5])}{', …' if len(ctx.unread_records) > 5 else ''}): what they "
            "say is unknown to the other gates; run `ilos subjects build` before this subject is acted on"
        )
    return waits


def _departed(ctx: _Context) -> _Finding:
    departure = ctx.legal.departure
    if departure.kind != DepartureKind.VERIFIED or not ctx.policy.spec.gates.departed_blocks:
        note = _self_reported(ctx)
        return _Finding(
            False, "no verified departure", note=note, records=_records([departure] if note else [])
        )
    reason = f"departed (verified) on {departure.departed_on}"
    return _Finding(True, reason, _refs([departure]), records=_records([departure]))


def _self_reported(ctx: _Context) -> str:
    if ctx.legal.departure.kind == DepartureKind.SELF_REPORTED:
        return f"self-reported departure on {ctx.legal.departure.departed_on}, not verified"
    return ""


_GATES: tuple[tuple[GateId, Callable[[_Context], _Finding]], ...] = (
    (GateId.FINAL_ORDER, _final_order),
    (GateId.STAY, _stay),
    (GateId.APPEAL, _appeal),
    (GateId.UNRECOGNISED_RECORD, _unrecognised),
    (GateId.CASE_RECORD_ELSEWHERE, _case_record_elsewhere),
    (GateId.COUNTRY_PROTECTION, _country_protection),
    (GateId.PROTECTED_STATUS, _protected_status),
    (GateId.CITIZENSHIP, _citizenship),
    (GateId.COOPERATION, _cooperation),
    (GateId.IDENTITY, _identity),
    (GateId.DEPARTED, _departed),
)
