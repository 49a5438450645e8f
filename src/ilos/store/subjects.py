"""Repository of published subjects: search, fetch and bulk load (COPY on PostgreSQL); never commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, select, text
from sqlalchemy.orm import Session

from ilos.store.search_keys import like_pattern, like_prefix, sound_pattern
from ilos.store.tables import SubjectIdentifierRow, SubjectRow


@dataclass(frozen=True, slots=True)
class SubjectLoadRow:
    """One subject ready to load: keys computed, payload serialised by the caller's rules."""

    subject_id: str
    display_name: str
    name_key: str
    name_sounds: str  # " JS KRS ": see search_keys.sounds_value
    date_of_birth: date | None
    payload: dict[str, Any]
    identifiers: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SubjectQuery:
    """What to match: any of name (contains), name sounds (every code), a date of birth, an identifier."""

    name_key: str | None = None
    sounds: tuple[str, ...] = ()
    dates_of_birth: tuple[date, ...] = ()
    identifiers: tuple[str, ...] = ()
    limit: int = 20


def get_subject(session: Session, subject_id: str) -> SubjectRow | None:
    return session.get(SubjectRow, subject_id)


def get_subject_with_identifiers(
    session: Session, subject_id: str
) -> tuple[SubjectRow, list[tuple[str, str]]] | None:
    """A subject and its identifiers in one round trip (a left join), sorted as `identifiers_of` sorts."""
    rows = session.execute(
        select(SubjectRow, SubjectIdentifierRow.kind, SubjectIdentifierRow.value)
        .outerjoin(SubjectIdentifierRow, SubjectIdentifierRow.subject_id == SubjectRow.subject_id)
        .where(SubjectRow.subject_id == subject_id)
    ).all()
    if not rows:
        return None
    identifiers = sorted((kind, value) for _, kind, value in rows if kind is not None)
    return rows[0][0], identifiers


def published_ids(session: Session, subject_ids: Sequence[str]) -> set[str]:
    """Which of `subject_ids` are published."""
    if not subject_ids:
        return set()
    found = session.scalars(select(SubjectRow.subject_id).where(SubjectRow.subject_id.in_(set(subject_ids))))
    return set(found)


def identifiers_of(session: Session, subject_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    rows = session.execute(
        select(SubjectIdentifierRow.subject_id, SubjectIdentifierRow.kind, SubjectIdentifierRow.value)
        .where(SubjectIdentifierRow.subject_id.in_(subject_ids))
        .order_by(SubjectIdentifierRow.kind, SubjectIdentifierRow.value)
    ).all()
    found: dict[str, list[tuple[str, str]]] = {}
    for subject_id, kind, value in rows:
        found.setdefault(subject_id, []).append((kind, value))
    return found


def search_subjects(session: Session, query: SubjectQuery) -> list[SubjectRow]:
    """Subjects matching any given criterion: names starting with the text first, then the other exact
    matches (names containing the text, dates of birth, identifiers) by name, then the names that only
    sound like it.

    Each criterion is its own index-backed query (trigram GIN for names and their sounds on PostgreSQL,
    btree for dates of birth and identifiers) limited to the first `limit` in its order; the results are
    merged here. One query with OR (or a union joined back to subjects) stops PostgreSQL using the indexes."""
    exact: list[ColumnElement[bool]] = []
    if query.name_key:
        exact.append(SubjectRow.name_key.like(like_pattern(query.name_key), escape="\\"))
    if query.dates_of_birth:
        exact.append(SubjectRow.date_of_birth.in_(query.dates_of_birth))
    if query.identifiers:
        with_identifier = select(SubjectIdentifierRow.subject_id).where(
            SubjectIdentifierRow.value.in_(query.identifiers)
        )
        exact.append(SubjectRow.subject_id.in_(with_identifier))
    found = _first_matches(session, query, exact)
    # Names that only sound alike rank after every exact match: with `limit` of those, none would show.
    sounds = [SubjectRow.name_sounds.like(sound_pattern(c), escape="\\") for c in query.sounds]
    wanted = sounds and len(found) < query.limit
    sounding = _first_matches(session, query, [and_(*sounds)] if wanted else [])
    only_sounding = sounding.keys() - found.keys()

    def order(row: SubjectRow) -> tuple[bool, bool, str, str]:
        starts = query.name_key is not None and row.name_key.startswith(query.name_key)
        return (row.subject_id in only_sounding, not starts, row.name_key, row.subject_id)

    return sorted((sounding | found).values(), key=order)[: query.limit]


def _first_matches(
    session: Session, query: SubjectQuery, criteria: Sequence[ColumnElement[bool]]
) -> dict[str, SubjectRow]:
    """The first `query.limit` subjects of each criterion, names starting with the text first."""
    prefix = like_prefix(query.name_key) if query.name_key else None
    # Code-point order on both backends, the same order the merge uses (whatever the collation).
    by_name = SubjectRow.name_key.collate("C") if _is_postgres(session) else SubjectRow.name_key
    found: dict[str, SubjectRow] = {}
    for criterion in criteria:
        statement = select(SubjectRow).where(criterion)
        if prefix is not None:
            statement = statement.order_by(SubjectRow.name_key.like(prefix, escape="\\").desc())
        statement = statement.order_by(by_name, SubjectRow.subject_id).limit(query.limit)
        found.update((row.subject_id, row) for row in session.scalars(statement))
    return found


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def analyze_subjects(session: Session) -> None:
    """Refresh PostgreSQL's statistics after a bulk load, so searches are planned on the indexes."""
    if _is_postgres(session):
        session.execute(text("ANALYZE subjects, subject_identifiers"))


_UPSERT_SQLITE = (
    "INSERT INTO subjects (subject_id, display_name, name_key, name_sounds, date_of_birth, payload, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject_id) DO UPDATE SET display_name = excluded.display_name, "
    "name_key = excluded.name_key, name_sounds = excluded.name_sounds, date_of_birth = excluded.date_of_birth, "
    "payload = excluded.payload, updated_at = excluded.updated_at"
)


def load_subjects_sqlite(session: Session, rows: Sequence[SubjectLoadRow], now: datetime) -> None:
    """Upsert one chunk with executemany; identifiers of these subjects are replaced."""
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    conn = session.connection()
    conn.exec_driver_sql(
        _UPSERT_SQLITE,
        [
            (
                r.subject_id,
                r.display_name,
                r.name_key,
                r.name_sounds,
                r.date_of_birth.isoformat() if r.date_of_birth else None,
                json.dumps(r.payload),
                stamp,
            )
            for r in rows
        ],
    )
    conn.exec_driver_sql(
        "DELETE FROM subject_identifiers WHERE subject_id = ?", [(r.subject_id,) for r in rows]
    )
    identifiers = [(r.subject_id, kind, value) for r in rows for kind, value in r.identifiers]
    if identifiers:  # executemany with no rows is an error in sqlite3
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO subject_identifiers (subject_id, kind, value) VALUES (?, ?, ?)",
            identifiers,
        )


_MERGE_POSTGRES = (
    "INSERT INTO subjects (subject_id, display_name, name_key, name_sounds, date_of_birth, payload, updated_at) "
    "SELECT DISTINCT ON (subject_id) subject_id, display_name, name_key, name_sounds, date_of_birth, payload, "
    "updated_at FROM publish_subjects ON CONFLICT (subject_id) DO UPDATE SET display_name = excluded.display_name, "
    "name_key = excluded.name_key, name_sounds = excluded.name_sounds, date_of_birth = excluded.date_of_birth, "
    "payload = excluded.payload, updated_at = excluded.updated_at;"
    "DELETE FROM subject_identifiers WHERE subject_id IN (SELECT subject_id FROM publish_subjects);"
    "INSERT INTO subject_identifiers (subject_id, kind, value) "
    "SELECT DISTINCT subject_id, kind, value FROM publish_identifiers ON CONFLICT DO NOTHING"
)


def load_subjects_postgres(session: Session, rows: Sequence[SubjectLoadRow], now: datetime) -> None:
    """Upsert one chunk: COPY into temporary tables, then merge; identifiers of these subjects are replaced."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS publish_subjects (LIKE subjects) ON COMMIT DROP;"
        "CREATE TEMP TABLE IF NOT EXISTS publish_identifiers (LIKE subject_identifiers) ON COMMIT DROP;"
        "TRUNCATE publish_subjects, publish_identifiers"
    )
    copy_sql = (
        "COPY publish_subjects (subject_id, display_name, name_key, name_sounds, date_of_birth, payload, updated_at) "
        "FROM STDIN"
    )
    with cursor.copy(copy_sql) as copy:
        for r in rows:
            copy.write_row(
                (
                    r.subject_id,
                    r.display_name,
                    r.name_key,
                    r.name_sounds,
                    r.date_of_birth,
                    json.dumps(r.payload),
                    now,
                )
            )
    with cursor.copy("COPY publish_identifiers (subject_id, kind, value) FROM STDIN") as copy:
        for r in rows:
            for kind, value in r.identifiers:
                copy.write_row((r.subject_id, kind, value))
    cursor.execute(_MERGE_POSTGRES)
    cursor.close()
