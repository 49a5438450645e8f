"""Markings and purposes: what a role working for a purpose may see and use of a subject. Legal floors
apply before the policy's matrix: HEALTH data is never usable for enforcement, TAX data only with a
recorded authority naming the taxpayer. Withheld values are reported with the reason, never dropped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ilos.definitions.policy import AUTHORITY_REQUIRED, NEVER_FOR_ENFORCEMENT, Policy
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.domain.subjects import Subject
from ilos.errors import PermissionDeniedError
from ilos.policy.authority import LegalAuthority, check_authorities

_STRICTNESS = {"allow": 0, "authority": 1, "deny": 2}
# Event kinds the legal derivation ignores: dropping them cannot change the legal situation.
_NON_LEGAL_KINDS = frozenset({"address_observation", "planned_operation"})


@dataclass(frozen=True, slots=True)
class Use:
    """May this item be used, and if not, why."""

    allowed: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ShownValue:
    attribute: str
    value: str | None  # None when withheld
    source: str
    record_id: str
    observed_on: date | None
    link_confidence: float
    markings: tuple[str, ...]
    withheld: str = ""  # the reason, when withheld


@dataclass(frozen=True, slots=True)
class ShownEvent:
    kind: str
    on: date
    source: str
    record_id: str
    attributes: tuple[tuple[str, str], ...] | None
    markings: tuple[str, ...]
    withheld: str = ""


@dataclass(frozen=True, slots=True)
class SubjectView:
    subject_id: str
    role: str
    purpose: str
    policy_label: str
    values: tuple[ShownValue, ...]
    events: tuple[ShownEvent, ...]

    @property
    def withheld(self) -> tuple[ShownValue | ShownEvent, ...]:
        shown: tuple[ShownValue | ShownEvent, ...] = (*self.values, *self.events)
        return tuple(v for v in shown if v.withheld)

    def shown(self, attribute: str) -> tuple[str, ...]:
        return tuple(v.value for v in self.values if v.attribute == attribute and v.value is not None)


def marking_decision(policy: Policy, role: str, purpose: str, marking: str) -> tuple[str, str]:
    """allow / deny / authority for one marking, with why; the legal floors cannot be overridden."""
    enforcement = policy.spec.is_enforcement(purpose)
    if enforcement and marking in NEVER_FOR_ENFORCEMENT:
        return "deny", f"{marking} data is never usable for enforcement ({purpose})"
    rule = next((r for r in policy.spec.access if r.matches(role, purpose, marking)), None)
    decision = rule.decision if rule else policy.spec.default_access
    why = (rule.why if rule else "") or f"policy {policy.label}: {marking} for {role}/{purpose} is {decision}"
    if enforcement and marking in AUTHORITY_REQUIRED and decision == "allow":
        return "authority", f"{marking} data needs a recorded legal authority for {purpose}"
    return decision, why


class Usage:
    """Decides use of each marked item for one subject, role, purpose and set of authorities."""

    def __init__(
        self,
        subject: Subject,
        role: str,
        purpose: str,
        authorities: Sequence[LegalAuthority],
        policy: Policy,
        used_on: date | None = None,
    ) -> None:
        """`used_on` is the day the data is used (an authority must be in force then); default: the
        subject's as-of date."""
        allowed = policy.spec.role_purposes.get(role, ())
        if purpose not in allowed:
            raise PermissionDeniedError(
                f"Role {role!r} may not work for purpose {purpose!r} under policy {policy.label}; "
                f"it may declare: {', '.join(allowed) or 'nothing'}"
            )
        check_authorities(authorities)
        self.subject, self.role, self.purpose, self.policy = subject, role, purpose, policy
        self.authorities = tuple(authorities)
        self.used_on = used_on or subject.legal.as_of
        self._periods: dict[tuple[str, str], str | None] = {
            (e.source, e.record_id): e.get("tax_year") for e in subject.events
        }
        self._cache: dict[tuple[tuple[str, ...], int | None], Use] = {}

    def of(self, source: str, record_id: str, markings: tuple[str, ...], on: date | None) -> Use:
        marks = self.policy.markings_of(source, markings)
        period = self._period(source, record_id, on) if AUTHORITY_REQUIRED & set(marks) else None
        key = (marks, period)
        if key not in self._cache:
            self._cache[key] = self._decide(marks, period)
        return self._cache[key]

    def _period(self, source: str, record_id: str, on: date | None) -> int | None:
        text = self._periods.get((source, record_id))
        if text and text.isdigit():
            return int(text)
        return on.year if on else None

    def _decide(self, marks: tuple[str, ...], period: int | None) -> Use:
        decisions = [(m, *marking_decision(self.policy, self.role, self.purpose, m)) for m in marks]
        for marking, decision, why in sorted(decisions, key=lambda d: -_STRICTNESS[d[1]]):
            if decision == "deny":
                return Use(False, why)
            if decision == "authority":
                why_nots = [
                    a.why_not(marking, self.subject.subject_id, period, self.used_on)
                    for a in self.authorities
                ]
                if all(why_nots):  # the record's tax period is tax return information: never named
                    cited = "".join(f"; {w}" for w in why_nots)
                    return Use(
                        False, f"{why}; no recorded authority covers this taxpayer and tax period{cited}"
                    )
        return Use(True)


def view_subject(
    subject: Subject,
    role: str,
    purpose: str,
    authorities: Sequence[LegalAuthority],
    policy: Policy,
    used_on: date | None = None,
) -> SubjectView:
    """Every value and event of the subject, each shown or reported as withheld with the reason."""
    usage = Usage(subject, role, purpose, authorities, policy, used_on)
    values = []
    for name, attribute in sorted(subject.attributes.items()):
        for o in attribute.observations:
            use = usage.of(o.source, o.record_id, o.markings, o.observed_on)
            value = str(o.value) if use.allowed else None
            marks = usage.policy.markings_of(o.source, o.markings)
            values.append(
                ShownValue(
                    name, value, o.source, o.record_id, o.observed_on, o.link_confidence, marks, use.reason
                )
            )
    events = []
    for e in subject.events:
        use = usage.of(e.source, e.record_id, e.markings, e.on)
        attributes = e.attributes if use.allowed else None
        marks = usage.policy.markings_of(e.source, e.markings)
        events.append(ShownEvent(e.kind, e.on, e.source, e.record_id, attributes, marks, use.reason))
    return SubjectView(subject.subject_id, role, purpose, policy.label, tuple(values), tuple(events))


def restrict_subject(subject: Subject, usage: Usage) -> Subject:
    """The subject as the purpose may use it: what a decision for that purpose is allowed to rest on."""
    attributes = {
        name: type(a)(name, kept)
        for name, a in subject.attributes.items()
        if (
            kept := tuple(
                o
                for o in a.observations
                if usage.of(o.source, o.record_id, o.markings, o.observed_on).allowed
            )
        )
    }
    events = tuple(e for e in subject.events if usage.of(e.source, e.record_id, e.markings, e.on).allowed)
    dropped_legal = len(events) < len(subject.events) and any(
        e.kind not in _NON_LEGAL_KINDS for e in set(subject.events) - set(events)
    )
    legal = derive_legal_situation(events, subject.legal.as_of) if dropped_legal else subject.legal
    return type(subject)(subject.subject_id, attributes, events, legal, subject.records)


def access_matrix(policy: Policy, markings: Sequence[str]) -> dict[tuple[str, str, str], str]:
    """(role, purpose, marking) -> allow / deny / authority for the purposes each role may declare,
    after the legal floors: what `ilos policy show` prints for review."""
    return {
        (role, purpose, marking): marking_decision(policy, role, purpose, marking)[0]
        for role, purposes in policy.spec.role_purposes.items()
        for purpose in purposes
        for marking in markings
    }
