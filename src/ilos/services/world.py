"""The generate-a-world use case: a synthetic world with its sources.yaml and hidden truth."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ilos import synth
from ilos.synth import WorldSummary

Progress = Callable[[str, int, int], None]


def generate_world(out_dir: Path, persons: int, seed: int, progress: Progress | None = None) -> WorldSummary:
    """Write a synthetic world of `persons` people into `out_dir`; the same seed gives the same bytes."""
    return synth.generate_world(out_dir, persons, seed, progress=progress)
