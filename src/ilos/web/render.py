"""Rendering pages: one Jinja2 environment (autoescaped), security headers on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ilos import __version__
from ilos.services.access import AUDIT_READERS, SUBJECT_READERS, Caller
from ilos.services.cases import CASE_READERS
from ilos.services.match_review import REVIEWERS
from ilos.services.web_alerts import ALERT_READERS
from ilos.services.web_health import DATA_HEALTH_READERS
from ilos.services.worklist_view import WORKLIST_READERS
from ilos.web.session import csrf_token, set_csrf_cookie

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def nav_for(caller: Caller | None) -> list[tuple[str, str]]:
    """The pages this caller's roles may open, as (path, label)."""
    if caller is None:
        return []
    pages = [
        ("/search", "Search", SUBJECT_READERS),
        ("/worklist", "Worklist", WORKLIST_READERS),
        ("/audit", "Audit log", AUDIT_READERS),
        ("/data-health", "Data health", DATA_HEALTH_READERS),
        ("/review", "Review queue", REVIEWERS),
        ("/alerts", "Live alerts", ALERT_READERS),
        ("/cases", "Cases", CASE_READERS),
    ]
    return [(path, label) for path, label, roles in pages if caller.has_any(roles)]


def render(
    request: Request, template: str, caller: Caller | None, status: int = 200, **context: Any
) -> HTMLResponse:
    token, nonce = csrf_token(request)
    response = templates.TemplateResponse(
        request,
        template,
        {"caller": caller, "nav": nav_for(caller), "csrf": token, "version": __version__, **context},
        status_code=status,
    )
    response.headers.update(SECURITY_HEADERS)
    if nonce is not None:
        set_csrf_cookie(request, response, nonce)
    return response
