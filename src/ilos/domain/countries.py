"""Countries: ISO 3166-1 alpha-3 codes and the spellings (alpha-2, English, Spanish, French, Portuguese,
common short forms) that name them. One table, so the standardizer, the services and the gates read a
country the same way: a destination and a protection compare as codes, however either was written."""

from __future__ import annotations

import re
import unicodedata

# alpha-3 -> spellings (alpha-2, English, Spanish, French, Portuguese, common short forms).
COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
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
    # US territories (US_SOIL): born there, a person is a US citizen or, in American Samoa, a US national.
    "PRI": ("PR", "PUERTO RICO", "PORTO RICO", "PUERTORRIQUENO", "PUERTORRIQUENA"),
    "GUM": ("GU", "GUAM"),
    "VIR": ("VI", "US VIRGIN ISLANDS", "U S VIRGIN ISLANDS", "UNITED STATES VIRGIN ISLANDS",
            "VIRGIN ISLANDS OF THE UNITED STATES"),
    "MNP": ("MP", "NORTHERN MARIANA ISLANDS", "NORTHERN MARIANAS", "CNMI"),
    "ASM": ("AS", "AMERICAN SAMOA"),
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

ISO_ALPHA3: frozenset[str] = frozenset({
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF", "ATG", "AUS",
    "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLM", "BLR", "BLZ",
    "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF", "CAN", "CCK", "CHE", "CHL", "CHN", "CIV",
    "CMR", "COD", "COG", "COK", "COL", "COM", "CPV", "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU",
    "DJI", "DMA", "DNK", "DOM", "DZA", "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK",
    "FRA", "FRO", "FSM", "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC",
    "GRD", "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND",
    "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM",
    "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA",
    "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX", "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG",
    "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC",
    "NIU", "NLD", "NOR", "NPL", "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL",
    "PRI", "PRK", "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR", "SVK", "SVN",
    "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TON", "TTO",
    "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY", "USA", "UZB", "VAT", "VCT", "VEN", "VGB",
    "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF", "ZMB", "ZWE",
})  # fmt: skip
"""Every officially assigned ISO 3166-1 alpha-3 code (249)."""


US = "USA"
US_SOIL: frozenset[str] = frozenset({US, "PRI", "GUM", "VIR", "MNP", "ASM"})
"""The United States and its inhabited territories. Born there, a person is a US citizen (the Fourteenth
Amendment; 8 U.S.C. 1402, 1406, 1407 and the Northern Mariana Islands covenant for Puerto Rico, the Virgin
Islands, Guam and the Northern Mariana Islands) or, in American Samoa, a US national (8 U.S.C. 1408); no
removal order reaches either. A nationality or country of birth among them suggests US citizenship, and
none of them is a removal destination."""
US_ORIGIN_ATTRIBUTES = ("nationality", "country_of_birth")
"""Identity attributes whose value, if in `US_SOIL`, suggests US citizenship."""


def _index_countries() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, spellings in COUNTRY_SPELLINGS.items():
        for spelling in (code, *spellings):
            if table.setdefault(spelling, code) != code:
                raise ValueError(f"country spelling {spelling!r} given for {table[spelling]!r} and {code!r}")
            if spelling != code and spelling in ISO_ALPHA3:
                raise ValueError(
                    f"country spelling {spelling!r} of {code!r} is the ISO code of another country"
                )
    return table


COUNTRY_CODES: dict[str, str] = _index_countries()
"""Upper-ASCII spelling (punctuation as spaces) -> ISO 3166-1 alpha-3."""

_NON_ALNUM_RE = re.compile(r"[^A-Z0-9]+")
_POSSESSIVE_RE = re.compile(r"['’]S\b")  # PEOPLE'S REPUBLIC is PEOPLES REPUBLIC, as listed
_LEADING_ARTICLE_RE = re.compile(r"^(?:THE |REPUBLIC OF (?:THE )?|REPUBLICA DE |REPUBLIQUE D )")


def _spelled(upper: str) -> str:
    return " ".join(_NON_ALNUM_RE.sub(" ", _POSSESSIVE_RE.sub("S", upper)).split())


def country_of_spelling(upper: str) -> str | None:
    """The alpha-3 code a listed spelling names, from upper-case ASCII text (the caller folds accents):
    punctuation and spacing do not matter, nor a leading article ("THE", "REPUBLIC OF"). None if unlisted."""
    text = _spelled(upper)
    return COUNTRY_CODES.get(text) or COUNTRY_CODES.get(_LEADING_ARTICLE_RE.sub("", text))


def country_code(value: str | None) -> str | None:
    """The ISO 3166-1 alpha-3 code `value` names: a listed spelling in any case, spacing, punctuation or
    accents ("col", " COL", "Colombia", "CO" → COL) or any assigned alpha-3 code ("gin" → GIN). None for
    anything else (blank, a placeholder, an unknown name or code): the caller decides what that means."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value)
    upper = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    text = _spelled(upper)
    return country_of_spelling(upper) or (text if text in ISO_ALPHA3 else None)
