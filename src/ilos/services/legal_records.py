"""Use cases of legal records: record, list and revoke the legal authorities that unlock TAX data about one
taxpayer, cite them in a decision, and record and list the gate reviews that can lift the citizenship and
identity gates. Incomplete input is refused with every problem named; every write, read, citation and
refusal is audited in the transaction that does the work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError

from ilos.definitions.policy import AUTHORITY_REQUIRED
from ilos.errors import ConflictError, FieldProblem, InvalidInputError, NotFoundError
from ilos.policy.authority import LegalAuthority, authority_problems
from ilos.policy.gates import REVIEWER_ROLE
from ilos.policy.results import CLEARING_FINDINGS, REVIEWABLE_GATES, UPHOLDING_FINDINGS, GateId
from ilos.services import action_gates
from ilos.services.access import SUBJECT_READERS, Caller, Role
from ilos.services.action_gates import GateSource
from ilos.services.audit_log import Action, new_id, record, require_role
from ilos.services.legal_store import (
    RecordedInputs,
    authority_rows,
    recorded_reviews,
    review_rows,
    to_authority,
)
from ilos.services.store_access import Store
from ilos.store.legal_tables import GateReviewRow, LegalAuthorityRevocationRow, LegalAuthorityRow

AUTHORITY_RECORDERS = frozenset({Role.supervisor})
AUTHORITY_REVOKERS = frozenset({Role.supervisor, Role.oversight})  # revoking only ever withholds more
REVIEWERS = frozenset({Role(REVIEWER_ROLE)})
LEGAL_READERS = SUBJECT_READERS | {Role.oversight}
DECISIONS = ("cleared", "upheld")


@dataclass(frozen=True, slots=True)
class AuthorityRequest:
    subject_id: str
    taxpayer_name: str
    tax_periods: tuple[int, ...]
    statute: str
    reason: str
    granted_by: str
    granted_on: date | None
    expires_on: date | None
    marking: str = "TAX"


@dataclass(frozen=True, slots=True)
class AuthorityView:
    authority_id: str
    marking: str
    subject_id: str
    taxpayer_name: str
    tax_periods: tuple[int, ...]
    statute: str
    reason: str
    granted_by: str
    granted_on: date
    expires_on: date
    recorded_by: str
    recorded_at: datetime
    state: str  # in_force, not_yet_in_force, expired, revoked (today)
    revoked_by: str | None
    revoked_at: datetime | None
    revocation_reason: str | None


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    subject_id: str
    gate: str
    decision: str  # cleared / upheld
    finding: str
    reason: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewView:
    review_id: str
    subject_id: str
    gate: str
    decision: str
    finding: str
    reason: str
    evidence: tuple[str, ...]
    covers: tuple[str, ...]
    reviewer: str
    reviewer_role: str
    at: datetime
    policy_version: int
    policy_hash: str


def record_authority(store: Store, caller: Caller, request: AuthorityRequest) -> AuthorityView:
    """Record a complete authority (supervisor); refused with every problem named, e.g. one naming only
    a postal code or an identifier, or one already expired."""
    audit = Action("legal_authority.record", "subject", (request.subject_id,))
    require_role(store, caller, AUTHORITY_RECORDERS, audit)
    _check_authority_request(request)
    now = datetime.now(UTC)
    with store.transaction() as session:
        row = LegalAuthorityRow(
            id=new_id(),
            marking=request.marking.strip().upper(),
            subject_id=request.subject_id.strip(),
            taxpayer_name=request.taxpayer_name.strip(),
            tax_periods=sorted(set(request.tax_periods)),
            statute=request.statute.strip(),
            reason=request.reason.strip(),
            granted_by=request.granted_by.strip(),
            granted_on=request.granted_on,
            expires_on=request.expires_on,
            recorded_by=caller.actor,
            recorded_at=now,
        )
        session.add(row)
        session.flush()
        detail = f"{row.marking} authority for {row.subject_id} periods {row.tax_periods} under {row.statute}"
        record(
            session, caller, Action(audit.name, "legal_authority", (row.id, row.subject_id), detail=detail)
        )
        return _authority_view(row, None)


def _check_authority_request(request: AuthorityRequest) -> None:
    """Every problem at once: the taxpayer, periods, statute and reason (as the access check demands), and
    who granted it, from when and until when."""
    as_authority = LegalAuthority(
        "new",
        request.marking,
        request.subject_id.strip(),
        request.taxpayer_name,
        request.tax_periods,
        request.statute,
        request.reason,
    )
    problems = [
        FieldProblem(p.location.removeprefix("authority new."), p.message)
        for p in authority_problems(as_authority)
    ]
    if request.marking.strip().upper() not in AUTHORITY_REQUIRED:
        problems.append(
            FieldProblem(
                "marking", f"{request.marking!r} needs no authority; only {sorted(AUTHORITY_REQUIRED)} do"
            )
        )
    if any(not 1900 <= p <= 2200 for p in request.tax_periods):
        problems.append(FieldProblem("tax_periods", f"{list(request.tax_periods)} are not tax years"))
    if not request.granted_by.strip():
        problems.append(FieldProblem("granted_by", "name who granted the authority (court, order number)"))
    if request.granted_on is None:
        problems.append(FieldProblem("granted_on", "give the date the authority was granted"))
    if request.expires_on is None:
        problems.append(FieldProblem("expires_on", "give the date the authority expires"))
    elif request.granted_on is not None and request.expires_on < request.granted_on:
        problems.append(
            FieldProblem(
                "expires_on", f"{request.expires_on} is before it was granted ({request.granted_on})"
            )
        )
    elif request.expires_on < datetime.now(UTC).date():
        problems.append(FieldProblem("expires_on", f"{request.expires_on} has passed; nothing to record"))
    if problems:
        raise InvalidInputError("The legal authority is incomplete and was not recorded", problems)


def revoke_authority(store: Store, caller: Caller, authority_id: str, reason: str) -> AuthorityView:
    """Revoke an authority from now (supervisor or oversight): a new row, the authority itself unchanged."""
    audit = Action("legal_authority.revoke", "legal_authority", (authority_id,))
    require_role(store, caller, AUTHORITY_REVOKERS, audit)
    if not reason.strip():
        raise InvalidInputError(
            "A revocation needs a reason", [FieldProblem("reason", "say why it is revoked")]
        )
    with store.transaction() as session:
        found = authority_rows(session, ids=[authority_id])
        if not found:
            raise NotFoundError(
                f"No legal authority {authority_id!r}; list them with `ilos legal authority list`"
            )
        row, revocation = found[0]
        if revocation is not None:
            raise _already_revoked(revocation)
        revocation = LegalAuthorityRevocationRow(
            authority_id=row.id, revoked_by=caller.actor, revoked_at=datetime.now(UTC), reason=reason.strip()
        )
        try:  # a concurrent revocation may commit between the read above and this insert
            with session.begin_nested():
                session.add(revocation)
        except IntegrityError:
            winner = authority_rows(session, ids=[authority_id])[0][1]
            raise _already_revoked(winner) from None
        record(
            session, caller, Action(audit.name, "legal_authority", (row.id, row.subject_id), detail=reason)
        )
        return _authority_view(row, revocation)


def _already_revoked(revocation: LegalAuthorityRevocationRow | None) -> ConflictError:
    if revocation is None:  # the concurrent revocation was rolled back after all: trying again may succeed
        return ConflictError("A concurrent revocation of this legal authority failed; revoke it again")
    return ConflictError(
        f"Legal authority {revocation.authority_id} was already revoked by {revocation.revoked_by} "
        f"at {revocation.revoked_at:%Y-%m-%d %H:%M}; nothing changed"
    )


def list_authorities(store: Store, caller: Caller, subject_id: str | None = None) -> list[AuthorityView]:
    """Authorities (of one subject, or all) with their state today; the read is audited."""
    query = {"subject_id": subject_id}
    audit = Action("legal_authority.read", "legal_authority", query=query)
    require_role(store, caller, LEGAL_READERS, audit)
    with store.transaction() as session:
        views = [_authority_view(a, r) for a, r in authority_rows(session, subject_id=subject_id)]
        record(session, caller, Action(audit.name, audit.object_type, query=query, result_count=len(views)))
    return views


def cite_authorities(
    store: Store, caller: Caller, authority_ids: Sequence[str]
) -> tuple[LegalAuthority, ...]:
    """The recorded authorities a caller cites to use TAX data, as the access check takes them (it decides
    whether each covers the subject, period and day). Every id must be recorded; the citation is audited."""
    if not authority_ids:
        return ()
    audit = Action("legal_authority.cite", "legal_authority", tuple(authority_ids))
    require_role(store, caller, LEGAL_READERS, audit)
    with store.transaction() as session:
        found = {a.id: to_authority(a, r) for a, r in authority_rows(session, ids=authority_ids)}
        missing = [i for i in authority_ids if i not in found]
        if missing:
            raise NotFoundError(
                f"No recorded legal authority {', '.join(map(repr, missing))}; record it first "
                "(`ilos legal authority record`), then cite its id"
            )
        cited = tuple(found[i] for i in dict.fromkeys(authority_ids))
        ids = tuple(x for a in cited for x in (a.authority_id, a.taxpayer))
        record(session, caller, Action(audit.name, audit.object_type, ids, result_count=len(cited)))
    return cited


def record_review(
    store: Store, caller: Caller, request: ReviewRequest, gates: GateSource | None = None
) -> ReviewView:
    """Record a supervisor's review of a blocking citizenship or identity gate on one subject. The review
    covers the evidence the gate rests on now, under the policy in force (both stored with it). Anyone
    else's attempt is refused and audited."""
    audit = Action(
        "gate_review.record",
        "subject",
        (request.subject_id,),
        query={"gate": request.gate, "decision": request.decision, "finding": request.finding},
    )
    require_role(store, caller, REVIEWERS, audit)
    gate = _check_review_request(request)
    results = (gates or action_gates.gate_source_for(store))(request.subject_id, None, ())
    result = next((r for r in results if r.gate == gate), None)
    if result is None or not result.blocks:
        raise ConflictError(
            f"Gate {gate.value} does not block subject {request.subject_id} now; there is nothing to review"
        )
    with store.transaction() as session:
        row = GateReviewRow(
            id=new_id(),
            subject_id=request.subject_id,
            gate=gate.value,
            decision=request.decision,
            finding=request.finding,
            reason=request.reason.strip(),
            evidence=list(request.evidence),
            covers=list(result.evidence),
            reviewer=caller.actor,
            reviewer_role=REVIEWER_ROLE,
            at=datetime.now(UTC),
            policy_version=result.policy_version,
            policy_hash=result.policy_hash,
        )
        session.add(row)
        session.flush()
        detail = (
            f"{gate.value} {request.decision} ({request.finding}) covering {len(row.covers)} evidence item(s)"
        )
        record(session, caller, Action(audit.name, "gate_review", (row.id, row.subject_id), detail=detail))
        return _review_view(row)


def _check_review_request(request: ReviewRequest) -> GateId:
    problems = []
    gate = next((g for g in REVIEWABLE_GATES if g.value == request.gate), None)
    if gate is None:
        reviewable = ", ".join(sorted(g.value for g in REVIEWABLE_GATES))
        problems.append(FieldProblem("gate", f"{request.gate!r} cannot be reviewed; only {reviewable} can"))
    if request.decision not in DECISIONS:
        problems.append(
            FieldProblem("decision", f"{request.decision!r} is not one of {', '.join(DECISIONS)}")
        )
    elif gate is not None:
        allowed = (CLEARING_FINDINGS if request.decision == "cleared" else UPHOLDING_FINDINGS)[gate]
        if request.finding not in allowed:
            names = ", ".join(sorted(allowed))
            problems.append(
                FieldProblem(
                    "finding",
                    f"{request.finding!r} is not a finding that {request.decision} {gate.value}: {names}",
                )
            )
    if not request.reason.strip():
        problems.append(FieldProblem("reason", "say why (what the review found)"))
    if request.decision == "cleared" and not any(e.strip() for e in request.evidence):
        problems.append(FieldProblem("evidence", "name what was checked (documents, records, calls)"))
    if problems:
        raise InvalidInputError("The gate review is incomplete and was not recorded", problems)
    assert gate is not None
    return gate


def list_reviews(store: Store, caller: Caller, subject_id: str | None = None) -> list[ReviewView]:
    """Recorded gate reviews (of one subject, or all), oldest first; the read is audited."""
    query = {"subject_id": subject_id}
    audit = Action("gate_review.read", "gate_review", query=query)
    require_role(store, caller, LEGAL_READERS, audit)
    with store.transaction() as session:
        rows = review_rows(session, [subject_id] if subject_id is not None else None)
        views = [_review_view(r) for r in rows]
        record(session, caller, Action(audit.name, audit.object_type, query=query, result_count=len(views)))
    return views


def decision_inputs(store: Store, caller: Caller, authority_ids: Sequence[str] = ()) -> RecordedInputs:
    """Every recorded review and the cited authorities, for deciding many subjects (a worklist); audited."""
    authorities = cite_authorities(store, caller, authority_ids)
    audit = Action("gate_review.read", "gate_review", query={"for": "decisions"})
    require_role(store, caller, LEGAL_READERS, audit)
    with store.transaction() as session:
        reviews = recorded_reviews(session)
        count = sum(len(r) for r in reviews.values())
        record(session, caller, Action(audit.name, audit.object_type, query=audit.query, result_count=count))
    return RecordedInputs(reviews, authorities)


def _authority_view(row: LegalAuthorityRow, revocation: LegalAuthorityRevocationRow | None) -> AuthorityView:
    return AuthorityView(
        authority_id=row.id,
        marking=row.marking,
        subject_id=row.subject_id,
        taxpayer_name=row.taxpayer_name,
        tax_periods=tuple(row.tax_periods),
        statute=row.statute,
        reason=row.reason,
        granted_by=row.granted_by,
        granted_on=row.granted_on,
        expires_on=row.expires_on,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        state=to_authority(row, revocation).state(datetime.now(UTC).date()),
        revoked_by=revocation.revoked_by if revocation else None,
        revoked_at=revocation.revoked_at if revocation else None,
        revocation_reason=revocation.reason if revocation else None,
    )


def _review_view(row: GateReviewRow) -> ReviewView:
    return ReviewView(
        review_id=row.id,
        subject_id=row.subject_id,
        gate=row.gate,
        decision=row.decision,
        finding=row.finding,
        reason=row.reason,
        evidence=tuple(row.evidence),
        covers=tuple(row.covers),
        reviewer=row.reviewer,
        reviewer_role=row.reviewer_role,
        at=row.at,
        policy_version=row.policy_version,
        policy_hash=row.policy_hash,
    )
