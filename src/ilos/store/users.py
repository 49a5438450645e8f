"""Repository of users and their tokens/sessions; reads and stages changes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ilos.store.tables import ApiTokenRow, UserRow


def get_user_by_username(session: Session, username: str, *, for_update: bool = False) -> UserRow | None:
    statement = select(UserRow).where(UserRow.username == username)
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def get_user(session: Session, user_id: str) -> UserRow | None:
    return session.get(UserRow, user_id)


def add_user(session: Session, user: UserRow) -> None:
    session.add(user)
    session.flush()


def list_users(session: Session) -> Sequence[UserRow]:
    return session.scalars(select(UserRow).order_by(UserRow.username)).all()


def add_token(session: Session, token: ApiTokenRow) -> None:
    session.add(token)
    session.flush()


def get_token_by_hash(session: Session, token_hash: str) -> ApiTokenRow | None:
    return session.scalars(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash)).one_or_none()


def get_token_and_user(session: Session, token_hash: str) -> tuple[ApiTokenRow, UserRow] | None:
    """A token and its user in one indexed lookup (the unique index on token_hash): every request does this."""
    row = session.execute(
        select(ApiTokenRow, UserRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(ApiTokenRow.token_hash == token_hash)
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


def revoke_user_tokens(session: Session, user_id: str) -> int:
    """Revoke every live token of a user (when the user is disabled)."""
    result = session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked.is_(False))
        .values(revoked=True)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def touch_token(session: Session, token_id: str, now: datetime) -> None:
    """Record use of the token now (the idle timeout counts from here)."""
    session.execute(update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_seen_at=now))
