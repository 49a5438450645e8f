"""A definitions file that gives a key twice in one mapping is refused with both lines (YAML keeps the last
silently: `given_name: fname` then `given_name: lname` linked every given name as the family name); a merge
(`<<: *base`) is still overridden by the mapping's own keys. A date mapping's problem is said as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilos.definitions.sources import read_sources_config
from ilos.errors import InvalidInputError

_TWICE = """version: 1
sources:
  - name: s
    path: a.csv
    record_id: id
    fields:
      given_name: fname
      given_name: lname
"""

_MERGED = """version: 1
base: &base
  record_id: id
  path: other.csv
sources:
  - <<: *base
    name: s
    path: a.csv
    fields: {given_name: fname}
"""


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(_TWICE)
    with pytest.raises(InvalidInputError) as refused:
        read_sources_config(tmp_path / "c.yaml")
    said = refused.value.message
    assert "found the key 'given_name' twice (first on line 7)" in said and "line 8" in said


def test_a_merged_key_may_be_overridden(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(_MERGED)
    config, problems = read_sources_config(tmp_path / "c.yaml")
    assert config.source("s").path == "a.csv" and config.source("s").record_id == "id"
    assert not [p for p in problems if "path" in p.location]


@pytest.mark.parametrize(
    ("mapping", "said"),
    [
        ("{column: [d1, d2], format: '%Y-%m-%d'}", "`column` and `format` are each one text"),
        ("{column: dob}", "needs exactly `column` and `format` (got keys ['column'])"),
    ],
)
def test_a_date_mapping_problem_says_what_is_wrong(tmp_path: Path, mapping: str, said: str) -> None:
    text = _TWICE.replace("      given_name: lname\n", f"      date_of_birth: {mapping}\n")
    (tmp_path / "c.yaml").write_text(text)
    _, problems = read_sources_config(tmp_path / "c.yaml")
    assert any(said in p.message for p in problems), problems


def test_a_key_that_is_a_list_is_bad_yaml_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("? [a, b]\n: 1\nsources: []\n")
    with pytest.raises(InvalidInputError, match="is not valid YAML"):
        read_sources_config(tmp_path / "c.yaml")
