"""The subject page as the caller's purpose allows: identity with every value's sources and conflicts,
legal situation and gates, last known location, timeline, why records were linked, and what is withheld.

The read is authorised and audited by `subject_search.view`; the full record comes from the linkage files
and passes through the policy engine's `view_subject` before anything is shown."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ilos.definitions.survivorship import load_survivorship_rules
from ilos.domain.attributes import SurvivorshipRules
from ilos.domain.subjects import Subject
from ilos.policy.access import ShownEvent, ShownValue, SubjectView, Usage, restrict_subject, view_subject
from ilos.policy.decide import as_shown, evaluate_subject
from ilos.policy.results import Decision
from ilos.services import legal_records, subject_search
from ilos.services.access import Caller
from ilos.services.gate_inputs import subject_gate_inputs
from ilos.services.legal_reading import LegalLine, legal_lines
from ilos.services.legal_store import recorded_reviews
from ilos.services.policy_in_force import current_policy, policy_role
from ilos.services.record_visibility import RecordVisibility, other_records_sources, subject_records
from ilos.services.store_access import Store
from ilos.services.subject_record import ScoredLink, linkage_dir, read_detail

IDENTITY_ORDER = (
    "full_name", "given_name", "middle_name", "family_name", "date_of_birth", "sex", "nationality",
    "country_of_birth", "citizenship", "a_number", "fbi_number", "passport_number", "state_id", "ssn",
    "phone", "address",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Source:
    record: str
    observed_on: date | None
    confidence: float
    markings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShownIdentityValue:
    value: str | None  # None: withheld
    withheld: str
    is_best: bool
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class IdentityRow:
    attribute: str
    conflict: bool
    values: tuple[ShownIdentityValue, ...]


@dataclass(frozen=True, slots=True)
class TimelineRow:
    on: date
    kind: str
    record: str
    details: tuple[tuple[str, str], ...]
    markings: tuple[str, ...]
    withheld: str


@dataclass(frozen=True, slots=True)
class WithheldItem:
    what: str
    record: str
    reason: str


@dataclass(frozen=True, slots=True)
class RecordLink:
    """The strongest scored link of one record to another record of the same subject."""

    record: str
    link: ScoredLink | None


@dataclass(frozen=True, slots=True)
class SubjectPage:
    subject_id: str
    display_name: str
    date_of_birth: date | None
    records: tuple[str, ...]
    as_of: date
    role: str
    purpose: str
    policy_label: str
    conflicts: tuple[str, ...]
    decision: Decision
    identity: tuple[IdentityRow, ...]
    legal: tuple[LegalLine, ...]
    timeline: tuple[TimelineRow, ...]
    links: tuple[RecordLink, ...]
    withheld: tuple[WithheldItem, ...]
    visibility: RecordVisibility
    """Which records the page may name (for what is read after it, such as the merge and split history)."""


def subject_page(
    store: Store, caller: Caller, subject_id: str, authority_ids: Sequence[str] = ()
) -> SubjectPage:
    """One subject for the caller: the read is audited first (a refusal or a miss too). TAX data is shown
    only under a cited recorded authority (`authority_ids`) in force today for this subject; the decision
    takes the subject's recorded gate reviews into account."""
    published = subject_search.view(store, caller, subject_id)
    directory = linkage_dir(store.settings.home)
    detail = read_detail(directory, subject_id)
    policy = current_policy(store.settings.home)
    with store.transaction() as session:
        reviews = recorded_reviews(session, [subject_id]).get(subject_id, ())
    found = subject_gate_inputs(directory, subject_id, policy, reviews)  # what the worklist decides on
    subject = found.subject
    role = policy_role(policy, caller)
    purpose = caller.purpose.value
    authorities = legal_records.cite_authorities(store, caller, authority_ids)
    today = date.today()
    usage = Usage(subject, role, purpose, authorities, policy, today)
    usable = restrict_subject(subject, usage)
    shown = view_subject(subject, role, purpose, authorities, policy, today)
    decision = evaluate_subject(
        subject,
        detail.as_of,
        policy,
        role,
        purpose,
        authorities=authorities,
        reviews=found.reviews,
        candidates=found.candidates,
        disputes=found.disputes,
        pending_merges=found.pending_merges,
        unread_records=found.unread_records,
        case_records_elsewhere=found.case_records_elsewhere,
        used_on=today,
    )
    # Records the purpose may use nothing of: that such a record exists is itself protected (a tax filing
    # is tax return information), so the page neither lists nor links them and names only their source.
    seen = subject_records(usage, found.candidates, other_records_sources(directory), found.waiting_records)
    hidden = set(seen.visibility.hidden)
    rules = survivorship_rules()
    return SubjectPage(
        subject_id=subject_id,
        display_name=published.display_name,
        date_of_birth=published.date_of_birth,
        records=seen.shown,
        as_of=detail.as_of,
        role=role,
        purpose=purpose,
        policy_label=policy.label,
        conflicts=usable.conflicts(rules),
        decision=as_shown(decision, seen.hidden),
        identity=_identity([v for v in shown.values if _key(v) not in hidden], usable, rules),
        legal=tuple(legal_lines(usable.legal)),
        timeline=tuple(
            TimelineRow(e.on, e.kind, _key(e), e.attributes or (), e.markings, e.withheld)
            for e in shown.events
            if _key(e) not in hidden
        ),
        links=_record_links(subject, detail.links, hidden),
        withheld=(
            *(
                WithheldItem(w.attribute if isinstance(w, ShownValue) else w.kind, _key(w), w.withheld)
                for w in shown.withheld
                if _key(w) not in hidden
            ),
            *_withheld_sources(shown, hidden),
        ),
        visibility=seen.visibility,
    )


def _key(item: ShownValue | ShownEvent) -> str:
    return f"{item.source}:{item.record_id}"


def _withheld_sources(shown: SubjectView, hidden: set[str]) -> tuple[WithheldItem, ...]:
    """One line per source of withheld records, with the reason, and neither their ids nor their number."""
    reasons: dict[str, str] = {}
    for item in shown.withheld:
        if _key(item) in hidden:
            reasons.setdefault(item.source, item.withheld)
    return tuple(WithheldItem("records", source, why) for source, why in reasons.items())


@functools.cache
def survivorship_rules() -> SurvivorshipRules:
    """The shipped rules, read once per process (the file is part of the release)."""
    return load_survivorship_rules()


def _identity(
    values: Sequence[ShownValue], usable: Subject, rules: SurvivorshipRules
) -> tuple[IdentityRow, ...]:
    """Attributes in reading order; within each, shown values (best first, then by sources), then each
    withheld observation on its own with its reason. The best value is chosen among usable values only."""
    by_attribute: dict[str, list[ShownValue]] = {}
    for v in values:
        by_attribute.setdefault(v.attribute, []).append(v)
    names = sorted(by_attribute, key=lambda n: (IDENTITY_ORDER.index(n) if n in IDENTITY_ORDER else 99, n))
    rows = []
    for name in names:
        best = usable.best(name, rules)
        best_value = str(best.value) if best is not None else None
        grouped: dict[str, list[ShownValue]] = {}
        withheld = []
        for v in by_attribute[name]:
            if v.value is None:
                withheld.append(ShownIdentityValue(None, v.withheld, False, (_source(v),)))
            else:
                grouped.setdefault(v.value, []).append(v)
        shown = [
            ShownIdentityValue(value, "", value == best_value, tuple(_source(o) for o in obs))
            for value, obs in grouped.items()
        ]
        shown.sort(key=lambda s: (not s.is_best, -len(s.sources), s.value or ""))
        conflict = name in rules.critical and usable.attribute(name).conflict
        rows.append(IdentityRow(name, conflict, (*shown, *withheld)))
    return tuple(rows)


def _source(v: ShownValue) -> Source:
    return Source(f"{v.source}:{v.record_id}", v.observed_on, v.link_confidence, v.markings)


def _record_links(subject: Subject, links: Sequence[ScoredLink], hidden: set[str]) -> tuple[RecordLink, ...]:
    """For each record the page may show, its strongest scored link to another such record of the subject
    (links come strongest first)."""
    strongest: dict[str, ScoredLink] = {}
    for link in links:
        if str(link.left) in hidden or str(link.right) in hidden:
            continue
        for record in (link.left, link.right):
            strongest.setdefault(str(record), link)
    return tuple(RecordLink(str(r), strongest.get(str(r))) for r in subject.records if str(r) not in hidden)
