"""Versioned logistics plans (filled in by the #8 work)."""

from __future__ import annotations
