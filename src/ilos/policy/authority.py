"""Recorded legal authorities that unlock authority-only markings (TAX): what a complete one must name,
checked so that a request naming only a postal code or an identifier is refused, not quietly honoured."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ilos.errors import FieldProblem, InvalidInputError

_POSTAL_CODE = re.compile(r"^\d{5}(-\d{4})?$")
_SUBJECT_ID = re.compile(r"^S-[0-9a-f]{6,}$")


@dataclass(frozen=True, slots=True)
class LegalAuthority:
    """A recorded authority to use one marking's data about one taxpayer for stated periods and reasons."""

    authority_id: str
    marking: str
    taxpayer: str  # the subject id the authority names
    taxpayer_name: str
    tax_periods: tuple[int, ...]
    statute: str
    reason: str
    recorded_by: str = ""

    def covers(self, marking: str, subject_id: str, period: int | None) -> bool:
        return (
            self.marking.upper() == marking
            and self.taxpayer == subject_id
            and (period is None or period in self.tax_periods)
        )


def authority_problems(authority: LegalAuthority) -> list[FieldProblem]:
    """Everything missing or wrong in one authority, all at once."""
    where = f"authority {authority.authority_id or '?'}"
    problems = []
    taxpayer = authority.taxpayer.strip()
    if _POSTAL_CODE.match(taxpayer):
        problems.append(
            FieldProblem(
                f"{where}.taxpayer", f"{taxpayer!r} is a postal code; name the taxpayer (subject id and name)"
            )
        )
    elif not _SUBJECT_ID.match(taxpayer):
        problems.append(
            FieldProblem(
                f"{where}.taxpayer",
                f"{taxpayer!r} is not a subject id; an identifier alone does not name a taxpayer "
                "(give the subject id, e.g. S-3267c1c2ffa3, and the taxpayer's name)",
            )
        )
    if not authority.taxpayer_name.strip():
        problems.append(FieldProblem(f"{where}.taxpayer_name", "the taxpayer's name is required"))
    if not authority.tax_periods:
        problems.append(
            FieldProblem(f"{where}.tax_periods", "name the tax periods (years) the authority covers")
        )
    if not authority.statute.strip():
        problems.append(
            FieldProblem(f"{where}.statute", "cite the statutory authority, e.g. 26 U.S.C. 6103(i)")
        )
    if not authority.reason.strip():
        problems.append(FieldProblem(f"{where}.reason", "state the reason for the request"))
    return problems


def check_authorities(authorities: Sequence[LegalAuthority]) -> None:
    """Refuse incomplete authorities with every problem named, rather than ignore them silently."""
    problems = [p for a in authorities for p in authority_problems(a)]
    if problems:
        raise InvalidInputError(
            "Legal authority is incomplete; data it would unlock stays withheld", problems
        )
