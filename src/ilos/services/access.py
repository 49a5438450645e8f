"""Roles, purposes of use and who may declare which purpose: the access vocabulary every front end shares."""

from __future__ import annotations

import enum
import getpass
from collections.abc import Iterable
from dataclasses import dataclass

from ilos.errors import FieldProblem, InvalidInputError, PermissionDeniedError, UnknownPurposeError


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
    """Who is asking, from where, for what purpose: what every service needs to authorise and audit.

    `roles` are the roles the caller acts with, not all the roles the user holds: a signed-in user acts
    with exactly one, the acting role chosen at sign-in (`acting_role`), so every role check, the marking
    policy and the audit judge the request as that one role. Only the local operator acts with every role."""

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


def parse_role(text: str | None, location: str = "role") -> Role | None:
    """The role named at sign-in (None when none is), or a 422 naming the roles ILOS knows."""
    if not text or not text.strip():
        return None
    try:
        return Role(text.strip())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        message = f"Unknown role {text!r}; name one of: {known}"
        raise InvalidInputError(message, [FieldProblem(location, message)]) from None


def acting_role(held: Iterable[Role], purpose: Purpose, named: Role | None = None) -> Role:
    """The one role a user works under for `purpose`: the role named at sign-in, which the user must hold
    and which must allow the purpose; if none is named, the only held role that allows it. When several do
    (an analyst who is also a supervisor, for case investigation) the user must name one: neither is
    chosen silently, so no one acts with more than they asked for nor is kept from what they asked for."""
    held = frozenset(held)
    if named is not None:
        if named not in held:
            raise PermissionDeniedError(f"Role {named.value} is not one of the user's roles {_names(held)}")
        if purpose not in PURPOSES_BY_ROLE[named]:
            allowed = _names(PURPOSES_BY_ROLE[named])
            raise PermissionDeniedError(
                f"Role {named.value} may not declare purpose {purpose.value} (it may declare {allowed})"
            )
        return named
    fitting = sorted(r for r in held if purpose in PURPOSES_BY_ROLE[r])
    if not fitting:
        raise PermissionDeniedError(f"roles {_names(held)} may not declare purpose {purpose.value}")
    if len(fitting) > 1:
        message = (
            f"Roles {_names(fitting)} each allow purpose {purpose.value}; "
            "name the one to work under for it (role)"
        )
        raise InvalidInputError(message, [FieldProblem("role", message)])
    return fitting[0]


def _names(values: Iterable[Role | Purpose]) -> str:
    return ", ".join(sorted(v.value for v in values))


def local_operator(purpose: Purpose) -> Caller:
    """The person at the terminal running `ilos`: they hold the database itself, so every role."""
    return Caller(actor=f"local:{getpass.getuser()}", roles=frozenset(Role), purpose=purpose, client="local")
