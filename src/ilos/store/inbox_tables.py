"""The worker's inbox in the operational store (filled in by the #4 work)."""

from __future__ import annotations
