"""Local users: create, disable, list (audited admin actions) and sign-in with lockout, issuing tokens."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from ilos.errors import (
    ConflictError,
    FieldProblem,
    IlosError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    PermissionDeniedError,
)
from ilos.services.access import USER_ADMINS, Caller, Purpose, Role, acting_role, parse_purpose, parse_role
from ilos.services.audit_log import Action, new_id, record, require_role
from ilos.services.store_access import Store
from ilos.store import users as user_rows
from ilos.store.tables import ApiTokenRow, UserRow

MAX_FAILED_ATTEMPTS = 5
MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{1,63}")
_SIGN_IN_REFUSED = (
    "Username or password is wrong, or the account is disabled or locked "
    f"(an account locks after {MAX_FAILED_ATTEMPTS} failed sign-ins)"
)


# OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1 lane). argon2-cffi's default (64 MiB,
# 3 passes, 4 lanes) costs ~5x the CPU and takes every core of a small server for each sign-in, which
# starved concurrent requests under load (docs/api.md, "Performance"). Hashes made with other
# parameters still verify and are re-hashed with these at the next successful sign-in.
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_LANES = 1


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_LANES)


@functools.cache
def _dummy_hash() -> str:
    """Unknown usernames are checked against this so they take as long as known ones."""
    return _hasher().hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class UserView:
    user_id: str
    username: str
    roles: list[str]
    disabled: bool
    locked_until: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """The secret is shown once, here; the store keeps only its keyed hash."""

    token: str
    token_id: str
    purpose: Purpose
    expires_at: datetime
    username: str
    roles: list[str]
    role: Role  # the acting role: the one role the token works under


BEARER_KIND = "bearer"  # API tokens; the web's session cookies hold "session" tokens (web_session)


def token_digest(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def _check_new_user(username: str, password: str, roles: Iterable[str]) -> list[Role]:
    problems: list[FieldProblem] = []
    if not _USERNAME.fullmatch(username):
        problems.append(FieldProblem("username", f"{username!r} must be 2-64 of a-z, 0-9, '_', '.', '-'"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(FieldProblem("password", f"must be at least {MIN_PASSWORD_LENGTH} characters"))
    known = {r.value for r in Role}
    unknown = [r for r in roles if r not in known]
    if unknown or not roles:
        problems.append(
            FieldProblem("roles", f"{unknown or 'none'} given; choose from {', '.join(sorted(known))}")
        )
    if problems:
        raise InvalidInputError(f"Cannot create user {username!r}", problems)
    return [Role(r) for r in roles]


def create_user(store: Store, caller: Caller, username: str, password: str, roles: Iterable[str]) -> UserView:
    roles = list(roles)
    checked_roles = _check_new_user(username, password, roles)
    action = Action("user.create", "user", query={"username": username, "roles": roles})
    require_role(store, caller, USER_ADMINS, action)
    now = datetime.now(UTC)
    with store.transaction() as session:
        if user_rows.get_user_by_username(session, username) is not None:
            raise ConflictError(f"User {username!r} already exists; choose another username")
        row = UserRow(
            id=new_id(),
            username=username,
            password_hash=_hasher().hash(password),
            roles=[r.value for r in checked_roles],
            disabled=False,
            failed_attempts=0,
            locked_until=None,
            created_at=now,
        )
        user_rows.add_user(session, row)
        record(session, caller, Action("user.create", "user", (row.id,), action.query, 1))
        return _view(row)


def disable_user(store: Store, caller: Caller, username: str) -> UserView:
    """Disable the account and revoke its tokens and sessions at once."""
    require_role(store, caller, USER_ADMINS, Action("user.disable", "user", query={"username": username}))
    with store.transaction() as session:
        row = user_rows.get_user_by_username(session, username, for_update=True)
        if row is None:
            raise NotFoundError(f"No user {username!r}; `ilos users list` shows the users")
        row.disabled = True
        revoked = user_rows.revoke_user_tokens(session, row.id)
        record(
            session,
            caller,
            Action(
                "user.disable",
                "user",
                (row.id,),
                {"username": username},
                1,
                detail=f"{revoked} tokens revoked",
            ),
        )
        return _view(row)


def list_users(store: Store, caller: Caller) -> list[UserView]:
    require_role(store, caller, USER_ADMINS, Action("user.list", "user"))
    with store.transaction() as session:
        views = [_view(row) for row in user_rows.list_users(session)]
        record(session, caller, Action("user.list", "user", result_count=len(views)))
    return views


@dataclass(frozen=True, slots=True)
class SignIn:
    username: str
    password: str
    purpose: str | None
    client: str
    kind: str = BEARER_KIND
    role: str | None = None  # the acting role, needed only when several of the user's roles allow the purpose


def sign_in(store: Store, attempt: SignIn) -> IssuedToken:
    """Check the password (counting failures toward lockout) and issue a token for the declared purpose,
    under one acting role (`access.acting_role`): the role named, or the only one of the user's roles that
    allows the purpose.

    Failures are committed (attempt count, audit event) before the error is raised."""
    purpose = parse_purpose(attempt.purpose)
    named = parse_role(attempt.role)
    with store.transaction() as session:
        outcome = _attempt(session, store, attempt, purpose, named)
    if isinstance(outcome, IlosError):
        raise outcome
    return outcome


def _attempt(
    session: Session, store: Store, attempt: SignIn, purpose: Purpose, named: Role | None
) -> IssuedToken | IlosError:
    now = datetime.now(UTC)
    user = user_rows.get_user_by_username(session, attempt.username, for_update=True)
    caller = Caller(attempt.username, frozenset(), purpose, attempt.client, user.id if user else None)
    refusal = _refusal(user, attempt.password, now)
    if user is not None and refusal == "wrong password":
        _count_failure(user, now, store.settings.lockout_minutes)
    if refusal is not None or user is None:
        record(session, caller, Action("auth.sign_in", "user", outcome="denied", detail=refusal or ""))
        return NotAuthenticatedError(_SIGN_IN_REFUSED)
    user.failed_attempts, user.locked_until = 0, None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(attempt.password)
    try:
        role = acting_role((Role(r) for r in user.roles), purpose, named)
    except (PermissionDeniedError, InvalidInputError) as refused:
        detail = refused.message
        record(session, caller, Action("auth.sign_in", "user", (user.id,), outcome="denied", detail=detail))
        if isinstance(refused, InvalidInputError):
            return refused
        return PermissionDeniedError(f"{attempt.username} may not work for purpose {purpose.value}: {detail}")
    issued = _issue(session, store, user, purpose, role, attempt.kind, now)
    record(
        session,
        Caller(user.username, frozenset({role}), purpose, attempt.client, user.id),
        Action(
            "auth.sign_in", "api_token", (issued.token_id,), {"kind": attempt.kind, "role": role.value}, 1,
            detail=f"acting as {role.value}",
        ),
    )  # fmt: skip
    return issued


def _refusal(user: UserRow | None, password: str, now: datetime) -> str | None:
    if user is None:
        _verify_password(_dummy_hash(), password)
        return "unknown username"
    if user.disabled:
        return "account disabled"
    if user.locked_until is not None and user.locked_until > now:
        return f"account locked until {user.locked_until.isoformat()}"
    if not _verify_password(user.password_hash, password):
        return "wrong password"
    return None


def _verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(user: UserRow, now: datetime, lockout_minutes: int) -> None:
    user.failed_attempts += 1
    if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
        user.locked_until = now + timedelta(minutes=lockout_minutes)
        user.failed_attempts = 0


def _issue(
    session: Session, store: Store, user: UserRow, purpose: Purpose, role: Role, kind: str, now: datetime
) -> IssuedToken:
    token = secrets.token_urlsafe(32)
    row = ApiTokenRow(
        id=new_id(),
        token_hash=token_digest(store.settings.secret_key.get_secret_value(), token),
        kind=kind,
        user_id=user.id,
        purpose=purpose.value,
        role=role.value,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=store.settings.token_lifetime_hours),
        revoked=False,
    )
    user_rows.add_token(session, row)
    return IssuedToken(token, row.id, purpose, row.expires_at, user.username, list(user.roles), role)


def _view(row: UserRow) -> UserView:
    return UserView(row.id, row.username, list(row.roles), row.disabled, row.locked_until, row.created_at)
