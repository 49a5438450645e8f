"""One small synthetic world and its linkage, shared by the resolution tests (linking takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilos.services.linking import LinkRun, link_config
from ilos.services.world import generate_world

WORLD_PERSONS = 1200
WORLD_SEED = 5


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = tmp_path_factory.mktemp("world")
    generate_world(world, WORLD_PERSONS, WORLD_SEED, None)
    return world


@pytest.fixture(scope="session")
def small_linkage(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> LinkRun:
    return link_config(small_world / "sources.yaml", tmp_path_factory.mktemp("linkage"))
