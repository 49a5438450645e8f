"""Shared declarations for the ingest unit tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ilos.definitions.sources import SourceSpec

PEOPLE_COLUMNS: dict[str, Any] = {
    "id": {"type": "string", "required": True},
    "name": {"type": "string"},
    "dob": {"type": "date", "format": "%Y-%m-%d"},
    "a_number": {"type": "identifier", "pattern": "[0-9]{9}"},
    "zip": {"type": "string"},
}

SourceFactory = Callable[..., tuple[SourceSpec, Path]]
