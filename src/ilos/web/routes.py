"""The pages: each parses its input, calls one service function and renders a template."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ilos.errors import IlosError, InvalidInputError, NotAuthenticatedError, PermissionDeniedError
from ilos.services import subject_view, web_health, web_history, web_search, web_session
from ilos.services.access import Caller, Purpose, Role
from ilos.services.store_access import Store
from ilos.web.alerts_page import router as alerts_router
from ilos.web.audit_page import router as audit_router
from ilos.web.cases_page import router as cases_router
from ilos.web.inputs import SUBJECT_ID
from ilos.web.render import render
from ilos.web.review_page import router as review_router
from ilos.web.session import (
    SESSION_COOKIE,
    check_csrf,
    clear_session,
    client_of,
    page_caller,
    set_session,
    store_of,
)
from ilos.web.worklist_page import router as worklist_router

router = APIRouter(include_in_schema=False)
router.include_router(audit_router)
router.include_router(review_router)
router.include_router(alerts_router)
router.include_router(cases_router)
router.include_router(worklist_router)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse("/search", status_code=303)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: str | None = None, expired: bool = False) -> HTMLResponse:
    return render(
        request, "signin.html", None, next=_safe_next(next), purposes=list(Purpose), roles=list(Role),
        expired=expired,
    )  # fmt: skip


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    username: str = Form("", max_length=64),
    password: str = Form("", max_length=1024),
    purpose: str = Form("", max_length=64),
    role: str = Form("", max_length=64),
    csrf: str = Form("", max_length=128),
    next: str = Form("/", max_length=2000),
    store: Store = Depends(store_of),
) -> Response:
    """Sign in for one purpose under one role; refusals are generic (lockout, disabled and wrong password
    look alike)."""
    check_csrf(request, csrf)
    try:
        issued = web_session.start_session(store, username, password, purpose, client_of(request), role)
    except (NotAuthenticatedError, PermissionDeniedError, InvalidInputError) as exc:
        message = exc.summary if isinstance(exc, InvalidInputError) else exc.message
        return render(
            request, "signin.html", None, status=exc.http_status, next=_safe_next(next),
            purposes=list(Purpose), roles=list(Role), error=message, username=username, chosen=purpose,
            chosen_role=role,
        )  # fmt: skip
    response = RedirectResponse(_safe_next(next), status_code=303)
    max_age = store.settings.token_lifetime_hours * 3600
    set_session(request, response, issued.token, issued.purpose.value, max_age)
    return response


@router.post("/signout")
def signout(
    request: Request,
    csrf: str = Form("", max_length=128),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> Response:
    check_csrf(request, csrf)
    web_session.end_session(store, caller, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/signin", status_code=303)
    clear_session(response)
    return response


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    q: str = Query("", max_length=200),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> HTMLResponse:
    """Search by name (any order), date of birth YYYY-MM-DD or identifier; audited."""
    if not q.strip():
        return render(request, "search.html", caller, q="", results=None)
    try:
        results = web_search.find_subjects(store, caller, q)
    except InvalidInputError as exc:
        return render(request, "search.html", caller, status=422, q=q, results=None, error=_problems(exc))
    return render(request, "search.html", caller, q=q, results=results)


@router.get("/subjects/{subject_id}", response_class=HTMLResponse)
def subject(
    request: Request,
    subject_id: str = Path(pattern=SUBJECT_ID),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> HTMLResponse:
    """One subject as the caller's purpose allows; the read is audited. Its merge and split history is read
    from the page the audited read built."""
    page = subject_view.subject_page(store, caller, subject_id)
    history = web_history.subject_history(store, page)
    return render(request, "subject.html", caller, page=page, history=history)


@router.get("/data-health", response_class=HTMLResponse)
def data_health(
    request: Request, caller: Caller = Depends(page_caller), store: Store = Depends(store_of)
) -> HTMLResponse:
    """Ingest batches and quarantine by reason (data steward, supervisor, oversight); audited."""
    return render(request, "health.html", caller, health=web_health.data_health(store, caller))


def _problems(exc: IlosError) -> str:
    if isinstance(exc, InvalidInputError) and exc.problems:
        return "; ".join(p.message for p in exc.problems)
    return exc.message
