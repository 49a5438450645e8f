"""Store fixtures: settings and an opened (migrated) store on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ilos.config import Settings
from ilos.services.store_access import Store, open_store


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        home=tmp_path, database_url=db_url, environment="test", secret_key="test-secret-key-0123456789"
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    yield opened
    opened.close()
