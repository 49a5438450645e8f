"""The worklist (analyst, supervisor, logistics planner): subjects decided for the caller's purpose,
filtered by status, priority, gate and location state, fifty to a page, with a map of the matching
subjects by the state of their last location the purpose may use."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from ilos.services import worklist_view
from ilos.services.access import Caller
from ilos.services.store_access import Store
from ilos.web import us_map
from ilos.web.render import render
from ilos.web.session import page_caller, store_of

router = APIRouter(include_in_schema=False)
CHOICE = r"^[a-z_A-Z0-9]{0,40}$"


def filter_url(chosen: worklist_view.WorklistFilter, **changes: Any) -> str:
    """The worklist address with some filters changed (back to page 1 unless a page is given)."""
    changed = replace(chosen, **{"page": 1, **changes})
    query = {k: v for k, v in asdict(changed).items() if v and not (k == "page" and v == 1)}
    return "/worklist" + (f"?{urlencode(query)}" if query else "")


@router.get("/worklist", response_class=HTMLResponse)
def worklist(
    request: Request,
    status: str = Query("", pattern=CHOICE),
    priority: str = Query("", pattern=CHOICE),
    gate: str = Query("", pattern=CHOICE),
    state: str = Query("", pattern=CHOICE),
    page: int = Query(1, ge=1, le=100_000),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> HTMLResponse:
    """The filtered worklist page and its map; audited."""
    chosen = worklist_view.WorklistFilter(status, priority, gate, state, page)
    view = worklist_view.worklist_page(store, caller, chosen)
    atlas = us_map.base_map()
    markers = us_map.markers(view.map.by_state, atlas.states)
    return render(
        request, "worklist.html", caller, view=view, atlas=atlas, markers=markers, filter_url=filter_url,
        state_names={code: s.name for code, s in atlas.states.items()},
    )  # fmt: skip
