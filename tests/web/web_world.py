"""What the web tests share besides fixtures: the session world's description, its history and backend, and
where browser artifacts go. A module of its own name, so a test imports it unambiguously (every test
directory has a `conftest`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ilos.config import Settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass(frozen=True)
class World:
    settings: Settings
    passwords: dict[str, str]
    subject_id: str  # the subject with the most records
    name: str


@dataclass(frozen=True)
class History:
    """A merge and a split recorded for `kept` as a re-run records them."""

    kept: str  # the subject with the most records: absorbed `gone`, lost one record to `split_off`
    gone: str
    merged: int  # records that joined `kept` from `gone`
    split_off: str


@dataclass(frozen=True)
class Backend:
    """The session's world and the server over it, on one store backend."""

    name: str  # sqlite or postgresql
    world: World
    server: str
