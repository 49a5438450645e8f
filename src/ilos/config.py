"""Typed runtime settings from ILOS_* environment variables; nothing is read at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ilos.errors import ConfigError

PLACEHOLDER_SECRET = "dev-only-change-me"  # noqa: S105 - a known placeholder, refused outside dev


class Settings(BaseSettings):
    """Where ILOS keeps its data and how it runs."""

    model_config = SettingsConfigDict(env_prefix="ILOS_", extra="ignore")

    home: Path = Field(default=Path("./ilos-data"), description="Data directory: lake, world, stores.")
    environment: str = Field(default="dev", description="dev, test or prod.")
    database_url: str | None = Field(
        default=None,
        description="Operational store URL (postgresql://user@host/db); default SQLite file under home.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET),
        description="Key for token hashes and cookies; the placeholder is refused outside dev.",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="Sessions and tokens unused this long expire."
    )
    token_lifetime_hours: int = Field(
        default=12, ge=1, le=24 * 30, description="Sessions and tokens expire this long after sign-in."
    )
    lockout_minutes: int = Field(
        default=15, ge=1, description="How long an account stays locked after 5 failed sign-ins."
    )
    audit_retention_days: int = Field(
        default=7 * 365, ge=365, description="Audit events are kept at least this long (never below a year)."
    )
    pair_index: bool = Field(
        default=True,
        description="The server holds the linkage's subjects and scored pairs in memory for fast gate checks "
        "(about 1 GiB at a million persons); off, it scans the files per check.",
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment != "dev" and self.secret_key.get_secret_value() == PLACEHOLDER_SECRET:
            raise ValueError(
                f"ILOS_SECRET_KEY is the development placeholder but ILOS_ENVIRONMENT is "
                f"{self.environment!r}; set ILOS_SECRET_KEY to a long random value"
            )
        return self

    @property
    def world_dir(self) -> Path:
        return self.home / "world"

    @property
    def lake_path(self) -> Path:
        return self.home / "lake.duckdb"

    @property
    def store_file(self) -> Path:
        """The SQLite file under home that is the store when ILOS_DATABASE_URL is not set."""
        return self.home / "ilos.db"

    @property
    def store_url(self) -> str:
        """The operational store: ILOS_DATABASE_URL, or a SQLite file under home."""
        return self.database_url or f"sqlite:///{self.store_file.resolve()}"


def load_settings() -> Settings:
    """Read settings from the environment now (never at import); bad values are a ConfigError."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"Invalid ILOS_* settings: {problems}") from None
