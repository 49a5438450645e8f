"""The linkage's model is parsed once per version of model.json, for explanations and the subject page alike:
a re-run's model is read again, even one the same size written in the same clock tick."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ilos.resolve.explain import stored_model
from ilos.resolve.linkage import MODEL_FILE
from ilos.services.subject_record import read_level_labels


def _model(directory: Path, exact: str, prior: float) -> Path:
    levels = [
        {"is_null_level": True, "label_for_charts": "null"},
        {"label_for_charts": exact},
        {"label_for_charts": "else"},
    ]
    model = {
        "probability_two_random_records_match": prior,
        "comparisons": [{"output_column_name": "dob", "comparison_levels": levels}],
    }
    path = directory / MODEL_FILE
    path.write_text(json.dumps(model))
    return path


def test_a_rewritten_model_is_read_again(tmp_path: Path) -> None:
    path = _model(tmp_path, "exact", 0.5)
    assert stored_model(tmp_path).labels == {"dob": {1: "exact", 0: "else", -1: "missing"}}
    assert read_level_labels(tmp_path) is stored_model(tmp_path).labels  # one parse serves both
    stamp = path.stat().st_mtime_ns
    _model(tmp_path, "EXACT", 0.5)  # the same size: only the modification time tells them apart
    os.utime(path, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))
    assert read_level_labels(tmp_path)["dob"][1] == "EXACT"
    _model(tmp_path, "exactly", 0.25)
    os.utime(path, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))  # the same time: the size differs
    assert stored_model(tmp_path).parsed["probability_two_random_records_match"] == 0.25


def test_without_a_model_the_subject_page_shows_no_labels_and_explain_stops(tmp_path: Path) -> None:
    assert read_level_labels(tmp_path) == {}
    with pytest.raises(FileNotFoundError):
        stored_model(tmp_path)
