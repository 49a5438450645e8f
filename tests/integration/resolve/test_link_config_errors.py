"""Every config problem is reported at once, naming the source and the column."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilos.errors import InvalidInputError
from ilos.services.linking import link_config


def _write(tmp_path: Path, config: str) -> Path:
    (tmp_path / "people.csv").write_text("pid,first,last,dob,zip\n1,Ana,Lopez,1990-02-03,00501\n")
    path = tmp_path / "link.yaml"
    path.write_text(config)
    return path


def test_all_config_problems_are_reported_together(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        """
sources:
  - name: people
    path: people.csv
    record_id: pid
    fields:
      given_nam: first
      family_name: surname
      date_of_birth: {column: dob}
""",
    )
    with pytest.raises(InvalidInputError) as info:
        link_config(config, tmp_path / "out")
    message = str(info.value)
    assert "given_nam" in message and "not a canonical field" in message
    assert "format" in message  # the date mapping lacks its format


def test_missing_columns_are_named_with_their_source(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        """
sources:
  - name: people
    path: people.csv
    record_id: pid
    fields:
      given_name: first
      family_name: surname
      postal_code: zipcode
""",
    )
    with pytest.raises(InvalidInputError) as info:
        link_config(config, tmp_path / "out")
    message = str(info.value)
    assert "source 'people': column 'surname' is not in the file" in message
    assert "source 'people': column 'zipcode' is not in the file" in message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "link.yaml"
    path.write_text(
        "sources:\n  - name: people\n    path: nowhere.csv\n    record_id: pid\n    fields: {given_name: a}\n"
    )
    with pytest.raises(InvalidInputError, match=r"nowhere\.csv does not exist"):
        link_config(path, tmp_path / "out")


def test_a_minimum_age_needs_the_record_date_it_holds_on(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        """
sources:
  - name: people
    path: people.csv
    record_id: pid
    minimum_age: 14
    fields:
      given_name: first
      family_name: last
""",
    )
    with pytest.raises(InvalidInputError) as info:
        link_config(config, tmp_path / "out")
    assert "source 'people' minimum_age: needs a record_date field" in str(info.value)
