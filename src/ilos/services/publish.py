"""Publishing subject records to the operational store in bulk (COPY on PostgreSQL), for the API to serve."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from ilos.errors import FieldProblem, InvalidInputError
from ilos.services.access import Caller
from ilos.services.audit_log import Action, record
from ilos.services.name_sounds import name_sounds
from ilos.services.store_access import Store
from ilos.store import subjects as subject_rows
from ilos.store.search_keys import identifier_key, name_key, sounds_value
from ilos.store.subjects import SubjectLoadRow

CHUNK = 50_000


def publish_subjects(session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Upsert subjects in the session's transaction (no commit); returns how many rows were loaded.

    Each row: subject_id, display_name, optional date_of_birth (date or YYYY-MM-DD), identifiers
    (mapping kind -> value, or pairs) and payload (JSON-able mapping). A subject's identifiers are
    replaced by the published ones."""
    now = datetime.now(UTC)
    load = (
        subject_rows.load_subjects_postgres
        if session.get_bind().dialect.name == "postgresql"
        else subject_rows.load_subjects_sqlite
    )
    total = 0
    for chunk in _chunks(rows):
        load(session, [to_load_row(row, total + i) for i, row in enumerate(chunk)], now)
        total += len(chunk)
    subject_rows.analyze_subjects(session)
    return total


def publish(store: Store, caller: Caller, rows: Iterable[Mapping[str, Any]]) -> int:
    """Publish in one transaction with its audit event: all rows or none."""
    with store.transaction() as session:
        count = publish_subjects(session, rows)
        record(session, caller, Action("subject.publish", "subject", result_count=count))
    return count


def to_load_row(row: Mapping[str, Any], index: int) -> SubjectLoadRow:
    subject_id = str(row.get("subject_id") or "").strip()
    display_name = str(row.get("display_name") or "").strip()
    if not subject_id or not display_name:
        where = f"rows[{index}]"
        raise InvalidInputError(
            f"Subject row {index} cannot be published",
            [
                FieldProblem(f"{where}.{k}", "is required")
                for k in ("subject_id", "display_name")
                if not row.get(k)
            ],
        )
    born = row.get("date_of_birth")
    if isinstance(born, str):
        born = date.fromisoformat(born) if born else None
    raw_ids = row.get("identifiers") or ()
    pairs = raw_ids.items() if isinstance(raw_ids, Mapping) else raw_ids
    identifiers = tuple(
        sorted({(str(k), identifier_key(str(v))) for k, v in pairs if identifier_key(str(v))})
    )
    return SubjectLoadRow(
        subject_id,
        display_name,
        name_key(display_name),
        sounds_value(name_sounds(display_name)),
        born,
        dict(row.get("payload") or {}),
        identifiers,
    )


def _chunks(rows: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk
