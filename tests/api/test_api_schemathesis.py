"""Property-based requests from the OpenAPI spec: no 5xx and every response matches the spec."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from api_world import SUBJECTS, add_user_with_token
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from ilos.api.app import create_app
from ilos.config import Settings
from ilos.services import publish
from ilos.services.access import Purpose, local_operator

# The role each group of paths serves, so generated requests get past the role check into the route.
ROLE_OF_PATH = (
    ("/api/v1/audit", "oversight"),
    ("/api/v1/changes", "data_steward"),
    ("/api/v1/review-", "data_steward"),
    ("/api/v1/plans", "logistics_planner"),
    ("/api/v1/legal-authorities", "supervisor"),
    ("/api/v1/gate-reviews", "supervisor"),
    ("/api/v1/operation", "supervisor"),
)


@pytest.fixture
def spec_app(tmp_path: Path, db_url: str, password_hash: str) -> Iterator[FastAPI]:
    settings = Settings(
        home=tmp_path, database_url=db_url, environment="test", secret_key="schemathesis-secret-0123456789"
    )
    app = create_app(settings)
    roles = {"analyst", *(role for _, role in ROLE_OF_PATH)}
    app.state.test_headers = {r: add_user_with_token(app.state.store, r, password_hash) for r in roles}
    publish.publish(app.state.store, local_operator(Purpose.data_quality), SUBJECTS)
    yield app
    app.state.store.close()


def test_api_conforms_to_its_openapi_spec(spec_app: FastAPI) -> None:
    """Each operation gets a few seeded examples (the schemathesis pytest plugin is bypassed: it does
    not support this pytest version), called in-process against the ASGI app."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", spec_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(ops) for ops in spec_app.openapi()["paths"].values())  # all exercised
    for operation in operations:
        role = next((r for prefix, r in ROLE_OF_PATH if operation.path.startswith(prefix)), "analyst")
        _exercise(operation.as_strategy(), dict(spec_app.state.test_headers[role]))


def _exercise(strategy: st.SearchStrategy[schemathesis.Case], headers: dict[str, str]) -> None:
    @given(case=strategy)
    @settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance, status_code_conformance]
        )

    run()
