"""Which records a caller may name of one subject (`subject_records`, the one rule the subject page, an
action's gates and the gate text stored with actions, halts and alerts decide by). A record the caller's
purpose may use nothing of is not named anywhere on the page (that a tax filing exists is itself tax return
information): not in its record list, links, history, nor the evidence of its gates. A record of the subject
is decided by the page's own view (`subject_view`, which applies the policy record by record, cited
authorities included); any other record (a candidate match's other record, a record that left in a split)
by its source's markings under the published summary's rule (`published_view.SourceRule`): an authority for
this subject covers no other."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from ilos.definitions.policy import Policy
from ilos.definitions.sources import SourcesConfig
from ilos.errors import InvalidInputError, NotFoundError
from ilos.policy.access import Usage
from ilos.policy.decide import withheld_records
from ilos.policy.results import CandidateMatch
from ilos.resolve.records import typed_record_key
from ilos.services.linkage_config import load_linkage_config
from ilos.services.published_view import SourceRule


class RecordVisibility:
    def __init__(
        self,
        config: SourcesConfig,
        policy: Policy,
        role: str,
        purpose: str,
        shown: Collection[str],
        hidden: Collection[str],
    ) -> None:
        """`shown` and `hidden`: the subject's own records ("source:record_id") the page shows and hides;
        `config`: the linkage's sources config, whose markings decide every other record."""
        self.config = config
        self.rule = SourceRule(policy, role, purpose)
        self.shown, self.hidden = frozenset(shown), frozenset(hidden)
        self.sources: dict[str, bool] = {}

    def __call__(self, record: str) -> bool:
        """May the page name `record` ("source:record_id", or "source|record_id" as batch runs write it)?"""
        key = typed_record_key(record)
        if key in self.shown or key in self.hidden:
            return key in self.shown
        return self.source_open(key.split(":", 1)[0])

    def source_open(self, source: str) -> bool:
        """May the page name a record of `source` that is not the subject's (by the source's markings)?"""
        if source not in self.sources:
            self.sources[source] = self._open(source)
        return self.sources[source]

    def refused_sources(self) -> frozenset[str]:
        """Every source the sources config or the policy's marking overrides name whose records of other
        subjects the page may not name: what text kept without its records may rest on."""
        names = {spec.name for spec in self.config.sources} | set(self.rule.policy.spec.source_markings)
        return frozenset(s for s in names if not self.source_open(s))

    def _open(self, source: str) -> bool:
        try:
            declared = self.config.source(source).markings
        except InvalidInputError:
            return False  # a source the config does not know: its markings are unknown, so fail closed
        return not self.rule.refusal(source, list(declared))


@dataclass(frozen=True, slots=True)
class SubjectRecords:
    """What one caller may name of a subject's records and of the records its gates rest on."""

    shown: tuple[str, ...]
    """The subject's records the caller may see, in the subject's order."""
    visibility: RecordVisibility
    hidden: frozenset[str]
    """The records the subject's gates may rest on that the caller may not see: the subject's own its usage
    may use nothing of, and candidate matches' records (either side) `visibility` may not name."""


def subject_records(
    usage: Usage, candidates: Iterable[CandidateMatch], sources: SourcesConfig, waiting: Iterable[str] = ()
) -> SubjectRecords:
    """The one rule the subject page, an action's gates and stored gate text decide visibility by: a record
    of the subject is withheld when `usage` (its authorities included) may use nothing of it
    (`decide.withheld_records`); any other record as `RecordVisibility` decides it (`sources`: the linkage's
    sources config, whose markings decide other subjects' records). `waiting`: the records the identity
    gate's disputes and pending merges name (`GateInputs.waiting_records`)."""
    subject = usage.subject
    withheld = frozenset(withheld_records(subject, usage))
    shown = tuple(str(r) for r in subject.records if str(r) not in withheld)
    visibility = RecordVisibility(sources, usage.policy, usage.role, usage.purpose, shown, withheld)
    unnamed = unnamed_candidate_records(visibility, candidates) | {r for r in waiting if not visibility(r)}
    return SubjectRecords(shown, visibility, withheld.union(unnamed))


def other_records_sources(directory: Path) -> SourcesConfig:
    """The linkage's sources config, whose markings decide the records of other subjects; without one no
    source is known, so no such record is named (fails closed rather than refusing the page)."""
    try:
        return load_linkage_config(directory)
    except NotFoundError:
        return SourcesConfig.model_construct(sources=())


def unnamed_candidate_records(visibility: RecordVisibility, candidates: Iterable[CandidateMatch]) -> set[str]:
    """The records of candidate matches (either side) that `visibility` may not name."""
    return {r for c in candidates for r in (c.record, c.other_record) if not visibility(r)}
