"""The API's one error edge: IlosError, validation errors, unknown routes and crashes all become ErrorOut."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ilos.api.schemas import ErrorBody, ErrorOut, Problem
from ilos.errors import GateBlockedError, IlosError, InvalidInputError, NotAuthenticatedError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    401: "not_authenticated",
    403: "permission_denied",
}


def error_response(status: int, code: str, message: str, problems: Sequence[Problem] = ()) -> JSONResponse:
    body = ErrorOut(error=ErrorBody(code=code, message=message, problems=list(problems)))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


async def _ilos_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IlosError)
    problems: list[Problem] = []
    message = exc.message
    if isinstance(exc, InvalidInputError):
        message = exc.summary
        problems = [Problem(location=p.location, message=p.message) for p in exc.problems]
    elif isinstance(exc, GateBlockedError):  # each blocking gate as `gate.<id>` with its reason
        problems = [Problem(location=p.location, message=p.message) for p in exc.problems]
    if exc.http_status >= 500:
        log.error("request failed: %s", exc.message)
    return error_response(exc.http_status, exc.code, message, problems)


def _location(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [Problem(location=_location(e["loc"]), message=e["msg"]) for e in exc.errors()]
    return error_response(422, InvalidInputError.code, "The request is not valid", problems)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = "No such route; see /api/v1/docs" if exc.status_code == 404 else str(exc.detail)
    if exc.status_code == 401:
        message = NotAuthenticatedError.__doc__ or message
    return error_response(exc.status_code, code, message)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal_error", "Something went wrong on the server; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IlosError, _ilos_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
