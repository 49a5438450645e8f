"""Applying a policy records who, when and why, append-only; a policy changed after it was applied is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ilos.definitions.policy_files import SHIPPED_POLICIES
from ilos.errors import ConfigError, InvalidInputError
from ilos.services.policy_admin import applied_history, apply_policy, resolve_policy


def test_apply_appends_and_becomes_the_policy_in_force(tmp_path: Path) -> None:
    assert resolve_policy(None, tmp_path).id == "default"
    apply_policy("final-orders-first", "a.admin", "pilot", tmp_path, datetime(2026, 11, 1, tzinfo=UTC))
    apply_policy("default", "b.admin", "pilot ended", tmp_path)
    history = applied_history(tmp_path)
    assert [(h.policy_id, h.by, h.reason) for h in history] == [
        ("final-orders-first", "a.admin", "pilot"),
        ("default", "b.admin", "pilot ended"),
    ]
    assert history[0].at == "2026-11-01T00:00:00+00:00"
    assert resolve_policy(None, tmp_path).id == "default"


def test_apply_needs_who_and_why(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="--by and --reason"):
        apply_policy("default", " ", "", tmp_path)


def test_policy_edited_after_apply_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    (tmp_path / "priority").mkdir()
    (tmp_path / "priority" / "dhs-2021.yaml").write_text(
        (SHIPPED_POLICIES / "priority" / "dhs-2021.yaml").read_text()
    )
    mine.write_text((SHIPPED_POLICIES / "default.yaml").read_text())
    apply_policy(str(mine), "a.admin", "local rules", tmp_path)
    mine.write_text(mine.read_text().replace("version: 1", "version: 2"))
    with pytest.raises(ConfigError, match="has changed on disk"):
        resolve_policy(None, tmp_path)
