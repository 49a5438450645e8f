"""standardize_table on small tables: output schema, a DateField, a list-of-columns field, full-name
splitting, placeholders, non-ASCII identifiers and missing columns."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from ilos.definitions.sources import DateField, SourceSpec
from ilos.errors import InvalidInputError
from ilos.standardize import OUTPUT_SCHEMA, standardize_table

COURT = SourceSpec(
    name="court_cases",
    path="court.csv",
    record_id="case_id",
    fields={
        "given_name": "first",
        "family_name": ["last1", "last2"],
        "date_of_birth": DateField(column="dob", format="%m/%d/%Y"),
        "a_number": "anum",
        "street": "addr",
        "postal_code": "zip",
        "sex": "sex",
        "nationality": "nat",
        "ssn": "ssn",
        "phone": "tel",
    },
)


def court_table() -> pa.Table:
    return pa.table(
        {
            "case_id": ["c1", "c2", "c3", "c4"],
            "first": ["Pepe", "UNKNOWN", "María José", "José"],
            "last1": ["García", "de la Cruz", None, "Garcia"],
            "last2": ["López", None, "NA", "Lopez"],
            "dob": ["03/04/1980", "13/02/1990", "01/01/1900", "01/01/1975"],
            "anum": ["A-022-345-678", "22345678", "000000000", "A０22345678"],
            "addr": ["123 North Main Street Apt 4", "90210", "Calle Ñandú 5", "123 N Main St #9"],
            "zip": ["2134", "02134-1234", "00000", "02134"],
            "sex": ["male", "F", "U", "M"],
            "nat": ["México", "SV", "NA", "MEX"],
            "ssn": ["078-05-1121", "000-00-0000", None, "078051121"],
            "tel": ["(212) 555-7123", "1-212-555-7123", "", "ＮＡ"],
            "_batch_id": ["b1"] * 4,
            "_row_number": ["1", "2", "3", "4"],
        }
    )


def test_output_has_the_canonical_schema_one_row_per_input_row() -> None:
    out = standardize_table(court_table(), COURT)
    assert out.schema == OUTPUT_SCHEMA
    assert out.column("record_id").to_pylist() == ["c1", "c2", "c3", "c4"]
    assert set(out.column("source").to_pylist()) == {"court_cases"}


def test_rows_are_standardized() -> None:
    rows = standardize_table(court_table(), COURT).to_pylist()
    first, second, _third, fourth = rows
    assert first["given_name"] == "PEPE" and first["given_name_canonical"] == "JOSE"
    assert first["given_phonetic"] == fourth["given_phonetic"]
    assert (first["family_name"], first["family_first"], first["family_second"]) == (
        "GARCIA LOPEZ",
        "GARCIA",
        "LOPEZ",
    )
    assert first["full_name"] == "PEPE GARCIA LOPEZ"
    assert first["name_tokens"] == ["GARCIA", "LOPEZ", "PEPE"]
    assert first["name_keys"] == fourth["name_keys"]  # PEPE and JOSE share a key
    assert first["date_of_birth"] == date(1980, 3, 4) and first["dob_year"] == 1980
    assert first["dob_is_default"] is False and fourth["dob_is_default"] is True
    assert first["a_number"] == second["a_number"] == fourth["a_number"] == "022345678"
    assert first["street"] == "123 N MAIN ST UNIT 4" and first["postal_code"] == "02134"
    assert first["address_key"] == fourth["address_key"] == "123 MAIN 02134"
    assert (first["sex"], first["nationality"], second["nationality"]) == ("M", "MEX", "SLV")
    assert first["ssn"] == fourth["ssn"] == "078051121"
    assert first["phone"] == second["phone"] == "2125557123"
    assert second["family_first"] == "DE LA CRUZ" and second["family_phonetic"] is not None
    assert second["date_of_birth"] is None  # 13/02 is not a valid month/day date
    assert first["city"] is None and first["passport_number"] is None


def test_placeholders_are_missing_and_listed() -> None:
    rows = standardize_table(court_table(), COURT).to_pylist()
    assert rows[0]["placeholder_fields"] == []
    assert rows[1]["given_name"] is None and rows[1]["ssn"] is None and rows[1]["street"] is None
    assert rows[1]["placeholder_fields"] == ["given_name", "street", "ssn"]
    assert rows[2]["placeholder_fields"] == [
        "family_name",
        "date_of_birth",
        "postal_code",
        "nationality",
        "a_number",
    ]
    assert rows[3]["placeholder_fields"] == ["phone"]


def test_full_name_only_sources_are_split() -> None:
    spec = SourceSpec(name="encounters", path="e.csv", record_id="id", fields={"full_name": "name"})
    table = pa.table(
        {"id": ["1", "2", "3"], "name": ["GARCIA LOPEZ, JUAN CARLOS", "Juan Carlos Garcia", None]}
    )
    rows = standardize_table(table, spec).to_pylist()
    assert (rows[0]["given_name"], rows[0]["middle_name"], rows[0]["family_name"]) == (
        "JUAN",
        "CARLOS",
        "GARCIA LOPEZ",
    )
    assert rows[0]["full_name"] == "JUAN GARCIA LOPEZ"
    assert rows[1]["name_tokens"] == ["CARLOS", "GARCIA", "JUAN"]
    assert rows[2]["full_name"] is None and rows[2]["placeholder_fields"] == []


def test_unmapped_fields_are_null_and_chunked_input_works() -> None:
    spec = SourceSpec(name="tiny", path="t.csv", record_id="id", fields={"family_name": "f"})
    table = pa.concat_tables([pa.table({"id": ["1"], "f": ["Ruiz"]}), pa.table({"id": ["2"], "f": ["Ruíz"]})])
    out = standardize_table(table, spec)
    assert out.column("family_name").to_pylist() == ["RUIZ", "RUIZ"]
    assert out.column("date_of_birth").null_count == 2 and out.column("a_number").null_count == 2


def test_missing_mapped_column_is_reported() -> None:
    spec = SourceSpec(name="bad", path="b.csv", record_id="id", fields={"given_name": "nope"})
    with pytest.raises(InvalidInputError, match="nope"):
        standardize_table(pa.table({"id": ["1"]}), spec)


def test_a_minimum_age_source_bounds_the_date_of_birth_of_each_record() -> None:
    """A wage report filed 2024-02-29 by someone at least 14: born on or before 2010-02-28. A placeholder
    or missing record date bounds nothing, and a source without minimum_age is bounded by the date itself."""
    record_date = DateField(column="filed", format="%Y%m%d")
    wages = SourceSpec(
        name="wages", path="w.csv", record_id="id", minimum_age=14,
        fields={"full_name": "name", "record_date": record_date},
    )  # fmt: skip
    table = pa.table(
        {"id": ["1", "2", "3"], "name": ["ANA RUIZ"] * 3, "filed": ["20240229", "19000101", None]}
    )
    assert standardize_table(table, wages).column("born_by").to_pylist() == [date(2010, 2, 28), None, None]
    dated = SourceSpec(name="visits", path="v.csv", record_id="id", fields={"record_date": record_date})
    assert standardize_table(table, dated).column("born_by").to_pylist()[0] == date(2024, 2, 29)
