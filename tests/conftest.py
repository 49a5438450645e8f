"""Shared fixtures: `db_url` runs a test on SQLite always and on PostgreSQL when ILOS_TEST_POSTGRES_URL is set.

Each PostgreSQL test gets its own schema (named after this test session) so parallel runs never collide;
the schemas are dropped after the test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

POSTGRES_ENV = "ILOS_TEST_POSTGRES_URL"
SESSION_TAG = uuid.uuid4().hex[:10]


def _backends() -> list[object]:
    backends: list[object] = ["sqlite"]
    if os.environ.get(POSTGRES_ENV):
        backends.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    return backends


def _admin_connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = os.environ[POSTGRES_ENV]
    schema = f"ilos_test_{SESSION_TAG}_{uuid.uuid4().hex[:8]}"
    with _admin_connect(base) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    with _admin_connect(base) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
