"""Publishing a built linkage's subjects to the operational store: a display name, date of birth, search
identifiers and a small summary payload. The full record (observations, timeline, links) stays in the
linkage files and is read, through the access policy, one subject at a time. Publishing a re-run also moves
the work attached to its merged and split subjects (`subject_splits.follow_splits`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ilos.definitions.policy import AUTHORITY_REQUIRED, NEVER_FOR_ENFORCEMENT
from ilos.duckdb_paths import literal_path
from ilos.errors import NotFoundError
from ilos.services.access import Caller
from ilos.services.policy_in_force import current_policy
from ilos.services.publish import publish
from ilos.services.store_access import Store
from ilos.services.subject_splits import SplitView, follow_splits

# Identifiers that make a subject findable. SSNs are left out: they come from TAX-marked records, and
# searching by one would use tax data without a recorded authority.
SEARCH_IDENTIFIERS = ("a_number", "fbi_number", "passport_number", "state_id")

_SUMMARY_SQL = """
SELECT s.subject_id, s.record_count, s.sources, s.conflicts, s.as_of, s.has_final_order, s.detained,
       s.departure, list_filter(s.best, lambda b: b.attribute IN ('full_name', 'date_of_birth')) AS best
FROM read_parquet(?) s ORDER BY s.subject_id
"""
_RECORDS_BY_SOURCE_SQL = """
SELECT subject_id, map(list(source ORDER BY source), list(n ORDER BY source)) AS records_by_source
FROM (SELECT subject_id, source, count(*) AS n FROM read_parquet(?) GROUP BY ALL) GROUP BY subject_id
"""
_IDENTIFIERS_SQL = """
SELECT subject_id, list(DISTINCT {'kind': attribute, 'value': value}) AS identifiers
FROM read_parquet(?) WHERE attribute IN ('a_number', 'fbi_number', 'passport_number', 'state_id')
  AND NOT list_contains(?::VARCHAR[], source)
GROUP BY subject_id
"""
# A name and date of birth from records any purpose may see: the most often observed, then the latest.
_OPEN_NAME_SQL = """
SELECT subject_id, attribute, arg_max(value, (n, last_seen)) AS value FROM (
  SELECT subject_id, attribute, value, count(*) AS n, max(observed_on) AS last_seen FROM read_parquet(?)
  WHERE attribute IN ('full_name', 'date_of_birth') AND NOT list_contains(?::VARCHAR[], source)
  GROUP BY ALL
) GROUP BY subject_id, attribute
"""
# Each source's markings as its observations carry them (the subjects build copies them from the config).
_SOURCE_MARKINGS_SQL = """
SELECT source, list(DISTINCT m ORDER BY m) FROM (SELECT source, unnest(markings) AS m FROM read_parquet(?))
GROUP BY source
"""
# Markings whose records never name a published subject (the summary every reader sees): tax return and
# health information need an authority or are never for enforcement, so their values stay in the lake.
RESTRICTED = sorted(AUTHORITY_REQUIRED | NEVER_FOR_ENFORCEMENT)


def subject_rows(
    linkage_dir: Path, marking_overrides: Mapping[str, tuple[str, ...]]
) -> Iterator[dict[str, Any]]:
    """One publishable row per subject of `linkage_dir` (after `ilos subjects build`). A source is
    restricted when its records carry a RESTRICTED marking or the policy's `marking_overrides` give it one
    (the policy can add a marking; it cannot lift a legal floor from the records). Decided when published: a
    policy applied later reaches the published names at the next publish."""
    summary, observations = linkage_dir / "subjects.parquet", linkage_dir / "observations.parquet"
    clusters = linkage_dir / "clusters.parquet"
    for path in (summary, observations, clusters):
        if not path.is_file():
            raise NotFoundError(
                f"No {path.name} in {linkage_dir}; run `ilos subjects build {linkage_dir} --config CONFIG`"
            )
    con = duckdb.connect()
    try:
        markings: dict[str, list[str]] = dict(
            con.execute(_SOURCE_MARKINGS_SQL, [literal_path(observations)]).fetchall()
        )
        closed = _closed_sources(markings, marking_overrides)
        ids = {
            r[0]: [(i["kind"], i["value"]) for i in r[1]]
            for r in con.execute(_IDENTIFIERS_SQL, [literal_path(observations), closed]).fetchall()
        }
        open_values: dict[str, dict[str, str]] = {}
        for subject_id, attribute, value in con.execute(
            _OPEN_NAME_SQL, [literal_path(observations), closed]
        ).fetchall():
            open_values.setdefault(subject_id, {})[attribute] = value
        by_source = dict(con.execute(_RECORDS_BY_SOURCE_SQL, [literal_path(clusters)]).fetchall())
        result = con.execute(_SUMMARY_SQL, [literal_path(summary)])
        columns = [d[0] for d in result.description]
        rows = [dict(zip(columns, r, strict=True)) for r in result.fetchall()]
    finally:
        con.close()
    for row in rows:
        counts = by_source.get(row["subject_id"]) or {}
        shown = _shown_best(row["best"] or [], open_values.get(row["subject_id"], {}), closed)
        yield _publishable(row, shown, ids.get(row["subject_id"], []), counts, markings)


def _closed_sources(
    markings: Mapping[str, list[str]], marking_overrides: Mapping[str, tuple[str, ...]]
) -> list[str]:
    """Sources whose records may not name a published subject: a RESTRICTED marking on their records or in
    the policy's override (which can add a marking, not lift one)."""
    sources = set(markings) | set(marking_overrides)
    return sorted(
        s for s in sources if (set(markings.get(s, ())) | set(marking_overrides.get(s, ()))) & set(RESTRICTED)
    )


def _shown_best(best: list[dict[str, Any]], open_values: dict[str, str], closed: list[str]) -> dict[str, str]:
    """The survivorship's best name and date of birth where they come from an open source, else the open
    records' own choice; nothing when only restricted records hold one."""
    shown = dict(open_values)
    for b in best:
        if b["source"] not in closed:
            shown[b["attribute"]] = b["value"]
    return shown


def _publishable(
    row: dict[str, Any],
    best: dict[str, str],
    identifiers: list[tuple[str, str]],
    records_by_source: dict[str, int],
    markings: dict[str, list[str]],
) -> dict[str, Any]:
    return {
        "subject_id": row["subject_id"],
        "display_name": best.get("full_name") or "(no name)",
        "date_of_birth": best.get("date_of_birth") or None,
        "identifiers": identifiers,
        "payload": {
            "record_count": row["record_count"],
            "sources": list(row["sources"] or []),
            "conflicts": list(row["conflicts"] or []),
            "as_of": row["as_of"].isoformat() if row["as_of"] else None,
            "has_final_order": bool(row["has_final_order"]),
            "detained": bool(row["detained"]),
            "departure": row["departure"],
            # for `published_view`: which sources the reader's purpose may see, and how many records each
            "records_by_source": records_by_source,
            "source_markings": {s: markings[s] for s in records_by_source if s in markings},
        },
    }


@dataclass(frozen=True, slots=True)
class PublishedLinkage:
    subjects: int
    splits: tuple[SplitView, ...]  # splits of this linkage applied to attached work by this publish


def publish_linkage(store: Store, caller: Caller, linkage_dir: Path) -> PublishedLinkage:
    """Publish every subject of the linkage in one audited transaction, then make the work attached to
    subjects follow the linkage's merges and splits (each split once, in its own audited transaction), so
    no case or action stays on an identity the re-run divided."""
    overrides = current_policy(store.settings.home).spec.source_markings
    published = publish(store, caller, subject_rows(linkage_dir, overrides))
    return PublishedLinkage(published, tuple(follow_splits(store, caller, linkage_dir)))
