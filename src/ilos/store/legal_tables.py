"""Recorded legal authorities and gate reviews (filled in by the #5 work)."""

from __future__ import annotations
