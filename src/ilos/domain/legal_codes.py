"""The codes the status rules read, however a source spells them: benefit kinds (by name or by form),
benefit decision codes, admission classes and citizenship-claim dispositions. A code ILOS does not know is
reported as such, so the rules can hold the person rather than read it as "no protection"."""

from __future__ import annotations

import re
from enum import StrEnum

_SEPARATORS = re.compile(r"[\s\-_./]+")


def fold(text: str | None) -> str:
    """A code as compared here: trimmed, upper-cased, each run of blanks, hyphens, dots, slashes and
    underscores one underscore ("Released USC Claim", "RELEASED-USC-CLAIM" are RELEASED_USC_CLAIM)."""
    return _SEPARATORS.sub("_", (text or "").strip().upper()).strip("_")


def _squash(text: str | None) -> str:
    """A code with no separators at all: "U VISA", "U_VISA", "UVISA" and "I-589", "I589" are one."""
    return fold(text).replace("_", "")


# Each benefit kind ILOS names, with its spellings and the forms it is applied for on (compared squashed).
_BENEFIT_NAMES: dict[str, tuple[str, ...]] = {
    "ASYLUM": ("ASYLUM", "ASYLEE", "AFFIRMATIVE_ASYLUM", "I-589"),
    "TPS": ("TPS", "TEMPORARY_PROTECTED_STATUS", "I-821"),
    "DACA": ("DACA", "DEFERRED_ACTION_FOR_CHILDHOOD_ARRIVALS", "I-821D"),
    "U_VISA": ("U_VISA", "U", "U_NONIMMIGRANT", "U_STATUS", "I-918"),
    "T_VISA": ("T_VISA", "T", "T_NONIMMIGRANT", "T_STATUS", "I-914"),
    "ADJUSTMENT": ("ADJUSTMENT", "ADJUSTMENT_OF_STATUS", "AOS", "I-485"),
    "CANCELLATION": ("CANCELLATION", "CANCELLATION_OF_REMOVAL", "EOIR-42A", "EOIR-42B"),
    "NATURALIZATION": ("NATURALIZATION", "NATURALISATION", "N-400", "CERTIFICATE_OF_CITIZENSHIP", "N-600"),
    "STAY": ("STAY", "STAY_OF_REMOVAL", "I-246"),
    "PAROLE": ("PAROLE", "HUMANITARIAN_PAROLE", "PAROLE_IN_PLACE", "I-131F"),
    "REFUGEE": ("REFUGEE", "REFUGEE_STATUS", "I-590"),
    # Requests that confer no status and no protection from removal, granted or not.
    "EMPLOYMENT_AUTHORIZATION": ("EMPLOYMENT_AUTHORIZATION", "EAD", "WORK_PERMIT", "I-765"),
    "FAMILY_PETITION": ("FAMILY_PETITION", "RELATIVE_PETITION", "I-130"),
    "EMPLOYMENT_PETITION": ("EMPLOYMENT_PETITION", "I-140"),
    "CARD_REPLACEMENT": ("CARD_REPLACEMENT", "I-90"),
    "FEE_WAIVER": ("FEE_WAIVER", "I-912"),
}
_BENEFIT_OF = {_squash(name): kind for kind, names in _BENEFIT_NAMES.items() for name in names}
NON_PROTECTIVE_BENEFITS = frozenset(
    {"EMPLOYMENT_AUTHORIZATION", "FAMILY_PETITION", "EMPLOYMENT_PETITION", "CARD_REPLACEMENT", "FEE_WAIVER"}
)
"""Benefit kinds that can bar no adverse action whatever is decided; every other kind, named or not, may."""
UNNAMED_BENEFIT = "UNKNOWN"
"""The kind of a benefit record that names none, by benefit or by form."""


def benefit_name(benefit: str | None, form: str | None) -> tuple[str, bool]:
    """The benefit kind a record names, and whether ILOS knows it: by its `benefit` code however spelt,
    else by its `form` (I-589 asylum, I-821 TPS, I-821D DACA, I-918 U, I-914 T, I-485 adjustment, N-400
    naturalization, I-246 stay, ...). A kind named but unknown is returned folded (not known); one named
    nowhere is `UNNAMED_BENEFIT` (not known)."""
    for written in (benefit, form):
        kind = _BENEFIT_OF.get(_squash(written))
        if kind is not None:
            return kind, True
    named = fold(benefit) or fold(form)
    return (named or UNNAMED_BENEFIT), False


def is_named(benefit: str | None, form: str | None) -> bool:
    """Whether the record names a benefit at all (a decision naming none takes its application's)."""
    return bool(fold(benefit) or fold(form))


def may_protect(kind: str, known: bool) -> bool:
    """Whether a benefit of this kind may bar adverse action once granted or while it is undecided: every
    kind but the known non-protective ones (an unknown kind may be anything)."""
    return not known or kind not in NON_PROTECTIVE_BENEFITS


class Decision(StrEnum):
    """What a benefit decision code says."""

    GRANT = "grant"
    ADVERSE = "adverse"  # closes the application and grants nothing
    UNDECIDED = "undecided"  # no decision yet: the application stays pending
    UNKNOWN = "unknown"  # a code ILOS does not know: it may be a grant, so it closes nothing


GRANT_CODES = frozenset(
    {"APPROVED", "APPROVE", "APPRV", "APPR", "APPROVAL", "GRANTED", "GRANT", "OATH_ADMINISTERED"}
)
ADVERSE_CODES = frozenset(
    {"DENIED", "DENY", "DENIAL", "WITHDRAWN", "WITHDRAWAL", "REJECTED", "ABANDONED"}
    | {"TERMINATED", "REVOKED", "RESCINDED"}
)
REVOKING_CODES = frozenset({"TERMINATED", "REVOKED", "RESCINDED"})
"""Adverse codes that end an earlier grant on the same application; any other adverse code after a grant is a
conflict for a person to resolve, and the grant keeps protecting until then."""
UNDECIDED_CODES = frozenset(
    {"", "PENDING", "RFE", "REQUEST_FOR_EVIDENCE", "REOPENED", "RECEIVED", "FILED", "IN_PROCESS"}
)


def decision_of(code: str | None) -> Decision:
    folded = fold(code)
    if folded in GRANT_CODES:
        return Decision.GRANT
    if folded in ADVERSE_CODES:
        return Decision.ADVERSE
    if folded in UNDECIDED_CODES:
        return Decision.UNDECIDED
    return Decision.UNKNOWN


def is_revocation(code: str | None) -> bool:
    return fold(code) in REVOKING_CODES


# Admission classes at a port of entry that say something about status.
LPR_CLASSES = frozenset(
    {"LPR", "LAWFUL_PERMANENT_RESIDENT", "PERMANENT_RESIDENT", "IMMIGRANT", "RETURNING_RESIDENT"}
    | {"IR1", "IR2", "IR3", "IR4", "IR5", "CR1", "CR2", "IH3", "IH4", "DV", "DV1", "DV2", "SB1"}
)
"""Permanent residents and immigrant-visa classes (an immigrant is admitted as a permanent resident)."""
REFUGEE_CLASSES = frozenset({"REFUGEE", "RE"})
PAROLE_CLASSES = frozenset({"PAROLE", "PAROLEE", "PAROLED", "HUMANITARIAN_PAROLE"})
USC_CLASSES = frozenset(
    {"USC", "US_CITIZEN", "UNITED_STATES_CITIZEN", "AMERICAN_CITIZEN", "CITIZEN", "USA", "US"}
)
STATUS_OF_CLASS = (("lpr", LPR_CLASSES), ("refugee", REFUGEE_CLASSES), ("parolee", PAROLE_CLASSES))


def admission_status(admission_class: str | None) -> str | None:
    """The status an admission class evidences (lpr, refugee, parolee), or None."""
    folded = fold(admission_class)
    return next((status for status, classes in STATUS_OF_CLASS if folded in classes), None)


def is_citizen_admission(admission_class: str | None) -> bool:
    return fold(admission_class) in USC_CLASSES


def is_citizenship_claim(disposition: str | None) -> bool:
    """An encounter disposition recording a claim to US citizenship, however spelt: it names USC
    (RELEASED_USC_CLAIM, "Released USC Claim", CLAIMED_USC) or a US citizen (US_CITIZEN_CLAIM)."""
    tokens = set(fold(disposition).split("_"))
    return (
        "USC" in tokens
        or "USCITIZEN" in tokens
        or ("US" in tokens and bool(tokens & {"CITIZEN", "CITIZENSHIP"}))
    )
