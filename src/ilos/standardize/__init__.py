"""The standardize stage: a registry of pure functions that put names, dates, identifiers and addresses
into canonical form, and `standardize_table`, which applies them to a whole raw source table."""

from ilos.standardize.registry import STANDARDIZERS, Standardizer
from ilos.standardize.table import OUTPUT_SCHEMA, standardize_table

__all__ = ["OUTPUT_SCHEMA", "STANDARDIZERS", "Standardizer", "standardize_table"]
