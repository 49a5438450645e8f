"""Session cookies and CSRF: the caller behind the cookie (a page dependency) and the token every form post
must carry, bound to the session (before sign-in, to a nonce cookie) under the server's secret key."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response

from ilos.errors import PermissionDeniedError
from ilos.services.access import Caller
from ilos.services.store_access import Store
from ilos.services.web_session import form_token, session_caller

SESSION_COOKIE = "ilos_session"
PURPOSE_COOKIE = "ilos_purpose"
CSRF_COOKIE = "ilos_csrf"


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def page_caller(request: Request, store: Store = Depends(store_of)) -> Caller:
    """The signed-in caller; a 401 sends the browser to the sign-in page."""
    return session_caller(
        store, request.cookies.get(SESSION_COOKIE), request.cookies.get(PURPOSE_COOKIE), client_of(request)
    )


def signin_location(request: Request) -> str:
    """Where a request without a valid session is sent: the sign-in page, then back to the page it asked for
    (for a form post, the page the form was on).
    `expired=1` (the page says the session has ended) only when it presented a session cookie the server no
    longer accepts (idle, expired, signed out, unknown); a first visit has none and is just asked to sign in."""
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:  # a form post cannot be replayed by a redirect: back to the page the form was on
        target = _same_site_page(request) or "/"
    location = f"/signin?next={quote(target)}"
    return f"{location}&expired=1" if request.cookies.get(SESSION_COOKIE) else location


def _same_site_page(request: Request) -> str | None:
    """The path and query of the page that sent the request (its Referer), if on this site."""
    referer = urlsplit(request.headers.get("referer", ""))
    if not referer.path.startswith("/") or (referer.netloc and referer.netloc != request.url.netloc):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def _cookie_args(request: Request) -> dict[str, object]:
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https", "path": "/"}


def set_session(request: Request, response: Response, token: str, purpose: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, **_cookie_args(request))  # type: ignore[arg-type]
    response.set_cookie(PURPOSE_COOKIE, purpose, max_age=max_age, **_cookie_args(request))  # type: ignore[arg-type]


def clear_session(response: Response) -> None:
    for name in (SESSION_COOKIE, PURPOSE_COOKIE):
        response.delete_cookie(name, path="/")


def csrf_token(request: Request) -> tuple[str, str | None]:
    """The token this browser's forms carry, and a nonce to set as its CSRF cookie (None: nothing to set).
    Signed in, the token is bound to the session, so only pages of that session hold it; before sign-in,
    to a random nonce the browser keeps in a cookie."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return form_token(store_of(request), f"session:{session}"), None
    nonce = request.cookies.get(CSRF_COOKIE) or ""
    fresh = None if len(nonce) >= 32 else secrets.token_urlsafe(32)
    return form_token(store_of(request), f"nonce:{fresh or nonce}"), fresh


def set_csrf_cookie(request: Request, response: Response, nonce: str) -> None:
    response.set_cookie(CSRF_COOKIE, nonce, **_cookie_args(request))  # type: ignore[arg-type]


def check_csrf(request: Request, submitted: str) -> None:
    """A form post must carry the token of the session (or nonce cookie) it is posted with, compared in
    constant time; a cookie planted with a chosen value and that value posted fail."""
    expected, fresh = csrf_token(request)
    if fresh is not None or not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise PermissionDeniedError(
            "This form has expired or did not come from ILOS; reload the page and try again"
        )
