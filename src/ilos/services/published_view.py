"""What a caller may see of a published subject's summary: the sources of its records as the purpose's
markings allow. A source the purpose may not use (TAX data without a cited authority, HEALTH data for
enforcement) is left out of `sources` and `record_count`, and is named in `withheld` with the reason (the
issue's rule: withheld with the reason, so the reader knows something is held back and why). Decided under the policy in force, as the subject
page decides each value (`policy.access.marking_decision`).

A subject published before the summary carried `records_by_source` shows no sources and no record count
(which of them the purpose may see is unknown) until it is published again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ilos.definitions.policy import Policy
from ilos.errors import PermissionDeniedError
from ilos.policy.access import marking_decision
from ilos.services.access import Caller
from ilos.services.policy_in_force import current_policy, policy_role

INTERNAL_KEYS = ("records_by_source", "source_markings")
LEGACY = "published before summaries recorded each source's records; publish the linkage again to see them"


@dataclass(frozen=True, slots=True)
class WithheldSource:
    what: str  # always "source": the records of one source
    record: str  # the source's name
    reason: str


@dataclass(frozen=True, slots=True)
class SourceRule:
    """The policy, role and purpose one request's summaries are shown under."""

    policy: Policy
    role: str | None  # None: the policy lets none of the caller's roles work for the purpose
    purpose: str

    def refusal(self, source: str, declared: list[str]) -> str:
        """Why the purpose may not see this source's records; "" when it may."""
        if self.role is None:
            return f"policy {self.policy.label} lets none of your roles work for {self.purpose}"
        markings = self.policy.markings_of(source, declared)
        decisions = (marking_decision(self.policy, self.role, self.purpose, m) for m in markings)
        return "; ".join(why for decision, why in decisions if decision != "allow")


def source_rule(home: Path, caller: Caller) -> SourceRule:
    policy = current_policy(home)
    try:
        role: str | None = policy_role(policy, caller)
    except PermissionDeniedError:
        role = None
    return SourceRule(policy, role, caller.purpose.value)


def visible_summary(
    payload: Mapping[str, Any], rule: SourceRule
) -> tuple[dict[str, Any], tuple[WithheldSource, ...]]:
    """The summary without the sources the purpose may not use (nor their records in the count)."""
    shown = {k: v for k, v in payload.items() if k not in INTERNAL_KEYS}
    counts: Mapping[str, int] | None = payload.get("records_by_source")
    if counts is None:
        if "sources" not in shown:  # a summary without sources (published by hand): nothing to filter
            return shown, ()
        for key in ("sources", "record_count"):  # fail closed: which of them the purpose may see is unknown
            shown.pop(key, None)
        return shown, (WithheldSource("source", "*", LEGACY),)
    markings: Mapping[str, list[str]] = payload.get("source_markings") or {}
    refusals = {source: rule.refusal(source, markings.get(source, [])) for source in counts}
    withheld = tuple(WithheldSource("source", s, why) for s, why in refusals.items() if why)
    usable = [s for s in counts if not refusals[s]]
    shown["sources"] = [s for s in payload.get("sources", []) if s in usable]
    shown["record_count"] = sum(counts[s] for s in usable)
    return shown, withheld
