"""Request dependencies: the store of this app, and the caller's credentials or authenticated identity.

Dependencies that do no I/O are `async def` so FastAPI runs them inline instead of in a worker thread."""

from __future__ import annotations

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ilos.services.access import Caller
from ilos.services.api_context import Credentials, authenticate
from ilos.services.store_access import Store

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token.")


async def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def request_credentials(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    purpose: str | None = Header(
        None, alias="X-ILOS-Purpose", description="Purpose of use; must be the one the token was issued for."
    ),
) -> Credentials:
    """What the request presented; the service checks it in the transaction that does the work."""
    token = credentials.credentials if credentials else None
    return Credentials(token, purpose, client_address(request))


def request_caller(
    store: Store = Depends(store_of), credentials: Credentials = Depends(request_credentials)
) -> Caller:
    """The authenticated caller (its own transaction): 401 without a valid token, 400 without a known purpose."""
    return authenticate(store, credentials)
