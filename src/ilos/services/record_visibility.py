"""Which records one subject page may name. A record the caller's purpose may use nothing of is not named
anywhere on the page (that a tax filing exists is itself tax return information): not in its record list,
links, history, nor the evidence of its gates. A record of the subject is decided by the page's own view
(`subject_view`, which applies the policy record by record, cited authorities included); any other record
(a candidate match's other record, a record that left in a split) by its source's markings under the
published summary's rule (`published_view.SourceRule`): an authority for this subject covers no other."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from ilos.definitions.policy import Policy
from ilos.definitions.sources import SourcesConfig
from ilos.errors import InvalidInputError, NotFoundError
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
        source = key.split(":", 1)[0]
        if source not in self.sources:
            self.sources[source] = self._open(source)
        return self.sources[source]

    def _open(self, source: str) -> bool:
        try:
            declared = self.config.source(source).markings
        except InvalidInputError:
            return False  # a source the config does not know: its markings are unknown, so fail closed
        return not self.rule.refusal(source, list(declared))


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
