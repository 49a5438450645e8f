"""API fixtures: an app on each backend, users of every role, and signed-in headers."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_world import PASSWORD, ROLE_PURPOSE, SUBJECTS, add_user_with_token
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ilos.api.app import create_app
from ilos.config import Settings
from ilos.services import publish
from ilos.services.access import Purpose, local_operator
from ilos.services.linkage_publish import publish_linkage
from ilos.services.linking import link_config
from ilos.services.subjects import build_subjects
from ilos.services.world import generate_world


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        home=tmp_path, database_url=db_url, environment="test", secret_key="api-test-secret-0123456789"
    )


@pytest.fixture(scope="session")
def password_hash() -> str:
    """Argon2 is deliberately slow: hash the shared test password once per session."""
    return PasswordHasher().hash(PASSWORD)


@pytest.fixture
def app(settings: Settings, password_hash: str) -> Iterator[FastAPI]:
    application = create_app(settings)
    store = application.state.store
    application.state.test_headers = {
        role: add_user_with_token(store, role, password_hash) for role in ROLE_PURPOSE
    }
    publish.publish(store, local_operator(Purpose.data_quality), SUBJECTS)
    yield application
    store.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def headers_for(app: FastAPI) -> Callable[[str], dict[str, str]]:
    """The headers a request of the user holding `role` needs."""
    headers: dict[str, dict[str, str]] = app.state.test_headers
    return lambda role: dict(headers[role])


@pytest.fixture(scope="session")
def world_linkage(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A synthetic world of 300 persons, linked and built into subjects once per session: (world, linkage)."""
    world = tmp_path_factory.mktemp("world")
    generate_world(world, 300, 5, None)
    run = link_config(world / "sources.yaml", tmp_path_factory.mktemp("linkage"))
    build_subjects(run.out_dir, world / "sources.yaml")
    return world, run.out_dir


@pytest.fixture
def linked(app: FastAPI, world_linkage: tuple[Path, Path]) -> Path:
    """The session's linkage as the app's (ILOS_HOME/linkage), a copy each test may change."""
    target = app.state.store.settings.home / "linkage"
    shutil.copytree(world_linkage[1], target)
    return target


@pytest.fixture
def published(app: FastAPI, linked: Path) -> Path:
    """`linked`, with its subjects published to the app's store (as `ilos demo` does)."""
    publish_linkage(app.state.store, local_operator(Purpose.data_quality), linked)
    return linked
