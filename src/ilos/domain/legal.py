"""The current legal situation of a subject as typed facts, each carrying the events it rests on.

Nothing here decides what to do; gates (ilos.policy) read these facts. Evidence is kept on every fact
so a gate can always show why it blocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ilos.domain.events import EventRef

Evidence = tuple[EventRef, ...]

APPEAL_WINDOW_DAYS = 30
VOLUNTARY_DEPARTURE_DAYS = 120


class OrderType(StrEnum):
    REMOVAL = "removal"
    VOLUNTARY_DEPARTURE_LAPSED = "voluntary_departure_lapsed"  # the alternate removal order took effect
    EXPEDITED_REMOVAL = "expedited_removal"


class ProceedingState(StrEnum):
    PENDING = "pending"
    DECIDED = "decided"
    ON_APPEAL = "on_appeal"
    ORDER_VACATED = "order_vacated"  # appeal sustained


class StayKind(StrEnum):
    JUDICIAL = "judicial"
    ADMINISTRATIVE = "administrative"


class DepartureKind(StrEnum):
    NONE = "none"
    SELF_REPORTED = "self_reported"  # the person said so; no exit or removal record confirms it
    VERIFIED = "verified"  # an exit record or an executed removal


@dataclass(frozen=True, slots=True)
class Proceeding:
    case: str
    state: ProceedingState
    opened_on: date | None
    outcome: str | None
    decided_on: date | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class FinalOrder:
    order_type: OrderType
    ordered_on: date
    country: str | None
    case: str | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class AppealWindow:
    """An order still open to appeal: not final until `closes_on` passes without an appeal."""

    case: str
    ordered_on: date
    closes_on: date
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Appeal:
    case: str
    filed_on: date
    status: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Stay:
    kind: StayKind
    effective_from: date
    effective_until: date | None
    evidence: Evidence

    def is_in_effect(self, on: date) -> bool:
        return self.effective_from <= on and not self.has_ended(on)

    def has_ended(self, on: date) -> bool:
        return self.effective_until is not None and self.effective_until < on


@dataclass(frozen=True, slots=True)
class CountryProtection:
    """Withholding of removal or CAT protection: removal to *this* country is barred, not removal itself."""

    kind: str  # "withholding" | "cat"
    country: str | None
    granted_on: date
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class ProtectedStatus:
    kind: str  # tps, daca, asylee, u_visa, t_visa, lpr, parolee, refugee
    since: date
    evidence: Evidence
    notes: tuple[str, ...] = ()  # what a person must resolve: a later denial of the grant, say


@dataclass(frozen=True, slots=True)
class PendingApplication:
    """An application no decision ILOS reads has closed: none yet, or one whose kind or decision code ILOS
    cannot read (`unread` says which), which may protect the person and so holds them."""

    benefit: str
    form: str | None
    filed_on: date
    receipt: str | None
    evidence: Evidence
    unread: str | None = None


@dataclass(frozen=True, slots=True)
class DetentionState:
    detained: bool
    facility: str | None
    since: date | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class DepartureState:
    kind: DepartureKind
    departed_on: date | None
    country: str | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class CitizenshipIndication:
    """Any record suggesting US citizenship; a claim alone counts, because the gate needs human review."""

    kind: (
        str  # BIRTH_RECORD, NATURALIZATION_CERTIFICATE, naturalization_approved, us_passport_entry, claim...
    )
    on: date
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class CriminalCharge:
    arrest: str | None
    offense: str | None
    severity: int | None
    level: str | None
    disposition: str | None
    charged_on: date
    evidence: Evidence

    @property
    def is_conviction(self) -> bool:
        """Only a standing conviction: dismissed, pending and vacated charges are not convictions."""
        return self.disposition == "CONVICTED"


@dataclass(frozen=True, slots=True)
class Cooperation:
    kind: str | None
    active: bool
    since: date
    until: date | None
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class UnrecognisedRecord:
    """A record ILOS cannot read as the event it may be — a court record of no type its source's event specs
    read, or a record that may bar action whose date cannot be read: it may be a stay, an appeal, an order or
    a certificate, so no adverse action may rest on its being nothing until it is corrected at its source."""

    on: date
    typed: str | None  # its coded values as written, e.g. "REC_TYPE=STY"
    evidence: Evidence
    read_as: str | None = None  # the kind a spec would read it as, had its date read ("stay")
    unread_date: str | None = None  # the date that could not be read, as written ("EVENT_DATE=99/99/2026")

    def describe(self) -> str:
        """What makes it unreadable: "REC_TYPE=STY", or "a stay record (REC_TYPE=STAY) whose date
        EVENT_DATE=99/99/2026 cannot be read"."""
        if self.read_as is not None:
            typed = f" ({self.typed})" if self.typed else ""
            return f"a {self.read_as} record{typed} whose date {self.unread_date} cannot be read"
        unread = f", and its date {self.unread_date} cannot be read" if self.unread_date is not None else ""
        return f"{self.typed or 'no type'}{unread}"


NOT_DETAINED = DetentionState(False, None, None, ())
NOT_DEPARTED = DepartureState(DepartureKind.NONE, None, None, ())


@dataclass(frozen=True, slots=True)
class LegalSituation:
    """Everything the events say about a subject's legal position on `as_of`."""

    as_of: date
    proceedings: tuple[Proceeding, ...] = ()
    final_order: FinalOrder | None = None
    appeal_windows: tuple[AppealWindow, ...] = ()
    pending_appeals: tuple[Appeal, ...] = ()
    stays: tuple[Stay, ...] = ()
    country_protections: tuple[CountryProtection, ...] = ()
    protected_statuses: tuple[ProtectedStatus, ...] = ()
    pending_applications: tuple[PendingApplication, ...] = ()
    detention: DetentionState = NOT_DETAINED
    departure: DepartureState = NOT_DEPARTED
    citizenship: tuple[CitizenshipIndication, ...] = ()
    criminal_history: tuple[CriminalCharge, ...] = ()
    cooperation: tuple[Cooperation, ...] = ()
    unrecognised_records: tuple[UnrecognisedRecord, ...] = ()
    dated_ahead: tuple[EventRef, ...] = ()
    """Events counted though dated after `as_of`: each can only bar adverse action, and its record is held, so
    its date is most likely wrong; the gates resting on one say so."""

    @property
    def has_final_order(self) -> bool:
        return self.final_order is not None

    @property
    def stays_in_effect(self) -> tuple[Stay, ...]:
        """Stays in effect on `as_of`, and those dated after it that have not ended: a stay in the situation
        dated later is one whose record the system holds (`legal_derivation`), so its date is most likely
        wrong (a day and month swapped), and a stay never waits on a date error."""
        return tuple(s for s in self.stays if not s.has_ended(self.as_of))

    @property
    def has_citizenship_evidence(self) -> bool:
        return bool(self.citizenship)

    @property
    def convictions(self) -> tuple[CriminalCharge, ...]:
        return tuple(c for c in self.criminal_history if c.is_conviction)

    @property
    def is_cooperating(self) -> bool:
        return any(c.active for c in self.cooperation)

    def status_kinds(self) -> frozenset[str]:
        return frozenset(s.kind for s in self.protected_statuses)
