"""What ingesting one source produced: counts, batch id and the row-level issues summarised for people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["landed", "already_landed", "failed"]


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One kind of row-level problem in one column: how many rows, and the first one as an example.

    Row numbers are 1-based data rows: the header is not counted, so row 1 is line 2 of a CSV file.
    `holds_row`: those rows were quarantined whole; otherwise they landed and each such value is flagged.
    """

    column: str
    problem: str
    count: int
    example_row: int
    example_value: str | None
    holds_row: bool = True

    def describe(self, file_name: str) -> str:
        """One line naming file, column, count, a row number and an example value, and what became of the
        rows."""
        value = "(empty)" if self.example_value is None else repr(self.example_value)
        where = f"column {self.column!r}" if self.column else "whole line"
        kept = "" if self.holds_row else "; the rows are accepted, each value is listed in quarantine"
        return (
            f"{file_name}: {where}: {self.count} row(s) {self.problem} "
            f"(e.g. data row {self.example_row}: {value}){kept}"
        )


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """The result of ingesting one source file as one batch."""

    source: str
    file_path: str
    status: Status
    batch_id: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    issues: tuple[RowIssue, ...] = ()
    error: str | None = None
    values_flagged: int = 0
    """Values of accepted rows that failed their column's check (each a `quarantine` line of scope 'value')."""

    @property
    def is_reconciled(self) -> bool:
        """Nothing lost: every row read was either accepted or quarantined."""
        return self.rows_read == self.rows_accepted + self.rows_quarantined
