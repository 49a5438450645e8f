"""Which records one subject page may name. A record the caller's purpose may use nothing of is not named
anywhere on the page (that a tax filing exists is itself tax return information): not in its record list,
links, history, nor the evidence of its gates. A record of the subject is decided by the page's own view
(`subject_view`); a record elsewhere (a candidate match's other record, a record that left in a split) by
its source's markings under the published summary's rule (`published_view.SourceRule`)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import duckdb

from ilos.definitions.policy import Policy
from ilos.services.published_view import SourceRule
from ilos.services.subjects import OBSERVATIONS_FILE


class RecordVisibility:
    def __init__(
        self,
        linkage_dir: Path,
        policy: Policy,
        role: str,
        purpose: str,
        shown: Collection[str],
        hidden: Collection[str],
    ) -> None:
        """`shown` and `hidden`: the subject's own records ("source:record_id") the page shows and hides."""
        self.observations = linkage_dir / OBSERVATIONS_FILE
        self.rule = SourceRule(policy, role, purpose)
        self.hidden = frozenset(hidden)
        self.sources = dict.fromkeys((r.split(":", 1)[0] for r in shown), True)

    def __call__(self, record: str) -> bool:
        """May the page name `record` ("source:record_id", or "source|record_id" as batch runs write it)?"""
        key = record.replace("|", ":", 1)
        if key in self.hidden:
            return False
        source = key.split(":", 1)[0]
        if source not in self.sources:
            self.sources[source] = not self.rule.refusal(source, self._declared(source))
        return self.sources[source]

    def _declared(self, source: str) -> list[str]:
        """The source's markings as the subjects build recorded them on its observations."""
        with duckdb.connect() as con:
            row = con.execute(
                "SELECT markings FROM read_parquet($observations) WHERE source = $source LIMIT 1",
                {"observations": str(self.observations), "source": source},
            ).fetchone()
        return list(row[0] or []) if row else []
