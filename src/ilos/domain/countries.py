"""Countries: ISO 3166-1 alpha-3 codes and the spellings (alpha-2, English, Spanish, French, Portuguese,
common short forms) that name them. One table, so the standardizer, the services and the gates read a
country the same way: a destination and a protection compare as codes, however either was written. A
nationality or birthplace that mentions the United States fails safe to it (`origin_of_spelling`)."""

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
    # A citizenship written where a country is asked for ("US CITIZEN", "USC") names the United States.
    "USA": ("US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA", "U S A", "U S", "AMERICA",
            "ESTADOS UNIDOS", "EEUU", "EE UU", "ETATS UNIS", "AMERICAN", "ESTADOUNIDENSE", "840",
            "UNITED STATES USA", "ESTADOS UNIDOS DE AMERICA", "E U A", "EUA", "ETATS UNIS D AMERIQUE",
            "US CITIZEN", "U S CITIZEN", "USA CITIZEN", "USC", "UNITED STATES CITIZEN", "AMERICAN CITIZEN",
            "NORTEAMERICANO", "NORTEAMERICANA"),
    # US territories (US_SOIL): born there, a person is a US citizen or, in American Samoa, a US national.
    "PRI": ("PR", "PUERTO RICO", "PORTO RICO", "PUERTO RICAN", "PUERTORRIQUENO", "PUERTORRIQUENA", "630"),
    "GUM": ("GU", "GUAM", "GUAMANIAN", "316"),
    # Plain VIRGIN ISLANDS may be the British islands too: read as the US territory, so it fails safe to a
    # citizenship signal a supervisor resolves, rather than to no country at all. BRITISH ones are VGB.
    "VIR": ("VI", "US VIRGIN ISLANDS", "U S VIRGIN ISLANDS", "UNITED STATES VIRGIN ISLANDS",
            "VIRGIN ISLANDS OF THE UNITED STATES", "VIRGIN ISLANDS U S", "VIRGIN ISLANDS US", "USVI",
            "VIRGIN ISLANDS", "850"),
    "VGB": ("VG", "BRITISH VIRGIN ISLANDS", "VIRGIN ISLANDS BRITISH", "BVI"),
    "MNP": ("MP", "NORTHERN MARIANA ISLANDS", "NORTHERN MARIANAS", "CNMI", "SAIPAN", "580"),
    # Plain SAMOA may be the independent state (WSM) or American Samoa: read as the US territory, as above.
    "ASM": ("AS", "AMERICAN SAMOA", "SAMOA", "016"),
    "WSM": ("WS", "INDEPENDENT STATE OF SAMOA", "WESTERN SAMOA"),
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
    # Guinea's neighbours in name are whole spellings of their own, never read as Guinea.
    "GIN": ("GN", "GUINEA", "GUINEAN", "GUINEE", "REPUBLIC OF GUINEA", "GUINEA CONAKRY"),
    "GNB": ("GW", "GUINEA BISSAU", "GUINEE BISSAU", "GUINE BISSAU"),
    "GNQ": ("GQ", "EQUATORIAL GUINEA", "GUINEA ECUATORIAL", "GUINEE EQUATORIALE"),
    "PNG": ("PG", "PAPUA NEW GUINEA", "PAPUA NUEVA GUINEA"),
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


def _upper_ascii(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def country_code(value: str | None) -> str | None:
    """The ISO 3166-1 alpha-3 code `value` names: a listed spelling in any case, spacing, punctuation or
    accents ("col", " COL", "Colombia", "CO" → COL) or any assigned alpha-3 code ("gin" → GIN). None for
    anything else (blank, a placeholder, an unknown name or code): the caller decides what that means."""
    if value is None:
        return None
    upper = _upper_ascii(value)
    text = _spelled(upper)
    return country_of_spelling(upper) or (text if text in ISO_ALPHA3 else None)


# Words and phrases naming the United States; AMERIC…/AMERIQ… as a word's start ("MEXICAN AMERICAN").
_US_MENTION_RE = re.compile(
    r"\b(?:US|USA|USC|USVI|EEUU|EUA|U S|E U A|EE UU|UNITED STATES|ESTADOS UNIDOS|ETATS UNIS|ESTADOUNIDENSE"
    r"|NORTEAMERIC\w*|AMERI[CQ]\w*)\b"
)
# Set aside first: regions that exclude the United States, and Mexico's official names.
_NOT_US_RE = re.compile(r"\b(?:SOUTH|CENTRAL|LATIN) AMERI[CQ]\w*|ESTADOS UNIDOS MEXICANOS")


def mentions_us(upper: str) -> bool:
    """Whether upper-case ASCII text (the caller folds accents) mentions the United States: a word US, USA,
    USC, EEUU, E.U.A., a phrase UNITED STATES, ESTADOS UNIDOS, ETATS UNIS, or a word starting AMERIC ("US
    BORN", "MEXICAN-AMERICAN", "U.S. NATIONAL"). SOUTH, CENTRAL and LATIN AMERICA and Estados Unidos
    Mexicanos do not count."""
    return bool(_US_MENTION_RE.search(_NOT_US_RE.sub(" ", _spelled(upper))))


def origin_of_spelling(upper: str) -> str | None:
    """A nationality or country of birth read to fail safe, from upper-case ASCII text: the code of a listed
    spelling, else the United States if the text mentions it (`mentions_us`), else None. A value that names
    no country but speaks of the United States may be a citizen's: read as USA, it reaches the citizenship
    gate (a supervisor's review) instead of vanishing."""
    return country_of_spelling(upper) or (US if mentions_us(upper) else None)


def is_us_origin(value: str) -> bool:
    """Whether a nationality or country of birth, as written or as coded, suggests US citizenship: it names
    the United States or a territory (`US_SOIL`), or it mentions the United States (`origin_of_spelling`)."""
    return country_code(value) in US_SOIL or origin_of_spelling(_upper_ascii(value)) in US_SOIL
