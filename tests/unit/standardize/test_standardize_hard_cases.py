"""Values real agency data holds that once standardized into false evidence or lost a true match (found by
a review of the standardizers): initials, Marian names and suffixes in full names, placeholder names and
streets, two-digit birth years, spreadsheet floats and zero dates, numbers printed on sample cards."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from ilos.definitions.sources import SourceSpec
from ilos.standardize import addresses, dates, identifiers, names, placeholders
from ilos.standardize.record import standardized_row
from ilos.standardize.table import standardize_table


@pytest.mark.parametrize(
    ("full", "given", "middle", "family"),
    [
        ("JOHN A SMITH", "JOHN", "A", "SMITH"),  # an initial is no surname
        ("JOHN NMI SMITH", "JOHN", None, "SMITH"),  # no middle initial
        ("MARIA DEL CARMEN LOPEZ", "MARIA", "DEL CARMEN", "LOPEZ"),
        ("JOSE DE JESUS GARCIA", "JOSE", "DE JESUS", "GARCIA"),
        ("MARIA DE LOS ANGELES LOPEZ", "MARIA", "DE LOS ANGELES", "LOPEZ"),
        ("JUAN DE JESUS GARCIA", "JUAN", None, "DE JESUS GARCIA"),  # after another name: surnames
        ("JOHN SMITH, JR", "JOHN", None, "SMITH"),  # a suffix after the comma is no given name
        ("SMITH JR, JOHN", "JOHN", None, "SMITH"),
        ("GARCIA LOPEZ, FNU", None, None, "GARCIA LOPEZ"),  # no given name after the comma: still surnames
        ("DE LA CRUZ, UNKNOWN", None, None, "DE LA CRUZ"),
        ("JOHN NULL SMITH", "JOHN", None, "SMITH"),
    ],
)
def test_full_names_with_initials_marian_names_and_suffixes(
    full: str, given: str | None, middle: str | None, family: str | None
) -> None:
    assert names.split_full_name(full) == names.NameParts(given, middle, family)


def test_family_first_names_keep_an_initial_with_the_surnames() -> None:
    assert names.split_full_name("GARCIA L MARIA", family_first=True) == names.NameParts(
        "MARIA", None, "GARCIA L"
    )


@pytest.mark.parametrize(
    "value",
    ["NAME UNKNOWN", "UNKNOWN NAME", "NO NAME GIVEN", "SIN NOMBRE", "N.A.", "N-A", "nan", "UKNOWN", "NMI"],
)
def test_placeholder_names_are_missing(value: str) -> None:
    assert placeholders.is_placeholder(value)
    assert names.normalize_name(value) is None


def test_placeholder_and_suffix_words_inside_a_name_are_dropped() -> None:
    assert names.normalize_name("NONE SMITH") == names.normalize_name("SMITH JR") == "SMITH"
    assert names.split_surnames("GARCIA LOPEZ III") == names.split_surnames("GARCIA LOPEZ")


@pytest.mark.parametrize(
    "value",
    ["DOE, JOHN", "Doe, Jane", "UNKNOWN MALE", "UNIDENTIFIED FEMALE", "NO FIRST NAME", "FIRST NAME UNKNOWN",
     "REDACTED", "DECEASED", "WITHHELD", "UNIDENTIFIED PERSON", "UNK MALE", "MALE UNKNOWN", "UNKNOWN BOY",
     "UNIDENTIFIED BABY", "DOE, JOHN JR", "DOE, JOHN 2", "NO NAME PROVIDED", "NONE GIVEN", "NAME WITHHELD",
     "DESCONHECIDO", "INCONNUE", "ANÓNIMO", "NEWBORN"],
)  # fmt: skip
def test_names_that_stand_in_for_an_unknown_person_are_missing(value: str) -> None:
    assert names.split_full_name(value) == names.NameParts(None, None, None)


@pytest.mark.parametrize(
    "full",
    ["FIRST NAME UNKNOWN GARCIA", "GARCIA, NO FIRST NAME", "UNIDENTIFIED MALE GARCIA", "UNKNOWN MALE GARCIA",
     "REDACTED GARCIA", "BABY BOY GARCIA", "GARCIA, UNKNOWN FEMALE", "GARCIA, UNK MALE", "INFANT GARCIA",
     "GARCIA, MALE UNKNOWN"],
)  # fmt: skip
def test_a_placeholder_inside_a_name_is_dropped_with_its_surname_kept(full: str) -> None:
    assert names.split_full_name(full) == names.NameParts(None, None, "GARCIA")


def test_only_whole_placeholder_phrases_are_dropped_from_names() -> None:
    assert names.normalize_name("NO MIDDLE NAME") is None
    # the words alone are names: only the whole phrase is dropped
    assert names.split_full_name("NOEL NAME") == names.NameParts("NOEL", None, "NAME")
    assert names.split_full_name("JOSE MALE") == names.NameParts("JOSE", None, "MALE")
    assert names.split_full_name("MARIA BABY") == names.NameParts("MARIA", None, "BABY")
    assert names.split_full_name("BABY GARCIA") == names.NameParts("BABY", None, "GARCIA")
    assert names.split_full_name("NIL KAMAL DAS") == names.NameParts("NIL", None, "KAMAL DAS")  # a given name
    assert not placeholders.is_placeholder("MALE") and not placeholders.is_placeholder("M")


def test_john_and_doe_in_two_columns_are_a_placeholder_in_the_table_and_one_record_alike() -> None:
    spec = SourceSpec.model_validate(
        {"name": "s", "path": "s.csv", "record_id": "id", "fields": {"given_name": "g", "family_name": "f"}}
    )
    rows = [{"id": "1", "g": "John", "f": "DOE"}, {"id": "2", "g": "JOHN", "f": "DOELING"},
            {"id": "3", "g": "Jane", "f": "Doe"}, {"id": "4", "g": None, "f": "DOE"}]  # fmt: skip
    table = standardize_table(pa.Table.from_pylist(rows), spec)
    found = [(r["given_name"], r["family_name"]) for r in table.to_pylist()]
    assert found == [(None, None), ("JOHN", "DOELING"), (None, None), (None, "DOE")]
    assert found == [
        (r["given_name"], r["family_name"]) for r in (standardized_row(spec, row) for row in rows)
    ]


def test_a_surname_that_is_also_a_nickname_keys_as_itself() -> None:
    assert names.token_keys("MA") == ("MA",)
    assert _name_keys("LI", "MA") == ["LI", "MA"]
    assert _name_keys("MARIA", "LI") == ["LI", "MARIA"]


def _name_keys(given: str, family: str) -> list[str]:
    spec = SourceSpec.model_validate(
        {"name": "s", "path": "s.csv", "record_id": "id", "fields": {"given_name": "g", "family_name": "f"}}
    )
    return list(standardized_row(spec, {"id": "1", "g": given, "f": family})["name_keys"])


@pytest.mark.parametrize(
    ("raw", "fmt", "expected"),
    [
        ("01/02/55", "%m/%d/%y", date(1955, 1, 2)),  # strptime reads 2055
        ("01/02/05", "%m/%d/%y", date(2005, 1, 2)),  # already past: kept
        ("2030-05-05", "%Y-%m-%d", None),  # not born yet
        ("1899-12-30", "%Y-%m-%d", None),  # a spreadsheet's day zero
        ("1899-12-31", "%Y-%m-%d", None),
        ("1985-02-13", "%Y-%m-%d", date(1985, 2, 13)),
    ],
)
def test_birth_dates_are_in_the_past(raw: str, fmt: str, expected: date | None) -> None:
    assert dates.parse_birth_date(raw, fmt, today=date(2026, 12, 7)) == expected


@pytest.mark.parametrize(
    "street",
    ["0 UNKNOWN", "999 NONE", "1 UNKNOWN ST", "1 UNKNOWN AVE", "1 GENERAL DELIVERY", "UNKNOWN ADDRESS", "NO ADDRESS",
     "HOMELESS - NO ADDRESS", "HOMELESS SHELTER", "GEN DEL", "NO FIXED ABODE", "SEE ABOVE", "IN CUSTODY",
     "STREET"],
)  # fmt: skip
def test_streets_that_say_there_is_no_address_are_missing(street: str) -> None:
    assert addresses.normalize_street(street) is None
    assert addresses.address_key(street, "10009") is None


def test_cities_and_states() -> None:
    assert addresses.normalize_city("UNKNOWN CITY") is None and addresses.normalize_city("TBD") is None
    assert addresses.normalize_state("N.Y.") == "NY" and addresses.normalize_state("D.C.") == "DC"
    assert addresses.normalize_state("U.S.") == "U S"  # letters that are no state stay apart
    assert addresses.normalize_postal_code("2134.0") == "02134"


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("123 AVENUE A", "123 AVENUE C", False),  # the street type leads: the name follows it
        ("123 CALLE LUNA", "123 CALLE SOL", False),
        ("123 HWY 9", "123 HWY 10", False),
        ("123 ST MARKS PL", "123 ST JAMES ST", False),
        ("123 NORTH ST", "123 SOUTH ST", False),  # a directional before a bare type is the name
        ("123 N MAIN ST", "123 MAIN STREET APT 4", True),  # otherwise directional, suffix and unit aside
        ("123 Avenue A Apt 2", "123 AVE A", True),
        ("123 N ST APT 4", "123 N ST", True),  # the unit after a bare type is no street name
        ("123 N ST NW", "123 S ST NW", False),  # nor the quadrant
        ("123 STATE ST APT 2", "123 STATE ST", True),
    ],
)
def test_household_keys_tell_streets_apart(one: str, other: str, same: bool) -> None:
    key = addresses.address_key(one, "10009")
    assert key is not None
    assert (key == addresses.address_key(other, "10009")) is same


def test_the_table_keys_addresses_as_one_record_does() -> None:
    spec = SourceSpec.model_validate(
        {"name": "s", "path": "s.csv", "record_id": "id", "fields": {"street": "st", "postal_code": "z"}}
    )
    streets = ["123 AVENUE A", "123 NORTH ST", "123 N MAIN ST", "123 ST JAMES ST", "0 UNKNOWN", "12 HWY 9",
               "123 N ST APT 4", "123 S ST NW", "9 STATE ST APT 2"]  # fmt: skip
    rows = [{"id": str(i), "st": s, "z": "10009"} for i, s in enumerate(streets)]
    table = standardize_table(pa.Table.from_pylist(rows), spec)
    assert table["address_key"].to_pylist() == [standardized_row(spec, r)["address_key"] for r in rows]
    assert table["address_key"].to_pylist()[:2] == ["123 AVE A 10009", "123 N ST 10009"]


def test_spreadsheet_floats_and_not_a_number() -> None:
    assert identifiers.normalize_ssn("123456781.0") == "123456781"
    assert identifiers.normalize_ssn("78051121.0") is None  # 8 digits: a lost leading zero, not a digit more
    assert identifiers.normalize_phone("2125557123.0") == "2125557123"
    # pandas writes a missing value as "nan": missing, though Nan (南) is a name too (lost, never shared)
    assert placeholders.is_placeholder("nan") and names.normalize_name("NaN") is None
