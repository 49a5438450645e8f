"""Store fixtures: settings and an opened (migrated) store on each backend, with the subjects the tests
open cases on published (a case may only group published subjects)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ilos.config import Settings
from ilos.services import publish
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import Store, open_store

SUBJECT_IDS = [f"S{i}" for i in range(1, 10)]


def publish_test_subjects(store: Store) -> None:
    rows = [{"subject_id": s, "display_name": f"Person {s}"} for s in SUBJECT_IDS]
    publish.publish(store, local_operator(Purpose.data_quality), rows)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        home=tmp_path, database_url=db_url, environment="test", secret_key="test-secret-key-0123456789"
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    publish_test_subjects(opened)
    yield opened
    opened.close()


@pytest.fixture
def publish_subjects() -> Callable[[Store], None]:
    """Publish the test subjects to another store (the CLI tests' store under ILOS_HOME)."""
    return publish_test_subjects
