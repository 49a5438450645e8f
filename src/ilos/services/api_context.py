"""Who is calling: a bearer token (API) or session (web) plus the declared purpose becomes a `Caller`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ilos.errors import NotAuthenticatedError, PermissionDeniedError
from ilos.services.access import Caller, Role, parse_purpose
from ilos.services.audit_log import Action, record_alone
from ilos.services.store_access import Store
from ilos.services.users import token_digest
from ilos.store import users as user_rows
from ilos.store.tables import ApiTokenRow

TOUCH_EVERY = timedelta(seconds=30)  # last_seen is refreshed at most this often, to spare writes


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request presented: the token secret, the purpose it declares, where it came from."""

    token: str | None
    purpose: str | None
    client: str


def authenticate(store: Store, credentials: Credentials) -> Caller:
    """The caller behind a token: 401 if it is missing, unknown, revoked, expired or idle too long;
    400 if the purpose is missing or unknown; 403 (audited) if it is not the purpose signed in for."""
    if not credentials.token:
        raise NotAuthenticatedError(
            "No credentials; send 'Authorization: Bearer <token>' from POST /api/v1/auth/token"
        )
    now = datetime.now(UTC)
    digest = token_digest(store.settings.secret_key.get_secret_value(), credentials.token)
    with store.transaction() as session:
        token = user_rows.get_token_by_hash(session, digest)
        user = user_rows.get_user(session, token.user_id) if token is not None else None
        problem = _token_problem(token, now, store.settings.session_idle_minutes)
        if token is None or user is None or problem is not None or user.disabled:
            raise NotAuthenticatedError(f"The token is {problem or 'not valid'}; sign in again")
        if now - token.last_seen_at > TOUCH_EVERY:
            user_rows.touch_token(session, token, now)
        caller = Caller(
            user.username,
            frozenset(Role(r) for r in user.roles),
            parse_purpose(token.purpose),
            credentials.client,
            user.id,
        )
    declared = parse_purpose(credentials.purpose, "header X-ILOS-Purpose")
    if declared != caller.purpose:
        return _refuse_purpose(store, caller, declared)
    return caller


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


def _refuse_purpose(store: Store, caller: Caller, declared: object) -> Caller:
    detail = f"token was issued for purpose {caller.purpose.value}, request declared {declared}"
    record_alone(store, caller, Action("auth.purpose", "api_token", outcome="denied", detail=detail))
    raise PermissionDeniedError(f"{detail}; sign in again to work for another purpose")
