"""standardize_record (the worker's per-row path) gives exactly the row standardize_table gives: on every row
of every people source of a synthetic world, on hand-picked hard rows, and on generated rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilos.definitions.sources import DateField, SourceSpec, load_sources_config
from ilos.services.source_reading import read_source_file
from ilos.standardize import standardize_table
from ilos.standardize.record import standardize_record
from ilos.synth import generate_world

ALL_FIELDS = SourceSpec(
    name="everything",
    path="e.csv",
    record_id="id",
    fields={
        "given_name": "first",
        "middle_name": "middle",
        "family_name": ["last1", "last2"],
        "date_of_birth": DateField(column="dob", format="%m/%d/%Y"),
        "sex": "sex",
        "street": "addr",
        "city": "city",
        "state": "state",
        "postal_code": "zip",
        "country_of_birth": "cob",
        "nationality": "nat",
        "phone": "tel",
        "a_number": "anum",
        "fbi_number": "fbi",
        "ssn": "ssn",
        "passport_number": "passport",
        "state_id": "sid",
    },
)
FULL_NAME_ONLY = SourceSpec(
    name="encounters", path="e.csv", record_id="id", fields={"full_name": ["n1", "n2"]}
)
COLUMNS = ("first", "middle", "last1", "last2", "dob", "sex", "addr", "city", "state", "zip", "cob", "nat",
           "tel", "anum", "fbi", "ssn", "passport", "sid", "n1", "n2")  # fmt: skip

HARD = {
    "first": ["Pepe", "UNKNOWN", "María José", " ", "FNU", "Ñ"],
    "middle": [None, "de", "NA NA", "J.", "", "Ö"],
    "last1": ["García", "de la Cruz", None, "O'Brien", "  ", "Nguyễn"],
    "last2": ["López", None, "NA", "-", "y Pérez", None],
    "dob": ["03/04/1980", "13/02/1990", "01/01/1900", "01/01/1975", "00/00/0000", "2/29/2001"],
    "sex": ["male", "F", "U", None, "ｍ", "x"],
    "addr": [
        "123 North Main Street Apt 4",
        "90210",
        "Calle Ñandú 5",
        "123 N Main St #9",
        "HOMELESS",
        "PO Box 7",
    ],
    "city": ["Saint Paul", None, "São Paulo", "NA", "", "st. louis"],
    "state": ["Texas", "tx", "ZZ", None, "Nuevo León", "N.Y."],
    "zip": ["2134", "02134-1234", "00000", "02134", "1234567", "ＡＢ"],
    "cob": ["México", "SV", "NA", "MEX", None, "Côte d'Ivoire"],
    "nat": ["mexico", "USA", "unknown", "", "GT", "El Salvador"],
    "tel": ["(212) 555-7123", "1-212-555-7123", "", "ＮＡ", "000-000-0000", "555 7123"],
    "anum": ["A-012-345-678", "12345678", "000000000", "A０12345678", None, "A 99"],
    "fbi": ["123ab4", None, "UNKNOWN", "0", "ＦＢ１", "x-y-z"],
    "ssn": ["078-05-1121", "000-00-0000", None, "078051121", "123-45-678", "９"],
    "passport": ["p123", "N/A", None, "Ä12", "000000", "ab-12"],
    "sid": ["D123", None, "NONE", "d 123", "", "ß"],
    "n1": ["García, Pepe", "JOSE LUIS DE LA CRUZ", None, "UNKNOWN", "Ana", "  "],
    "n2": [None, "JR", "Lopez", None, "María", "NA"],
}


def _table(columns: dict[str, list[str | None]]) -> pa.Table:
    n = len(next(iter(columns.values())))
    return pa.table(
        {"id": [f"r{i}" for i in range(n)], **{c: pa.array(v, pa.string()) for c, v in columns.items()}}
    )


def assert_rows_agree(table: pa.Table, spec: SourceSpec) -> None:
    expected = standardize_table(table, spec).to_pylist()
    for raw, want in zip(table.to_pylist(), expected, strict=True):
        assert standardize_record(raw, spec) == want, raw


@pytest.mark.parametrize("spec", [ALL_FIELDS, FULL_NAME_ONLY], ids=lambda s: s.name)
def test_hard_rows_standardize_as_the_table_does(spec: SourceSpec) -> None:
    assert_rows_agree(_table(HARD), spec)


def test_every_row_of_a_synthetic_world_standardizes_as_the_table_does(tmp_path: Path) -> None:
    generate_world(tmp_path, 400, 3)
    config = load_sources_config(tmp_path / "sources.yaml")
    for spec in config.people_sources:
        assert_rows_agree(read_source_file(config, spec), spec)


def test_columns_absent_from_the_row_count_as_null() -> None:
    assert standardize_record({"id": "r0", "first": "Ana"}, ALL_FIELDS) == standardize_record(
        {"id": "r0", "first": "Ana", **{c: None for c in COLUMNS if c != "first"}}, ALL_FIELDS
    )


VALUE = st.one_of(
    st.none(),
    st.text(max_size=16),
    st.sampled_from(
        ["UNKNOWN", "NA NA", "000-00-0000", "01/01/1980", "12/31/1999", "123 Main St", "JOSÉ", " "]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.fixed_dictionaries({c: VALUE for c in COLUMNS}), min_size=1, max_size=8))
def test_generated_rows_standardize_as_the_table_does(rows: list[dict[str, str | None]]) -> None:
    table = _table({c: [r[c] for r in rows] for c in COLUMNS})
    assert_rows_agree(table, ALL_FIELDS)
    assert_rows_agree(table, FULL_NAME_ONLY)
