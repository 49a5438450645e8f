"""The one served application, `ilos.server:create_server` (uvicorn --factory): the REST API under /api/ and
the web pages everywhere else, each keeping its own error style, in one process. The two front ends never
import each other; this module is the only place that holds both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from ilos.api.app import create_app
from ilos.config import Settings, load_settings
from ilos.services import pair_index
from ilos.services.subject_record import linkage_dir
from ilos.web.app import create_web_app

API_PREFIX = "/api/"


def is_api_path(path: str) -> bool:
    """Paths the REST API answers (its routes, docs and OpenAPI document all live under /api/v1)."""
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


def create_server(settings: Settings | None = None) -> Starlette:
    """Both front ends over the store `settings` names (read from ILOS_* when not given). Each app's
    lifespan runs inside this one's, so the web app's change worker starts once per process (and, through
    its lock, once per ILOS_HOME however many processes serve it)."""
    settings = settings or load_settings()
    api, web = create_app(settings), create_web_app(settings)

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        target: ASGIApp = api if is_api_path(scope["path"]) else web
        await target(scope, receive, send)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if settings.pair_index:  # gate checks find a subject's pairs by binary search
            pair_index.enable(linkage_dir(settings.home))
        try:
            async with AsyncExitStack() as stack:
                await stack.enter_async_context(api.router.lifespan_context(api))
                await stack.enter_async_context(web.router.lifespan_context(web))
                yield
        finally:
            pair_index.disable()  # the process serves no more: its indexes are let go

    return Starlette(routes=[Mount("/", app=dispatch)], lifespan=lifespan)
