"""Request dependencies: the store of this app, and the authenticated caller with their purpose."""

from __future__ import annotations

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ilos.services.access import Caller
from ilos.services.api_context import Credentials, authenticate
from ilos.services.store_access import Store

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token.")


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    purpose: str | None = Header(
        None, alias="X-ILOS-Purpose", description="Purpose of use; must be the one the token was issued for."
    ),
) -> Caller:
    """The authenticated caller: 401 without a valid token, 400 without a known purpose."""
    token = credentials.credentials if credentials else None
    return authenticate(store_of(request), Credentials(token, purpose, client_address(request)))
