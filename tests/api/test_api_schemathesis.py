"""Property-based requests from the OpenAPI spec: no 5xx and every response matches the spec."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from conftest import SUBJECTS, _add_user_with_token  # type: ignore[import-not-found]
from ilos.api.app import create_app
from ilos.config import Settings
from ilos.services import publish
from ilos.services.access import Purpose, local_operator


@pytest.fixture(scope="module")
def spec_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    home: Path = tmp_path_factory.mktemp("schemathesis")
    app = create_app(Settings(home=home, environment="test", secret_key="schemathesis-secret-0123456789"))
    from argon2 import PasswordHasher

    digest = PasswordHasher().hash("a long enough password")
    app.state.test_headers = {
        r: _add_user_with_token(app.state.store, r, digest) for r in ("analyst", "oversight")
    }
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
        role = "oversight" if operation.path.startswith("/api/v1/audit") else "analyst"
        _exercise(operation.as_strategy(), dict(spec_app.state.test_headers[role]))


def _exercise(strategy: st.SearchStrategy[schemathesis.Case], headers: dict[str, str]) -> None:
    @given(case=strategy)
    @settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance, status_code_conformance]
        )

    run()
