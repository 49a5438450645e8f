"""Sex and country codes: free-text spellings (English, Spanish, French, Portuguese) reduced to 'M'/'F'
and ISO 3166-1 alpha-3 codes."""

from __future__ import annotations

import re

from ilos.standardize.placeholders import fold_ascii_upper, is_placeholder

SEX_CODES: dict[str, str] = {
    "M": "M", "MALE": "M", "MAN": "M", "H": "M", "HOMBRE": "M", "MASCULINO": "M", "MASC": "M",
    "MASCULIN": "M", "HOMME": "M", "BOY": "M", "1": "M",
    "F": "F", "FEMALE": "F", "WOMAN": "F", "MUJER": "F", "FEMENINO": "F", "FEM": "F", "FEMININ": "F",
    "FEMME": "F", "FEMININO": "F", "GIRL": "F", "2": "F",
}  # fmt: skip

# alpha-3 -> spellings (alpha-2, English, Spanish, French, Portuguese, common short forms).
_COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "MEX": ("MX", "MEXICO", "MEJICO", "MEXIQUE", "MEXICAN", "MEXICANA", "MEXICANO", "UNITED MEXICAN STATES",
            "ESTADOS UNIDOS MEXICANOS"),
    "GTM": ("GT", "GUATEMALA", "GUATEMALAN", "GUATEMALTECO", "GUATEMALTECA"),
    "HND": ("HN", "HONDURAS", "HONDURAN", "HONDURENO", "HONDURENA"),
    "SLV": ("SV", "EL SALVADOR", "SALVADOR", "SALVADORAN", "SALVADORENO", "SALVADORENA"),
    "VEN": ("VE", "VENEZUELA", "VENEZUELAN", "VENEZOLANO", "VENEZOLANA"),
    "CUB": ("CU", "CUBA", "CUBAN", "CUBANO", "CUBANA"),
    "HTI": ("HT", "HAITI", "HAITIAN", "HAITIANO", "HAITIEN", "AYITI"),
    "COL": ("CO", "COLOMBIA", "COLOMBIAN", "COLOMBIANO", "COLOMBIANA", "COLUMBIA"),
    "ECU": ("EC", "ECUADOR", "ECUADORIAN", "ECUATORIANO", "ECUATORIANA"),
    "NIC": ("NI", "NICARAGUA", "NICARAGUAN", "NICARAGUENSE"),
    "BRA": ("BR", "BRAZIL", "BRASIL", "BRAZILIAN", "BRASILENO", "BRASILEIRO", "BRESIL"),
    "CHN": ("CN", "CHINA", "PRC", "PEOPLES REPUBLIC OF CHINA", "CHINESE", "CHINO", "CHINE"),
    # The Republic of China is Taiwan: "REPUBLIC OF" is not dropped from it as from other official names.
    "TWN": ("TW", "TAIWAN", "TAIWANESE", "ROC", "REPUBLIC OF CHINA", "REPUBLICA DE CHINA", "CHINESE TAIPEI"),
    "IND": ("IN", "INDIA", "INDIAN", "INDE"),
    "USA": ("US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA", "U S A", "U S", "AMERICA",
            "ESTADOS UNIDOS", "EEUU", "EE UU", "ETATS UNIS", "AMERICAN", "ESTADOUNIDENSE"),
    "DOM": ("DO", "DOMINICAN REPUBLIC", "REPUBLICA DOMINICANA", "DOMINICAN", "DOMINICANO", "DOMINICANA"),
    "PER": ("PE", "PERU", "PERUVIAN", "PERUANO", "PERUANA"),
    "BOL": ("BO", "BOLIVIA", "BOLIVIAN", "BOLIVIANO", "BOLIVIANA"),
    "CHL": ("CL", "CHILE", "CHILEAN", "CHILENO", "CHILENA"),
    "ARG": ("AR", "ARGENTINA", "ARGENTINE", "ARGENTINO"),
    "PAN": ("PA", "PANAMA", "PANAMANIAN", "PANAMENO", "PANAMENA"),
    "CRI": ("CR", "COSTA RICA", "COSTA RICAN", "COSTARRICENSE"),
    "JAM": ("JM", "JAMAICA", "JAMAICAN"),
    "CAN": ("CA", "CANADA", "CANADIAN"),
    "PHL": ("PH", "PHILIPPINES", "FILIPINAS", "FILIPINO", "FILIPINA"),
    "VNM": ("VN", "VIETNAM", "VIET NAM", "VIETNAMESE"),
    "KOR": ("KR", "SOUTH KOREA", "KOREA", "REPUBLIC OF KOREA", "COREA DEL SUR", "KOREAN"),
    "RUS": ("RU", "RUSSIA", "RUSSIAN FEDERATION", "RUSIA", "RUSSIAN"),
    "UKR": ("UA", "UKRAINE", "UCRANIA", "UKRAINIAN"),
    "ROU": ("RO", "ROMANIA", "RUMANIA", "ROMANIAN"),
    "TUR": ("TR", "TURKEY", "TURKIYE", "TURQUIA", "TURKISH"),
    "NGA": ("NG", "NIGERIA", "NIGERIAN"),
    "GHA": ("GH", "GHANA", "GHANAIAN"),
    "SEN": ("SN", "SENEGAL", "SENEGALESE"),
    "MRT": ("MR", "MAURITANIA", "MAURITANIE", "MAURITANIAN"),
    "CMR": ("CM", "CAMEROON", "CAMEROUN", "CAMERUN"),
    "ERI": ("ER", "ERITREA", "ERITREAN"),
    "ETH": ("ET", "ETHIOPIA", "ETIOPIA", "ETHIOPIAN"),
    "SOM": ("SO", "SOMALIA", "SOMALI"),
    "AFG": ("AF", "AFGHANISTAN", "AFGANISTAN", "AFGHAN"),
    "PAK": ("PK", "PAKISTAN", "PAKISTANI"),
    "BGD": ("BD", "BANGLADESH", "BANGLADESHI"),
    "NPL": ("NP", "NEPAL", "NEPALI", "NEPALESE"),
    "GBR": ("GB", "UK", "UNITED KINGDOM", "GREAT BRITAIN", "ENGLAND", "REINO UNIDO", "BRITISH"),
    "ESP": ("ES", "SPAIN", "ESPANA", "ESPAGNE", "SPANISH"),
    "PRT": ("PT", "PORTUGAL", "PORTUGUESE"),
    "FRA": ("FR", "FRANCE", "FRANCIA", "FRENCH"),
    "DEU": ("DE", "GERMANY", "ALEMANIA", "ALLEMAGNE", "GERMAN"),
    "ITA": ("IT", "ITALY", "ITALIA", "ITALIE", "ITALIAN"),
    "IRN": ("IR", "IRAN", "IRANIAN"),
    "IRQ": ("IQ", "IRAQ", "IRAK", "IRAQI"),
    "SYR": ("SY", "SYRIA", "SIRIA", "SYRIAN"),
    "BLZ": ("BZ", "BELIZE", "BELICE", "BELIZEAN"),
    "PRY": ("PY", "PARAGUAY", "PARAGUAYAN"),
    "URY": ("UY", "URUGUAY", "URUGUAYAN"),
}  # fmt: skip


def _index_countries() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, spellings in _COUNTRY_SPELLINGS.items():
        for spelling in (code, *spellings):
            if table.setdefault(spelling, code) != code:
                raise ValueError(f"country spelling {spelling!r} given for {table[spelling]!r} and {code!r}")
    return table


COUNTRY_CODES: dict[str, str] = _index_countries()
"""Upper-ASCII spelling (punctuation as spaces) -> ISO 3166-1 alpha-3."""

_NON_ALNUM_RE = re.compile(r"[^A-Z0-9]+")
_POSSESSIVE_RE = re.compile(r"['’]S\b")  # PEOPLE'S REPUBLIC is PEOPLES REPUBLIC, as listed
_LEADING_ARTICLE_RE = re.compile(r"^(?:THE |REPUBLIC OF (?:THE )?|REPUBLICA DE |REPUBLIQUE D )")


def normalize_sex(value: str | None) -> str | None:
    """'M' or 'F' from M/MALE/HOMBRE/MASCULINO/H/1 and F/FEMALE/MUJER/FEMENINO/2 (ISO 5218 digits);
    anything else (U, X, UNKNOWN) is None: not evidence either way."""
    if value is None:
        return None
    return SEX_CODES.get(_NON_ALNUM_RE.sub("", fold_ascii_upper(value)))


def normalize_country(value: str | None) -> str | None:
    """ISO 3166-1 alpha-3 code from a code or an English/Spanish/French/Portuguese spelling
    ("México", "MX", "Estados Unidos" → MEX, MEX, USA). Unknown countries give None rather than an
    uncoded string, so the column holds codes only."""
    if value is None or is_placeholder(value):
        return None
    text = " ".join(_NON_ALNUM_RE.sub(" ", _POSSESSIVE_RE.sub("S", fold_ascii_upper(value))).split())
    return COUNTRY_CODES.get(text) or COUNTRY_CODES.get(_LEADING_ARTICLE_RE.sub("", text))
