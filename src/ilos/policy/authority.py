"""Recorded legal authorities that unlock authority-only markings (TAX): what a complete one must name,
checked so that a request naming only a postal code or an identifier is refused, not quietly honoured."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ilos.errors import FieldProblem, InvalidInputError

_POSTAL_CODE = re.compile(r"^\d{5}(-\d{4})?$")
_SUBJECT_ID = re.compile(r"^S-[0-9a-f]{6,}$")


@dataclass(frozen=True, slots=True)
class LegalAuthority:
    """A recorded authority to use one marking's data about one taxpayer for stated periods and reasons.

    In force from `granted_on` (when given) to `expires_on` (when given) inclusive, unless revoked: a
    revocation takes effect on `revoked_on` and is recorded apart, so the authority itself never changes."""

    authority_id: str
    marking: str
    taxpayer: str  # the subject id the authority names
    taxpayer_name: str
    tax_periods: tuple[int, ...]
    statute: str
    reason: str
    recorded_by: str = ""
    granted_by: str = ""
    granted_on: date | None = None
    expires_on: date | None = None
    revoked_on: date | None = None

    def covers(self, marking: str, subject_id: str, period: int | None, on: date | None = None) -> bool:
        return self.why_not(marking, subject_id, period, on) is None

    def why_not(
        self, marking: str, subject_id: str, period: int | None, on: date | None = None
    ) -> str | None:
        """Why this authority does not unlock the item (None: it does). Shown to the caller, so it names the
        authority's periods but never the item's (which year a return was filed for is return information)."""
        name = f"authority {self.authority_id}"
        if self.marking.upper() != marking:
            return f"{name} is for {self.marking.upper()} data"
        if self.taxpayer != subject_id:
            return f"{name} names taxpayer {self.taxpayer}, not {subject_id}"
        if period is not None and period not in self.tax_periods:
            return f"{name} covers tax periods {', '.join(map(str, self.tax_periods))}, not the record's"
        state = self.state(on) if on is not None else "in_force"
        if state == "revoked":
            return f"{name} was revoked on {self.revoked_on}"
        if state == "expired":
            return f"{name} expired on {self.expires_on}"
        if state == "not_yet_in_force":
            return f"{name} is not in force until {self.granted_on}"
        return None

    def state(self, on: date) -> str:
        """in_force, revoked, expired or not_yet_in_force on day `on`."""
        if self.revoked_on is not None and on >= self.revoked_on:
            return "revoked"
        if self.expires_on is not None and on > self.expires_on:
            return "expired"
        if self.granted_on is not None and on < self.granted_on:
            return "not_yet_in_force"
        return "in_force"


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
    name = authority.taxpayer_name.strip()
    if not name:
        problems.append(FieldProblem(f"{where}.taxpayer_name", "the taxpayer's name is required"))
    elif not any(c.isalpha() for c in name):
        problems.append(
            FieldProblem(
                f"{where}.taxpayer_name",
                f"{name!r} is a number (a postal code or an identifier), not a name; give the taxpayer's name",
            )
        )
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
