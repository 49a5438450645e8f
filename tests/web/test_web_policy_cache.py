"""The pages' policy is parsed once, and a policy file placed or changed under ILOS_HOME is seen at once."""

from __future__ import annotations

from pathlib import Path

from ilos.definitions.policy_files import SHIPPED_POLICIES
from ilos.services.policy_admin import resolve_policy
from ilos.services.policy_in_force import current_policy


def test_a_changed_policy_file_is_read_again(tmp_path: Path) -> None:
    first = current_policy(tmp_path)
    assert first.content_hash == resolve_policy(None, tmp_path).content_hash
    assert current_policy(tmp_path) is first  # unchanged files: from memory
    (tmp_path / "policies").mkdir()
    shipped = (SHIPPED_POLICIES / "default.yaml").read_text()
    (tmp_path / "policies" / "default.yaml").write_text(shipped + "\n# a deployment's own copy\n")
    changed = current_policy(tmp_path)
    assert changed.content_hash != first.content_hash
    assert changed.content_hash == resolve_policy(None, tmp_path).content_hash
