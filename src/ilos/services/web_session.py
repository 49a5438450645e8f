"""Web sessions: sign in for one purpose (a `session` token), resolve the caller behind a session cookie,
and sign out (revoke that one session). The API's sign-in, lockout and audit rules apply unchanged."""

from __future__ import annotations

from ilos.errors import NotAuthenticatedError
from ilos.services import users
from ilos.services.access import Caller, Purpose, Role, purposes_for
from ilos.services.api_context import Credentials, authenticate
from ilos.services.audit_log import Action, record
from ilos.services.store_access import Store
from ilos.services.users import IssuedToken, SignIn, token_digest
from ilos.store import users as user_rows

SESSION_KIND = "session"


def start_session(
    store: Store, username: str, password: str, purpose: str, client: str, role: str | None = None
) -> IssuedToken:
    """A session for the declared purpose under one acting role; a refusal is the API's generic 401 (or a
    403 for the purpose or role, a 422 when several roles allow the purpose and none is named)."""
    return users.sign_in(store, SignIn(username, password, purpose, client, kind=SESSION_KIND, role=role))


def session_caller(store: Store, token: str | None, purpose: str | None, client: str) -> Caller:
    """The caller behind a session cookie: 401 when missing, expired, idle or revoked."""
    if not token or not purpose:
        raise NotAuthenticatedError("Not signed in; sign in to continue")
    return authenticate(store, Credentials(token, purpose, client, SESSION_KIND))


def form_token(store: Store, bound_to: str) -> str:
    """The CSRF token of the forms shown to a browser holding `bound_to` (its session, or before sign-in a
    nonce): a keyed hash under the server's secret key, so whoever can plant a cookie cannot choose a token
    that passes with it."""
    return token_digest(store.settings.secret_key.get_secret_value(), f"csrf:{bound_to}")


def end_session(store: Store, caller: Caller, token: str) -> None:
    """Revoke this session only (other sessions of the user stay); audited."""
    digest = token_digest(store.settings.secret_key.get_secret_value(), token)
    with store.transaction() as session:
        row = user_rows.get_token_by_hash(session, digest)
        if row is not None and not row.revoked:
            row.revoked = True
            record(session, caller, Action("auth.sign_out", "api_token", (row.id,), result_count=1))


def all_purposes() -> list[Purpose]:
    return list(Purpose)


def purposes_of(roles: frozenset[Role]) -> list[Purpose]:
    return sorted(purposes_for(roles))
