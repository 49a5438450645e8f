"""Plain bulk inserts of many rows into one table: COPY on PostgreSQL, one executemany on SQLite. For loads
that append (a plan's assignments, a published worklist); the subject upsert has its own merge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """COPY on PostgreSQL, executemany on SQLite (dates as ISO text, times as SQLAlchemy writes them).
    `table` and `columns` are interpolated into the SQL: pass only the store's own constant names."""
    if not rows:  # executemany with no rows is an error in sqlite3
        return
    if session.get_bind().dialect.name == "postgresql":
        cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # names are ours
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    marks = ", ".join("?" for _ in columns)
    session.connection().exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 - names are ours
        [tuple(_sqlite_value(v) for v in row) for row in rows],
    )


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat() if isinstance(value, date) else value
