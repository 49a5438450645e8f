"""Table-driven examples: compound surnames, nicknames, transliteration, dates, identifiers,
addresses and countries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from ilos.standardize import addresses, dates, demographics, identifiers, names
from ilos.standardize.nicknames import NICKNAME_READINGS, NICKNAMES
from ilos.standardize.registry import COLUMN_STANDARDIZERS, STANDARDIZERS
from ilos.standardize.transliteration import VARIANTS, transliteration_key


@pytest.mark.parametrize(
    ("family", "first", "second"),
    [
        ("García López", "GARCIA", "LOPEZ"),
        ("GARCIA-LOPEZ", "GARCIA", "LOPEZ"),
        ("garcia y lopez", "GARCIA", "LOPEZ"),
        ("de la Cruz", "DE LA CRUZ", None),
        ("De La Cruz Ramírez", "DE LA CRUZ", "RAMIREZ"),
        ("Pérez de los Santos", "PEREZ", "DE LOS SANTOS"),
        ("dos Santos Silva", "DOS SANTOS", "SILVA"),
        ("Van der Berg", "VAN DER BERG", None),
        ("del Río", "DEL RIO", None),
        ("O'Brien", "OBRIEN", None),
        ("UNKNOWN", None, None),
        (None, None, None),
    ],
)
def test_compound_surnames_split_into_first_and_second(
    family: str | None, first: str | None, second: str | None
) -> None:
    parts = names.split_surnames(family)
    assert (parts.first_surname, parts.second_surname) == (first, second)


@pytest.mark.parametrize(
    ("full", "given", "middle", "family"),
    [
        ("GARCIA LOPEZ, JUAN CARLOS", "JUAN", "CARLOS", "GARCIA LOPEZ"),
        ("Juan Carlos García López", "JUAN", "CARLOS", "GARCIA LOPEZ"),
        ("Juan García López", "JUAN", None, "GARCIA LOPEZ"),
        ("John Paul Smith", "JOHN", "PAUL", "SMITH"),
        ("Juan de la Cruz", "JUAN", None, "DE LA CRUZ"),
        ("NA NA", None, None, None),
    ],
)
def test_full_names_split_into_parts(
    full: str, given: str | None, middle: str | None, family: str | None
) -> None:
    assert names.split_full_name(full) == names.NameParts(given, middle, family)


@pytest.mark.parametrize(
    ("full", "given", "middle", "family"),
    [
        ("GARCIA LOPEZ JUAN CARLOS", "JUAN", "CARLOS", "GARCIA LOPEZ"),
        ("Gutiérrez Hernández Roberto", "ROBERTO", None, "GUTIERREZ HERNANDEZ"),
        ("Chavez de Jesus Francisco", "FRANCISCO", None, "CHAVEZ DE JESUS"),
        ("VELAZQUEZ YEFERSON", "YEFERSON", None, "VELAZQUEZ"),  # an uncommon given name is still the last
        ("GARCIA LOPEZ, JUAN", "JUAN", None, "GARCIA LOPEZ"),  # the comma form reads the same either way
        ("GARCIA", None, None, "GARCIA"),
    ],
)
def test_family_first_full_names_split_from_the_end(
    full: str, given: str | None, middle: str | None, family: str | None
) -> None:
    assert names.split_full_name(full, family_first=True) == names.NameParts(given, middle, family)


@pytest.mark.parametrize(
    ("nickname", "canonical"),
    [("Pepe", "JOSE"), ("PACO", "FRANCISCO"), ("Pancho", "FRANCISCO"), ("Memo", "GUILLERMO"),
     ("Lupe", "GUADALUPE"), ("Chuy", "JESUS"), ("Nacho", "IGNACIO"), ("Bill", "WILLIAM"), ("Bob", "ROBERT"),
     ("Mike", "MICHAEL"), ("Toño", "ANTONIO"), ("Pepe Luis", "JOSE LUIS"), ("Maria", "MARIA")],
)  # fmt: skip
def test_nicknames_resolve_to_canonical_given_name(nickname: str, canonical: str) -> None:
    assert names.canonical_given(nickname) == canonical


def test_nickname_table_is_large_and_canonical_names_are_fixed_points() -> None:
    assert len(NICKNAMES) >= 80
    for canonical in set(NICKNAMES.values()):
        assert names.canonical_given(canonical) == canonical


@pytest.mark.parametrize(
    "group",
    [("MOHAMMED", "MOHAMED", "MUHAMMAD", "Mohammad"), ("JOSEPH", "YOSEF", "Josef"), ("ZHANG", "CHANG"),
     ("XU", "HSU"), ("PIERRE", "PYE"), ("LOUIS", "LWI"), ("PHILLIP", "FILIP"), ("LYNN", "LINN")],
)  # fmt: skip
def test_transliteration_variants_share_one_key(group: tuple[str, ...]) -> None:
    keys = {transliteration_key(v.upper()) for v in group}
    assert len(keys) == 1
    assert len({names.phonetic_key(v) for v in group}) == 1


@pytest.mark.parametrize(
    ("token", "keys"),
    [("BETO", {"ALBERTO", "HUMBERTO", "ROBERTO"}), ("MAJO", {"MARIA", "JOSE"}), ("TONHO", {"ANTONIO"}),
     ("BETTO", {"ALBERTO", "HUMBERTO", "ROBERTO"}), ("MAJJO", {"MARIA", "JOSE"}),  # folded, then read
     ("PEPE", {"JOSE"}), ("R", set()), ("ROSA", {"ROSA"})],
)  # fmt: skip
def test_name_word_keys_cover_every_reading_and_skip_initials(token: str, keys: set[str]) -> None:
    assert set(names.token_keys(token)) == keys


def test_an_ambiguous_nickname_agrees_with_each_reading_and_no_other_name() -> None:
    beto = set(names.token_keys("BETO"))
    assert set(names.token_keys("ROBERTO")) <= beto
    assert set(names.token_keys("ALBERTO")) <= beto
    assert not set(names.token_keys("RODRIGO")) & beto


def test_ambiguous_nicknames_are_not_resolved_to_one_name() -> None:
    assert not set(NICKNAME_READINGS) & set(NICKNAMES)
    assert names.canonical_given("BETO") == "BETO"


def test_transliteration_canonical_spellings_are_not_nicknames() -> None:
    assert not set(VARIANTS.values()) & set(NICKNAMES)


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [("1980-03-04", "%Y-%m-%d", date(1980, 3, 4)), ("03/04/1980", "%m/%d/%Y", date(1980, 3, 4)),
     ("04/03/1980", "%d/%m/%Y", date(1980, 3, 4)), ("1900-01-01", "%Y-%m-%d", None),
     ("31/02/1980", "%d/%m/%Y", None), ("", "%Y-%m-%d", None), ("UNKNOWN", "%Y-%m-%d", None),
     ("1875-05-05", "%Y-%m-%d", None)],
)  # fmt: skip
def test_dates_parse_with_declared_format(text: str, fmt: str, expected: date | None) -> None:
    assert dates.parse_date(text, fmt) == expected


def test_day_month_swap_and_default_dates() -> None:
    assert dates.swap_day_month(date(1980, 3, 4)) == date(1980, 4, 3)
    assert dates.swap_day_month(date(1980, 3, 13)) is None
    assert dates.swap_day_month(date(1980, 5, 5)) is None
    assert dates.is_default_day_month(date(1980, 1, 1))
    assert not dates.is_default_day_month(date(1980, 1, 2))
    assert dates.is_placeholder_date("01/01/1900", "%d/%m/%Y")
    described = dates.describe_date(date(1990, 1, 1))
    assert described is not None and described.is_default_day_month and described.swapped is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("A022345678", "022345678"), ("A-022-345-678", "022345678"), ("022345678", "022345678"),
     ("22345678", "022345678"), ("A 22345678", "022345678"), ("a0I2345679", "012345679"),
     ("A2234567", "002234567"), ("000000000", None), ("A123", None), ("UNKNOWN", None), (None, None),
     ("22345678.0", "022345678"), (" 2234567.00 ", "002234567"),
     # the dummy 12345678 (1234567) with its lost zeros written back is a dummy still
     ("12345678", None), ("A1234567", None), ("A012345678", None), ("A 012 345 678", None), ("A01234567", None)],
)  # fmt: skip
def test_a_numbers_normalise_to_nine_digits(raw: str | None, expected: str | None) -> None:
    assert identifiers.normalize_a_number(raw) == expected


@pytest.mark.parametrize(
    ("function", "raw", "expected"),
    [
        (identifiers.normalize_ssn, "123-45-6780", "123456780"),
        (identifiers.normalize_ssn, "078-05-1120", None),
        (identifiers.normalize_ssn, "219-09-9999", None),
        (identifiers.normalize_ssn, "000-00-0000", None),
        (identifiers.normalize_ssn, "666-12-3456", None),
        (identifiers.normalize_ssn, "912-34-5678", None),
        (identifiers.normalize_ssn, "111-11-1111", None),
        (identifiers.normalize_phone, "+1 (212) 555-7123", "2125557123"),
        (identifiers.normalize_phone, "212-555-0123", None),
        (identifiers.normalize_phone, "212-000-0000", None),
        (identifiers.normalize_phone, "212-055-0000", "2120550000"),
        (identifiers.normalize_phone, "000-000-0000", None),
        (identifiers.normalize_phone, "555-0123", None),
        (identifiers.normalize_passport, "ab 123-456", "AB123456"),
        (identifiers.normalize_passport, "N/A", None),
        (identifiers.normalize_fbi_number, "123456 ab1", "123456AB1"),
        (identifiers.normalize_state_id, "XXXX", None),
        (identifiers.normalize_passport, "PENDING", None),
        (identifiers.normalize_passport, "NOT ISSUED", None),
        (identifiers.normalize_passport, "1234567", None),
        (identifiers.normalize_passport, "23456789.0", "23456789"),
        (identifiers.normalize_state_id, "D2345678.0", "D23456780"),
    ],
)
def test_identifiers_normalise(function: object, raw: str, expected: str | None) -> None:
    assert callable(function)
    assert function(raw) == expected


@pytest.mark.parametrize(
    ("street", "expected"),
    [
        ("123 North Main Street, Apt #4", "123 N MAIN ST UNIT 4"),
        ("456 s. oak av. #2B", "456 S OAK AVE UNIT 2B"),
        ("789 Sunset Boulevard Suite 5", "789 SUNSET BLVD UNIT 5"),
        ("P.O. Box 12", "PO BOX 12"),
        ("90210", None),
        ("12345-6789", None),
        ("HOMELESS", None),
        ("UNKNOWN", None),
        ("", None),
    ],
)
def test_streets_use_usps_abbreviations(street: str, expected: str | None) -> None:
    assert addresses.normalize_street(street) == expected


def test_postal_codes_city_state_and_household_key() -> None:
    assert addresses.normalize_postal_code("02134-1234") == "02134"
    assert addresses.normalize_postal_code("2134") == "02134"
    assert addresses.normalize_postal_code("00000") is None
    assert addresses.normalize_postal_code("K1A 0B1") is None
    assert addresses.normalize_city("Saint Louis") == "ST LOUIS"
    assert addresses.normalize_state("California") == "CA"
    assert addresses.normalize_state("tx") == "TX"
    key = addresses.address_key("123 North Main Street Apt 4", "02134-1111")
    assert key == addresses.address_key("123 N. Main St. #7", "02134") == "123 MAIN 02134"
    assert addresses.address_key("PO Box 5", "02134") is None
    assert addresses.is_placeholder_street("90210") and not addresses.is_placeholder_street("1 Main St")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("MEXICO", "MEX"), ("México", "MEX"), ("MEX", "MEX"), ("MX", "MEX"), ("El Salvador", "SLV"),
     ("SALVADOR", "SLV"), ("Haïti", "HTI"), ("Brasil", "BRA"), ("PRC", "CHN"), ("Estados Unidos", "USA"),
     ("U.S.A.", "USA"), ("Guatemala", "GTM"), ("honduras", "HND"), ("Republic of Korea", "KOR"),
     ("Atlantis", None), ("NA", None)],
)  # fmt: skip
def test_countries_become_alpha3(raw: str, expected: str | None) -> None:
    assert demographics.normalize_country(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("M", "M"), ("male", "M"), ("Hombre", "M"), ("F", "F"), ("Mujer", "F"), ("U", None)]
)
def test_sex_codes(raw: str, expected: str | None) -> None:
    assert demographics.normalize_sex(raw) == expected


def test_registry_covers_every_one_column_field() -> None:
    assert set(COLUMN_STANDARDIZERS) == {"sex", "street", "city", "state", "postal_code", "country_of_birth",
                                         "nationality", "phone", "a_number", "fbi_number", "ssn",
                                         "passport_number", "state_id"}  # fmt: skip
    assert all(s.function.__doc__ for s in STANDARDIZERS.values())


@pytest.mark.parametrize(
    ("normalize", "raw"),
    [(identifiers.normalize_document_number, "XXXXX5678"), (identifiers.normalize_document_number, "*****5678"),
     (identifiers.normalize_document_number, "**-**-5678"), (identifiers.normalize_document_number, "**5678"),
     (identifiers.normalize_document_number, "XX-XX-5678"),
     (identifiers.normalize_document_number, "****-****-5678"), (identifiers.normalize_document_number, "A0000000"),
     (identifiers.normalize_phone, "987-654-3210"), (identifiers.normalize_phone, "(555) 123-4567"),
     (identifiers.normalize_phone, "(911) 123-4567"), (identifiers.normalize_phone, "311-234-5678")],
)  # fmt: skip
def test_masked_and_dummy_numbers_are_no_evidence(normalize: Callable[[str], str | None], raw: str) -> None:
    """A masked number keeps only digits everyone with them shares; a dummy or unassigned phone is nobody's."""
    assert normalize(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("GUINEA", "GIN"), ("Guinée", "GIN"), ("Guinea-Bissau", "GNB"), ("Equatorial Guinea", "GNQ"),
     ("Papua New Guinea", "PNG")],
)  # fmt: skip
def test_guinea_is_read_and_its_namesakes_are_not_it(raw: str, expected: str) -> None:
    """GUINEA, a nationality the synthetic world writes (29 court rows of the demo world), read as nothing."""
    assert demographics.normalize_country(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Republic of China", "TWN"), ("REPUBLICA DE CHINA", "TWN"), ("Taiwan", "TWN"),
     ("People's Republic of China", "CHN"), ("Republic of Korea", "KOR")],
)  # fmt: skip
def test_the_republic_of_china_is_taiwan(raw: str, expected: str) -> None:
    """Dropping "REPUBLIC OF" from an official name read the Republic of China as China."""
    assert demographics.normalize_country(raw) == expected


@pytest.mark.parametrize(("raw", "fmt"), [("199012", "%Y%m%d"), ("1990111", "%Y%m%d"), ("1990011", "%d%m%Y")])
def test_a_compact_date_a_digit_short_is_unparseable(raw: str, fmt: str) -> None:
    """strptime read 199012 (a year and month) under %Y%m%d as 1990-01-02: an exact date of birth."""
    assert dates.parse_date(raw, fmt) is None
    assert dates.parse_date("19901102", "%Y%m%d") == date(1990, 11, 2)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("35-20 75th St", "35-20 76th St"),
        ("123 1/2 Main St", "123 1/2 Oak St"),
        ("123-A Main St", "123-A Oak St"),
    ],
)
def test_a_hyphenated_or_half_house_number_stays_the_house_number(left: str, right: str) -> None:
    """Split at its hyphen or slash, the number's second part was read as the street: two buildings, one key."""
    assert addresses.address_key(left, "11372") != addresses.address_key(right, "11372")
    assert addresses.address_key(left, "11372") == addresses.address_key(
        left.upper().replace(" ST", " STREET"), "11372"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "1 N/A",
        "1 NA",
        "1 NOT PROVIDED",
        "1 REFUSED",
        "1 TEST",
        "1 X",
        "12-B UNKNOWN",
        "10-A N/A",
        "1 1/2 N/A",
    ],
)
def test_a_placeholder_after_a_house_number_is_no_street(raw: str) -> None:
    assert addresses.normalize_street(raw) is None
    assert addresses.address_key(raw, "11372") is None


@pytest.mark.parametrize(
    ("given", "family", "other_family"), [("THANH", "DO", "DU"), ("THANH", "Đỗ", "DA"), ("ANNA", "VAN", "DE")]
)
def test_a_particle_that_ends_a_name_is_a_name(given: str, family: str, other_family: str) -> None:
    """DO, DU, DA are Vietnamese and Chinese surnames: dropped as particles, THANH DO and THANH DU were THANH."""
    assert names.name_tokens(given, family) != names.name_tokens(given, other_family)
    assert names.name_tokens(given, family) != names.name_tokens(given)
    assert names.name_tokens("MARIA", "DE LA CRUZ") == names.name_tokens("MARIA", "CRUZ")


def test_ben_in_a_surname_is_not_benjamin() -> None:
    """BEN before a name ("son of": BEN ALI) is no word of the name; BEN alone is BENJAMIN's nickname."""
    keys = {k for w in names.name_tokens("MOHAMED", "BEN ALI") for k in names.token_keys(w)}
    assert "BENJAMIN" not in keys
    assert names.name_tokens("MOHAMED", "BEN ALI") == names.name_tokens("MOHAMED", "ALI")
    assert names.token_keys("BEN") == names.given_keys("BEN") == ("BENJAMIN",)
    assert names.split_full_name("BEN SMITH").given == "BEN"


@pytest.mark.parametrize("full", ["MR JOHN SMITH", "Mr. John Smith", "DR JOHN SMITH", "MRS. JOHN SMITH"])
def test_a_title_is_no_part_of_the_name(full: str) -> None:
    assert names.split_full_name(full) == names.split_full_name("JOHN SMITH")


@pytest.mark.parametrize(
    ("normalize", "raw", "expected"),
    [(identifiers.normalize_phone, "212-555-7123 x12", "2125557123"),
     (identifiers.normalize_phone, "212-555-7123 ext. 4", "2125557123"),
     (identifiers.normalize_phone, "2.12555712E9", None), (identifiers.normalize_ssn, "5.2345678E8", None),
     (identifiers.normalize_a_number, "2.2345678E7", None),
     (identifiers.normalize_document_number, "12E45678", "12E45678"),  # digits, E, digits: a document number
     (identifiers.normalize_phone, "TEXT 2125557123", "2125557123"),
     (names.normalize_name, "SMITH 3RD", "SMITH"), (names.normalize_name, "JOHN SMITH 2ND", "JOHN SMITH"),
     (demographics.normalize_country, "Estados Unidos Mexicanos", "MEX"),
     (demographics.normalize_country, "Republic of the Philippines", "PHL")],
)  # fmt: skip
def test_evidence_kept_through_how_it_was_written(
    normalize: Callable[[str], str | None], raw: str, expected: str | None
) -> None:
    """An extension, an ordinal suffix, an official name: the value itself survives. A number a spreadsheet
    wrote in scientific notation lost its last digits (5.2345678E8 read as 523456788): no number."""
    assert normalize(raw) == expected


def test_an_ordinal_street_spelt_out_is_the_numbered_street() -> None:
    assert addresses.address_key("123 First Street", "11372") == addresses.address_key("123 1st St", "11372")


def test_a_date_in_full_width_digits_reads_as_written() -> None:
    assert dates.parse_date("\uff11\uff19\uff19\uff10-\uff10\uff11-\uff10\uff12") == date(1990, 1, 2)
