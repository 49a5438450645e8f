"""Who is calling: a bearer token (API) or session (web) plus the declared purpose becomes a `Caller` acting
with one role, the token's acting role.

`admitted` runs a whole request in one transaction: check the token, check the role, do the work and
append its audit event, then commit once. Refusals are recorded and committed before their error."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from ilos.config import Settings
from ilos.errors import IlosError, NotAuthenticatedError, PermissionDeniedError, UnknownPurposeError
from ilos.services.access import Caller, Purpose, Role, acting_role, parse_purpose
from ilos.services.audit_log import Action, record, role_refusal
from ilos.services.store_access import Store
from ilos.services.users import BEARER_KIND, token_digest
from ilos.store import users as user_rows
from ilos.store.tables import ApiTokenRow, UserRow

TOUCH_EVERY = timedelta(seconds=30)  # last_seen is refreshed at most this often, to spare writes


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request presented: the token secret, the purpose it declares, where it came from, and which
    kind of token the front end takes (API bearer tokens and web session cookies are not interchangeable)."""

    token: str | None
    purpose: str | None
    client: str
    kind: str = BEARER_KIND


Principal = Caller | Credentials
"""Who a service acts for: a caller already authenticated (web, CLI) or credentials still to check (API)."""


def authenticate(store: Store, credentials: Credentials) -> Caller:
    """The caller behind a token: 401 if it is missing, unknown, revoked, expired or idle too long;
    400 if the purpose is missing or unknown; 403 (audited) if it is not the purpose signed in for."""
    with store.transaction() as session:
        outcome = caller_in(session, store.settings, credentials)
    if isinstance(outcome, IlosError):
        raise outcome
    return outcome


@contextmanager
def admitted(
    store: Store, who: Principal, allowed: Iterable[Role], action: Action
) -> Iterator[tuple[Session, Caller]]:
    """One transaction for the request: authenticate `who` if needed, require one of `allowed`, and
    yield the session and caller for the work (whose audit event goes in the same transaction).

    A refusal for the purpose or the role is audited and committed, then raised."""
    with store.transaction() as session:
        outcome = caller_in(session, store.settings, who) if isinstance(who, Credentials) else who
        if isinstance(outcome, Caller):
            outcome = _with_role(session, outcome, frozenset(allowed), action)
        if isinstance(outcome, Caller):
            yield session, outcome
            return
    raise outcome


def _with_role(
    session: Session, caller: Caller, allowed: frozenset[Role], action: Action
) -> Caller | IlosError:
    if caller.has_any(allowed):
        return caller
    denied, error = role_refusal(caller, allowed, action)
    record(session, caller, denied)
    return error


def caller_in(session: Session, settings: Settings, credentials: Credentials) -> Caller | IlosError:
    """The caller behind `credentials`, checked in the session's transaction; a purpose other than the
    token's is recorded in that transaction and returned as the 403 to raise after commit."""
    if not credentials.token:
        error = NotAuthenticatedError(
            "No credentials; send 'Authorization: Bearer <token>' from POST /api/v1/auth/token"
        )
        return _refuse_token(session, credentials, None, None, "missing", error)
    now = datetime.now(UTC)
    found = user_rows.get_token_and_user(
        session, token_digest(settings.secret_key.get_secret_value(), credentials.token)
    )
    token, user = found if found is not None else (None, None)
    problem = _token_problem(token, now, settings.session_idle_minutes)
    if token is not None and problem is None and token.kind != credentials.kind:
        problem = f"a {token.kind} token, not valid here"
    if user is not None and user.disabled:
        problem = problem or "of a disabled user"
    role = _token_role(token, user) if token is not None and user is not None else None
    if token is not None and user is not None and role is None:
        problem = problem or f"of a role {user.username} may no longer work under for purpose {token.purpose}"
    if token is None or user is None or role is None or problem is not None:
        error = NotAuthenticatedError(f"The token is {problem or 'not valid'}; sign in again")
        return _refuse_token(session, credentials, token, user, problem or "not valid", error)
    if now - token.last_seen_at > TOUCH_EVERY:
        user_rows.touch_token(session, token.id, now)
    caller = Caller(
        user.username,
        frozenset({role}),
        parse_purpose(token.purpose),
        credentials.client,
        user.id,
    )
    declared = parse_purpose(credentials.purpose, "header X-ILOS-Purpose")
    if declared != caller.purpose:
        return _refuse_purpose(session, caller, declared)
    return caller


def _token_role(token: ApiTokenRow, user: UserRow) -> Role | None:
    """The role the token acts under, if its user still holds it and it still allows the token's purpose:
    the one chosen at sign-in, or for a token issued before tokens named one, the only one of the user's
    roles that allows the purpose. None when there is no such role (the token is refused: sign in again)."""
    try:
        return acting_role(
            (Role(r) for r in user.roles),
            Purpose(token.purpose),
            Role(token.role) if token.role is not None else None,
        )
    except (ValueError, IlosError):
        return None


def _refuse_token(
    session: Session,
    credentials: Credentials,
    token: ApiTokenRow | None,
    user: UserRow | None,
    problem: str,
    error: NotAuthenticatedError,
) -> IlosError:
    """A refused token is audited (who, if the token names a user, else "anonymous"; from where; for which
    declared purpose) in the request's transaction, and the 401 is returned to raise after commit. A request
    that declares no known purpose gets its 401 without an event: an audit event always names a purpose."""
    try:
        purpose = parse_purpose(credentials.purpose, "header X-ILOS-Purpose")
    except UnknownPurposeError:
        return error
    who = Caller(
        user.username if user else "anonymous",
        frozenset(),
        purpose,
        credentials.client,
        user.id if user else None,
    )
    ids = (token.id,) if token is not None else ()
    record(session, who, Action("auth.token", "api_token", ids, outcome="denied", detail=f"token {problem}"))
    return error


def _token_problem(token: ApiTokenRow | None, now: datetime, idle_minutes: int) -> str | None:
    if token is None:
        return "not valid"
    if token.revoked:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    if now - token.last_seen_at > timedelta(minutes=idle_minutes):
        return f"idle for more than {idle_minutes} minutes"
    return None


def _refuse_purpose(session: Session, caller: Caller, declared: Purpose) -> PermissionDeniedError:
    detail = f"token was issued for purpose {caller.purpose.value}, request declared {declared}"
    record(session, caller, Action("auth.purpose", "api_token", outcome="denied", detail=detail))
    return PermissionDeniedError(f"{detail}; sign in again to work for another purpose")
