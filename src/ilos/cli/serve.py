"""`ilos serve`: run the web UI and the REST API with uvicorn (by import string, so the CLI never imports
either front end)."""

from __future__ import annotations

from typing import Annotated

import typer

from ilos.cli.errors import reports_errors
from ilos.cli.serve_workers import ServeOptions, serve_workers
from ilos.config import load_settings
from ilos.services.store_access import open_store

app = typer.Typer(help="Run the web UI and REST API server.")

APP_FACTORY = "ilos.server:create_server"  # the web pages at /, the REST API at /api/v1


@app.command(
    "serve",
    help="Serve the web UI (/) and the REST API (/api/v1) on HOST:PORT; settings come from ILOS_* variables.",
)
@reports_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, help="Worker processes; about one per CPU core on PostgreSQL, 1 on SQLite."
        ),
    ] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request to stderr (off by default: the audit log records every request).",
        ),
    ] = False,
) -> None:
    import uvicorn

    # Migrate once here, before the workers start, so they never race each other to migrate.
    open_store(load_settings()).close()
    if workers > 1:
        serve_workers(ServeOptions(APP_FACTORY, host, port, access_log), workers)
        return
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, proxy_headers=False, access_log=access_log)
