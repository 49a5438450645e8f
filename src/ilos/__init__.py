"""ILOS: accountable record linkage and immigration-lifecycle workflows, on synthetic data."""

__version__ = "0.1.0"
