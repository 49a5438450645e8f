"""The household rule: at one address, only a clearly different given name or date of birth keeps two
records apart; one person's spelling variants, initials and extra names must not."""

from __future__ import annotations

import pytest

from ilos.definitions.sources import SourceSpec
from ilos.resolve.model_spec import is_household_conflict
from ilos.resolve.records import name_key_of
from ilos.standardize.record import standardize_record

SPEC = SourceSpec(
    name="addresses",
    path="addresses.csv",
    record_id="id",
    fields={"full_name": "name", "street": "street", "postal_code": "zip"},
)
FAMILY_FIRST = SPEC.model_copy(update={"name_order": "family_first"})
DOB_DIFFERENT, DOB_MISSING = 0, -1


def record(name: str, spec: SourceSpec = SPEC, street: str = "12 MAIN ST") -> dict[str, object]:
    rec = standardize_record({"id": "1", "name": name, "street": street, "zip": "10001"}, spec)
    rec["name_key"] = name_key_of(rec["name_keys"])
    return rec


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("LESLIE SANCHEZ HERNANDEZ", "LESLY JUANA SANCHEZ"),  # spelling variant, a middle name on one side
        ("GEORGE L MOORE", "GEORGE LIAM MOORE"),  # a middle initial
        ("BRIAN DE JESUS SANCHEZ", "BRYAN EDUARDO DE JESUS"),
        ("ROBERTO JORGE GUTIERREZ", "ROBERTO GUTIERREZ HERNANDEZ"),  # a middle name against a second surname
        ("MOLINA ELIZABETH R", "ELIZABETH MOLINA ROSA"),  # given and family swapped, an initial for ROSA
        ("BETO ESTRADA GUTIERREZ", "ROBERTO ESTRADA GUTIERREZ"),  # a nickname of several names
        ("MAJO SOLIS", "MARIA JOSE SOLIS"),  # a nickname of a compound given name
        ("ALEX CASTRO", "ALEJANDRO CASTRO GONZALEZ"),  # a nickname of several names, a second surname
        ("BETO ESTRADA", "ROBERTO LUIS ESTRADA"),  # the same with a middle name
        ("RODRIGUEZ OMAR CARLOS", "CARLOS RODRIGUEZ CORTES"),  # given and family name swapped on one record
    ],
)
def test_one_persons_name_variants_at_one_address_are_no_conflict(left: str, right: str) -> None:
    assert not is_household_conflict(record(left), record(right), DOB_MISSING)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("JOSE ORTIZ VELAZQUEZ", "ELIZABETH ORTIZ"),
        ("WILSON LOPEZ ESTRADA", "SANDRA LOPEZ ESTRADA"),
        ("BETO ESTRADA GUTIERREZ", "RODRIGO ESTRADA GUTIERREZ"),  # BETO is short for neither
        ("JUAN CARLOS PEREZ", "CARLOS PEREZ RUIZ"),  # a father's middle name is his son's given name
        ("MARIA GUADALUPE SANCHEZ", "GUADALUPE SANCHEZ TORRES"),
        ("MARTIN HERNANDEZ LOPEZ", "HERNAN HERNANDEZ MARTINEZ"),  # given names that prefix the surnames
    ],
)
def test_household_members_with_different_given_names_conflict(left: str, right: str) -> None:
    assert is_household_conflict(record(left), record(right), DOB_MISSING)


def test_a_family_first_source_is_read_in_its_own_order() -> None:
    """In a LAST FIRST source "LOPEZ ESTRADA SANDRA" is Sandra, not a person whose given name is LOPEZ."""
    sandra = record("LOPEZ ESTRADA SANDRA", FAMILY_FIRST)
    assert not is_household_conflict(record("SANDRA LOPEZ ESTRADA"), sandra, DOB_MISSING)
    assert is_household_conflict(record("WILSON LOPEZ ESTRADA"), sandra, DOB_MISSING)


def test_same_name_with_different_dates_of_birth_conflicts_but_only_at_one_address() -> None:
    assert is_household_conflict(record("JOSE ORTIZ"), record("JOSE ORTIZ"), DOB_DIFFERENT)
    assert not is_household_conflict(
        record("JOSE ORTIZ"), record("ELIZABETH ORTIZ", street="99 ELM ST"), DOB_DIFFERENT
    )
