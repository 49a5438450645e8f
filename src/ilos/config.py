"""Typed runtime settings from ILOS_* environment variables; nothing is read at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where ILOS keeps its data and how it runs."""

    model_config = SettingsConfigDict(env_prefix="ILOS_", extra="ignore")

    home: Path = Field(default=Path("./ilos-data"), description="Data directory: lake, world, stores.")
    environment: str = Field(default="dev", description="dev, test or prod.")

    @property
    def world_dir(self) -> Path:
        return self.home / "world"

    @property
    def lake_path(self) -> Path:
        return self.home / "lake.duckdb"


def load_settings() -> Settings:
    """Read settings from the environment now (never at import)."""
    return Settings()
