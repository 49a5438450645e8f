"""The web application factory, `ilos.web.app:create_web_app`: the pages and their static assets, bound to
the store the settings name. `ilos.server` serves it beside the REST API; the two front ends share only the
services."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ilos import __version__
from ilos.config import Settings, load_settings
from ilos.services.store_access import open_store
from ilos.services.web_detail import linkage_dir
from ilos.services.web_worker import BackgroundWorker, has_linkage
from ilos.web.errors import install_page_errors
from ilos.web.routes import router

STATIC_DIR = Path(__file__).parent / "static"
WORKER_LOCK = ".change-worker.lock"  # in the linkage directory: one change worker per ILOS_HOME
log = logging.getLogger(__name__)


@contextmanager
def worker_lock(home: Path) -> Iterator[bool]:
    """True while this process holds the change worker's lock (released when the process ends, however
    it ends), False when another process serving the same ILOS_HOME (another uvicorn worker) holds it."""
    path = linkage_dir(home) / WORKER_LOCK
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another process runs the change worker over %s", path.parent)
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def create_web_app(settings: Settings | None = None) -> FastAPI:
    """An app bound to the store `settings` names (read from ILOS_* when not given); migrates on start."""
    store = open_store(settings or load_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        home = store.settings.home
        with ExitStack() as stack:  # on shutdown: stop the worker, release its lock, close the store
            stack.callback(store.close)
            if has_linkage(home) and stack.enter_context(worker_lock(home)):
                stack.callback(BackgroundWorker(home, store).start().stop)  # live alerts, halts
            yield

    app = FastAPI(
        title="ILOS", version=__version__, openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.store = store
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
    install_page_errors(app)
    return app
