"""The web application factory, `ilos.web.app:create_web_app`: the pages and their static assets, bound to
the store the settings name. `ilos.server` serves it beside the REST API; the two front ends share only the
services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ilos import __version__
from ilos.config import Settings, load_settings
from ilos.services.store_access import open_store
from ilos.services.web_worker import background_worker
from ilos.web.errors import install_page_errors
from ilos.web.routes import router

STATIC_DIR = Path(__file__).parent / "static"


def create_web_app(settings: Settings | None = None) -> FastAPI:
    """An app bound to the store `settings` names (read from ILOS_* when not given); migrates on start."""
    store = open_store(settings or load_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as stack:  # on shutdown: stop the worker, release its lock, close the store
            stack.callback(store.close)
            stack.enter_context(background_worker(store.settings.home, store))  # live alerts, halts
            yield

    app = FastAPI(
        title="ILOS", version=__version__, openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.store = store
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
    install_page_errors(app)
    return app
