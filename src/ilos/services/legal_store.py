"""Recorded legal authorities and gate reviews read as the policy engine's inputs (`LegalAuthority`,
`GateReview`), in the caller's transaction: no audit event and no commit of their own, so the gate checks
of actions, worklists and subject pages can use them. `legal_records` records, lists and audits them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ilos.policy.authority import LegalAuthority
from ilos.policy.results import GateId, GateReview
from ilos.store.legal_tables import GateReviewRow, LegalAuthorityRevocationRow, LegalAuthorityRow


@dataclass(frozen=True, slots=True)
class RecordedInputs:
    """What decisions take from the store besides the subject: reviews by subject, authorities cited."""

    reviews: Mapping[str, tuple[GateReview, ...]] = field(default_factory=dict)
    authorities: tuple[LegalAuthority, ...] = ()

    def reviews_of(self, subject_id: str) -> tuple[GateReview, ...]:
        return self.reviews.get(subject_id, ())

    def authorities_for(self, subject_id: str) -> tuple[LegalAuthority, ...]:
        """Only the authorities naming this subject: one for another taxpayer never reaches its decision."""
        return tuple(a for a in self.authorities if a.taxpayer == subject_id)


def to_review(row: GateReviewRow) -> GateReview:
    return GateReview(
        gate=GateId(row.gate),
        subject_id=row.subject_id,
        reviewer=row.reviewer,
        reviewer_role=row.reviewer_role,
        at=row.at,
        outcome=row.decision,
        evidence=tuple(row.evidence),
        note=row.reason,
        finding=row.finding,
        covers=tuple(row.covers),
        review_id=row.id,
    )


def review_count(session: Session) -> int:
    """How many reviews are recorded (the table is append-only: a new review always changes it)."""
    return int(session.scalar(select(func.count()).select_from(GateReviewRow)) or 0)


def review_rows(session: Session, subject_ids: Sequence[str] | None = None) -> list[GateReviewRow]:
    """Reviews of these subjects (all when None), oldest first."""
    query = select(GateReviewRow).order_by(GateReviewRow.at, GateReviewRow.id)
    if subject_ids is not None:
        query = query.where(GateReviewRow.subject_id.in_(subject_ids))
    return list(session.scalars(query))


def recorded_reviews(
    session: Session, subject_ids: Sequence[str] | None = None
) -> dict[str, tuple[GateReview, ...]]:
    """Every recorded review of these subjects (all when None) as gate inputs, by subject."""
    found: dict[str, list[GateReview]] = {}
    for row in review_rows(session, subject_ids):
        found.setdefault(row.subject_id, []).append(to_review(row))
    return {subject: tuple(reviews) for subject, reviews in found.items()}


def to_authority(row: LegalAuthorityRow, revocation: LegalAuthorityRevocationRow | None) -> LegalAuthority:
    return LegalAuthority(
        authority_id=row.id,
        marking=row.marking,
        taxpayer=row.subject_id,
        taxpayer_name=row.taxpayer_name,
        tax_periods=tuple(row.tax_periods),
        statute=row.statute,
        reason=row.reason,
        recorded_by=row.recorded_by,
        granted_by=row.granted_by,
        granted_on=row.granted_on,
        expires_on=row.expires_on,
        revoked_on=revocation.revoked_at.date() if revocation else None,
    )


def authority_rows(
    session: Session, *, ids: Iterable[str] | None = None, subject_id: str | None = None
) -> list[tuple[LegalAuthorityRow, LegalAuthorityRevocationRow | None]]:
    """Authorities with their revocation (if any), by id or subject, oldest first."""
    query = (
        select(LegalAuthorityRow, LegalAuthorityRevocationRow)
        .outerjoin(
            LegalAuthorityRevocationRow, LegalAuthorityRevocationRow.authority_id == LegalAuthorityRow.id
        )
        .order_by(LegalAuthorityRow.recorded_at, LegalAuthorityRow.id)
    )
    if ids is not None:
        query = query.where(LegalAuthorityRow.id.in_(list(ids)))
    if subject_id is not None:
        query = query.where(LegalAuthorityRow.subject_id == subject_id)
    return [(a, r) for a, r in session.execute(query)]
