"""The match review queue (data steward, supervisor): one pair side by side with its match weights, judged
with one key (m, n, u) or a button; each judgement is recorded with who and when, and audited."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ilos.services import match_review
from ilos.services.access import Caller
from ilos.services.store_access import Store
from ilos.web.render import render
from ilos.web.session import check_csrf, page_caller, store_of

router = APIRouter(include_in_schema=False)
RECORD_KEY = r"^[A-Za-z0-9_.:|-]{1,200}$"


@router.get("/review", response_class=HTMLResponse)
def review(
    request: Request, caller: Caller = Depends(page_caller), store: Store = Depends(store_of)
) -> HTMLResponse:
    """The most uncertain unjudged pair and the latest judgements; audited."""
    return render(request, "review.html", caller, view=match_review.review_page(store, caller))


@router.post("/review/judgements")
def judge(
    request: Request,
    left: str = Form(..., pattern=RECORD_KEY),
    right: str = Form(..., pattern=RECORD_KEY),
    verdict: str = Form(..., max_length=16),
    csrf: str = Form("", max_length=128),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> Response:
    """Record the verdict (recorded with who and when, audited), then show the next pair."""
    check_csrf(request, csrf)
    match_review.judge(store, caller, left, right, verdict)
    return RedirectResponse("/review", status_code=303)
