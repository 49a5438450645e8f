"""The audit viewer (oversight only): the chain's verification status and the latest events, filtered."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from ilos.services import web_audit
from ilos.services.access import Caller
from ilos.services.store_access import Store
from ilos.web.render import render
from ilos.web.session import page_caller, store_of

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    before: int | None = Query(None, ge=1, le=2**62),
    actor: str = Query("", max_length=128, pattern=r"^[^\x00]*$"),
    action: str = Query("", max_length=64, pattern=r"^[^\x00]*$"),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> HTMLResponse:
    """Chain status and events newest first; viewing is itself audited."""
    view = web_audit.audit_page(store, caller, before, actor or None, action or None)
    return render(request, "audit.html", caller, view=view, actor=actor, action=action)
