"""The demo use case: a synthetic world through every pipeline stage that exists, with a summary."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ilos.config import Settings
from ilos.resolve.evaluation import LinkageScores
from ilos.services import ingestion, linking, world

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DemoSummary:
    world_dir: Path
    persons: int
    seed: int
    source_rows: dict[str, int]
    ingested: ingestion.IngestReport
    linkage: linking.LinkRun
    scores: LinkageScores


def run_demo(settings: Settings, persons: int, seed: int, progress: Progress) -> DemoSummary:
    """Generate a fresh world under ILOS_HOME/world, ingest it into the lake, link it and score the linkage."""
    world_dir = settings.world_dir
    if world_dir.exists():
        shutil.rmtree(world_dir)
    progress(f"generating a world of {persons:,} persons (seed {seed})")
    generated = world.generate_world(world_dir, persons, seed, None)
    progress("ingesting the world's sources into the lake")
    report = ingestion.ingest_config(world_dir / "sources.yaml", settings, None)
    linkage_dir = settings.home / "linkage"
    link_run = linking.link_lake(settings, world_dir / "sources.yaml", linkage_dir, progress=progress)
    progress("scoring the linkage against the hidden truth")
    scores = linking.evaluate_linkage(linkage_dir, world_dir / "truth" / "records.parquet")
    return DemoSummary(world_dir, persons, seed, dict(generated.rows_per_source), report, link_run, scores)
