"""The API application factory: `ilos.api.app:create_app` (uvicorn --factory)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ilos import __version__
from ilos.api.errors import install_error_handlers
from ilos.api.routes import router
from ilos.api.routes_changes import router as changes_router
from ilos.api.routes_legal import router as legal_router
from ilos.api.routes_operations import router as operations_router
from ilos.api.routes_plans import router as plans_router
from ilos.api.routes_records import router as records_router
from ilos.api.threads import freeze_startup_objects
from ilos.config import Settings, load_settings
from ilos.services.store_access import open_store


def create_app(settings: Settings | None = None) -> FastAPI:
    """An app bound to the store `settings` names (read from ILOS_* when not given); migrates on start."""
    settings = settings or load_settings()
    store = open_store(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        freeze_startup_objects()
        yield
        store.close()

    app = FastAPI(
        title="ILOS API",
        version=__version__,
        description="Subject search and the audit log. Every route but /health needs a bearer token and the "
        'X-ILOS-Purpose header; every error has the shape {"error": {code, message, problems}}.',
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(operations_router)
    app.include_router(legal_router)
    app.include_router(changes_router)
    app.include_router(plans_router)
    app.include_router(records_router)
    return app
