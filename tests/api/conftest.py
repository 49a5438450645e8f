"""API fixtures: an app on each backend, users of every role, and signed-in headers."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ilos.api.app import create_app
from ilos.config import Settings
from ilos.services import publish
from ilos.services.access import Purpose, local_operator
from ilos.services.linking import link_config
from ilos.services.store_access import Store
from ilos.services.subjects import build_subjects
from ilos.services.users import token_digest
from ilos.services.web_publish import publish_linkage
from ilos.services.world import generate_world
from ilos.store.tables import ApiTokenRow, UserRow
from ilos.store.users import add_token, add_user

PASSWORD = "a long enough password"
ROLE_PURPOSE = {
    "analyst": "case_investigation",
    "supervisor": "case_investigation",
    "data_steward": "data_quality",
    "logistics_planner": "removal_logistics",
    "oversight": "oversight",
    "admin": "administration",
}
SUBJECTS = [
    {
        "subject_id": "S7f3a9c",
        "display_name": "José de la Cruz",
        "date_of_birth": "1980-02-03",
        "identifiers": {"a_number": "A-012-345-678"},
        "payload": {"nationality": ["MX"]},
    },
    {
        "subject_id": "S0b41d2",
        "display_name": "Maria Cruz Lopez",
        "date_of_birth": "1992-11-30",
        "identifiers": {"passport": "P1234567"},
        "payload": {},
    },
    {
        "subject_id": "S99e01a",
        "display_name": "Ann Smith",
        "date_of_birth": "1980-02-03",
        "identifiers": {},
        "payload": {},
    },
]


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        home=tmp_path, database_url=db_url, environment="test", secret_key="api-test-secret-0123456789"
    )


@pytest.fixture(scope="session")
def password_hash() -> str:
    """Argon2 is deliberately slow: hash the shared test password once per session."""
    return PasswordHasher().hash(PASSWORD)


def _add_user_with_token(store: Store, role: str, password_hash: str) -> dict[str, str]:
    """A user of `role` and a live token for its purpose, written directly (sign-in has its own tests)."""
    now = datetime.now(UTC)
    user = UserRow(
        id=uuid.uuid4().hex,
        username=role.replace("_", "-"),
        password_hash=password_hash,
        roles=[role],
        disabled=False,
        failed_attempts=0,
        locked_until=None,
        created_at=now,
    )
    token = f"token-{role}-{uuid.uuid4().hex}"
    secret = store.settings.secret_key.get_secret_value()
    row = ApiTokenRow(
        id=uuid.uuid4().hex,
        token_hash=token_digest(secret, token),
        kind="bearer",
        user_id=user.id,
        purpose=ROLE_PURPOSE[role],
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=1),
        revoked=False,
    )
    with store.transaction() as session:
        add_user(session, user)
        add_token(session, row)
    return {"Authorization": f"Bearer {token}", "X-ILOS-Purpose": ROLE_PURPOSE[role]}


@pytest.fixture
def app(settings: Settings, password_hash: str) -> Iterator[FastAPI]:
    application = create_app(settings)
    store = application.state.store
    application.state.test_headers = {
        role: _add_user_with_token(store, role, password_hash) for role in ROLE_PURPOSE
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
