"""The pages' one error style: 401 sends the browser to sign in (saying the session has ended only when it
presented one, and deleting that cookie), every other error is the error page."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ilos.errors import IlosError, InvalidInputError
from ilos.web.render import render
from ilos.web.session import SESSION_COOKIE, clear_session, signin_location

log = logging.getLogger(__name__)

_TITLES = {
    400: "Check the request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    422: "Check what you entered",
    500: "Something went wrong",
}


def _status_and_message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, InvalidInputError):
        problems = "; ".join(str(p) for p in exc.problems)
        return exc.http_status, exc.summary + (f": {problems}" if problems else "")
    if isinstance(exc, IlosError):
        return exc.http_status, exc.message
    if isinstance(exc, RequestValidationError):
        return 422, "The address or form has a value ILOS cannot read; go back and check it"
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, "No such page" if exc.status_code == 404 else str(exc.detail)
    log.exception("unexpected error on a page", exc_info=exc)
    return 500, "Something went wrong on the server; it has been logged"


async def page_error(request: Request, exc: Exception) -> Response:
    status, message = _status_and_message(exc)
    if status == 401:
        redirect = RedirectResponse(signin_location(request), status_code=303)
        if request.cookies.get(SESSION_COOKIE):  # ended: said once, on this redirect, then forgotten
            clear_session(redirect)
        return redirect
    if status >= 500 and isinstance(exc, IlosError):
        log.error("page failed: %s", exc.message)
    title = _TITLES.get(status, "Error")
    return render(
        request, "error.html", None, status=status, title=title, status_code=status, message=message
    )


def install_page_errors(app: FastAPI) -> None:
    for exc_type in (IlosError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(exc_type, page_error)
