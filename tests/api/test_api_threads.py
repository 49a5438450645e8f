"""The hot routes run their service call on the API's few threads: concurrent reads beyond that many wait
in line and all succeed, each audited."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ilos.api.threads import API_THREADS
from ilos.services import subject_search
from ilos.services.access import Purpose, local_operator
from ilos.services.audit_log import list_events
from ilos.store.audit_events import EventFilter

Headers = Callable[[str], dict[str, str]]


def test_concurrent_reads_run_on_at_most_api_threads_and_are_each_audited(
    app: FastAPI, headers_for: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    running, most = 0, 0
    lock, release = threading.Lock(), threading.Event()
    view = subject_search.view

    def counted_view(*args: Any) -> subject_search.SubjectView:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == API_THREADS:
                release.set()  # every thread is busy: let them all finish
        release.wait(5)
        try:
            return view(*args)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(subject_search, "view", counted_view)
    requests = 3 * API_THREADS

    async def read_all() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(
                *(
                    client.get("/api/v1/subjects/S7f3a9c", headers=headers_for("analyst"))
                    for _ in range(requests)
                )
            )
        return [r.status_code for r in responses]

    assert asyncio.run(read_all()) == [200] * requests
    assert most == API_THREADS
    oversight = local_operator(Purpose.oversight)
    events = list_events(app.state.store, oversight, EventFilter(limit=1000, action="subject.read"))
    assert len(events) == requests
