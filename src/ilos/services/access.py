"""Roles, purposes of use and who may declare which purpose: the access vocabulary every front end shares."""

from __future__ import annotations

import enum
import getpass
from collections.abc import Iterable
from dataclasses import dataclass

from ilos.errors import FieldProblem, UnknownPurposeError


class Role(enum.StrEnum):
    data_steward = "data_steward"
    analyst = "analyst"
    supervisor = "supervisor"
    logistics_planner = "logistics_planner"
    oversight = "oversight"
    admin = "admin"


class Purpose(enum.StrEnum):
    case_investigation = "case_investigation"
    removal_logistics = "removal_logistics"
    data_quality = "data_quality"
    oversight = "oversight"
    administration = "administration"


PURPOSES_BY_ROLE: dict[Role, frozenset[Purpose]] = {
    Role.data_steward: frozenset({Purpose.data_quality}),
    Role.analyst: frozenset({Purpose.case_investigation, Purpose.data_quality}),
    Role.supervisor: frozenset({Purpose.case_investigation, Purpose.removal_logistics, Purpose.data_quality}),
    Role.logistics_planner: frozenset({Purpose.removal_logistics}),
    Role.oversight: frozenset({Purpose.oversight}),
    Role.admin: frozenset({Purpose.administration}),
}

SUBJECT_READERS = frozenset({Role.analyst, Role.supervisor, Role.data_steward, Role.logistics_planner})
AUDIT_READERS = frozenset({Role.oversight})
# The purposes enforcement work serves: cases, actions and operations; removal plans and manifests.
ENFORCEMENT_WORK = frozenset({Purpose.case_investigation, Purpose.removal_logistics})
LOGISTICS_WORK = frozenset({Purpose.removal_logistics})
# Reading enforcement work: those who do it, and oversight (never data quality or administration).
ENFORCEMENT_READING = ENFORCEMENT_WORK | {Purpose.oversight}
USER_ADMINS = frozenset({Role.admin})


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, from where, for what purpose: what every service needs to authorise and audit."""

    actor: str
    roles: frozenset[Role]
    purpose: Purpose
    client: str
    user_id: str | None = None

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


def parse_purpose(text: str | None, location: str = "purpose") -> Purpose:
    """The declared purpose, or a 400 naming the purposes ILOS knows."""
    known = ", ".join(p.value for p in Purpose)
    if not text:
        message = f"No purpose of use declared; declare one of: {known}"
    else:
        try:
            return Purpose(text.strip())
        except ValueError:
            message = f"Unknown purpose {text!r}; declare one of: {known}"
    raise UnknownPurposeError(message, [FieldProblem(location, message)])


def purposes_for(roles: Iterable[Role]) -> frozenset[Purpose]:
    allowed: set[Purpose] = set()
    for role in roles:
        allowed |= PURPOSES_BY_ROLE[role]
    return frozenset(allowed)


def local_operator(purpose: Purpose) -> Caller:
    """The person at the terminal running `ilos`: they hold the database itself, so every role."""
    return Caller(actor=f"local:{getpass.getuser()}", roles=frozenset(Role), purpose=purpose, client="local")
