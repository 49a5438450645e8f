"""Synthetic world generator with ground truth: a population with lifecycles, rendered into one file
per agency-style source with realistic errors, plus sources.yaml and hidden truth tables."""

from ilos.synth.errors_model import ErrorRates
from ilos.synth.world import WorldSummary, generate_world

__all__ = ["ErrorRates", "WorldSummary", "generate_world"]
