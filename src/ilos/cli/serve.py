"""`ilos serve`: run the REST API with uvicorn (by import string, so the CLI never imports the API)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Run the REST API server.")

APP_FACTORY = "ilos.api.app:create_app"


@app.command("serve", help="Serve the API (/api/v1) on HOST:PORT; settings come from ILOS_* variables.")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
) -> None:
    import uvicorn

    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers, proxy_headers=False)
