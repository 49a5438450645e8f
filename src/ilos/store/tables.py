"""SQLAlchemy tables of the operational store; the schema itself is made by the Alembic migrations.

A test compares these models with the migrated database, so the two cannot drift apart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no offset, so it is added back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiTokenRow(Base):
    """A bearer token (API) or a session (web cookie); only a keyed hash of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    # The acting role the token works under (NULL: issued before migration 0015; see api_context).
    role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEventRow(Base):
    """Append-only: database triggers refuse UPDATE and DELETE (see the initial migration)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(128), index=True)
    client: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_ids: Mapped[list[str]] = mapped_column(JSON)
    query: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result_count: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHeadRow(Base):
    """One row: the last link. Appenders lock it, so the chain is extended one writer at a time."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class SubjectRow(Base):
    """A published subject record as the API serves it; the lake keeps everything it came from."""

    __tablename__ = "subjects"
    # PostgreSQL only (migrations 0003, 0012); schema.include_object skips them when comparing SQLite.
    __table_args__ = (
        Index(
            "ix_subjects_name_key_trgm",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
            info={"only_on": "postgresql"},
        ),
        Index(
            "ix_subjects_name_sounds_trgm",
            "name_sounds",
            postgresql_using="gin",
            postgresql_ops={"name_sounds": "gin_trgm_ops"},
            info={"only_on": "postgresql"},
        ),
    )

    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(256))
    name_key: Mapped[str] = mapped_column(String(256), index=True)
    # " JS KRS ": each name word's phonetic code, for fuzzy search (NULL if published before migration 0012)
    name_sounds: Mapped[str | None] = mapped_column(String(512))
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SubjectIdentifierRow(Base):
    """Identifiers of published subjects (A-number, passport, ...), normalised for exact search."""

    __tablename__ = "subject_identifiers"
    __table_args__ = (Index("ix_subject_identifiers_value", "value"),)

    subject_id: Mapped[str] = mapped_column(
        ForeignKey("subjects.subject_id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)


class AuditAnchorRow(Base):
    """A prune: the last archived event (seq, hash); the stored chain is verified from the newest one.

    Append-only, and checked by a trigger against the events it covers (migrations 0004, 0014)."""

    __tablename__ = "audit_anchors"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    events: Mapped[int] = mapped_column(Integer)
    archive: Mapped[str] = mapped_column(String(512))
    pruned_at: Mapped[datetime] = mapped_column(UtcDateTime)


# The workflow tables live in modules of their own; importing them here puts them on Base.metadata for every
# importer of the tables (migrations, the drift test), whichever module it imports first. They import Base
# from here, so they come last. (In the package's __init__ they made every importer of the package import
# SQLAlchemy: the DuckDB lake, and so generic linking, too.)
from ilos.store import inbox_tables as inbox_tables  # noqa: E402
from ilos.store import legal_tables as legal_tables  # noqa: E402
from ilos.store import operations_tables as operations_tables  # noqa: E402
from ilos.store import plan_tables as plan_tables  # noqa: E402
from ilos.store import split_tables as split_tables  # noqa: E402
from ilos.store import worklist_tables as worklist_tables  # noqa: E402
