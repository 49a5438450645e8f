"""Cases and actions: the list of cases, a case with its actions, an action with the steps its state allows.
A refused step (a gate, the state machine, a missing verification) is shown on the page it came from in the
one error style, each blocking gate with its reason; every read and step is audited by the services. Gates
are checked on the subject's gate inputs as the worklist's are (`services/gate_inputs.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ilos.domain.cases import ActionKind, ActionStep
from ilos.errors import ConflictError, InvalidInputError
from ilos.services import case_actions, cases, web_cases
from ilos.services.access import Caller
from ilos.services.case_actions import ActionRequest, StepRequest
from ilos.services.store_access import Store
from ilos.web.inputs import SUBJECT_ID
from ilos.web.render import render
from ilos.web.session import check_csrf, page_caller, store_of

router = APIRouter(include_in_schema=False)
Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
TEXT = r"^[^\x00]*$"


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request, caller: Caller = Depends(page_caller), store: Store = Depends(store_of)
) -> HTMLResponse:
    """The latest cases and a form to open one; audited."""
    lines = web_cases.list_cases(store, caller)
    return render(request, "cases.html", caller, cases=lines, may_open=caller.has_any(cases.CASE_WORKERS))


@router.post("/cases")
def open_case(
    request: Request,
    title: str = Form(..., max_length=256, pattern=TEXT),
    subject_id: str = Form(..., pattern=SUBJECT_ID),
    csrf: str = Form("", max_length=128),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> Response:
    check_csrf(request, csrf)
    view = cases.open_case(store, caller, title, [subject_id])
    return RedirectResponse(f"/cases/{view.case_id}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: Id,
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> HTMLResponse:
    """One case: subjects, notes, actions and their states, and a form to plan an action; audited."""
    return _case(request, store, caller, case_id)


@router.post("/cases/{case_id}/actions", response_model=None)
def plan_action(
    request: Request,
    case_id: Id,
    subject_id: str = Form(..., pattern=SUBJECT_ID),
    kind: ActionKind = Form(...),
    destination: str = Form("", max_length=64, pattern=r"^[A-Za-z]*$"),
    csrf: str = Form("", max_length=128),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> Response:
    """Plan an action in the case; a gate that already blocks the subject is shown on the case page."""
    check_csrf(request, csrf)
    planned = ActionRequest(subject_id, kind, case_id, destination.upper() or None)
    try:
        view = case_actions.create_action(store, caller, planned)
    except (ConflictError, InvalidInputError) as exc:
        return _case(request, store, caller, case_id, web_cases.refusal_of(exc), exc.http_status)
    return RedirectResponse(f"/actions/{view.action_id}", status_code=303)


@router.get("/actions/{action_id}", response_class=HTMLResponse)
def action_page(
    request: Request,
    action_id: Id,
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> HTMLResponse:
    """One action: state, verifications, halts, the gates last checked, and the steps possible now; audited."""
    return _action(request, store, caller, action_id)


@router.post("/actions/{action_id}/steps", response_model=None)
def take_step(
    request: Request,
    action_id: Id,
    step: ActionStep = Form(...),
    evidence: str = Form("", max_length=1000, pattern=TEXT),
    note: str = Form("", max_length=4000, pattern=TEXT),
    csrf: str = Form("", max_length=128),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> Response:
    """Take one step; gates are re-checked now. A refusal is shown on the action page with each gate."""
    check_csrf(request, csrf)
    taken = StepRequest(step, (evidence.strip(),) if evidence.strip() else (), note.strip())
    try:
        case_actions.step_action(store, caller, action_id, taken)
    except (ConflictError, InvalidInputError) as exc:
        return _action(request, store, caller, action_id, web_cases.refusal_of(exc), exc.http_status)
    return RedirectResponse(f"/actions/{action_id}", status_code=303)


def _case(
    request: Request, store: Store, caller: Caller, case_id: str,
    refusal: web_cases.Refusal | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    view = cases.read_case(store, caller, case_id)
    return render(
        request, "case.html", caller, status=status, case=view, refusal=refusal, kinds=web_cases.ACTION_KINDS,
        may_plan=caller.has_any(case_actions.PLANNERS),
    )  # fmt: skip


def _action(
    request: Request, store: Store, caller: Caller, action_id: str,
    refusal: web_cases.Refusal | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    view = case_actions.read_action(store, caller, action_id)
    steps = [(s, web_cases.STEP_LABELS[s]) for s in web_cases.steps_now(view, caller)]
    return render(request, "action.html", caller, status=status, action=view, steps=steps, refusal=refusal)
