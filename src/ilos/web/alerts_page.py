"""Live alerts: the feed page, its server-sent event stream (the worker's journal polled every half second,
a heartbeat, resumable with Last-Event-ID, audited when it opens and for each batch of alerts it pushes) and
the form that posts a change event (a stay for a subject) into the worker's inbox."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import date

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from ilos.services import web_alerts
from ilos.services.access import Caller
from ilos.services.store_access import Store
from ilos.web.inputs import SUBJECT_ID
from ilos.web.render import SECURITY_HEADERS, render
from ilos.web.session import check_csrf, page_caller, store_of

router = APIRouter(include_in_schema=False)
POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
MAX_STREAM_SECONDS = (
    600.0  # then the browser reconnects (resuming after the last id): shutdown never waits long
)


@router.get("/alerts", response_class=HTMLResponse)
def alerts(
    request: Request,
    posted: str = Query("", max_length=64, pattern=r"^[0-9a-f]*$"),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> HTMLResponse:
    """The latest alerts, updated live; the change form for those who may post; audited."""
    view = web_alerts.alerts_page(store, caller)
    return render(
        request, "alerts.html", caller, view=view, posted=posted, stay_types=web_alerts.STAY_TYPES,
        today=date.today().isoformat(),
    )  # fmt: skip


@router.get("/alerts/stream")
def alert_stream(
    request: Request,
    after: int = Query(0, ge=0, le=2**62),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> StreamingResponse:
    """Server-sent events: each new alert as `event: alert` with its position as id; audited when opened and
    as it pushes alerts."""
    resume = request.headers.get("last-event-id", "")
    start = int(resume) if resume.isdigit() else after
    web_alerts.open_alert_stream(store, caller, start)
    headers = {**SECURITY_HEADERS, "X-Accel-Buffering": "no"}
    events = _events(store, caller, start)
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


@router.post("/alerts/changes")
def post_change(
    request: Request,
    subject_id: str = Form(..., pattern=SUBJECT_ID),
    stay_type: str = Form(..., max_length=32),
    on: date = Form(...),
    csrf: str = Form("", max_length=128),
    caller: Caller = Depends(page_caller),
    store: Store = Depends(store_of),
) -> Response:
    """Put a stay for the subject in the worker's inbox (audited); the feed shows the alert when it is made."""
    check_csrf(request, csrf)
    event_id = web_alerts.post_stay(store, caller, subject_id, stay_type, on)
    return RedirectResponse(f"/alerts?posted={event_id}", status_code=303)


async def _events(store: Store, caller: Caller, position: int) -> AsyncIterator[str]:
    """Poll the journal; send new alerts (each batch audited before it is sent), a heartbeat when idle.
    Cancelled when the client goes away."""
    home = store.settings.home
    yield f"retry: 2000\n: connected at {position}\n\n"
    loop = asyncio.get_running_loop()
    started = last_sent = loop.time()
    seen: tuple[int, int] | None = None
    while loop.time() - started < MAX_STREAM_SECONDS:
        signature = web_alerts.journal_signature(home)
        if signature != seen:
            seen = signature
            items = await asyncio.to_thread(web_alerts.alerts_after, home, position)
            await asyncio.to_thread(web_alerts.record_pushed, store, caller, items)
            for item in items:
                position = item.position
                last_sent = loop.time()
                yield f"id: {item.position}\nevent: alert\ndata: {json.dumps(asdict(item))}\n\n"
        if loop.time() - last_sent >= HEARTBEAT_SECONDS:
            last_sent = loop.time()
            yield ": heartbeat\n\n"
        await asyncio.sleep(POLL_SECONDS)
