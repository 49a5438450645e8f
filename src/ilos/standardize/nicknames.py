"""Nicknames and diminutives (Spanish, Portuguese, English, French) mapped to the canonical given name.

`NICKNAMES` resolves only unambiguous nicknames that are not also surnames (not MA, CHON or CHICO: every name
word is keyed through this table, the family name's too), because a wrong canonical name would manufacture
matching evidence. A nickname of several names (BETO: ALBERTO, HUMBERTO or ROBERTO) is in `NICKNAME_READINGS`
instead: its matching keys are every reading, so it agrees with each of them and with nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_BY_CANONICAL: dict[str, tuple[str, ...]] = {
    # Spanish
    "JOSE": ("PEPE", "PEPITO", "CHEPE", "CHEO"),
    "FRANCISCO": ("PACO", "PANCHO", "CURRO", "PAQUITO", "FRANCISQUINHO"),
    "GUILLERMO": ("MEMO", "GUILLE"),
    "GUADALUPE": ("LUPE", "LUPITA"),
    "JESUS": ("CHUY", "CHUCHO", "CHUS"),
    "IGNACIO": ("NACHO",),
    "EDUARDO": ("LALO",),
    "ANTONIO": ("TONO", "TONIO", "TONHO"),
    "ALEJANDRO": ("ALEJO", "JANO"),
    "ENRIQUE": ("KIKE", "QUIQUE"),
    "MANUEL": ("MANOLO", "MANU"),
    "RAFAEL": ("RAFA", "FELO"),
    "RODRIGO": ("RORRO",),
    "SANTIAGO": ("CHAGO", "SANTI"),
    "GUSTAVO": ("TAVO",),
    "FERNANDO": ("NANDO", "FERNANDITO"),
    "RICARDO": ("RICKY",),
    "ROSARIO": ("CHARO", "CHAYO"),
    "RAMON": ("MONCHO",),
    "MARIA JOSE": ("MAJO",),
    "CONCEPCION": ("CONCHA", "CONCHITA", "CONCHI"),
    "DOLORES": ("LOLA", "LOLITA"),
    "MERCEDES": ("MECHE", "MERCHE"),
    "ISABEL": ("CHABELA",),
    "SOCORRO": ("COCO",),
    "REFUGIO": ("CUCA", "CUQUITA"),
    "GUMERSINDO": ("CHINDO",),
    "ROBERTO": ("ROBER",),
    "CONSUELO": ("CHELO",),
    "CARMEN": ("CARMENCITA", "MELA"),
    "MARIA": ("MARI", "MARUCA"),
    "MARGARITA": ("MAGUI", "MARGOT"),
    "TERESA": ("TERE",),
    "ANA": ("ANITA",),
    "ROSA": ("ROSITA",),
    "JUAN": ("JUANITO", "JUANCHO"),
    "LUIS": ("LUCHO", "LUISITO"),
    "PEDRO": ("PERICO",),
    "ADOLFO": ("FITO",),
    "RODOLFO": ("RUDY", "RUDI"),
    "HUMBERTO": ("BETITO",),
    "CRISTOBAL": ("TOBAL",),
    "SALVADOR": ("CHAVA", "CHAVO"),
    "ROSALBA": ("CHALBA",),
    # Portuguese
    "JOAO": ("JOAOZINHO",),
    "SEBASTIAO": ("TIAO",),
    "ANTONIA": ("TONHA",),
    "RAIMUNDO": ("MUNDINHO",),
    "JOSEFA": ("ZEFA",),
    "JOSE MARIA": ("ZEMARIA",),
    "FRANCISCA": ("CHICA", "PAQUITA"),
    "MARCELO": ("MARCELINHO",),
    # English
    "WILLIAM": ("BILL", "BILLY", "WILL", "WILLY", "WILLIE"),
    "ROBERT": ("BOB", "BOBBY", "ROB", "ROBBIE"),
    "MICHAEL": ("MIKE", "MIKEY", "MICKEY", "MICK"),
    "RICHARD": ("DICK", "RICK", "RICH", "RICHIE"),
    "JAMES": ("JIM", "JIMMY", "JIMMIE"),
    "JOHN": ("JACK", "JOHNNY", "JOHNNIE"),
    "JOSEPH": ("JOE", "JOEY"),
    "THOMAS": ("TOM", "TOMMY"),
    "CHARLES": ("CHARLIE", "CHUCK", "CHAS"),
    "ANTHONY": ("TONY",),
    "DANIEL": ("DAN", "DANNY"),
    "MATTHEW": ("MATT", "MATTY"),
    "DAVID": ("DAVE", "DAVEY"),
    "EDWARD": ("EDDIE", "EDDY", "NED"),
    "STEVEN": ("STEVE", "STEVIE"),
    "NICHOLAS": ("NICK", "NICKY"),
    "BENJAMIN": ("BEN", "BENNY"),  # BEN inside a name (BEN ALI) is no name word: `names.token_set`
    "PATRICK": ("PADDY",),
    "TIMOTHY": ("TIM", "TIMMY"),
    "KENNETH": ("KEN", "KENNY"),
    "DONALD": ("DONNIE",),
    "RONALD": ("RON", "RONNIE"),
    "GREGORY": ("GREG",),
    "JEFFREY": ("JEFF",),
    "LAWRENCE": ("LARRY",),
    "HENRY": ("HANK",),
    "ELIZABETH": ("LIZ", "LIZZY", "BETH", "BETTY", "BETSY", "ELIZA"),
    "MARGARET": ("MAGGIE", "PEGGY", "MEG", "MARGE"),
    "KATHERINE": ("KATE", "KATIE", "KATHY", "KAT"),
    "JENNIFER": ("JEN", "JENNY"),
    "PATRICIA": ("PATTY", "PATSY", "TRISH", "TRICIA"),
    "SUSAN": ("SUE", "SUSIE", "SUZY"),
    "DEBORAH": ("DEB", "DEBBIE"),
    "REBECCA": ("BECKY", "BECCA"),
    "VICTORIA": ("VICKY", "VICKIE", "TORI"),
    "ABIGAIL": ("ABBY", "ABBIE"),
    "ALEXANDER": ("ALEC", "XANDER"),
    # Russian and Ukrainian
    "DMITRI": ("DIMA",),
    "ANDREW": ("ANDY",),
    "DOROTHY": ("DOT", "DOTTIE"),
    # French / Haitian usage
    "JEAN BAPTISTE": ("JB",),
}


def _invert(by_canonical: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, nicknames in by_canonical.items():
        for nickname in nicknames:
            if nickname in table and table[nickname] != canonical:
                raise ValueError(f"nickname {nickname!r} maps to both {table[nickname]!r} and {canonical!r}")
            table[nickname] = canonical
    return table


NICKNAMES: Mapping[str, str] = MappingProxyType(_invert(_BY_CANONICAL))
"""Nickname or diminutive (upper ASCII) -> canonical given name."""

CANONICAL_GIVEN_NAMES: frozenset[str] = frozenset(_BY_CANONICAL)


NICKNAME_READINGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "BETO": ("ALBERTO", "HUMBERTO", "ROBERTO"),
        "CHELA": ("ANGELA", "GRACIELA"),
        "ALEX": ("ALEJANDRA", "ALEJANDRO", "ALEXANDER", "ALEXANDRA", "ALEXIS"),
        "SASHA": ("ALEKSANDR", "ALEKSANDRA", "ALEXANDER", "ALEXANDRA", "OLEKSANDR"),
        "CHRIS": ("CHRISTIAN", "CHRISTINA", "CHRISTOPHER", "CRISTIAN", "CRISTINA"),
        "JERRY": ("GERALD", "GERARDO", "JEREMIAH", "JEROME"),
        "SAM": ("SAMANTHA", "SAMUEL"),
        "ED": ("EDGAR", "EDUARDO", "EDWARD", "EDWIN"),
    }
)
"""Nickname (upper ASCII) -> every given name it is short for, where it is short for more than one."""


def resolve_nickname(token: str) -> str:
    """The canonical given name for one upper-ASCII name token, or the token itself."""
    return NICKNAMES.get(token, token)
