"""Settings the audit and auth model depend on: retention of at least a year, no placeholder secret in prod."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ilos.config import Settings, load_settings
from ilos.errors import ConfigError


def test_audit_retention_below_a_year_is_refused() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 365"):
        Settings(audit_retention_days=364)
    assert Settings(audit_retention_days=365).audit_retention_days == 365


def test_the_placeholder_secret_is_refused_outside_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ILOS_ENVIRONMENT", "prod")
    monkeypatch.delenv("ILOS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="ILOS_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("ILOS_SECRET_KEY", "a-real-secret-value-0123456789")
    assert load_settings().environment == "prod"


def test_the_store_defaults_to_sqlite_under_home(tmp_path: object) -> None:
    settings = Settings(home=tmp_path, database_url=None)  # type: ignore[arg-type]
    assert settings.store_url.startswith("sqlite:///") and settings.store_url.endswith("/ilos.db")
