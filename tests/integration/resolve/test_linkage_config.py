"""A linkage's sources config is parsed once per version of its copy: a rewritten copy is read again, and a
directory without one is no linkage (404)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ilos.errors import NotFoundError
from ilos.services.linkage_config import CONFIG_COPY, load_linkage_config


def _copy(directory: Path, source: str) -> Path:
    path = directory / CONFIG_COPY
    path.write_text(f"sources:\n  - name: {source}\n    path: {source}.csv\n    record_id: id\n")
    return path


def test_the_config_is_read_again_only_when_its_copy_changes(tmp_path: Path) -> None:
    path = _copy(tmp_path, "court_cases")
    first = load_linkage_config(tmp_path)
    assert load_linkage_config(tmp_path) is first  # not parsed again
    _copy(tmp_path, "encounters_")  # the same size: only the modification time tells them apart
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))
    assert [s.name for s in load_linkage_config(tmp_path).sources] == ["encounters_"]
    _copy(tmp_path, "tax")
    os.utime(path, ns=(stamp, stamp))  # the same modification time: the size tells them apart
    assert [s.name for s in load_linkage_config(tmp_path).sources] == ["tax"]


def test_a_directory_without_a_config_copy_is_no_linkage(tmp_path: Path) -> None:
    (tmp_path / CONFIG_COPY).mkdir()
    with pytest.raises(NotFoundError, match=r"No linkage at .* build one with `ilos link CONFIG --out"):
        load_linkage_config(tmp_path)
    with pytest.raises(NotFoundError):
        load_linkage_config(tmp_path / "missing")
