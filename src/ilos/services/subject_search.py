"""Reading published subjects: search and view, authorised by role and audited in the same transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ilos.errors import FieldProblem, InvalidInputError, NotFoundError
from ilos.services.a_numbers import a_number_forms
from ilos.services.access import SUBJECT_READERS
from ilos.services.api_context import Principal, admitted
from ilos.services.audit_log import Action, record
from ilos.services.name_sounds import name_sounds
from ilos.services.published_view import SourceRule, WithheldSource, source_rule, visible_summary
from ilos.services.store_access import Store
from ilos.store import subjects as subject_rows
from ilos.store.search_keys import identifier_key, name_key
from ilos.store.subjects import SubjectQuery
from ilos.store.tables import SubjectRow

MAX_RESULTS = 100
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class SubjectView:
    subject_id: str
    display_name: str
    date_of_birth: date | None
    identifiers: list[tuple[str, str]]
    payload: dict[str, Any]  # the summary as the caller's purpose may see it (`published_view`)
    updated_at: datetime
    withheld: tuple[WithheldSource, ...] = ()


def parse_query(q: str, limit: int) -> SubjectQuery:
    """A date (YYYY-MM-DD) matches a date of birth, or the same date with day and month swapped (a common
    data-entry slip); other text matches names that contain it or sound like it (every word: nicknames,
    transliterations and sound-alike spellings), or an identifier ignoring case and punctuation (an A-number
    also without its A or leading zeros)."""
    text = q.strip()
    problems: list[FieldProblem] = []
    if not text:
        problems.append(
            FieldProblem("query.q", "must not be empty; give a name, a date of birth or an identifier")
        )
    if not 1 <= limit <= MAX_RESULTS:
        problems.append(FieldProblem("query.limit", f"{limit} is outside 1..{MAX_RESULTS}"))
    if problems:
        raise InvalidInputError("Cannot search subjects", problems)
    if _ISO_DATE.fullmatch(text):
        try:
            born = date.fromisoformat(text)
        except ValueError:
            raise InvalidInputError(
                "Cannot search subjects", [FieldProblem("query.q", f"{text!r} is not a real date")]
            ) from None
        return SubjectQuery(dates_of_birth=_with_day_month_swapped(born), limit=limit)
    ident = identifier_key(text)
    identifiers = _identifier_forms(ident) if any(c.isdigit() for c in ident) else ()
    return SubjectQuery(
        name_key=name_key(text) or None, sounds=name_sounds(text), identifiers=identifiers, limit=limit
    )


def _with_day_month_swapped(born: date) -> tuple[date, ...]:
    if born.day > 12 or born.day == born.month:
        return (born,)
    return (born, born.replace(month=born.day, day=born.month))


def _identifier_forms(ident: str) -> tuple[str, ...]:
    """The identifier as typed and, for 7 to 9 digits with or without an A, the A-number it would be (A plus 9
    digits) and every spelling a published subject may carry it in (`a_numbers.a_number_forms`): the demo's
    subjects carry the standardized nine digits, so "A200139349" finds "200139349"."""
    digits = ident.removeprefix("A")
    if digits.isdigit() and 7 <= len(digits) <= 9:
        return tuple(dict.fromkeys((ident, f"A{int(digits):09d}", *a_number_forms(ident))))
    return (ident,)


def search(store: Store, who: Principal, q: str, limit: int = 20) -> list[SubjectView]:
    """Subjects matching `q` for a caller (or credentials, checked in the same transaction)."""
    asked = {"q": q, "limit": limit}
    with admitted(store, who, SUBJECT_READERS, Action("subject.search", "subject", query=asked)) as (
        session,
        caller,
    ):
        rule = source_rule(store.settings.home, caller)
        rows = subject_rows.search_subjects(session, parse_query(q, limit))
        identifiers = subject_rows.identifiers_of(session, [r.subject_id for r in rows])
        views = [_view(row, identifiers.get(row.subject_id, []), rule) for row in rows]
        ids = tuple(v.subject_id for v in views)
        record(session, caller, Action("subject.search", "subject", ids, asked, len(views)))
    return views


def view(store: Store, who: Principal, subject_id: str) -> SubjectView:
    """One subject; a miss is audited too (someone looked for it) and is a 404."""
    asked = {"subject_id": subject_id}
    action = Action("subject.read", "subject", (subject_id,), asked)
    with admitted(store, who, SUBJECT_READERS, action) as (session, caller):
        rule = source_rule(store.settings.home, caller)
        loaded = subject_rows.get_subject_with_identifiers(session, subject_id)
        found = _view(*loaded, rule) if loaded is not None else None
        outcome = "ok" if found else "not_found"
        record(
            session,
            caller,
            Action("subject.read", "subject", (subject_id,), asked, int(bool(found)), outcome),
        )
    if found is None:
        raise NotFoundError(f"No published subject {subject_id!r}; search with GET /api/v1/subjects?q=...")
    return found


def _view(row: SubjectRow, identifiers: list[tuple[str, str]], rule: SourceRule) -> SubjectView:
    payload, withheld = visible_summary(row.payload, rule)
    return SubjectView(
        row.subject_id, row.display_name, row.date_of_birth, identifiers, payload, row.updated_at, withheld
    )
